"""The walk of every flow (tests/unit/test_channel_limits.py, test_whatsapp_keyboards.py):
every reply the bot can send, in every language and for every role.

It drives the real conversation engine, with the flows of `handlers.flows`, on a real
SQLite file: from the menu every command (with arguments), then every button of every reply
and a set of typed inputs at every step, breadth first, each (step, input) once; plus every
message the outbox renderer makes. Users' data is at the flows' maxima (as many saved
references, bills, movements and admin lines as are shown, nicknames, client labels and
notes as long as accepted, pages of history) so that the largest keyboards and the longest
labels and texts are met. `collect` gives every reply with where it was met; the fixture
`walked_replies` (tests/unit/conftest.py) walks once for every module that checks them.
"""

import asyncio
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from bot.services.accounts import AccountService
from bot.services.collections import (
    FundingRefusal,
    FundingRefused,
    FundingRules,
    PurchaseToFund,
)
from bot.services.payouts import RefundRefusal, RefundRefused
from bot.services.provider import ProviderBalance, ProviderUnavailable
from bot.services.quotes import BillChoice, BillLookupFailed, LookupProblem, Quote
from bot.services.resolutions import ResolveRefused
from bot.services.wallets import NotEnoughCredit
from handlers.admin import SHOWN_PER_SECTION, UNDELIVERED_SHOWN
from handlers.engine import ConversationEngine
from handlers.flows import build_registry
from handlers.i18n import LANGUAGES
from handlers.outbox import OutboxRenderer
from handlers.payment_flow import MAX_BILLS_SHOWN
from handlers.saved_references import MAX_SAVED
from handlers.session import MENU, Pressed
from handlers.steps import ConversationConfig
from handlers.types import Incoming, InputKind, Keyboard, Outcome, Reply
from handlers.validation import LABEL_MAX_CHARS, NICKNAME_MAX_CHARS
from handlers.wallet import MOVEMENTS_SHOWN
from storage import Storage
from storage.codes import expired_code
from storage.day_report import DayReport, ServiceLine
from storage.models import (
    Collection,
    CollectionStatus,
    Direction,
    FailureReason,
    LedgerKind,
    MoneyAccount,
    MoneyMethod,
    NewCollection,
    NewPayment,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    Payment,
    PaymentStatus,
    ProviderUpdate,
    Role,
    Service,
    User,
)
from tests.databases import database_for
from tests.samples import sample_payment

NOW = datetime(2026, 3, 20, 10, 0, tzinfo=UTC)
METER = "07061270877"
BILL_REFERENCE = "210278816"
MANY_BILLS = "222222222"  # more unpaid bills than the bill step shows
# The longest a user may type: a nickname, an agent's client, an admin's note (/credit).
NICKNAME = ("Boutique Médina, rue 10 angle 12 " * 2)[:NICKNAME_MAX_CHARS]
CLIENT = ("Mamadou Lamine Diallo · 77 123 45 67 · " * 2)[:LABEL_MAX_CHARS]
NOTE = ("Versement espèces, agence Médina, reçu n° 2026-03-20-0042. " * 4)[:200]
PENDING_SHOWN = 30  # handlers.admin.pending
LONG_CODES = ["12839300932092231234", "56781234567812345678", "90123456789012345678"]
ROLES = (Role.CUSTOMER, Role.AGENT, Role.ADMIN)


def shape(payload: str) -> str:
    """What a button does, without its step token or numbers: s:ref:#, g:pay:woyofal."""
    pressed = Pressed.parse(payload)
    if pressed is None:
        return payload
    argument = re.sub(r"\d+", "#", pressed.argument)
    return f"{pressed.scope}:{pressed.action}" + (f":{argument}" if argument else "")


# --- the world: storage, and the ports the engine is given -------------------------------------


