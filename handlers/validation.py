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
# Forms we never read as an amount but answer with a question (`amount_readings`): a
# decimal ("5,5", "1.5", "12,50") and thousands in words ("5k", "5 mille", "2,5k").
_DECIMAL = re.compile(r"^(\d{1,9})[.,](\d{1,2})$")
_IN_THOUSANDS = re.compile(r"^(\d{1,6})(?:[.,](\d{1,2}))?(k|milles?)$")

# A valid number to show, per service key, to someone who typed letters: spaced as people
# write them (separators are ignored).
REFERENCE_EXAMPLES = {
    "woyofal": "0706 1270 877",
    "senelec": "210 278 816",
    "seneau": "1002 3456 78",
}


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


def reference_has_letters(text: str) -> bool:
    """Letters in a reference ("07O6127O877", "SN-0706…"): answered with a valid example."""
    return any(char.isalpha() for char in text[:MAX_INPUT_CHARS])


@dataclass(frozen=True)
class AmountProblem:
    # "not_a_number" | "too_small" | "too_large" | "unclear.one" | "unclear.two" |
    # "unclear.none" (an unclear form: the question lists `readings`, whole FCFA)
    reason: str
    readings: tuple[int, ...] = ()


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


def amount_readings(text: str) -> tuple[int, ...]:
    """What an unclear amount may mean, in whole FCFA: "5,5" → (5500, 5), "5k" → (5000,).
    Empty when `text` is not one of those forms. Never taken as the amount: there is no
    centime in FCFA, and "5,5" is as likely 5 500 as a slip, so the user is asked. "5k"
    and "5 mille" are asked too (a one-tap confirmation costs less than a wrong guess)."""
    if len(text) > MAX_INPUT_CHARS:
        return ()
    cleaned = _CURRENCY.sub("", _SPACES.sub("", text.strip().lower()))
    thousands = _IN_THOUSANDS.match(cleaned)
    if thousands:
        whole, fraction = thousands.group(1), thousands.group(2) or ""
        return (int(whole) * 1000 + int(fraction.ljust(3, "0")),)
    decimal = _DECIMAL.match(cleaned)
    if decimal is None:
        return ()
    whole, fraction = decimal.groups()
    readings = [int(whole)] if int(whole) > 0 else []
    if int(whole) < 1000:  # "5,5": five and a half thousand, as people say it
        readings.insert(0, int(whole) * 1000 + int(fraction.ljust(3, "0")))
    return tuple(readings)


def check_amount(
    amount: int | None, minimum: int, maximum: int, text: str = ""
) -> AmountProblem | None:
    """The problem with `amount` (parsed from `text`), or None when it can be paid."""
    if amount is None:
        readings = amount_readings(text)
        if not readings:
            return AmountProblem("not_a_number")
        fit = tuple(reading for reading in readings if minimum <= reading <= maximum)
        reason = {0: "unclear.none", 1: "unclear.one"}.get(len(fit), "unclear.two")
        return AmountProblem(reason, fit)
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
