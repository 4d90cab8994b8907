"""What a flow is made of, and what it may ask of the conversation.

A flow (handlers/basics.py, payment_flow.py, …) is a module with a `register(registry)`
function: its commands, global buttons and steps, each a function of the `Conversation`
(the engine, as flows see it), the user's `Session` and what they sent. `handlers/flows.py`
lists the flows; the engine runs whatever registry it is given and imports no flow.
"""

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from bot.services.accounts import AccountService
from bot.services.collections import FundingRules, PurchaseToFund
from bot.services.provider import ProviderBalance
from bot.services.quotes import BillChoice, Quote
from handlers.session import Pressed, Session
from handlers.types import Button, Keyboard, Outcome, Reply
from storage import Storage
from storage.models import Collection, MoneyMethod, Payment, PaymentStatus, Service


class PaymentsPort(Protocol):
    """What the conversation needs from the payment service."""

    async def bill_choice(self, service: Service, reference: str) -> BillChoice: ...

    def woyofal_quote(self, reference: str, amount: int) -> Quote: ...

    async def confirm(
        self,
        user_id: int,
        quote: Quote,
        idempotency_key: str,
        client_label: str | None = None,
    ) -> tuple[Payment, bool]: ...


class ResolverPort(Protocol):
    """An admin settling a stuck payment (the payment service)."""

    async def resolve(
        self,
        payment_id: int,
        outcome: PaymentStatus,
        *,
        actor: str,
        reason: str,
        codes: list[str] | None = None,
    ) -> Payment: ...


class ProviderPort(Protocol):
    """The operator's DEXCHANGE account (bot.services.provider.ProviderAccount)."""

    async def balance(self) -> ProviderBalance: ...


class FundingPort(Protocol):
    """Funding a wallet from mobile money (bot.services.collections.CollectionService)."""

    @property
    def rules(self) -> FundingRules: ...

    def fee_for(self, amount: int) -> int: ...

    async def start(
        self,
        user_id: int,
        method: MoneyMethod,
        number: str,
        amount: int,
        idempotency_key: str,
        purchase: PurchaseToFund | None = None,
    ) -> tuple[Collection, bool]: ...


@dataclass(frozen=True)
class ConversationConfig:
    default_language: str = "fr"
    woyofal_min: int = 1000
    woyofal_max: int = 500_000
    quick_amounts: tuple[int, ...] = (1000, 2000, 5000, 10000)
    idle_timeout: timedelta = timedelta(minutes=15)
    private_link: str = ""
    support_contact: str | None = None
    operator_name: str = "SenPay"  # printed on receipts


class Conversation(Protocol):
    """The conversation engine as a flow uses it: its dependencies, and the shared answers
    (the menu, Cancel, a stale keyboard…)."""

    storage: Storage
    payments: PaymentsPort
    resolver: ResolverPort | None
    accounts: AccountService | None
    provider: ProviderPort | None
    funding: FundingPort | None
    config: ConversationConfig
    registry: "Registry"

    def clock(self) -> datetime: ...

    def main_menu(self, session: Session) -> Keyboard: ...

    def menu_reply(self, session: Session, key: str = "menu", **values: object) -> Reply: ...

    async def show_menu(self, session: Session, greet: bool = False) -> Outcome: ...

    async def cancel(self, session: Session) -> Outcome: ...

    def cancel_row(self, session: Session) -> list[Button]: ...

    def language_keyboard(self) -> Keyboard: ...

    async def stale(self, session: Session, pressed: Pressed | None) -> Outcome: ...

    async def prompt(self, session: Session) -> list[Reply]: ...


# A command or a global button: (conversation, session, argument) → outcome.
Action = Callable[[Conversation, Session, str], Awaitable[Outcome]]
# The flow of a step: typed text, or a step button (action, argument).
TextStep = Callable[[Conversation, Session, str], Awaitable[Outcome]]
ButtonStep = Callable[[Conversation, Session, str, str], Awaitable[Outcome]]
Prompt = Callable[[Conversation, Session], Awaitable[list[Reply]]]


@dataclass
class Step:
    prompt: Prompt
    on_text: TextStep | None = None
    on_button: ButtonStep | None = None


class DuplicateKey(Exception):
    """Two flows claim the same command, button or step: a mistake caught at start."""


@dataclass
class Registry:
    commands: dict[str, Action] = field(default_factory=dict)
    actions: dict[str, Action] = field(default_factory=dict)
    steps: dict[str, Step] = field(default_factory=dict)
    # Telegram's command menu: (command, catalogue key of its description)
    menu_commands: list[tuple[str, str]] = field(default_factory=list)

    def add(
        self,
        *,
        commands: Mapping[str, Action] | None = None,
        actions: Mapping[str, Action] | None = None,
        steps: Mapping[str, Step] | None = None,
        menu: Iterable[tuple[str, str]] = (),
    ) -> None:
        """Register a flow's entries; a key another flow took already is refused."""
        for kind, table, new in (
            ("command", self.commands, commands),
            ("button", self.actions, actions),
            ("step", self.steps, steps),
        ):
            for key, value in (new or {}).items():
                if key in table:
                    raise DuplicateKey(f"{kind} {key!r} registered twice")
                table[key] = value  # type: ignore[assignment]
        self.menu_commands.extend(menu)
