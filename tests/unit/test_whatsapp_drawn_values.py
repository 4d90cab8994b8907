"""Every keyboard of every flow takes hypothesis-drawn values: what a user types (meter and
bill references, nicknames, agents' client labels, amounts, an admin's note, a profile
name) and what DEXCHANGE gives back (a bill's holder name, bill number, due date and
amounts, its refusal messages, recharge codes), with WhatsApp's formatting marks, emoji,
right-to-left and combining characters, at and past the flows' maxima.

The real conversation engine (tests/flow_walk.py: its flows and routing, real storage on
a SQLite file of each example's own) is driven through a Woyofal purchase, the naming and
the management of a saved meter, a purchase with it, a bill, the history and each role's
own tools; every reply goes through the WhatsApp renderer (every "More…" page followed)
to the fake Graph API's check of a send and to the wire rules (as in
tests/whatsapp_graph.py), and fits Telegram (tests/channel_checks.misfits). Every
outbox message of the payments made goes as its reply and as its template too.
"""

import asyncio
import tempfile
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.telegram import limits as telegram
from bot.channels.whatsapp.render import WhatsAppRenderer
from bot.channels.whatsapp.templates import template_body
from bot.dexchange.tokens import parse_codes
from bot.services.quotes import BillChoice, BillLookupFailed, LookupProblem, Quote
from fakes.whatsapp.errors import GraphError
from handlers.i18n import LANGUAGES
from handlers.keywords import command_for
from handlers.payment_flow import ASK_AMOUNT, ASK_LABEL, ASK_REFERENCE, CHOOSE_BILL, CONFIRM
from handlers.saved_references import NAME
from handlers.session import MENU, global_payload
from handlers.steps import ConversationConfig
from handlers.types import InputKind, Outcome, Reply
from handlers.validation import LABEL_MAX_CHARS, MAX_INPUT_CHARS, NICKNAME_MAX_CHARS
from storage import Storage
from storage.models import (
    LedgerKind,
    OutboxKind,
    Payment,
    PaymentStatus,
    ProviderUpdate,
    Role,
    Service,
    User,
)
from tests.channel_checks import misfits
from tests.databases import database_for
from tests.flow_walk import (
    NOW,
    RENDER,
    ROLES,
    STATUS_OF,
    Payments,
    World,
    new_world,
    outbox_message,
    payloads,
    shape,
)
from tests.whatsapp_graph import NAMES, TEMPLATE_LANGUAGES, Sent
from tests.whatsapp_wire import problems

CONFIG = ConversationConfig()

# --- what people type and DEXCHANGE sends --------------------------------------------------------

PIECES = [
    *"aZéÑçß0179 ",
    "  ",
    "\n",
    "\t",
    "\u00a0",
    "·",
    "…",
    "-",
    ".",
    "/",
    "'",
    *"*_~`",  # WhatsApp's marks, alone and as they format
    "*Awa*",
    "_Fatou_",
    "~barré~",
    "```code```",
    "🏠",
    "👨‍👩‍👧",
    "🇸🇳",
    "✖️",
    "\u200d",
    "\ufe0f",
    "مرحبا",  # right to left
    "שלום",
    "\u200f",
    "\u202e",
    "e\u0301",  # combining
    "\u0301",
    "a\u0308\u0323",
    "Ǆ",
]
WORDS = st.lists(st.sampled_from(PIECES), max_size=24).map("".join)
# A piece repeated to a length at or past a limit of the flows (a nickname 30, a label 40,
# a typed input 200, a message 1 000).
LENGTHS = [
    NICKNAME_MAX_CHARS,
    NICKNAME_MAX_CHARS + 1,
    LABEL_MAX_CHARS,
    LABEL_MAX_CHARS + 1,
    MAX_INPUT_CHARS,
    MAX_INPUT_CHARS + 1,
    1000,
    1001,
]
LONG = st.tuples(
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=6), st.sampled_from(LENGTHS)
)
LONG_TEXTS = LONG.map(lambda drawn: ("".join(drawn[0]) * drawn[1])[: drawn[1]])
TEXTS = st.one_of(WORDS, LONG_TEXTS, st.text(max_size=40))


