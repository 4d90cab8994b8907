"""Reading what users type: references and amounts (pure)."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

NICKNAME_MAX_CHARS = 30
LABEL_MAX_CHARS = 40
REFERENCE_MIN_DIGITS = 6
REFERENCE_MAX_DIGITS = 20
MAX_INPUT_CHARS = 200

_REFERENCE_SEPARATORS = re.compile(r"[\s\-./]")
_CURRENCY = re.compile(r"(f\s*cfa|cfa|xof|francs?|frs?|f)$")
_SPACES = re.compile(r"[\s\u00a0\u202f']")
_THOUSANDS = re.compile(r"^\d{1,3}([.,]\d{3})+$")


def parse_reference(text: str) -> str | None:
    """Digits of sane length, keeping leading zeros; spaces and dashes are forgiven."""
    if len(text) > MAX_INPUT_CHARS:
        return None
    digits = _REFERENCE_SEPARATORS.sub("", text.strip())
    if not digits.isascii() or not digits.isdigit():
        return None
    if not REFERENCE_MIN_DIGITS <= len(digits) <= REFERENCE_MAX_DIGITS:
        return None
    return digits


@dataclass(frozen=True)
class AmountProblem:
    reason: str  # "not_a_number" | "too_small" | "too_large"


def parse_amount(text: str) -> int | None:
    """Whole FCFA from '5000', '5 000', '5.000', '5,000', '5000 F', '5000fcfa'."""
    if len(text) > MAX_INPUT_CHARS:
        return None
    cleaned = _SPACES.sub("", text.strip().lower())
    cleaned = _CURRENCY.sub("", cleaned)
    if not cleaned.isascii():
        return None
    if _THOUSANDS.match(cleaned):
        cleaned = cleaned.replace(".", "").replace(",", "")
    if not cleaned.isdigit() or len(cleaned) > 12:
        return None
    return int(cleaned)


def check_amount(amount: int | None, minimum: int, maximum: int) -> AmountProblem | None:
    if amount is None:
        return AmountProblem("not_a_number")
    if amount < minimum:
        return AmountProblem("too_small")
    if amount > maximum:
        return AmountProblem("too_large")
    return None


def _one_line(text: str, limit: int) -> str | None:
    """Printable text on one line, spaces collapsed, 1 to `limit` characters; else None."""
    if len(text) > MAX_INPUT_CHARS:
        return None
    cleaned = " ".join(text.split())
    if not cleaned or len(cleaned) > limit or cleaned.startswith("/"):
        return None
    if any(unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn") for char in cleaned):
        return None
    return cleaned


def parse_nickname(text: str) -> str | None:
    """A saved reference's nickname: "Maison", "Boutique Médina", "Maman 🏠"."""
    return _one_line(text, NICKNAME_MAX_CHARS)


def parse_label(text: str) -> str | None:
    """An agent's client label: a name or a phone number, as typed."""
    return _one_line(text, LABEL_MAX_CHARS)


_DAY_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


def parse_day(text: str) -> date | None:
    """2026-03-20, or 20/03/2026 as French speakers write it."""
    text = text.strip()
    if len(text) > 10:
        return None
    for pattern in _DAY_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None
