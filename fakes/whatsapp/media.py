"""Media upload (`POST …/media`): a multipart form with `messaging_product=whatsapp`, `type`
(image/png or image/jpeg) and `file` (at most 5 MB, and truly of that type by its first
bytes). python-multipart is not a dependency, hence the small parser.
"""

import hashlib
import re
from dataclasses import dataclass

from . import limits as lim
from .errors import GraphError, invalid
from .models import Media

_PARAM = re.compile(r';\s*([A-Za-z0-9_*-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))')


@dataclass(frozen=True, slots=True)
class FilePart:
    filename: str | None
    content_type: str | None
    data: bytes


def header_params(value: str) -> tuple[str, dict[str, str]]:
    """`form-data; name="x"; filename="y"` → ("form-data", {"name": "x", "filename": "y"})."""
    main, _, rest = value.partition(";")
    params: dict[str, str] = {}
    for match in _PARAM.finditer(";" + rest):
        quoted, bare = match.group(2), match.group(3) or ""
        params[match.group(1).lower()] = quoted if quoted is not None else bare.strip()
    return main.strip().lower(), params


def parse_multipart(body: bytes, content_type: str) -> dict[str, str | FilePart]:
    kind, options = header_params(content_type)
    boundary = options.get("boundary")
    if kind != "multipart/form-data" or not boundary:
        raise invalid("upload media as multipart/form-data")
    fields: dict[str, str | FilePart] = {}
    delimiter = b"\r\n--" + boundary.encode("latin-1")
    for part in (b"\r\n" + body).split(delimiter)[1:]:
        if part.startswith(b"--"):
            break  # the closing delimiter
        head, _, content = part.partition(b"\r\n\r\n")
        headers: dict[str, str] = {}
        for line in head.split(b"\r\n"):
            name, sep, value = line.decode("utf-8", "replace").partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        _, disposition = header_params(headers.get("content-disposition", ""))
        field = disposition.get("name")
        if field is None:
            continue
        if "filename" in disposition:
            fields[field] = FilePart(disposition["filename"], headers.get("content-type"), content)
        else:
            fields[field] = content.decode("utf-8", "replace")
    return fields


def check_upload(fields: dict[str, str | FilePart], media_id: str) -> Media:
    lim.keys("media upload", fields, {"messaging_product", "type", "file"}, set())
    if fields["messaging_product"] != "whatsapp":
        raise invalid("messaging_product must be 'whatsapp'")
    mime = fields["type"]
    file = fields["file"]
    if not isinstance(file, FilePart):
        raise invalid("file must be a file part")
    if not isinstance(mime, str) or mime not in lim.MEDIA_TYPES:
        raise GraphError(131053, f"type {mime!r}: only image/png and image/jpeg are accepted")
    if not file.data:
        raise GraphError(131053, "the file is empty")
    if len(file.data) > lim.MEDIA_BYTES:
        raise GraphError(131053, f"{len(file.data)} bytes: an image is at most 5 MB")
    if not file.data.startswith(lim.MEDIA_TYPES[mime]):
        raise GraphError(131053, f"the file is not a {mime} image")
    digest = hashlib.sha256(file.data).hexdigest()
    return Media(media_id, mime, file.data, digest, file.filename)


def describe(fields: dict[str, str | FilePart]) -> dict[str, str]:
    """The form as recorded in calls: a file as its size and type."""
    return {
        name: (
            f"<{len(value.data)} bytes {value.content_type}>"
            if isinstance(value, FilePart)
            else value
        )
        for name, value in fields.items()
    }
