"""Recharge codes as secrets (issue 12, item 7): pure helpers.

A Woyofal code is as good as cash until typed on its meter: logs never show one whole
(`mask_codes`).
"""

import re

# A code-like run of digits: 16 or more in a row, or groups of four joined by a space, a
# dash or a dot ("1283 9300 9320 9223"). Shorter numbers (meters have 11 digits, references
# 6 to 12) are not codes.
_CODE_RUN = re.compile(
    r"(?<!\d)(?:\d{16,}|\d{4}(?:[ .\-\u00a0\u202f]\d{4}){3,}(?:[ .\-\u00a0\u202f]\d{1,3})?)(?!\d)"
)


def last_four(text: str) -> str:
    """The last four digits of a code (fewer when it has fewer)."""
    return "".join(char for char in text if char.isdigit())[-4:]


def masked(text: str) -> str:
    return f"****{last_four(text)}"


def mask_codes(text: str) -> str:
    """`text` with every code-like digit run replaced by ****1234 (its last four digits)."""
    return _CODE_RUN.sub(lambda found: masked(found.group()), text)
