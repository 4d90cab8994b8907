"""Reading the parameters of a Bot API call the way Telegram accepts them.

They may come in the query string, a urlencoded or multipart form, or a JSON body. Forms carry
every value as a string (nested objects JSON-encoded, as python-telegram-bot sends them), so
values are typed on access. python-multipart is not a dependency, hence the small parser here.
"""

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request

from .errors import bad_request


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """A file part of a multipart request."""

    field: str
    filename: str | None
    content_type: str | None
    data: bytes


_INT_RE = re.compile(r"-?\d+")
_PARAM_RE = re.compile(r';\s*([A-Za-z0-9_*-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))')


def _header_params(value: str) -> tuple[str, dict[str, str]]:
    """Split `form-data; name="x"; filename="y"` into its main value and parameters."""
    main, _, rest = value.partition(";")
    params: dict[str, str] = {}
    for match in _PARAM_RE.finditer(";" + rest):
        quoted, bare = match.group(2), match.group(3) or ""
        params[match.group(1).lower()] = quoted if quoted is not None else bare.strip()
    return main.strip().lower(), params


def parse_multipart(body: bytes, boundary: str) -> dict[str, str | UploadedFile]:
    fields: dict[str, str | UploadedFile] = {}
    delimiter = b"\r\n--" + boundary.encode("latin-1")
    for part in (b"\r\n" + body).split(delimiter)[1:]:
        if part.startswith(b"--"):
            break  # the closing delimiter
        head, _, content = part.partition(b"\r\n\r\n")
        headers: dict[str, str] = {}
        for line in head.split(b"\r\n"):
            header, sep, value = line.decode("utf-8", "replace").partition(":")
            if sep:
                headers[header.strip().lower()] = value.strip()
        _, disposition = _header_params(headers.get("content-disposition", ""))
        name = disposition.get("name")
        if name is None:
            continue
        if "filename" in disposition:
            fields[name] = UploadedFile(
                field=name,
                filename=disposition["filename"],
                content_type=headers.get("content-type"),
                data=content,
            )
        else:
            fields[name] = content.decode("utf-8", "replace")
    return fields


async def read_params(request: Request) -> dict[str, Any]:
    """All parameters of a request; the body wins over the query string."""
    params: dict[str, Any] = dict(request.query_params)
    body = await request.body()
    if not body:
        return params
    media_type, options = _header_params(request.headers.get("content-type", ""))
    if media_type == "application/json":
        try:
            decoded = json.loads(body)
        except ValueError:
            raise bad_request("can't parse JSON object") from None
        if not isinstance(decoded, dict):
            raise bad_request("JSON object expected")
        params.update(decoded)
    elif media_type == "application/x-www-form-urlencoded":
        params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    elif media_type == "multipart/form-data" and "boundary" in options:
        params.update(parse_multipart(body, options["boundary"]))
    return params


class Params:
    """The parameters of one call, with Telegram-like coercion and errors on access."""

    __slots__ = ("raw",)

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    def has(self, name: str) -> bool:
        value = self.raw.get(name)
        return value is not None and value != ""

    def get_str(self, name: str) -> str | None:
        value = self.raw.get(name)
        if value is None or isinstance(value, UploadedFile):
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float | str):
            return str(value)
        return json.dumps(value)

    def get_int(self, name: str, *, empty: str | None = None) -> int | None:
        """The parameter as an integer; None when absent, unless `empty` names the error."""
        value = self.raw.get(name)
        if value is None or value == "":
            if empty is not None:
                raise bad_request(empty)
            return None
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and _INT_RE.fullmatch(value.strip()):
            return int(value.strip())
        raise bad_request(f"wrong parameter {name} in request")

    def get_float(self, name: str) -> float | None:
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
        raise bad_request(f"wrong parameter {name} in request")

    def get_bool(self, name: str, default: bool = False) -> bool:
        value = self.raw.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return value != 0
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1", "yes")
        return bool(value)

    def get_json(self, name: str, error: str | None = None) -> Any:
        """A nested object: decoded when it arrived as a JSON string (form encodings)."""
        value = self.raw.get(name)
        if isinstance(value, str):
            if value == "":
                return None
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(error or f"can't parse {name} JSON object") from None
        return value

    def get_file(self, name: str) -> UploadedFile | str | None:
        """A file parameter: an upload, or a file_id/URL string; `attach://x` is resolved."""
        value = self.raw.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            value = self.raw.get(value.removeprefix("attach://"))
        if isinstance(value, UploadedFile):
            return value
        if isinstance(value, str) and value:
            return value
        return None

    def public(self) -> dict[str, Any]:
        """The parameters as recorded for tests: JSON strings decoded, ids and flags typed,
        uploads kept as UploadedFile."""
        decoded: dict[str, Any] = {}
        for name, value in self.raw.items():
            if isinstance(value, str):
                if name in JSON_PARAMETERS and value[:1] in ("{", "["):
                    try:
                        decoded[name] = json.loads(value)
                        continue
                    except ValueError:
                        pass
                elif name in INT_PARAMETERS and _INT_RE.fullmatch(value):
                    decoded[name] = int(value)
                    continue
                elif name in BOOL_PARAMETERS and value in ("true", "false"):
                    decoded[name] = value == "true"
                    continue
            decoded[name] = value
        return decoded


# Parameters that are JSON-serialized objects or arrays in the Bot API.
JSON_PARAMETERS = frozenset(
    {
        "reply_markup",
        "commands",
        "scope",
        "allowed_updates",
        "link_preview_options",
        "reply_parameters",
        "entities",
        "caption_entities",
        "menu_button",
        "media",
        "results",
    }
)

INT_PARAMETERS = frozenset(
    {
        "chat_id",
        "message_id",
        "user_id",
        "offset",
        "limit",
        "timeout",
        "cache_time",
        "max_connections",
        "reply_to_message_id",
        "message_thread_id",
    }
)
BOOL_PARAMETERS = frozenset(
    {
        "show_alert",
        "disable_web_page_preview",
        "disable_notification",
        "protect_content",
        "drop_pending_updates",
        "allow_sending_without_reply",
    }
)
