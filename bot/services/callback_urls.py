"""Per-payment callback URLs signed with CALLBACK_SECRET (money rule 5).

DEXCHANGE does not document how it authenticates callbacks, so every callBackURL carries
an unguessable HMAC of the payment's external id; the server checks it in constant time.
"""

import hashlib
import hmac

CALLBACK_PATH = "/callbacks/dexchange"


def signature(secret: str, external_id: str) -> str:
    digest = hmac.digest(secret.encode(), external_id.encode(), hashlib.sha256)
    return digest.hex()[:40]


def callback_url(public_base_url: str, secret: str, external_id: str) -> str:
    base = public_base_url.rstrip("/")
    return f"{base}{CALLBACK_PATH}/{external_id}/{signature(secret, external_id)}"


def verify(secret: str, external_id: str, given: str) -> bool:
    # Bytes: compare_digest refuses str holding non-ASCII characters (a TypeError), and the
    # signature comes from a URL, which may hold anything.
    expected = signature(secret, external_id).encode()
    return hmac.compare_digest(expected, given.encode(errors="replace"))
