"""Looking texts up in the catalogues."""

from typing import Any

from handlers.catalog import (
    accounts_en,
    accounts_fr,
    agents_en,
    agents_fr,
    en,
    fr,
    money_en,
    money_fr,
)

# One catalogue per language, assembled from the feature modules.
CATALOGS: dict[str, dict[str, str]] = {
    "fr": {**fr.TEXTS, **accounts_fr.TEXTS, **agents_fr.TEXTS, **money_fr.TEXTS},
    "en": {**en.TEXTS, **accounts_en.TEXTS, **agents_en.TEXTS, **money_en.TEXTS},
}
LANGUAGES = tuple(CATALOGS)
LANGUAGE_NAMES = {"fr": "🇫🇷 Français", "en": "🇬🇧 English"}


def t(language: str, key: str, **values: Any) -> str:
    """The text for `key` in `language`, French when missing there."""
    catalog = CATALOGS.get(language, CATALOGS["fr"])
    template = catalog.get(key) or CATALOGS["fr"][key]
    return template.format(**values) if values else template
