"""The check of a message the bot sends (`POST …/messages`) against every limit, giving what
the user will see. Shape errors (unknown type, missing or extra field) are code 100; values
out of the limits 131009; templates 132xxx (templates.py).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import limits as lim
from .errors import bad_value, invalid
from .models import Content, Media, Row
from .templates import Approved, check_template

ENVELOPE = {"messaging_product", "to", "type"}
ENVELOPE_OPTIONAL = {"recipient_type", "context", "biz_opaque_callback_data"}
TYPES = ("text", "interactive", "image", "template")


@dataclass(frozen=True, slots=True)
class Outgoing:
    to: str
    content: Content
    context_id: str | None


def check_send(
    body: dict[str, Any],
    media: Mapping[str, Media],
    templates: Mapping[tuple[str, str], Approved],
) -> Outgoing:
    kind = body.get("type")
    if kind not in TYPES:
        raise invalid(f"type {kind!r} is not supported (text, interactive, image, template)")
    assert isinstance(kind, str)
    lim.keys("message", body, ENVELOPE | {kind}, ENVELOPE_OPTIONAL)
    if body["messaging_product"] != "whatsapp":
        raise invalid("messaging_product must be 'whatsapp'")
    if body.get("recipient_type", "individual") != "individual":
        raise invalid("recipient_type must be 'individual'")
    to = body["to"]
    if not isinstance(to, str) or not to.strip() or len(to) > 256:
        raise invalid(f"to must be a phone number or a user id, not {to!r}")
    context_id = None
    if "context" in body:
        context = lim.obj("context", body["context"], {"message_id"})
        context_id = lim.ident("context.message_id", context["message_id"], 1000)
    value = body[kind]
    if kind == "text":
        content = _text(value)
    elif kind == "image":
        content = _image(value, media)
    elif kind == "interactive":
        content = _interactive(value)
    else:
        template, params = check_template(value, templates)
        content = Content(
            "template",
            template.fill(params),
            template=template.name,
            language=template.language,
            params=params,
        )
    return Outgoing(to.strip(), content, context_id)


def _text(value: Any) -> Content:
    lim.obj("text", value, {"body"}, {"preview_url"})
    if not isinstance(value.get("preview_url", False), bool):
        raise invalid("text.preview_url must be a boolean")
    return Content("text", lim.text("text.body", value["body"], lim.TEXT_BODY))


def _image(value: Any, media: Mapping[str, Media]) -> Content:
    if isinstance(value, dict) and "link" in value:
        raise invalid("image.link: this fake takes images by uploaded media id only")
    lim.obj("image", value, {"id"}, {"caption"})
    found = media.get(value["id"]) if isinstance(value["id"], str) else None
    if found is None:
        raise invalid(f"image.id {value['id']!r} is not a media id issued to this number")
    caption = ""
    if "caption" in value:
        caption = lim.text("image.caption", value["caption"], lim.CAPTION)
    return Content("image", caption, media=found)


def _interactive(value: Any) -> Content:
    if not isinstance(value, dict):
        raise invalid("interactive must be an object")
    kind = value.get("type")
    if kind not in ("button", "list", "cta_url"):
        raise invalid(f"interactive.type {kind!r} is not supported (button, list, cta_url)")
    lim.keys("interactive", value, {"type", "body", "action"}, {"header", "footer"})
    body = lim.obj("interactive.body", value["body"], {"text"})
    text = lim.text("interactive.body.text", body["text"], lim.INTERACTIVE_BODY)
    header = footer = None
    if "header" in value:
        head = lim.obj("interactive.header", value["header"], {"type", "text"})
        if head["type"] != "text":
            raise invalid("interactive.header: only a text header is supported by this fake")
        header = lim.text("interactive.header.text", head["text"], lim.HEADER_FOOTER)
    if "footer" in value:
        foot = lim.obj("interactive.footer", value["footer"], {"text"})
        footer = lim.text("interactive.footer.text", foot["text"], lim.HEADER_FOOTER)
    if kind == "cta_url":
        link = _cta(value["action"])
        return Content("interactive", text, "cta_url", link=link, header=header, footer=footer)
    if kind == "button":
        buttons = _buttons(value["action"])
        return Content("interactive", text, "button", buttons=buttons, header=header, footer=footer)
    label, rows = _list(value["action"])
    return Content(
        "interactive", text, "list", rows=rows, list_button=label, header=header, footer=footer
    )


def _buttons(value: Any) -> tuple[tuple[str, str], ...]:
    action = lim.obj("interactive.action", value, {"buttons"})
    buttons = action["buttons"]
    if not isinstance(buttons, list):
        raise invalid("interactive.action.buttons must be a list")
    if not 1 <= len(buttons) <= lim.BUTTONS:
        raise bad_value(f"{len(buttons)} buttons: 1 to {lim.BUTTONS} reply buttons allowed")
    found: list[tuple[str, str]] = []
    for number, button in enumerate(buttons):
        where = f"buttons[{number}]"
        lim.obj(where, button, {"type", "reply"})
        if button["type"] != "reply":
            raise invalid(f"{where}.type must be 'reply'")
        reply = lim.obj(f"{where}.reply", button["reply"], {"id", "title"})
        ident = lim.ident(f"{where}.reply.id", reply["id"], lim.BUTTON_ID)
        title = lim.text(f"{where}.reply.title", reply["title"], lim.BUTTON_TITLE, one_line=True)
        found.append((ident, title))
    _distinct("buttons", "id", [ident for ident, _ in found])
    _distinct("buttons", "title", [title for _, title in found])
    return tuple(found)


def _cta(value: Any) -> tuple[str, str]:
    action = lim.obj("interactive.action", value, {"name", "parameters"})
    if action["name"] != "cta_url":
        raise invalid("interactive.action.name must be 'cta_url'")
    parameters = lim.obj(
        "interactive.action.parameters", action["parameters"], {"display_text", "url"}
    )
    label = lim.text(
        "interactive.action.parameters.display_text",
        parameters["display_text"],
        lim.CTA_DISPLAY_TEXT,
        one_line=True,
    )
    url = parameters["url"]
    if (
        not isinstance(url, str)
        or not url.startswith(lim.CTA_URL_SCHEMES)
        or any(char.isspace() for char in url)
    ):
        raise bad_value(f"interactive.action.parameters.url is not a web address: {url!r}")
    return label, url


def _list(value: Any) -> tuple[str, tuple[Row, ...]]:
    action = lim.obj("interactive.action", value, {"button", "sections"})
    label = lim.text("interactive.action.button", action["button"], lim.LIST_BUTTON, one_line=True)
    sections = action["sections"]
    if not isinstance(sections, list):
        raise invalid("interactive.action.sections must be a list")
    if not 1 <= len(sections) <= lim.LIST_SECTIONS:
        raise bad_value(f"{len(sections)} sections: 1 to {lim.LIST_SECTIONS} allowed")
    rows: list[Row] = []
    for number, section in enumerate(sections):
        where = f"sections[{number}]"
        lim.obj(where, section, {"rows"}, {"title"})
        title = None
        if "title" in section:
            title = lim.text(f"{where}.title", section["title"], lim.SECTION_TITLE, one_line=True)
        elif len(sections) > 1:
            raise bad_value(f"{where}.title is required when there are several sections")
        if not isinstance(section["rows"], list) or not section["rows"]:
            raise bad_value(f"{where}.rows must hold at least one row")
        for index, row in enumerate(section["rows"]):
            rows.append(_row(f"{where}.rows[{index}]", row, title))
    if len(rows) > lim.LIST_ROWS:
        raise bad_value(f"{len(rows)} rows: at most {lim.LIST_ROWS} in all sections")
    _distinct("rows", "id", [row.id for row in rows])
    return label, tuple(rows)


def _row(where: str, row: Any, section: str | None) -> Row:
    lim.obj(where, row, {"id", "title"}, {"description"})
    description = None
    if "description" in row:
        description = lim.text(f"{where}.description", row["description"], lim.ROW_DESCRIPTION)
    return Row(
        lim.ident(f"{where}.id", row["id"], lim.ROW_ID),
        lim.text(f"{where}.title", row["title"], lim.ROW_TITLE, one_line=True),
        description,
        section,
    )


def _distinct(what: str, field: str, values: list[str]) -> None:
    if len(set(values)) != len(values):
        raise bad_value(f"{what}: each {field} must be unique, got {values}")
