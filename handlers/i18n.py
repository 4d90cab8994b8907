"""Looking texts up in the catalogues."""

from typing import Any

from handlers.catalog import en, fr, wo

# One catalogue per language, one file each (handlers/catalog/<code>.py): same keys and
# placeholders in every one (tests/unit/test_handlers_catalog.py).
CATALOGS: dict[str, dict[str, str]] = {"fr": fr.TEXTS, "en": en.TEXTS, "wo": wo.TEXTS}
LANGUAGES = tuple(CATALOGS)
LANGUAGE_NAMES = {"fr": "🇫🇷 Français", "en": "🇬🇧 English", "wo": "🇸🇳 Wolof"}
# The language of a user's WhatsApp templates (bot/channels/whatsapp/templates.py), their
# parameters included: Meta approves none in Wolof, so a Wolof user's go in French.
TEMPLATE_LANGUAGES = {"fr": "fr", "en": "en", "wo": "fr"}


def language_from_hint(hint: str | None) -> str | None:
    """One of our languages from what an app says ("fr-SN" → "fr", "en" → "en", "WO" →
    "wo"), or None when it says nothing we speak."""
    if not hint:
        return None
    code = hint.strip().lower().replace("_", "-").split("-", 1)[0]
    return code if code in CATALOGS else None


def t(language: str, key: str, **values: Any) -> str:
    """The text for `key` in `language`, French when missing there."""
    catalog = CATALOGS.get(language, CATALOGS["fr"])
    template = catalog.get(key) or CATALOGS["fr"][key]
    return template.format(**values) if values else template