@dataclass
class Payments:
    """Quotes as DEXCHANGE gives them; a confirmation creates the payment (Woyofal), finds
    it made already (Senelec) or finds the wallet short (SenEau), so each answer is met."""

    storage: Storage
    made: int = 0

    async def bill_choice(self, service: Service, reference: str) -> BillChoice:
        problems = {
            "444444444": LookupProblem.REFUSED,
            "555555555": LookupProblem.ALREADY_PAID,
            "666666666": LookupProblem.MAINTENANCE,
            "777777777": LookupProblem.UNAVAILABLE,
        }
        if reference in problems:
            raise BillLookupFailed(
                problems[reference], "Référence inconnue chez le facturier. " * 8
            )
        if reference == "100000000":
            return BillChoice(reference, [])
        count = MAX_BILLS_SHOWN + 2 if reference == MANY_BILLS else 1
        quotes = [
            Quote(
                service,
                reference,
                104_500 + 1000 * index,
                1045,
                f"80000006{index:02d}",
                "Moussa Ibrahima Ndiaye DIOP",
                f"2026-12-{index + 1:02d}",
            )
            for index in range(count)
        ]
        return BillChoice(reference, quotes)

    def woyofal_quote(self, reference: str, amount: int) -> Quote:
        return Quote(Service.WOYOFAL, reference, amount, amount // 100)

    async def confirm(
        self, user_id: int, quote: Quote, idempotency_key: str, client_label: str | None = None
    ) -> tuple[Payment, bool]:
        if quote.service is Service.SENEAU:
            raise NotEnoughCredit(1200, quote.total)
        self.made += 1
        new = NewPayment(
            user_id,
            idempotency_key,
            quote.service,
            quote.reference,
            quote.amount,
            quote.fee,
            f"SC{user_id:04d}{self.made:08d}",
            bill_reference=quote.bill_reference,
            holder_name=quote.holder_name,
            due_date=quote.due_date,
            client_label=client_label,
        )
        async with self.storage.transaction() as tx:
            payment, _ = await tx.payments.create(new)
        return payment, quote.service is Service.WOYOFAL


@dataclass
class Funding:
    """Collections as the service makes them: Wave's is created (a second press finds it),
    Orange Money's is over the daily cap, Free Money's no longer offered, so each answer
    of the confirmation is met. A fee the customer pays, so the summary's every line is."""

    storage: Storage
    rules: FundingRules = field(default_factory=lambda: FundingRules(fee_percent=Decimal(1)))

    def fee_for(self, amount: int) -> int:
        return amount // 100

    async def start(
        self,
        user_id: int,
        method: MoneyMethod,
        number: str,
        amount: int,
        idempotency_key: str,
        purchase: PurchaseToFund | None = None,
    ) -> tuple[Collection, bool]:
        if method is MoneyMethod.ORANGE_MONEY:
            raise FundingRefused(FundingRefusal.DAILY_CAP, 1_000_000, 5000)
        if method is MoneyMethod.FREE_MONEY:
            raise FundingRefused(FundingRefusal.METHOD_UNAVAILABLE)
        new = NewCollection(
            user_id,
            Direction.IN,
            idempotency_key,
            f"SC{user_id:04d}{idempotency_key[:8]}",
            "WAVE_SN_CASHOUT",
            method,
            number,
            amount,
            self.fee_for(amount),
        )
        async with self.storage.transaction() as tx:
            return await tx.collections.create(new)


@dataclass
class Provider:
    """The operator's DEXCHANGE balance, unavailable every other time."""

    asked: int = 0

    async def balance(self) -> ProviderBalance:
        self.asked += 1
        if self.asked % 2 == 0:
            raise ProviderUnavailable("Service indisponible, réessayez plus tard (503)")
        return ProviderBalance(12_345_678, "XOF", "2026-03-20T09:58:00Z")


@dataclass
class Resolver:
    """An admin's /resolve: payment 1 is settled, any other is refused."""

    storage: Storage

    async def resolve(
        self,
        payment_id: int,
        outcome: PaymentStatus,
        *,
        actor: str,
        reason: str,
        codes: list[str] | None = None,
    ) -> Payment:
        payment = await self.storage.read.payments.get(payment_id)
        if payment is None:
            raise ResolveRefused("resolve.unknown", id=payment_id)
        if payment_id != 1:
            raise ResolveRefused("resolve.final", id=payment_id, status=payment.status.value)
        return payment


@dataclass
class Refunds:
    """An admin's /refund: made once per key (committed, never sent), or refused when the
    key says so."""

    storage: Storage

    async def refund(
        self,
        user_id: int,
        amount: int | None,
        method: MoneyMethod,
        number: str,
        *,
        actor: str,
        idempotency_key: str,
    ) -> tuple[Collection, bool]:
        if amount is not None and amount % 2:
            raise RefundRefused(RefundRefusal.ABOVE_BALANCE, balance=500)
        async with self.storage.transaction() as tx:
            return await tx.collections.create(
                refund_row(user_id, idempotency_key, amount or 1000, method, number, actor)
            )


def refund_row(
    user_id: int, key: str, amount: int, method: MoneyMethod, number: str, actor: str
) -> NewCollection:
    return NewCollection(
        user_id=user_id,
        direction=Direction.OUT,
        idempotency_key=key,
        external_id=f"SPWALK{key}",
        service_code="WAVE_SN_CASHIN",
        method=method,
        number=number,
        amount=amount,
        actor=actor,
    )


@dataclass
class World:
    storage: Storage
    engine: ConversationEngine
    # (where, reply): "fr/agent: ask_amount ← 5000" is what the amount step answered to 5000
    replies: list[tuple[str, Reply]] = field(default_factory=list)

    async def handle(self, user: User, kind: InputKind, text: str, private: bool = True) -> Outcome:
        incoming = Incoming(
            "test",
            user.external_id,
            user.chat_id,
            kind,
            text,
            private=private,
            username=user.username,
            display_name=user.display_name,
        )
        return await self.engine.handle(incoming)

    def keep(self, where: str, outcome: Outcome) -> None:
        self.replies += [(where, reply) for reply in outcome.replies]
        if outcome.spent_text is not None:
            self.replies.append((f"{where} (spent)", Reply(outcome.spent_text)))


async def make_user(storage: Storage, name: str, language: str, role: Role) -> User:
    async with storage.transaction() as tx:
        user = await tx.users.upsert("test", name, name, name, f"Awa {name}")
        await tx.users.set_language(user.id, language)
        await tx.users.set_role(user.id, role)
        await tx.ledger.add(user.id, LedgerKind.CREDIT, 300_000, actor="test")
    found = await storage.read.users.get(user.id)
    assert found is not None
    return found


async def add_payment(
    storage: Storage,
    user: User,
    number: int,
    service: Service,
    status: PaymentStatus,
    codes: list[str] | None = None,
    label: str | None = None,
) -> Payment:
    woyofal = service is Service.WOYOFAL
    new = NewPayment(
        user.id,
        f"{user.external_id}-{number}",
        service,
        METER if woyofal else BILL_REFERENCE,
        500_000 if woyofal else 104_500,
        5000 if woyofal else 1045,
        f"SP{user.id:04d}{number:08d}",
        bill_reference=None if woyofal else "8000000680",
        holder_name=None if woyofal else "Moussa Ibrahima Ndiaye DIOP",
        due_date=None if woyofal else "2026-12-05",
        client_label=label,
    )
    async with storage.transaction() as tx:
        payment, _ = await tx.payments.create(new)
        path = [PaymentStatus.SUBMITTED, PaymentStatus.PROCESSING, status]
        if status in (PaymentStatus.PROCESSING, PaymentStatus.UNKNOWN):
            path = [PaymentStatus.SUBMITTED, status]
        for step in path:
            update = ProviderUpdate(
                step, f"TID{payment.id:09d}", codes or [], "Le facturier a refusé ce paiement."
            )
            found = await tx.payments.transition(payment.id, step, "test", update)
            assert found is not None
            payment = found
    return payment


async def stock(storage: Storage, user: User) -> None:
    """The user's data at the flows' maxima."""
    async with storage.transaction() as tx:
        for _ in range(MOVEMENTS_SHOWN):  # with the longest notes /credit keeps
            await tx.ledger.add(user.id, LedgerKind.CREDIT, 1000, actor="test", note=NOTE)
    label = CLIENT if user.role is Role.AGENT else None
    samples = [
        (Service.WOYOFAL, PaymentStatus.SUCCESS, ["1283930093209223"]),
        (Service.WOYOFAL, PaymentStatus.SUCCESS, LONG_CODES),
        (Service.WOYOFAL, PaymentStatus.SUCCESS, []),  # paid, its code not here yet
        (Service.WOYOFAL, PaymentStatus.SUCCESS, [expired_code("1283930093209223")]),
        (Service.WOYOFAL, PaymentStatus.FAILED, []),
        (Service.SENELEC, PaymentStatus.SUCCESS, []),
        (Service.SENEAU, PaymentStatus.FAILED, []),
        (Service.WOYOFAL, PaymentStatus.PROCESSING, []),
        (Service.SENELEC, PaymentStatus.UNKNOWN, []),
    ]
    number = 0
    for _ in range(2):  # two pages of history and more
        for service, status, codes in samples:
            number += 1
            await add_payment(storage, user, number, service, status, codes, label)
    async with storage.transaction() as tx:  # offered at the funding's number step
        await tx.users.set_money_account(user.id, MoneyAccount(MoneyMethod.WAVE, "771234567"))
    async with storage.transaction() as tx:
        for index in range(MAX_SAVED):  # the most a user may save
            service = list(Service)[index % 3]
            saved, _ = await tx.saved_references.add(
                user.id, service, f"{index + 1:02d}{METER[2:]}"
            )
            nickname = f"{NICKNAME[:-3]} {index + 1:02d}"  # nicknames are unique
            await tx.saved_references.rename(user.id, saved.id, nickname)


# --- the walk ---------------------------------------------------------------------------------

# Arguments tried with each command (every command is tried without one too).
ARGUMENTS: dict[str, list[str]] = {
    "start": ["ref"],
    "language": ["en", "xx"],
    "credit": ["{target} 25 000 versement espèces du matin", "{target} 1,5", "@nobody 5000"],
    "debit": ["{target} 1000 correction", "{target} 9000000"],
    "role": ["{target} agent", "{target} wizard"],
    "user": ["{target}", "{self}"],
    "provider": ["again"],
    "refund": [
        "@{self} 1 000 wave 770000000",
        "@{self} 1001 wave 770000000",  # the fake refuses it when confirmed
        "@{self} all om 77 000 00 01",
        "@{target} 1000",
        "@{self} 10 wave 770000000",
        "@{self} 1000 paypal 770000000",
        "@{self} 1000 wave 12",
    ],
    "collections": ["30", "x"],
    "resolve": ["1 success 1283 9300 9320 9223 code lu au téléphone", "2 failed refus", "x"],
    "find": [METER, CLIENT, "!!"],
    "report": ["2026-03-19", "2027-01-01", "hier"],
}
# Typed at every step that reads text.
TYPED = [
    METER,
    BILL_REFERENCE,
    MANY_BILLS,
    "100000000",
    "444444444",
    "555555555",
    "666666666",
    "777777777",
    "5000",
    "10",
    "9999999",
    "beaucoup trop",
    NICKNAME,
    CLIENT,
    "/help",
    "x" * 1001,
]


async def walk(world: World, user: User, target: User) -> None:
    """Breadth first from the menu: each (step, input) once, from the stored conversation
    as it was when that step was drawn."""
    storage = world.storage
    language = user.language
    assert language is not None
    who = f"{language}/{user.role.value}"
    commands = sorted(world.engine.registry.commands)
    queue: deque[tuple[str, dict[str, Any], str, Keyboard]] = deque()
    done: set[tuple[str, str, str]] = set()

    async def go(state: str, data: dict[str, Any], token: str, kind: InputKind, text: str) -> None:
        step = f"{state}:{data.get('service', '')}"
        said = shape(text) if kind is InputKind.BUTTON else text[:40]
        if (step, kind.value, said) in done:
            return
        done.add((step, kind.value, said))
        await storage.single.conversations.save(user.id, state, data, token)
        outcome = await world.handle(user, kind, text)
        world.keep(f"{who}: {state} ← {said}", outcome)
        if "lang" in said:  # /language en, g:setlang:en: the walk stays in its language
            await storage.single.users.set_language(user.id, language)
        after = await storage.read.conversations.get(user.id)
        assert after is not None
        buttons = tuple(row for reply in outcome.replies for row in reply.buttons)
        queue.append((after.state, after.data, after.token, buttons))

    for name in commands:
        for argument in ["", *ARGUMENTS.get(name, [])]:
            text = argument.format(target=target.external_id, self=user.external_id)
            await go(MENU, {}, "menu00", InputKind.TEXT, f"/{name} {text}".strip())
    await go(MENU, {}, "menu00", InputKind.TEXT, "/nope")
    await go(MENU, {}, "menu00", InputKind.TEXT, "bonjour")
    while queue:
        state, data, token, buttons = queue.popleft()
        for row in buttons:
            for button in row:
                await go(state, data, token, InputKind.BUTTON, button.payload)
        if state == MENU:
            continue
        step = world.engine.registry.steps[state]
        for text in TYPED if step.on_text is not None else ["/help"]:
            await go(state, data, token, InputKind.TEXT, text)
        await go(state, data, token, InputKind.OTHER, "")
        await go(state, data, token, InputKind.BUTTON, "s:000000:forged")


# The status a payment has when each kind of outbox message is written for it.
STATUS_OF = {
    OutboxKind.PROCESSING: PaymentStatus.PROCESSING,
    OutboxKind.CODE_PENDING: PaymentStatus.SUCCESS,
    OutboxKind.SUCCESS: PaymentStatus.SUCCESS,
    OutboxKind.FAILED: PaymentStatus.FAILED,
    OutboxKind.UNKNOWN: PaymentStatus.UNKNOWN,
    OutboxKind.DELAYED: PaymentStatus.UNKNOWN,
    OutboxKind.NOTICE: PaymentStatus.SUCCESS,
    OutboxKind.RECEIPT: PaymentStatus.SUCCESS,
}
REPORT = DayReport(
    NOW.date(),
    [ServiceLine(service, 48, 2_450_000, 24_500) for service in Service],
    failed=3,
    open=2,
    opening=1_250_000,
    credits=500_000,
    payments=-7_424_500,
    closing=325_500,
    as_of=NOW,
    confirmed=149,
)
NOTICES: list[dict[str, Any]] = [
    {"text": "Bonjour"},
    {"key": "wallet.credited", "amount": 25_000, "balance": 325_000, "note": NOTE},
    {"key": "wallet.debited", "amount": 1000, "balance": 324_000, "note": ""},
    {"key": "admin.attention", "id": 42, "ref": "SP260320ABCDEF", "reason": NOTE},
    {"key": "admin.collection_attention", "id": 42, "ref": "SP260320ABCDEF", "reason": NOTE},
    {"key": "admin.refund_attention", "id": 42, "ref": "SP260320ABCDEF", "reason": NOTE},
    {"key": "refund.success", "amount": 1_000_000, "number": "771234567", "balance": 325_000},
    {"key": "refund.failed", "amount": 1_000_000, "balance": 1_325_000},
    {"report": REPORT.to_payload(), "daily": True},
    {"key": "funding.link", "amount": 1_000_000, "link": "https://pay.wave.com/c/" + "x" * 200},
    {"key": "funding.success", "amount": 1_000_000, "balance": 1_325_000},
    {"key": "funding.failed", "amount": 1_000_000},
]
RENDER = OutboxRenderer("fr", "SenPay")


def payloads(kind: OutboxKind) -> list[dict[str, Any]]:
    """The payloads an outbox message of `kind` may carry, each way it can be."""
    if kind is OutboxKind.FAILED:
        return [
            {"reason": reason.value, "refunded": refunded}
            for reason in FailureReason
            for refunded in (False, True)
        ]
    if kind is OutboxKind.SUCCESS:
        return [{}, {"late": True, "redebited": 505_000}, {"late": True}]
    if kind is OutboxKind.NOTICE:
        return NOTICES
    return [{}]


def outbox_message(kind: OutboxKind, payload: dict[str, Any]) -> OutboxMessage:
    return OutboxMessage(1, 1, 7, kind, payload, OutboxStatus.PENDING, 0, NOW, NOW, None)


def outbox_messages(
    language: str, role: Role
) -> Iterator[tuple[str, OutboxMessage, Payment | None, User]]:
    """Every message the notifier can render, for payments at their longest: (where, the
    message, its payment, its user), as `RENDER` (and `RENDER.template`) take them."""
    user = User(1, "test", "1", "1", "awa", "Awa", language, None, NOW, role)
    for kind, status in STATUS_OF.items():
        for service in Service:
            woyofal = service is Service.WOYOFAL
            payment = sample_payment(
                service=service,
                reference=METER if woyofal else BILL_REFERENCE,
                bill_reference=None if woyofal else "8000000680",
                holder_name=None if woyofal else "Moussa Ibrahima Ndiaye DIOP",
                due_date=None if woyofal else "2026-12-05",
                amount=500_000,
                fee=5000,
                status=status,
                codes=LONG_CODES if woyofal and status is PaymentStatus.SUCCESS else [],
                provider_message="Le facturier a refusé ce paiement. " * 4,
                completed_at=NOW if status.is_final else None,
                client_label=CLIENT if role is Role.AGENT else None,
            )
            for payload in payloads(kind):
                message = outbox_message(kind, payload)
                where = f"{language}/{role.value}: outbox {kind.value} {service.facts.key}"
                yield where, message, payment, user
                if kind is OutboxKind.NOTICE:
                    yield f"{where} (no payment)", message, None, user


def outbox_replies(language: str, role: Role) -> Iterator[tuple[str, Reply]]:
    for where, message, payment, user in outbox_messages(language, role):
        yield where, RENDER(message, payment, user)


async def stuck(storage: Storage, user: User) -> None:
    """What admins list at its longest: 30 payments held for them (/pending shows 30) and
    20 messages set aside (/undelivered shows 20)."""
    for number in range(PENDING_SHOWN):
        payment = await add_payment(storage, user, number, Service.SENELEC, PaymentStatus.UNKNOWN)
        async with storage.transaction() as tx:
            await tx.payments.hold(payment.id, "DEXCHANGE a refusé la reprise : " + NOTE)
            await tx.payments.flag_attention(payment.id, NOTE)
    # Top-ups and refunds at their longest: more flagged, open and ended than shown.
    async with storage.transaction() as tx:
        for number in range(SHOWN_PER_SECTION + 1):
            for method in MoneyMethod:
                row = refund_row(
                    user.id, f"{method.value}{number}", 1_000_000, method, "771234567", "admin:1"
                )
                made, _ = await tx.collections.create(row)
                if method is MoneyMethod.FREE_MONEY:
                    await tx.collections.transition(made.id, CollectionStatus.CANCELLED, "test")
                await tx.collections.flag_attention(made.id, NOTE)
    async with storage.transaction() as tx:
        for number in range(UNDELIVERED_SHOWN):
            dead = await tx.outbox.add(user.id, OutboxKind.NOTICE, {"text": str(number)})
            assert dead is not None
            await tx.outbox.mark_dead(dead, "Bad Request: " + NOTE)


def new_world(storage: Storage, payments: Payments | None = None) -> World:
    """An engine of its own for each walk: its provider answers well, then not."""
    engine = ConversationEngine(
        storage,
        payments or Payments(storage),
        ConversationConfig(support_contact="+221 77 000 00 00 (SenPay, Dakar)"),
        build_registry(),
        lambda: NOW,
        accounts=AccountService(
            storage, channel="test", clock=lambda: NOW, refunds=Refunds(storage)
        ),
        provider=Provider(),
        resolver=Resolver(storage),
        funding=Funding(storage),
    )
    return World(storage, engine)


async def walk_as(
    storage: Storage, language: str, role: Role, target: User
) -> list[tuple[str, Reply]]:
    world = new_world(storage)
    user = await make_user(storage, f"{language}{role.value}", language, role)
    await stock(storage, user)
    await walk(world, user, target)
    return [*world.replies, *outbox_replies(language, role)]


async def elsewhere(storage: Storage, language: str) -> list[tuple[str, Reply]]:
    """No credit at all; a message in a group."""
    world = new_world(storage)
    broke = await make_user(storage, f"{language}broke", language, Role.CUSTOMER)
    async with storage.transaction() as tx:
        await tx.ledger.add(broke.id, LedgerKind.ADJUSTMENT, -300_000, actor="test")
    for service in Service:
        outcome = await world.handle(broke, InputKind.BUTTON, f"g:pay:{service.facts.key}")
        world.keep(f"{language}: no credit", outcome)
    world.keep(f"{language}: group", await world.handle(broke, InputKind.TEXT, "1", False))
    return world.replies


async def collect(path: Path) -> list[tuple[str, Reply]]:
    storage = Storage(database_for(path), lambda: NOW)
    await storage.open()
    try:
        target = await make_user(storage, "bystander", "fr", Role.CUSTOMER)
        await stuck(storage, target)
        # The walks run side by side: their writes share each commit.
        walks = [walk_as(storage, lang, role, target) for lang in LANGUAGES for role in ROLES]
        walks += [elsewhere(storage, language) for language in LANGUAGES]
        return [reply for replies in await asyncio.gather(*walks) for reply in replies]
    finally:
        await storage.close()
