"""Every keyboard of every flow in every language goes out on WhatsApp: each reply of the
walk of every flow (tests/flow_walk.py) through the bot's WhatsApp renderer, each page of a
long list followed, and each message given to the fake Graph API's own check of a send
(fakes/whatsapp/validate.py, what its server does on `POST …/messages`, images uploaded
first as on `POST …/media`), and to WhatsApp's rules as tests/whatsapp_wire.py writes them
apart from the renderer (lengths, no formatting marks). Every outbox message goes as its
template too, and the fake's registry of approved templates takes it.
"""

import re
from dataclasses import dataclass, field
from typing import Any

import pytest

from bot.channels.whatsapp.render import Outgoing, WhatsAppRenderer, is_more
from bot.channels.whatsapp.templates import TEMPLATES, by_name, template_body
from fakes.whatsapp.errors import GraphError
from fakes.whatsapp.media import FilePart, check_upload
from fakes.whatsapp.models import Content, Media
from fakes.whatsapp.templates import Approved, registry
from fakes.whatsapp.validate import check_send
from handlers.i18n import LANGUAGES
from handlers.types import Reply
from storage.models import Role
from tests.flow_walk import RENDER, ROLES, outbox_messages
from tests.whatsapp_wire import problems

TO = "221771234567"
# The template names and languages by default (settings WHATSAPP_TEMPLATE_*).
NAMES = {template.kind: template.name for template in TEMPLATES.values()}
TEMPLATE_LANGUAGES = {language: language for language in LANGUAGES}


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


def test_every_reply_of_every_flow_is_accepted_by_the_fake(
    walked_replies: list[tuple[str, Reply]],
) -> None:
    renderer = WhatsAppRenderer()
    sent = Sent()
    for where, reply in walked_replies:
        sent.reply(renderer, where, where, reply)
    assert sent.refused == {}
    assert sent.pages > 0  # the walk meets lists past 10 rows: the agents' menu, /meters, bills
    assert sent.graph.media  # and receipts, uploaded then sent as images
    assert {where.split("/")[0].split(":")[0] for where, _ in walked_replies} == set(LANGUAGES)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_outbox_message_as_its_template_is_accepted_by_the_fake(
    language: str, role: Role
) -> None:
    graph = Graph()
    refused: list[str] = []
    for where, message, payment, user in outbox_messages(language, role):
        template = RENDER.template(message, payment, user)
        body = template_body(template, NAMES[template.kind], TEMPLATE_LANGUAGES)
        try:
            content = graph.send(body)
        except GraphError as error:
            refused.append(f"{where}: fake {error.code}: {error.details}")
            continue
        refused += [f"{where}: {problem}" for problem in problems(body)]
        name = NAMES[template.kind]
        assert (content.template, content.language) == (name, language)
        assert len(content.params) == graph.templates[(name, language)].parameters
    assert refused == []
    assert graph.sent > 100
