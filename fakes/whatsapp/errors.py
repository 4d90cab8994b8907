"""Graph API error answers, shaped like Meta's: an HTTP status and a body
`{"error": {"message": "(#code) title", "type": "OAuthException", "code": ...,
"error_data": {"messaging_product": "whatsapp", "details": ...}, "fbtrace_id": ...}}`.
"""

import secrets
from typing import Any

JSON = dict[str, Any]

# Meta's title for each code the fake answers (and what a test may inject).
TITLES: dict[int, str] = {
    4: "Application request limit reached",
    100: "Invalid parameter",
    190: "Invalid OAuth access token",
    80007: "Rate limit issues",
    130429: "Rate limit hit",
    131000: "Something went wrong",
    131005: "Access denied",
    131008: "Required parameter is missing",
    131009: "Parameter value is not valid",
    131016: "Service unavailable",
    131026: "Message undeliverable",
    131031: "Business Account locked",
    131042: "Business eligibility payment issue",
    131047: "Re-engagement message",
    131051: "Unsupported message type",
    131053: "Media upload error",
    131056: "(Business Account, Consumer Account) pair rate limit hit",
    132000: "Number of parameters does not match the expected number of params",
    132001: "Template name does not exist in the translation",
    132005: "Translated text too long",
    132012: "Parameter format does not match format in the created template",
    132018: "There was an issue with the parameters in your template.",
}

# The explanation Meta gives in error_data.details for codes whose cause is always the same.
DETAILS: dict[int, str] = {
    130429: "Cloud API message throughput has been reached.",
    131026: "Message undeliverable: the recipient cannot receive this message.",
    131047: (
        "Message failed to send because more than 24 hours have passed since the customer "
        "last replied to this number."
    ),
    131056: "Too many messages sent from the sender phone number to the same recipient.",
}


class GraphError(Exception):
    """A call answered with Meta's error body; `code` is Meta's, `status` the HTTP one."""

    def __init__(self, code: int, details: str | None = None, *, status: int = 400) -> None:
        title = TITLES.get(code, "Error")
        self.code = code
        self.title = title
        self.details = details if details is not None else DETAILS.get(code, title)
        self.status = status
        super().__init__(f"({code}) {self.details}")

    def body(self) -> JSON:
        return {
            "error": {
                "message": f"(#{self.code}) {self.title}",
                "type": "OAuthException",
                "code": self.code,
                "error_data": {"messaging_product": "whatsapp", "details": self.details},
                "fbtrace_id": "A" + secrets.token_urlsafe(16),
            }
        }


def invalid(details: str) -> GraphError:
    """The request is not Meta's shape: an unknown type, a missing or an extra field."""
    return GraphError(100, details)


def too_long(what: str, units: int, most: int) -> GraphError:
    return GraphError(131009, f"{what} is {units} characters long; at most {most} allowed")


def bad_value(details: str) -> GraphError:
    """A value out of Meta's limits (a count, a duplicate, an empty title…)."""
    return GraphError(131009, details)


def bad_token() -> GraphError:
    return GraphError(190, "Invalid OAuth access token", status=401)


def status_error(code: int) -> JSON:
    """The `errors[0]` of a `failed` status webhook."""
    title = TITLES.get(code, "Error")
    return {
        "code": code,
        "title": title,
        "message": title,
        "error_data": {"details": DETAILS.get(code, title)},
        "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
    }
