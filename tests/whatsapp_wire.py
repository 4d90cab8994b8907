"""What WhatsApp accepts in one message we send, written from the Cloud API's limits
(/work/shared/reference/whatsapp-cloud-api.md, the team's WhatsApp notes) and nothing of the
bot's own: the renderer's tests check its output against these rules, not against itself.

Lengths are counted as UTF-16 code units (an emoji outside the BMP counts two), the stricter
of the readings Meta's "characters" may have. Every text a user reads is also checked for
WhatsApp's formatting marks, which none of ours may carry (a name like _Awa_ would show in
italics).
"""

from typing import Any

TEXT_BODY = 4096
INTERACTIVE_BODY = 1024
CAPTION = 1024
BUTTONS = 3
BUTTON_TITLE = 20
BUTTON_ID = 256
LIST_BUTTON = 20
LIST_ROWS = 10
LIST_SECTIONS = 10
ROW_TITLE = 24
ROW_DESCRIPTION = 72
ROW_ID = 200
SECTION_TITLE = 24
HEADER_FOOTER = 60
CTA_DISPLAY_TEXT = 20  # a cta_url's button (Meta's interactive CTA URL messages page)
MARKS = "*_~`"
# The templates the operator has approved (README.md), with their parameter counts.
TEMPLATE_PARAMETERS = {"senpay_code": 4, "senpay_payment_result": 4, "senpay_notice": 1}
TEMPLATE_LANGUAGES = {"fr", "en"}


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def problems(message: dict[str, Any]) -> list[str]:
    """Everything in `message` (the JSON after `to`) that WhatsApp would refuse; [] if none."""
    check = Check()
    check.message(message)
    return check.found


