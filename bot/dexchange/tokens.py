"""Recharge codes: read them tolerantly from whatever string the provider sends."""

import re

# Codes of several STS tokens may be joined by commas, slashes, new lines or wide spaces.
_SEPARATORS = re.compile(r"[,;/|\n\r\t]+|\s{2,}")
_DIGIT_GROUPING = re.compile(r"[\s\-.]")
STS_CODE_DIGITS = 20


def parse_codes(token: object) -> list[str]:
    """Split a token field into its recharge codes, digits only when they are digits.

    "1283 9300 9320 9223" is one 16-digit code; three 20-digit codes separated by single
    spaces (or glued together) are three codes, in the order given.
    """
    if token is None:
        return []
    if isinstance(token, list):
        return [code for item in token for code in parse_codes(item)]
    text = str(token).strip()
    if not text:
        return []
    codes: list[str] = []
    for part in _SEPARATORS.split(text):
        part = part.strip()
        if not part:
            continue
        digits = _DIGIT_GROUPING.sub("", part)
        if digits.isdigit():
            if len(digits) > STS_CODE_DIGITS and len(digits) % STS_CODE_DIGITS == 0:
                codes.extend(
                    digits[i : i + STS_CODE_DIGITS] for i in range(0, len(digits), STS_CODE_DIGITS)
                )
            else:
                codes.append(digits)
        else:
            codes.append(part)  # never drop what the provider sent, even if odd
    return codes


def group_digits(code: str, size: int = 4) -> str:
    """`12839300932092231234` → `1283 9300 9320 9223 1234`; other text unchanged."""
    if not code.isdigit():
        return code
    return " ".join(code[i : i + size] for i in range(0, len(code), size))
