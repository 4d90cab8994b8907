"""Recharge codes as secrets with a lifetime (issue 12, item 7): pure helpers.

A Woyofal code is as good as cash until typed on its meter. Logs never show one whole
(`mask_codes`), and after RETENTION_DAYS the stored codes are replaced by an expired form
that keeps only the last four digits, for support (`expired_code`); handlers show that form
as "Code expiré (se terminant par 9223)".
"""

import json
import re
from typing import Any

# Never a real code: real codes are digits (or whatever odd text the provider sent, which
# never starts with this).
EXPIRED_PREFIX = "EXPIRED:"

# A code-like run of digits: 16 or more in a row, or groups of four joined by a space, a
# dash or a dot ("1283 9300 9320 9223"). Shorter numbers (meters have 11 digits, references
# 6 to 12) are not codes.
_CODE_RUN = re.compile(
    r"(?<!\d)(?:\d{16,}|\d{4}(?:[ .\-\u00a0\u202f]\d{4}){3,}(?:[ .\-\u00a0\u202f]\d{1,3})?)(?!\d)"
)
_DIGIT_RUN = re.compile(r"\d(?:[ .\-\u00a0\u202f]?\d)*")
STS_CODE_DIGITS = 20


def last_four(text: str) -> str:
    """The last four digits of a code (fewer when it has fewer)."""
    return "".join(char for char in text if char.isdigit())[-4:]


def masked(text: str) -> str:
    return f"****{last_four(text)}"


def mask_codes(text: str) -> str:
    """`text` with every code-like digit run replaced by ****1234 (its last four digits)."""
    return _CODE_RUN.sub(lambda found: masked(found.group()), text)


def expired_code(code: str) -> str:
    """The form a code takes once its retention has run out: EXPIRED:9223. Idempotent."""
    if is_expired_code(code):
        return code
    return f"{EXPIRED_PREFIX}{last_four(code)}"


def is_expired_code(code: str) -> bool:
    return code.startswith(EXPIRED_PREFIX)


def expired_last_four(code: str) -> str:
    """The digits an expired code kept ("9223" for EXPIRED:9223)."""
    return code.removeprefix(EXPIRED_PREFIX)


# --- raw bodies (callbacks, provider answers) ------------------------------------------------


def _is_token_key(key: object) -> bool:
    # DEXCHANGE's token field has no documented spelling: TOKEN, token, Token…
    return isinstance(key, str) and key.replace("_", "").replace("-", "").lower() == "token"


def _expire_run(run: str) -> str:
    digits = "".join(char for char in run if char.isdigit())
    if len(digits) <= 4:
        return run  # four digits tell nothing more than what is kept anyway
    if len(digits) > STS_CODE_DIGITS and len(digits) % STS_CODE_DIGITS == 0:
        # Several 20-digit STS codes joined together: each keeps its own last four.
        parts = range(0, len(digits), STS_CODE_DIGITS)
        return " ".join(expired_code(digits[i : i + STS_CODE_DIGITS]) for i in parts)
    return expired_code(digits)


def _expire_digits(text: str) -> str:
    """A token value with every code in it expired to its last four digits."""
    return _DIGIT_RUN.sub(lambda found: _expire_run(found.group()), text)


def _redact(value: Any, in_token: bool) -> Any:
    if isinstance(value, dict):
        return {key: _redact(item, in_token or _is_token_key(key)) for key, item in value.items()}
    if isinstance(value, list):
        return [_redact(item, in_token) for item in value]
    if in_token and isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        return _expire_digits(value) if in_token else mask_codes(value)
    return value


def redact_body(body: str) -> str:
    """A raw DEXCHANGE body with its codes gone: in JSON, the digits of every token field
    (any key case, at any depth) become EXPIRED:<last four>, and code-like runs elsewhere
    ****<last four>; a body that is not JSON has its code-like runs masked. Idempotent."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return mask_codes(body)
    redacted = _redact(parsed, False)
    if redacted == parsed:
        return body  # keep the bytes DEXCHANGE sent when there was nothing to take out
    return json.dumps(redacted, ensure_ascii=False)
