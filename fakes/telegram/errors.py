"""The error answers of the fake Bot API, shaped like Telegram's."""

from typing import Any


class ApiError(Exception):
    """An API call answered with `{"ok": false, ...}` and this HTTP status."""

    def __init__(self, code: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(message: str) -> ApiError:
    return ApiError(400, f"Bad Request: {message}")


def forbidden(message: str) -> ApiError:
    return ApiError(403, f"Forbidden: {message}")


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


# What Telegram says for a status when a test injects it without a description.
DEFAULT_DESCRIPTIONS: dict[int, str] = {
    400: "Bad Request: injected failure",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
    504: "Gateway Timeout",
}


def injected_error(status: int, description: str | None, retry_after: int | None) -> ApiError:
    if status == 429:
        seconds = retry_after if retry_after is not None else 1
        error = too_many_requests(seconds)
        if description is not None:
            error.description = description
        return error
    text = description or DEFAULT_DESCRIPTIONS.get(status, f"Error {status}")
    return ApiError(status, text, retry_after=retry_after)
