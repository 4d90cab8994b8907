"""Looking texts up in the catalogues."""

from typing import Any

from handlers.catalog import en, fr

CATALOGS: dict[str, dict[str, str]] = {"fr": fr.TEXTS, "en": en.TEXTS}
LANGUAGES = tuple(CATALOGS)
LANGUAGE_NAMES = {"fr": "🇫🇷 Français", "en": "🇬🇧 English"}


def t(language: str, key: str, **values: Any) -> str:
    """The text for `key` in `language`, French when missing there."""
    catalog = CATALOGS.get(language, fr.TEXTS)
    template = catalog.get(key) or fr.TEXTS[key]
    return template.format(**values) if values else template
