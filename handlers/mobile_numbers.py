"""Senegalese mobile-money numbers as people type them (pure).

A wallet number is the 9 national digits of a mobile line, starting with 7 (70, 75, 76,
77, 78 today): "77 123 45 67", "+221 77 123 45 67", "00221771234567" and "771234567" are
the same number. DEXCHANGE is given the 9 digits alone.
"""

import re

from storage.models import User

NUMBER_DIGITS = 9
COUNTRY_CODE = "221"
MAX_INPUT_CHARS = 40

_SEPARATORS = re.compile(r"[\s\u00a0\u202f.\-/()]")


def parse_mobile_number(text: str) -> str | None:
    """The 9 digits of a Senegalese mobile number, or None when it is not one."""
    if len(text) > MAX_INPUT_CHARS:
        return None
    cleaned = _SEPARATORS.sub("", text.strip())
    if cleaned.startswith("+"):
        cleaned = cleaned[1:]
        if not cleaned.startswith(COUNTRY_CODE):
            return None  # another country's number
        cleaned = cleaned[len(COUNTRY_CODE) :]
    elif cleaned.startswith("00"):
        if not cleaned.startswith("00" + COUNTRY_CODE):
            return None
        cleaned = cleaned[2 + len(COUNTRY_CODE) :]
    elif len(cleaned) == len(COUNTRY_CODE) + NUMBER_DIGITS and cleaned.startswith(COUNTRY_CODE):
        cleaned = cleaned[len(COUNTRY_CODE) :]  # 221771234567, as WhatsApp writes it
    if len(cleaned) != NUMBER_DIGITS or not cleaned.isascii() or not cleaned.isdigit():
        return None
    if not cleaned.startswith("7"):
        return None  # 33 8xx xx xx is a landline: no wallet behind it
    return cleaned


def shown_number(number: str) -> str:
    """771234567 → 77 123 45 67, the way Senegalese numbers are written."""
    if len(number) != NUMBER_DIGITS:
        return number
    return f"{number[:2]} {number[2:5]} {number[5:7]} {number[7:]}"


def own_number(user: User) -> str | None:
    """The user's own number when their channel tells it (WhatsApp's wa_id) and it is a
    Senegalese mobile: 221XXXXXXXXX → XXXXXXXXX."""
    phone = user.phone
    if not phone or not phone.isascii() or not phone.isdigit():
        return None
    if len(phone) != len(COUNTRY_CODE) + NUMBER_DIGITS or not phone.startswith(COUNTRY_CODE):
        return None
    return parse_mobile_number(phone)
