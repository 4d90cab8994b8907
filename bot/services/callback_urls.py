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


# A collection's callbacks: their own path, and a signature over a different message, so a
# payment's signed URL can never be replayed onto a collection of the same external id.
COLLECTION_CALLBACK_PATH = "/callbacks/dexchange-collections"


def _collection_message(external_id: str) -> str:
    return f"collection:{external_id}"


def collection_callback_url(public_base_url: str, secret: str, external_id: str) -> str:
    base = public_base_url.rstrip("/")
    sig = signature(secret, _collection_message(external_id))
    return f"{base}{COLLECTION_CALLBACK_PATH}/{external_id}/{sig}"


def verify_collection(secret: str, external_id: str, given: str) -> bool:
    return verify(secret, _collection_message(external_id), given)
