"""Our books against DEXCHANGE's: what an operator runs every evening
(`python -m bot admin reconcile [--date D]`).

For the day's payments it compares, and lists every difference:
- our status with DEXCHANGE's word about the payment (pay answers, status answers and
  callbacks, all stored raw): a payment we ended as FAILED that DEXCHANGE says it paid, a
  SUCCESS it says failed;
- what DEXCHANGE's balance moved for it (previousBalance → currentBalance) with the amount
  and fee we recorded;
- the ledger entries of each payment with its status (reserved while open, settled to the
  cost on success, released on failure), and each wallet's balance with its entries;
- the chain of DEXCHANGE balances seen in the day's answers (each movement should start
  where the previous one ended), and the balance DEXCHANGE reports now.
Open, held and flagged payments are listed too: an admin settles them (`resolve`).
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from bot.dexchange import errors
from bot.dexchange.client import DexchangeClient
from bot.dexchange.models import CallbackBody, PayResponse, TransactionStatusResponse
from bot.services import wallets
from bot.services.payments import provider_status
from storage import Storage
from storage.models import LedgerKind, Payment, PaymentStatus
from storage.timefmt import to_db

S = PaymentStatus


@dataclass(frozen=True)
class Word:
    """One thing DEXCHANGE told us about a payment."""

    source: str  # pay, status, callback
    at: datetime
    status: PaymentStatus | None
    previous_balance: int | None = None
    current_balance: int | None = None


@dataclass
class BooksReport:
    day: date
    payments: int = 0
    differences: list[str] = field(default_factory=list)
    open: list[str] = field(default_factory=list)
    by_hand: list[str] = field(default_factory=list)
    provider_balance: int | None = None
    provider_error: str | None = None

    @property
    def clean(self) -> bool:
        return not self.differences


def _json(body: str) -> dict[str, Any] | None:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _word_of_answer(source: str, at: datetime, body: str) -> Word | None:
    data = _json(body)
    if data is None:
        return None
    try:
        if source == "pay":
            transaction = PayResponse.model_validate(data).transaction
            return Word(
                source,
                at,
                provider_status(transaction.status),
                transaction.previous_balance,
                transaction.current_balance,
            )
        details = TransactionStatusResponse.model_validate(data).transaction
    except ValueError:
        return None
    return Word(source, at, provider_status(details.status))


def _word_of_callback(at: datetime, body: str) -> Word | None:
    data = _json(body)
    if data is None:
        return None
    try:
        parsed = CallbackBody.parse(data)
    except ValueError:
        return None
    return Word(
        "callback",
        at,
        provider_status(parsed.status),
        parsed.previous_balance,
        parsed.current_balance,
    )


class ProviderBooks:
    def __init__(self, storage: Storage, client: DexchangeClient | None) -> None:
        self._storage = storage
        self._client = client

    async def report(self, day: date) -> BooksReport:
        start = datetime.combine(day, time(), tzinfo=UTC)
        bounds = (to_db(start), to_db(start + timedelta(days=1)))
        read = self._storage.read
        report = BooksReport(day)
        payments = await read.payments.touching_between(*bounds)
        report.payments = len(payments)
        moves: list[tuple[datetime, int, int, int]] = []  # (at, previous, current, payment)
        for payment in payments:
            words = await self._words(payment)
            for word in words:
                if word.previous_balance is not None and word.current_balance is not None:
                    moves.append((word.at, word.previous_balance, word.current_balance, payment.id))
            report.differences += self._status_differences(payment, words)
            report.differences += await self._ledger_differences(payment)
            report.open += await self._open_line(payment)
            if payment.resolved_by is not None:
                report.by_hand.append(self._by_hand_line(payment))
        report.differences += self._chain_differences(moves)
        for user_id in await read.ledger.users_between(*bounds):
            balance = await read.ledger.balance(user_id)
            total = await read.ledger.sum_of_entries(user_id)
            if balance != total:
                report.differences.append(
                    f"wallet of user {user_id}: balance {balance} FCFA, its entries add up "
                    f"to {total} FCFA"
                )
        await self._provider_balance(report, moves)
        return report

    async def _words(self, payment: Payment) -> list[Word]:
        read = self._storage.read
        words = []
        for answer in await read.answers.for_payment(payment.id):
            word = _word_of_answer(answer.source, answer.received_at, answer.body)
            if word is not None:
                words.append(word)
        for outcome, body, at in await read.callbacks.received(payment.id):
            if outcome in ("applied", "ignored"):
                word = _word_of_callback(at, body)
                if word is not None:
                    words.append(word)
        return words

    @staticmethod
    def _status_differences(payment: Payment, words: list[Word]) -> list[str]:
        said = {word.status for word in words if word.status is not None}
        found = []
        name = f"payment #{payment.id} ({payment.external_id})"
        if payment.status is S.FAILED and S.SUCCESS in said:
            found.append(f"{name}: FAILED in our books, DEXCHANGE said SUCCESS")
        if payment.status is S.SUCCESS and S.FAILED in said and S.SUCCESS not in said:
            found.append(f"{name}: SUCCESS in our books, DEXCHANGE said FAILED")
        if payment.status is S.SUCCESS and payment.resolved_by and S.FAILED in said:
            found.append(f"{name}: SUCCESS by {payment.resolved_by}, DEXCHANGE said FAILED")
        debits = {
            word.previous_balance - word.current_balance
            for word in words
            if word.previous_balance is not None
            and word.current_balance is not None
            and word.status is not S.FAILED
            and word.previous_balance > word.current_balance
        }
        if payment.status is S.SUCCESS:
            expected = payment.amount + (
                payment.provider_fee if payment.provider_fee is not None else payment.fee
            )
            for debit in sorted(debits - {expected}):
                found.append(
                    f"{name}: DEXCHANGE's balance moved {debit} FCFA, we recorded {expected} FCFA"
                )
        elif payment.status is S.FAILED and debits:
            refunded = any(word.status is S.FAILED for word in words)
            if not refunded:
                found.append(
                    f"{name}: FAILED in our books, DEXCHANGE's balance moved "
                    f"{max(debits)} FCFA for it"
                )
        return found

    async def _ledger_differences(self, payment: Payment) -> list[str]:
        entries = await self._storage.read.ledger.all_for_payment(payment.id)
        if not entries:
            return []  # a payment that reserved nothing (older than the wallets)
        net = sum(entry.amount for entry in entries)
        if payment.status is S.SUCCESS:
            expected = -wallets.cost(payment)
            kinds = {entry.kind for entry in entries}
            if LedgerKind.RELEASE in kinds and LedgerKind.REDEBIT not in kinds:
                return [
                    f"payment #{payment.id}: paid by DEXCHANGE after the money was given "
                    f"back; the wallet could not cover {-expected} FCFA again"
                ]
        elif payment.status is S.FAILED:
            expected = 0
        else:
            expected = -payment.total
        if net != expected:
            return [
                f"payment #{payment.id} ({payment.status.value}): its ledger entries add up "
                f"to {net} FCFA, expected {expected} FCFA"
            ]
        return []

    async def _open_line(self, payment: Payment) -> list[str]:
        if payment.status.is_final and not payment.awaiting_code and not payment.needs_attention:
            return []
        reasons = await self._storage.read.payments.attention_reasons(payment.id)
        state = "waiting for its code" if payment.awaiting_code else payment.status.value
        why = f" — {'; '.join(reasons)}" if reasons else ""
        hold = " (on hold)" if payment.on_hold else ""
        return [f"payment #{payment.id} ({payment.external_id}) {state}{hold}{why}"]

    @staticmethod
    def _by_hand_line(payment: Payment) -> str:
        line = (
            f"payment #{payment.id} ({payment.external_id}) {payment.status.value} by "
            f"{payment.resolved_by}"
        )
        if payment.status is S.FAILED and payment.maybe_sent:
            line += ": an attempt may have reached DEXCHANGE, ask them to confirm it was not paid"
        return line

    @staticmethod
    def _chain_differences(moves: list[tuple[datetime, int, int, int]]) -> list[str]:
        """Each movement of DEXCHANGE's balance should start where another ended; beyond the
        day's first, a start that no movement explains is money that moved outside the
        payments we know (a top-up, another client of the account, or one we lost)."""
        first_seen: dict[tuple[int, int], tuple[datetime, int]] = {}
        for at, previous, current, payment in sorted(moves):
            first_seen.setdefault((previous, current), (at, payment))
        currents = {current for _, current in first_seen}
        starts = sorted(
            (at, previous, payment)
            for (previous, _), (at, payment) in first_seen.items()
            if previous not in currents
        )
        return [
            f"DEXCHANGE's balance was {previous} FCFA before payment #{payment} "
            f"({at:%H:%M:%S} UTC), where no earlier movement we know had left it"
            for at, previous, payment in starts[1:]
        ]

    async def _provider_balance(
        self, report: BooksReport, moves: list[tuple[datetime, int, int, int]]
    ) -> None:
        if self._client is None:
            return
        try:
            balance = await self._client.balance()
        except errors.DexchangeError as error:
            report.provider_error = error.message[:200]
            return
        report.provider_balance = balance.balance
        if moves:
            at, _, last, _ = max(moves)
            if balance.balance != last:
                report.differences.append(
                    f"DEXCHANGE's balance is {balance.balance} FCFA now; the last answer "
                    f"({at:%H:%M:%S} UTC) left it at {last} FCFA: {balance.balance - last:+} FCFA "
                    "moved outside the day's payments (a top-up, a later payment, or one we "
                    "do not know)"
                )