def typed(texts: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """What is typed at a step: a command or a keyword ("/help", "menu") leaves the step."""
    return texts.filter(lambda text: not text.strip().startswith("/") and not command_for(text))


# A name typed to be kept: printable pieces on one line (most are taken), or anything.
PRINTABLE = [piece for piece in PIECES if piece.isprintable() and piece.strip()]
NAMES_TYPED = typed(
    st.one_of(st.lists(st.sampled_from(PRINTABLE), min_size=1, max_size=12).map("".join), TEXTS)
)
DIGITS = st.text("0123456789", min_size=6, max_size=20)
REFERENCES_TYPED = typed(
    st.one_of(
        DIGITS,
        st.text("0123456789 -./", max_size=30),
        st.text("0123456789", min_size=21, max_size=40),
        TEXTS,
    )
)
AMOUNTS = st.one_of(
    st.sampled_from(
        [CONFIG.woyofal_min - 1, CONFIG.woyofal_min, CONFIG.woyofal_max, CONFIG.woyofal_max + 1]
    ),
    st.integers(-(10**13), 10**13),
)
AMOUNTS_TYPED = typed(
    st.one_of(
        AMOUNTS.map(str),
        st.tuples(AMOUNTS, st.sampled_from([" ", ".", ",", "\u202f", "'"])).map(
            lambda drawn: f"{drawn[0]:,}".replace(",", drawn[1])
        ),
        st.tuples(AMOUNTS, st.sampled_from(["F", " FCFA", "fcfa", " XOF", " francs", ",5"])).map(
            lambda drawn: f"{drawn[0]}{drawn[1]}"
        ),
        st.sampled_from(["５０００", "1e4", "0x1000", "5 000 000 000 000", "-5000", ""]),
        TEXTS,
    )
)
TOKENS = st.one_of(  # a recharge token as DEXCHANGE may write it
    st.lists(st.text("0123456789", min_size=16, max_size=20), min_size=1, max_size=3).map(
        " / ".join
    ),
    st.text("0123456789 -", min_size=1, max_size=70),
    WORDS,
)
DUE_DATES = st.one_of(st.none(), st.dates(date(2000, 1, 1)).map(date.isoformat), WORDS)


@st.composite
def bills(draw: st.DrawFn) -> list[Quote] | LookupProblem:
    """A lookup's answer: up to 12 bills as DEXCHANGE gives them, or its refusal."""
    if draw(st.integers(0, 5)) == 0:
        problem: LookupProblem = draw(st.sampled_from(list(LookupProblem)))
        return problem
    return [
        Quote(
            Service.SENELEC,  # the service and reference are those looked up
            "",
            draw(st.integers(1, 10**9)),
            draw(st.integers(0, 10**6)),
            draw(st.one_of(st.none(), WORDS, st.text("0123456789", min_size=1, max_size=30))),
            " ".join([draw(WORDS), draw(TEXTS)]).strip() or None,  # prénom nom
            draw(DUE_DATES),
        )
        for _ in range(draw(st.integers(0, 12)))
    ]


@dataclass(frozen=True)
class Drawn:
    language: str
    role: Role
    profile_name: str
    meter: str  # typed at the reference step, then a valid one if refused
    valid_meter: str
    amount: str
    valid_amount: int
    label: str
    nickname: str
    renamed: str
    token: str  # DEXCHANGE's recharge codes
    message: str  # DEXCHANGE's words (a refusal, a failure)
    service: Service
    bill_reference: str
    bills: list[Quote] | LookupProblem
    note: str  # an admin's, on a credit, a notice


DRAWN = st.builds(
    Drawn,
    st.sampled_from(LANGUAGES),
    st.sampled_from(ROLES),
    TEXTS,
    REFERENCES_TYPED,
    DIGITS,
    AMOUNTS_TYPED,
    st.integers(CONFIG.woyofal_min, CONFIG.woyofal_max),
    NAMES_TYPED,
    NAMES_TYPED,
    NAMES_TYPED,
    TOKENS,
    TEXTS,
    st.sampled_from([Service.SENELEC, Service.SENEAU]),
    DIGITS,
    bills(),
    TEXTS,
)


# --- the world: the walk's, with DEXCHANGE's values drawn --------------------------------------


@dataclass
class DrawnPayments(Payments):
    """The walk's payments port, answering a lookup with the drawn bills or refusal."""

    drawn: list[Quote] | LookupProblem = field(default_factory=list)
    message: str = ""

    async def bill_choice(self, service: Service, reference: str) -> BillChoice:
        if isinstance(self.drawn, LookupProblem):
            raise BillLookupFailed(self.drawn, self.message)
        return BillChoice(
            reference,
            [replace(quote, service=service, reference=reference) for quote in self.drawn],
        )


@dataclass
class Run:
    """One user's conversation, each reply checked as it comes."""

    world: World
    user: User
    drawn: Drawn
    renderer: WhatsAppRenderer = field(default_factory=WhatsAppRenderer)
    sent: Sent = field(default_factory=Sent)
    telegram: list[str] = field(default_factory=list)
    last: Outcome = field(default_factory=Outcome)

    @property
    def who(self) -> str:
        return f"{self.drawn.language}/{self.drawn.role.value}"

    def check(self, where: str, reply: Reply) -> None:
        self.sent.reply(self.renderer, self.user.external_id, f"{self.who}: {where}", reply)
        self.telegram += [f"{where}: {found}" for found in misfits(telegram.LIMITS, reply)]

    async def say(self, text: str, kind: InputKind = InputKind.TEXT) -> Outcome:
        """`text` typed (or a button's payload pressed), its replies checked."""
        where = f"{await self.state()} ← {text[:40]!r}"
        outcome = await self.world.handle(self.user, kind, text)
        for reply in outcome.replies:
            self.check(where, reply)
        if outcome.spent_text is not None:
            self.check(f"{where} (spent)", Reply(outcome.spent_text))
        self.last = outcome
        return outcome

    def offers(self, name: str) -> bool:
        return any(
            shape(button.payload) == name
            for reply in self.last.replies
            for row in reply.buttons
            for button in row
        )

    async def press(self, name: str) -> Outcome:
        """The button of the last replies whose shape() is `name` (s:ref:#, g:pay:woyofal)."""
        found = [
            button.payload
            for reply in self.last.replies
            for row in reply.buttons
            for button in row
            if shape(button.payload) == name
        ]
        assert found, f"no {name} among {[r.buttons for r in self.last.replies]}"
        return await self.say(found[0], InputKind.BUTTON)

    async def state(self) -> str:
        stored = await self.world.storage.read.conversations.get(self.user.id)
        return stored.state if stored is not None else MENU

    async def typed_or(self, state: str, typed: str, fallback: str) -> None:
        """`typed` at the step `state`, then `fallback` if it stays there."""
        assert await self.state() == state
        await self.say(typed)
        if await self.state() == state:
            await self.say(fallback)


async def make_user(storage: Storage, drawn: Drawn) -> User:
    async with storage.transaction() as tx:
        user = await tx.users.upsert("test", "u1", "u1", None, drawn.profile_name or None)
        await tx.users.set_language(user.id, drawn.language)
        await tx.users.set_role(user.id, drawn.role)
        await tx.ledger.add(user.id, LedgerKind.CREDIT, 2_000_000, actor="test")
    found = await storage.read.users.get(user.id)
    assert found is not None
    return found


async def paid(storage: Storage, payment: Payment, drawn: Drawn) -> Payment:
    """DEXCHANGE's word on `payment`: paid, with the drawn token's codes (a Woyofal's)."""
    codes = parse_codes(drawn.token) if payment.service is Service.WOYOFAL else []
    async with storage.transaction() as tx:
        for status in (PaymentStatus.SUBMITTED, PaymentStatus.PROCESSING, PaymentStatus.SUCCESS):
            update = ProviderUpdate(status, f"TID{payment.id:09d}", codes, drawn.message)
            found = await tx.payments.transition(payment.id, status, "test", update)
            assert found is not None
            payment = found
    return payment


def notices(drawn: Drawn) -> list[dict[str, Any]]:
    return [
        {"text": drawn.note},
        {"key": "wallet.credited", "amount": 25_000, "balance": 325_000, "note": drawn.note},
        {"key": "admin.attention", "id": 42, "ref": "SP260320ABCDEF", "reason": drawn.message},
    ]


def outbox(run: Run, payment: Payment) -> list[str]:
    """Every outbox message `payment` may have, as its reply (checked by `run`) and as its
    template: what the fake or the wire rules refuse of the templates."""
    refused: list[str] = []
    for kind, status in STATUS_OF.items():
        shown = replace(payment, status=status, provider_message=run.drawn.message)
        for payload in notices(run.drawn) if kind is OutboxKind.NOTICE else payloads(kind):
            message = outbox_message(kind, payload)
            for about in (shown, None) if kind is OutboxKind.NOTICE else (shown,):
                where = f"outbox {kind.value} {payment.service.value} {payload}"[:80]
                run.check(where, RENDER(message, about, run.user))
                template = RENDER.template(message, about, run.user)
                body = template_body(template, NAMES[template.kind], TEMPLATE_LANGUAGES)
                try:
                    run.sent.graph.send(body)
                except GraphError as error:
                    refused.append(f"{where}: fake {error.code}: {error.details}")
                refused += [f"{where}: {problem}" for problem in problems(body)]
    return refused


async def newest_payment(storage: Storage, user: User) -> Payment:
    found = await storage.read.payments.for_user(user.id, limit=1)
    assert found
    return found[0]


async def woyofal(run: Run) -> Payment:
    """A top-up typed from the start: the meter, the amount, an agent's client."""
    drawn = run.drawn
    await run.say(global_payload("pay:woyofal"), InputKind.BUTTON)
    await run.typed_or(ASK_REFERENCE, drawn.meter, drawn.valid_meter)
    await run.typed_or(ASK_AMOUNT, drawn.amount, str(drawn.valid_amount))
    if drawn.role is Role.AGENT:
        assert await run.state() == ASK_LABEL
        await run.say(drawn.label)
        if await run.state() == ASK_LABEL:
            await run.press("s:skip")
    assert await run.state() == CONFIRM
    await run.press("s:ok")
    return await paid(run.world.storage, await newest_payment(run.world.storage, run.user), drawn)


async def saved_meter(run: Run, payment: Payment) -> None:
    """Saved from the result and named, then renamed, shown, offered and used."""
    drawn = run.drawn
    await run.say(global_payload(f"save:{payment.id}"), InputKind.BUTTON)
    assert await run.state() == NAME
    await run.say(drawn.nickname)
    if await run.state() == NAME:
        await run.press("s:nick:#")
    await run.say("/meters")
    await run.press("s:m:#")
    await run.press("s:ren")
    await run.say(drawn.renamed)  # taken: the menu; refused: back to the meter
    if await run.state() == NAME:
        await run.press("s:back")
    await run.say("/meters")
    await run.press("s:m:#")
    await run.press("s:del")
    await run.press("s:back")
    await run.press("s:use")
    assert await run.state() == ASK_AMOUNT
    await run.press("s:amt:#")
    if drawn.role is Role.AGENT:
        await run.press("s:skip")
    assert await run.state() == CONFIRM
    await run.say("/cancel")
    await run.say(global_payload("pay:woyofal"), InputKind.BUTTON)
    await run.press("s:ref:#")
    assert await run.state() == ASK_AMOUNT
    await run.say("/cancel")
    await run.say(global_payload(f"again:{payment.id}"), InputKind.BUTTON)
    if drawn.role is Role.AGENT:
        await run.press("s:same" if payment.client_label else "s:skip")
    await run.press("s:ok")


async def bill(run: Run, payments: DrawnPayments) -> Payment | None:
    """A bill looked up: DEXCHANGE's drawn bills (or refusal), the first one paid."""
    drawn = run.drawn
    await run.say(global_payload(f"pay:{drawn.service.facts.key}"), InputKind.BUTTON)
    await run.say(drawn.bill_reference)
    if await run.state() == CHOOSE_BILL:
        await run.press("s:bill:#")
    if await run.state() == ASK_LABEL:
        await run.say(drawn.label)
        if await run.state() == ASK_LABEL:
            await run.press("s:skip")
    if await run.state() != CONFIRM:
        await run.say("/cancel")
        return None
    if run.offers("s:rest"):
        # More than the balance: the rest from mobile money, then the purchase (not here).
        await run.press("s:rest")
        await run.say("/cancel")
        return None
    made = payments.made
    await run.press("s:ok")
    if payments.made == made:
        return None  # SenEau: not enough credit, said on the spent keyboard
    return await paid(run.world.storage, await newest_payment(run.world.storage, run.user), drawn)


async def tools(run: Run) -> None:
    """The history, and each role's own commands, over what was paid."""
    await run.say("/history")
    await run.press("g:hd:#")
    await run.say("/balance")
    if run.drawn.role is Role.AGENT:
        await run.say(f"/find {run.drawn.label}")
        await run.say("/last")
        await run.say("/today")
    if run.drawn.role is Role.ADMIN:
        await run.say(f"/credit {run.user.external_id} 1000 {run.drawn.note}")
        await run.say(f"/user {run.user.external_id}")
        await run.say("/pending")


async def scenario(drawn: Drawn, path: Path) -> tuple[Run, list[str]]:
    storage = Storage(database_for(path), lambda: NOW)
    await storage.open()
    try:
        payments = DrawnPayments(storage, drawn=drawn.bills, message=drawn.message)
        run = Run(new_world(storage, payments), await make_user(storage, drawn), drawn)
        await run.say("/start")  # greets by the profile name
        payment = await woyofal(run)
        refused = outbox(run, payment)
        await saved_meter(run, payment)
        paid_bill = await bill(run, payments)
        if paid_bill is not None:
            refused += outbox(run, paid_bill)
        await tools(run)
        return run, refused
    finally:
        await storage.close()


@settings(max_examples=40, deadline=None)  # a shared CI machine: time is not what this checks
@given(DRAWN)
def test_drawn_values_in_every_flow_are_accepted_by_the_fake(drawn: Drawn) -> None:
    with tempfile.TemporaryDirectory() as folder:
        run, refused = asyncio.run(scenario(drawn, Path(folder) / "bot.sqlite3"))
    assert run.sent.refused == {}
    assert refused == []
    assert run.telegram == []
