"""The fake Graph API's checks of a send, in process (fakes/whatsapp/validate.py, what its
server does on `POST …/messages` and `POST …/media`), for the tests that give it every reply
and template the bot can make (test_whatsapp_keyboards.py, test_whatsapp_drawn_values.py)."""

import re
from dataclasses import dataclass, field
from typing import Any

from bot.channels.whatsapp.render import Outgoing, WhatsAppRenderer, is_more
from bot.channels.whatsapp.templates import TEMPLATES, by_name
from bot.settings import Settings
from fakes.whatsapp.errors import GraphError
from fakes.whatsapp.media import FilePart, check_upload
from fakes.whatsapp.models import Content, Media
from fakes.whatsapp.templates import Approved, registry
from fakes.whatsapp.validate import check_send
from handlers.i18n import LANGUAGES
from handlers.types import Reply
from tests.whatsapp_wire import problems

TO = "221771234567"
# The template names and languages by default (settings WHATSAPP_TEMPLATE_*).
NAMES = {template.kind: template.name for template in TEMPLATES.values()}
TEMPLATE_LANGUAGES: dict[str, str] = Settings.model_fields[
    "WHATSAPP_TEMPLATE_LANGUAGES"
].get_default(call_default_factory=True)


@dataclass
class Graph:
    """The fake Graph API's checks, in process, with what it keeps between calls: the
    media uploaded to the number, the approved templates (the bot's registry, as the fake is
    given it in the end-to-end tests)."""

    media: dict[str, Media] = field(default_factory=dict)
    templates: dict[tuple[str, str], Approved] = field(default_factory=lambda: registry(by_name()))
    sent: int = 0

    def upload(self, data: bytes, mime: str, name: str) -> str:
        """POST …/media, as WhatsAppClient.upload_image posts its form."""
        fields: dict[str, str | FilePart] = {
            "messaging_product": "whatsapp",
            "type": mime,
            "file": FilePart(name, mime, data),
        }
        media = check_upload(fields, f"media-{len(self.media) + 1}")
        self.media[media.id] = media
        return media.id

    def send(self, message: dict[str, Any]) -> Content:
        """POST …/messages, the body as WhatsAppClient.send wraps `message`."""
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": TO}
        self.sent += 1
        return check_send({**body, **message}, self.media, self.templates).content


def refusals(graph: Graph, message: Outgoing) -> list[str]:
    """What the fake (a GraphError: its code and details) or the wire rules refuse in one
    outgoing message, its image uploaded first; [] if it goes."""
    try:
        body = message.body
        if message.upload is not None:
            upload = message.upload
            body = message.with_media(graph.upload(upload.data, upload.mime, upload.name))
        graph.send(body)
    except GraphError as error:
        return [f"fake {error.code}: {error.details}"]
    return problems(body)


def list_rows(message: Outgoing) -> list[dict[str, str]]:
    if message.kind != "interactive" or message.body["interactive"]["type"] != "list":
        return []
    sections = message.body["interactive"]["action"]["sections"]
    return [row for section in sections for row in section["rows"]]


@dataclass
class Sent:
    """What went out of replies: the refusals by kind (one example each), the pages."""

    graph: Graph = field(default_factory=Graph)
    refused: dict[str, str] = field(default_factory=dict)
    pages: int = 0

    def reply(self, renderer: WhatsAppRenderer, user: str, where: str, reply: Reply) -> None:
        """`reply` rendered for `user` in the language `where` starts with, then each page
        its "More…" rows bring, as the inbound side asks the renderer for them."""
        language = where.split("/", 1)[0].split(":", 1)[0]
        assert language in LANGUAGES, where
        queue = renderer.render(user, reply, language)
        while queue:
            message = queue.pop(0)
            for problem in refusals(self.graph, message):
                self.refused.setdefault(re.sub(r"\d+", "#", problem[:40]), f"{where}: {problem}")
            for row in list_rows(message):
                if is_more(row["id"]):
                    page = renderer.next_page(user, row["id"])
                    assert page is not None, where
                    queue += page
                    self.pages += 1
