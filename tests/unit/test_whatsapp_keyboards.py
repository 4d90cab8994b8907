"""Every keyboard of every flow in every language goes out on WhatsApp: each reply of the
walk of every flow (tests/flow_walk.py) through the bot's WhatsApp renderer, each page of a
long list followed, and each message given to the fake Graph API's own check of a send
(fakes/whatsapp/validate.py, what its server does on `POST …/messages`, images uploaded
first as on `POST …/media`), and to WhatsApp's rules as tests/whatsapp_wire.py writes them
apart from the renderer (lengths, no formatting marks). Every outbox message goes as its
template too, and the fake's registry of approved templates takes it.
"""

import pytest

from bot.channels.whatsapp.render import WhatsAppRenderer
from bot.channels.whatsapp.templates import template_body
from fakes.whatsapp.errors import GraphError
from handlers import i18n
from handlers.i18n import LANGUAGES
from handlers.types import Reply
from storage.models import Role
from tests.flow_walk import RENDER, ROLES, outbox_messages
from tests.whatsapp_graph import NAMES, TEMPLATE_LANGUAGES, Graph, Sent
from tests.whatsapp_wire import problems


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
        sent_in = TEMPLATE_LANGUAGES[i18n.TEMPLATE_LANGUAGES[language]]  # Wolof's: French
        assert (content.template, content.language) == (name, sent_in)
        assert len(content.params) == graph.templates[(name, sent_in)].parameters
    assert refused == []
    assert graph.sent > 100