class Check:
    def __init__(self) -> None:
        self.found: list[str] = []

    def shown(self, what: str, value: object, most: int, *, one_line: bool = False) -> None:
        """A text the user reads: not blank, within `most`, without formatting marks."""
        if not isinstance(value, str) or not value.strip():
            self.found.append(f"{what}: empty or not a string: {value!r}")
            return
        if units(value) > most:
            self.found.append(f"{what}: {units(value)} > {most}")
        if one_line and "\n" in value:
            self.found.append(f"{what}: a new line in a title")
        marks = [mark for mark in MARKS if mark in value]
        if marks:
            self.found.append(f"{what}: formatting marks {marks} in {value!r}")

    def ident(self, what: str, value: object, most: int) -> None:
        if not isinstance(value, str) or not value:
            self.found.append(f"{what}: empty id {value!r}")
        elif units(value) > most or len(value.encode()) > most:
            self.found.append(f"{what}: id longer than {most}: {value!r}")

    def keys(
        self, what: str, value: object, required: set[str], optional: frozenset[str] = frozenset()
    ) -> bool:
        """`value` is an object with the `required` keys and no others but `optional`."""
        if not isinstance(value, dict):
            self.found.append(f"{what}: not an object: {value!r}")
            return False
        missing = required - set(value)
        unknown = set(value) - required - optional
        if missing or unknown:
            self.found.append(f"{what}: missing {sorted(missing)}, unknown {sorted(unknown)}")
            return False
        return True

    def message(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if not self.keys("message", message, {"type", str(kind)}):
            return
        if kind == "text":
            text = message["text"]
            if self.keys("text", text, {"body"}, frozenset({"preview_url"})):
                self.shown("text.body", text["body"], TEXT_BODY)
                if text.get("preview_url", False) is not False:
                    self.found.append("text.preview_url: a link preview asked for")
        elif kind == "image":
            image = message["image"]
            if self.keys("image", image, {"id"}, frozenset({"caption"})):
                self.ident("image.id", image["id"], 1000)
                if "caption" in image:
                    self.shown("image.caption", image["caption"], CAPTION)
        elif kind == "interactive":
            self.interactive(message["interactive"])
        elif kind == "template":
            self.template(message["template"])
        else:
            self.found.append(f"type {kind!r}: not one we send")

    def interactive(self, value: Any) -> None:
        extra = frozenset({"header", "footer"})
        if not self.keys("interactive", value, {"type", "body", "action"}, extra):
            return
        if self.keys("interactive.body", value["body"], {"text"}):
            self.shown("interactive.body.text", value["body"]["text"], INTERACTIVE_BODY)
        if "header" in value and self.keys("header", value["header"], {"type", "text"}):
            self.shown("header.text", value["header"]["text"], HEADER_FOOTER, one_line=True)
        if "footer" in value and self.keys("footer", value["footer"], {"text"}):
            self.shown("footer.text", value["footer"]["text"], HEADER_FOOTER)
        if value["type"] == "button":
            self.buttons(value["action"])
        elif value["type"] == "list":
            self.list(value["action"])
        elif value["type"] == "cta_url":
            self.cta(value["action"])
        else:
            self.found.append(f"interactive type {value['type']!r}: not one we send")

    def buttons(self, action: Any) -> None:
        if not self.keys("action", action, {"buttons"}):
            return
        buttons = action["buttons"]
        if not isinstance(buttons, list) or not 1 <= len(buttons) <= BUTTONS:
            self.found.append(f"buttons: {buttons!r} is not 1 to {BUTTONS} buttons")
            return
        replies: list[dict[str, Any]] = []
        for number, button in enumerate(buttons):
            where = f"button {number}"
            if not self.keys(where, button, {"type", "reply"}):
                continue
            if button["type"] != "reply":
                self.found.append(f"{where}: type {button['type']!r}")
            reply = button["reply"]
            if self.keys(f"{where}.reply", reply, {"id", "title"}):
                self.ident(f"{where}.id", reply["id"], BUTTON_ID)
                self.shown(f"{where}.title", reply["title"], BUTTON_TITLE, one_line=True)
                replies.append(reply)
        for field in ("id", "title"):  # Meta wants both different within a message
            values = [reply[field] for reply in replies]
            if len(set(values)) != len(values):
                self.found.append(f"buttons: two with the same {field}: {values}")

    def cta(self, action: Any) -> None:
        if not self.keys("action", action, {"name", "parameters"}):
            return
        if action["name"] != "cta_url":
            self.found.append(f"cta action name {action['name']!r}")
        parameters = action["parameters"]
        if self.keys("cta parameters", parameters, {"display_text", "url"}):
            label = parameters["display_text"]
            self.shown("cta.display_text", label, CTA_DISPLAY_TEXT, one_line=True)
            url = parameters["url"]
            if not isinstance(url, str) or not url.startswith(("https://", "http://")):
                self.found.append(f"cta.url: not a web address: {url!r}")

    def list(self, action: Any) -> None:
        if not self.keys("action", action, {"button", "sections"}):
            return
        self.shown("list.button", action["button"], LIST_BUTTON, one_line=True)
        sections = action["sections"]
        if not isinstance(sections, list) or not 1 <= len(sections) <= LIST_SECTIONS:
            self.found.append(f"sections: {sections!r} is not 1 to {LIST_SECTIONS}")
            return
        ids: list[object] = []
        for number, section in enumerate(sections):
            title = {"title"} if len(sections) > 1 else set()  # needed when there are several
            if not self.keys(f"section {number}", section, {"rows", *title}, frozenset({"title"})):
                continue
            if "title" in section:
                self.shown(
                    f"section {number}.title", section["title"], SECTION_TITLE, one_line=True
                )
            for index, row in enumerate(section["rows"]):
                where = f"section {number} row {index}"
                if not self.keys(where, row, {"id", "title"}, frozenset({"description"})):
                    continue
                self.ident(f"{where}.id", row["id"], ROW_ID)
                self.shown(f"{where}.title", row["title"], ROW_TITLE, one_line=True)
                if "description" in row:
                    self.shown(f"{where}.description", row["description"], ROW_DESCRIPTION)
                ids.append(row["id"])
        if not 1 <= len(ids) <= LIST_ROWS:
            self.found.append(f"list: {len(ids)} rows, not 1 to {LIST_ROWS}")
        if len(set(ids)) != len(ids):
            self.found.append(f"list: two rows with the same id: {ids}")

    def template(self, template: Any) -> None:
        if not self.keys("template", template, {"name", "language", "components"}):
            return
        name = template["name"]
        if name not in TEMPLATE_PARAMETERS:
            self.found.append(f"template: {name!r} is not approved")
            return
        language = template["language"]
        if not self.keys("template.language", language, {"code"}):
            return
        if language["code"] not in TEMPLATE_LANGUAGES:
            self.found.append(f"template: not approved in {language['code']!r}")
        components = template["components"]
        if not isinstance(components, list) or len(components) != 1:
            self.found.append(f"template: components {components!r}, not one body")
            return
        if not self.keys("template body", components[0], {"type", "parameters"}):
            return
        parameters = components[0]["parameters"]
        if components[0]["type"] != "body" or not isinstance(parameters, list):
            self.found.append(f"template: {components[0]!r} is not a body's parameters")
            return
        if len(parameters) != TEMPLATE_PARAMETERS[name]:
            self.found.append(f"template {name}: {len(parameters)} parameters")
        for number, parameter in enumerate(parameters, 1):
            where = f"template parameter {number}"
            if not self.keys(where, parameter, {"type", "text"}) or parameter["type"] != "text":
                self.found.append(f"{where}: not a text parameter: {parameter!r}")
                continue
            text = parameter["text"]
            self.shown(where, text, INTERACTIVE_BODY)
            if isinstance(text, str) and ("\n" in text or "\t" in text or "    " in text):
                self.found.append(f"{where}: a new line, a tab or 4 spaces in {text!r}")
