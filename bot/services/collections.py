"""Funding a wallet from mobile money: DEXCHANGE's `transaction/init` with a `*_CASHOUT`
service (direction 'in'), under the money rules of a bill payment (DESIGN.md, rule 9).

1. `start` commits the collection and its externalTransactionId before the call; the
   conversation's key makes a double tap find that row, never a second init.
2. A timeout, dropped connection or 5xx leaves it UNKNOWN (maybe sent); it is tried again
   only under the same id (`submit` from UNKNOWN); a 409 then means DEXCHANGE has it. Only
   a 400 to a collection none of whose attempts can have reached DEXCHANGE fails it.
3. Every status change is `Collections.transition`, guarded (and a trigger in 0007).
4. The message a final status owes the customer is queued in the same transaction, and a
   success's FUNDING entry too (once per collection: the ledger's unique index).
5. Callbacks come on their own signed URL (`callback_urls.collection_callback_url`), are
   stored raw and applied in one transaction (`apply_callback`).
8. Every figure DEXCHANGE sends (ids, amount, number) is checked against the stored
   collection; a mismatch moves nothing and is flagged for an admin.
"""

import asyncio
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from bot.dexchange import errors
from bot.dexchange.client import DexchangeClient
from bot.dexchange.models import CallbackBody, InitRequest, InitResponse
from bot.services import attention, callback_urls
from bot.services.callbacks import CallbackVerdict
from bot.services.payments import check_delay, new_external_id
from bot.services.quotes import percent_fee
from bot.services.signals import SILENT, Signals
from storage import Repositories, Storage
from storage.claims import ClaimKind
from storage.database import Clock, utc_now
from storage.models import (
    Collection,
    CollectionStatus,
    Direction,
    FeePaidBy,
    LedgerKind,
    MoneyAccount,
    MoneyMethod,
    NewCollection,
    OutboxKind,
    PurchaseState,
    total_for,
)

log = logging.getLogger(__name__)

C = CollectionStatus

# The *_CASHOUT service of each wallet (what `COLLECTION_SERVICES` may list).
CASHOUT_CODES: dict[MoneyMethod, str] = {
    MoneyMethod.WAVE: "WAVE_SN_CASHOUT",
    MoneyMethod.ORANGE_MONEY: "OM_SN_CASHOUT",
    MoneyMethod.FREE_MONEY: "FM_SN_CASHOUT",
}
PROVIDER_MAX = 1_000_000  # DEXCHANGE's ceiling for one init call (what the wallet is asked)

_PROVIDER_STATUS = {
    "SUCCESS": C.SUCCESS,
    "SUCCESSFUL": C.SUCCESS,
    "COMPLETED": C.SUCCESS,
    "FAILED": C.FAILED,
    "REFUSED": C.FAILED,
    "REJECTED": C.FAILED,
    "CANCELLED": C.CANCELLED,
    "CANCELED": C.CANCELLED,
    "EXPIRED": C.EXPIRED,
    "PENDING": C.PENDING,
    "PROCESSING": C.PENDING,
    "INITIATED": C.PENDING,
}


def collection_status(word: str | None) -> CollectionStatus | None:
    return _PROVIDER_STATUS.get((word or "").strip().upper())


def same_number(given: str, stored: str) -> bool:
    """DEXCHANGE may add the country code (221) or a leading 0: the last 9 digits count."""
    digits = "".join(ch for ch in given if ch.isdigit())
    return digits[-9:] == stored


class FundingRefusal(StrEnum):
    BELOW_MIN = "below_min"
    ABOVE_MAX = "above_max"
    DAILY_CAP = "daily_cap"
    METHOD_UNAVAILABLE = "method_unavailable"
    BAD_NUMBER = "bad_number"


class FundingRefused(Exception):
    """Nothing was created; `reason` (and `limit`, `remaining`) let the conversation say why."""

    def __init__(self, reason: FundingRefusal, limit: int = 0, remaining: int = 0) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.limit = limit
        self.remaining = remaining


@dataclass(frozen=True)
class FundingRules:
    """The settings a collection obeys (COLLECTION_* in bot/settings.py)."""

    min_amount: int = 200
    max_amount: int = 1_000_000
    daily_cap: int = 1_000_000  # per customer, per (UTC = Dakar) day: successes and open ones
    fee_percent: Decimal = Decimal(0)
    fee_paid_by: FeePaidBy = FeePaidBy.CUSTOMER
    methods: Mapping[MoneyMethod, str] = field(default_factory=lambda: dict(CASHOUT_CODES))
    expiry: timedelta = timedelta(minutes=15)  # how long the customer has to approve


@dataclass(frozen=True)
class PurchaseToFund:
    """Pay the rest: the purchase a collection is for (its quote as confirmed)."""

    quote: Mapping[str, Any]
    client_label: str | None = None


@dataclass(frozen=True)
class Word:
    """What DEXCHANGE said about a collection (init answer, callback or status)."""

    status: CollectionStatus
    provider_tx_id: str | None = None
    external_id: str | None = None
    amount: int | None = None
    number: str | None = None
    message: str | None = None
    link: str | None = None


class CollectionService:
    def __init__(
        self,
        storage: Storage,
        client: DexchangeClient,
        *,
        public_base_url: str,
        callback_secret: str,
        rules: FundingRules = FundingRules(),
        clock: Clock = utc_now,
        init_timeout: float = 30.0,
        check_base: float = 5.0,
        signals: Signals = SILENT,
        on_transition: Callable[[Collection], None] = lambda collection: None,
        on_funded: Callable[[int], None] = lambda collection_id: None,
    ) -> None:
        self.storage = storage
        self.client = client
        self._base = public_base_url.rstrip("/")
        self._secret = callback_secret
        self.rules = rules
        self.clock = clock
        self._init_timeout = init_timeout
        self.check_base = check_base
        self.signals = signals
        self._on_transition = on_transition
        # A success whose collection funds a purchase ("pay the rest"): pay it now.
        self.on_funded = on_funded
        self._in_flight: set[int] = set()
        self._tasks: set[asyncio.Task[Any]] = set()

    # --- start ------------------------------------------------------------------------------

    def fee_for(self, amount: int) -> int:
        return percent_fee(amount, self.rules.fee_percent)

    async def prepare(
        self,
        user_id: int,
        method: MoneyMethod,
        number: str,
        amount: int,
        idempotency_key: str,
        purchase: PurchaseToFund | None = None,
    ) -> tuple[Collection, bool]:
        """Commit the collection (or find the one this key made): (collection, created).
        Raises FundingRefused, creating nothing, when the rules refuse it. A `purchase` (pay
        the rest) is stored with it, in the same transaction, and paid once it succeeds."""
        rules = self.rules
        code = rules.methods.get(method)
        if code is None:
            raise FundingRefused(FundingRefusal.METHOD_UNAVAILABLE)
        if not (len(number) == 9 and number.isascii() and number.isdigit()):
            raise FundingRefused(FundingRefusal.BAD_NUMBER)
        async with self.storage.transaction() as tx:
            existing = await tx.collections.by_idempotency_key(user_id, idempotency_key)
            if existing is not None:
                return existing, False  # a double tap or a redelivered update
            fee = self.fee_for(amount)
            if amount < rules.min_amount:
                raise FundingRefused(FundingRefusal.BELOW_MIN, rules.min_amount)
            ceiling = min(rules.max_amount, PROVIDER_MAX)
            if amount > rules.max_amount or total_for(amount, fee, rules.fee_paid_by) > ceiling:
                raise FundingRefused(FundingRefusal.ABOVE_MAX, rules.max_amount)
            # Inside the write transaction: two taps with two keys cannot both pass the cap.
            funded = await tx.collections.funded_today(user_id, self.clock())
            if funded + amount > rules.daily_cap:
                remaining = max(0, rules.daily_cap - funded)
                raise FundingRefused(FundingRefusal.DAILY_CAP, rules.daily_cap, remaining)
            collection, created = await tx.collections.create(
                NewCollection(
                    user_id=user_id,
                    direction=Direction.IN,
                    idempotency_key=idempotency_key,
                    external_id=new_external_id(self.clock()),
                    service_code=code,
                    method=method,
                    number=number,
                    amount=amount,
                    fee=fee,
                    fee_paid_by=rules.fee_paid_by,
                )
            )
            if created and purchase is not None:
                await tx.funded_purchases.add(
                    collection.id, user_id, dict(purchase.quote), purchase.client_label
                )
            # After the collection, never before: rows are locked collection (or payment)
            # first, then user. The other way, a double tap deadlocked on PostgreSQL: one
            # tap held the user's row and waited on the other's new collection, which
            # waited for the user's row.
            await tx.users.set_money_account(user_id, MoneyAccount(method, number))
        if created:
            self._count(collection)
        return collection, created

    async def start(
        self,
        user_id: int,
        method: MoneyMethod,
        number: str,
        amount: int,
        idempotency_key: str,
        purchase: PurchaseToFund | None = None,
    ) -> tuple[Collection, bool]:
        """`prepare`, then the init call in the background (the reconciler takes over if
        this process dies before or during it)."""
        collection, created = await self.prepare(
            user_id, method, number, amount, idempotency_key, purchase
        )
        if created:
            self.start_submission(collection.id)
        return collection, created

    def start_submission(self, collection_id: int) -> None:
        if collection_id in self._in_flight:
            return
        self._in_flight.add(collection_id)
        task = asyncio.create_task(self._submit_tracked(collection_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _submit_tracked(self, collection_id: int) -> None:
        try:
            async with self.storage.claims.hold(ClaimKind.COLLECTION, collection_id) as held:
                if held:  # else another process is initiating it already
                    await self.submit(collection_id)
        except Exception:
            log.exception("init of collection %s crashed; the reconciler takes over", collection_id)
        finally:
            self._in_flight.discard(collection_id)

    def in_flight(self, collection_id: int) -> bool:
        return collection_id in self._in_flight

    async def drain(self, timeout: float = 10.0) -> None:
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=timeout)

    # --- the init call ----------------------------------------------------------------------

    async def submit(self, collection_id: int) -> Collection | None:
        """Call init once for a CREATED or UNKNOWN collection, under its own external id."""
        guard = self.clock() + timedelta(seconds=self._init_timeout + 30)
        async with self.storage.transaction() as tx:
            collection = await self._transition(tx, collection_id, C.SUBMITTED, "submit", guard)
        if collection is None:
            return None  # settled, or someone else is submitting it
        request = InitRequest(
            externalTransactionId=collection.external_id,
            serviceCode=collection.service_code,
            amount=collection.provider_amount,
            number=collection.number,
            callBackURL=callback_urls.collection_callback_url(
                self._base, self._secret, collection.external_id
            ),
            successUrl=f"{self._base}/funding/done",
            failureUrl=f"{self._base}/funding/failed",
        )
        try:
            answer = await self.client.init_transaction(request)
        except errors.ExternalIdAlreadyUsed as error:
            # An earlier attempt under this id was recorded: its callback or status settles it.
            return await self._after_init(collection, C.PENDING, error.message, has_it=True)
        except errors.RateLimited as error:
            at = self.clock() + timedelta(seconds=error.retry_after or 5)
            return await self._after_init(collection, C.UNKNOWN, error.message, at=at)
        except errors.OutcomeUnknown as error:
            return await self._after_init(collection, C.UNKNOWN, error.message, maybe_sent=True)
        except errors.TurnedAway as error:
            # 401, 403 maintenance, 404: says nothing about an earlier attempt. Later again.
            return await self._after_init(collection, C.UNKNOWN, error.message)
        except errors.Rejected as error:
            if not collection.maybe_sent:
                # No attempt can have reached DEXCHANGE: nothing can have been collected.
                return await self._after_init(collection, C.FAILED, error.message)
            reason = f"DEXCHANGE refused a retry ({error.status_code}: {error.message[:120]})"
            return await self._after_init(collection, C.UNKNOWN, error.message, flag=reason)
        return await self._apply_init_answer(collection, answer.model)

    async def _after_init(
        self,
        collection: Collection,
        target: CollectionStatus,
        message: str,
        *,
        maybe_sent: bool = False,
        has_it: bool = False,
        at: datetime | None = None,
        flag: str | None = None,
    ) -> Collection | None:
        next_check = at or self.clock() + check_delay(0, self.check_base)
        async with self.storage.transaction() as tx:
            if has_it and not collection.maybe_sent:
                # 409 on an id none of our attempts can have sent: not ours to guess.
                flag = "DEXCHANGE says this externalTransactionId is already used"
            if flag is not None:
                await attention.flag_collection(tx, collection.id, flag)
            result = await self._transition(
                tx,
                collection.id,
                target,
                "init",
                next_check,
                message=message,
                maybe_sent=maybe_sent or has_it,
            )
            if result is not None and result.status.is_final:
                await self._settled_in(tx, result)
        if result is not None and not result.status.is_final:
            self.signals.open_payment()
        return result

    async def _apply_init_answer(
        self, collection: Collection, response: InitResponse
    ) -> Collection | None:
        details = response.transaction
        word = Word(
            status=collection_status(details.status) or C.PENDING,
            provider_tx_id=details.transaction_id,
            external_id=details.external_transaction_id,
            amount=details.amount,
            number=details.number,
            message=details.message or response.message,
            link=response.link,
        )
        async with self.storage.transaction() as tx:
            current = await tx.collections.get(collection.id)
            if current is None:
                return None
            problem = await self._mismatch(tx, current, word)
            if problem is not None:
                await attention.flag_collection(tx, current.id, f"init answer: {problem}")
                # Nothing of it is believed; what DEXCHANGE has is found by callback/status.
                word = Word(C.UNKNOWN, message=f"init answer: {problem}")
            result = await self._apply_in(tx, current, word, "init", maybe_sent=True)
            if result is not None and result.status is C.PENDING and word.link:
                await self._link_notice_in(tx, result, word.link)
        if result is not None and not result.status.is_final:
            self.signals.open_payment()
        return result

    async def _link_notice_in(self, tx: Repositories, collection: Collection, link: str) -> None:
        """The approval link (Wave) to the customer, once per collection: the init answer
        comes after the conversation answered, so it goes by the outbox."""
        await tx.outbox.add(
            collection.user_id,
            OutboxKind.NOTICE,
            {"key": "funding.link", "amount": collection.provider_amount, "link": link},
            dedupe_key=f"collection:{collection.id}:link",
        )
        tx.after_commit(self.signals.outbox)

    # --- DEXCHANGE's word -------------------------------------------------------------------

    async def apply_callback(
        self, external_id: str, given_signature: str, raw: bytes
    ) -> CallbackVerdict:
        """Verify, store and apply one callback on a collection's URL; 2xx only for APPLIED
        and IGNORED, answered by the endpoint once this has committed."""
        verdict = await self._apply_callback(external_id, given_signature, raw)
        self.signals.callback(verdict.value)
        return verdict

    async def _apply_callback(
        self, external_id: str, given_signature: str, raw: bytes
    ) -> CallbackVerdict:
        if not callback_urls.verify_collection(self._secret, external_id, given_signature):
            log.warning("collection callback refused: bad signature for %r", external_id[:40])
            return CallbackVerdict.BAD_SIGNATURE
        try:
            data = json.loads(raw)
            if not isinstance(data, dict):
                raise ValueError("not an object")
            body = CallbackBody.parse(data)
        except (ValueError, RecursionError) as error:
            log.warning("collection callback refused: malformed (%s)", type(error).__name__)
            return CallbackVerdict.MALFORMED
        text = raw.decode(errors="replace")
        async with self.storage.transaction() as tx:
            collection = await tx.collections.by_external_id(external_id)
            if collection is None:
                log.warning("collection callback refused: no collection %s", external_id)
                return CallbackVerdict.UNKNOWN_PAYMENT
            status = collection_status(body.status)
            missing = None
            if body.amount is None:
                missing = "no AMOUNT"
            elif collection.provider_tx_id is not None and body.transaction_id is None:
                missing = "no transaction id"
            if missing is not None:
                # Stored with the collection's external id; payment_id stays empty.
                await tx.callbacks.record(None, external_id, text, f"incomplete: {missing}")
                return CallbackVerdict.MALFORMED
            word = Word(
                status=status or C.UNKNOWN,
                provider_tx_id=body.transaction_id,
                external_id=body.external_transaction_id,
                amount=body.amount,
                number=body.phone_number,
                message=f"callback {body.status[:40]}",
            )
            problem = await self._mismatch(tx, collection, word)
            if problem is None and status is None:
                problem = f"unknown status {body.status[:40]!r}"
            if problem is not None:
                await attention.flag_collection(tx, collection.id, f"callback refused: {problem}")
                await tx.callbacks.record(None, external_id, text, f"mismatch: {problem}")
                log.warning("callback of collection %s refused: %s", collection.id, problem)
                return CallbackVerdict.MISMATCH
            applied = await self._apply_in(tx, collection, word, "callback")
            verdict = CallbackVerdict.APPLIED if applied else CallbackVerdict.IGNORED
            await tx.callbacks.record(None, external_id, text, verdict.value)
        if applied is not None and not applied.status.is_final:
            self.signals.open_payment()
        return verdict

    async def poll(self, collection: Collection) -> Collection | None:
        """GET /transaction/{id} and apply a final status; None when nothing was applied.
        Raises errors.DexchangeError when DEXCHANGE did not answer."""
        assert collection.provider_tx_id is not None
        try:
            answer = await self.client.transaction(collection.provider_tx_id)
        except errors.NotFound:
            log.warning("collection %s: DEXCHANGE does not know it (yet)", collection.id)
            return None
        details = answer.model.transaction
        status = collection_status(details.status)
        if status is None or not status.is_final:
            return None
        word = Word(
            status=status,
            provider_tx_id=collection.provider_tx_id,
            amount=details.amount,
            number=details.number,
            message=f"status {details.status}",
        )
        async with self.storage.transaction() as tx:
            current = await tx.collections.get(collection.id)
            if current is None:
                return None
            problem = await self._mismatch(tx, current, word)
            if problem is not None:
                await attention.flag_collection(tx, current.id, f"status answer: {problem}")
                return None
            return await self._apply_in(tx, current, word, "status")

    async def _mismatch(self, tx: Repositories, collection: Collection, word: Word) -> str | None:
        """Why `word` does not describe this collection as stored (money rule 8), or None."""
        if word.external_id is not None and word.external_id != collection.external_id:
            return "externalTransactionId differs"
        if (
            word.provider_tx_id is not None
            and collection.provider_tx_id is not None
            and word.provider_tx_id != collection.provider_tx_id
        ):
            return "transaction id differs"
        if word.amount is not None and word.amount != collection.provider_amount:
            return f"amount {word.amount} instead of {collection.provider_amount}"
        if word.number and not same_number(word.number, collection.number):
            return f"number {word.number[:20]} instead of {collection.number}"
        if word.provider_tx_id is not None and collection.provider_tx_id is None:
            owner = await tx.collections.by_provider_tx_id(word.provider_tx_id)
            if owner is not None and owner.id != collection.id:
                return f"transaction {word.provider_tx_id} is collection {owner.id}'s"
        return None

    async def _apply_in(
        self,
        tx: Repositories,
        before: Collection,
        word: Word,
        source: str,
        *,
        maybe_sent: bool = False,
    ) -> Collection | None:
        """A checked word applied inside the caller's transaction: a guarded transition, and
        with a final one the credit (success) and the customer's message."""
        if before.status.is_final:
            if word.status is not before.status and word.status.is_final:
                # Final states are final: a late SUCCESS after EXPIRED credits nothing.
                await attention.flag_collection(
                    tx,
                    before.id,
                    f"DEXCHANGE said {word.status.value.upper()} after"
                    f" {before.status.value.upper()}: nothing was moved",
                )
            return None  # a duplicate, or out of order: harmless
        if word.status is C.PENDING and before.status is C.PENDING:
            if word.provider_tx_id and before.provider_tx_id is None:
                await tx.collections.note_provider_tx(before.id, word.provider_tx_id)
            return None
        next_check = self.clock() + check_delay(before.checks, self.check_base)
        if word.status is C.PENDING:
            # Still waiting for the customer: look again when their time is up, at the latest.
            next_check = min(next_check, before.created_at + self.rules.expiry)
            next_check = max(next_check, self.clock() + timedelta(seconds=self.check_base))
        result = await self._transition(
            tx,
            before.id,
            word.status,
            source,
            next_check,
            provider_tx_id=word.provider_tx_id,
            message=word.message,
            link=word.link,
            maybe_sent=maybe_sent,
        )
        if result is not None and result.status.is_final:
            await self._settled_in(tx, result)
        return result

    async def _settled_in(self, tx: Repositories, collection: Collection) -> None:
        """A final status: the credit (success only, once) and the customer's message."""
        if collection.direction is Direction.OUT:
            await self._settled_out(tx, collection)
            return
        payload: dict[str, Any] = {"amount": collection.amount}
        key = f"funding.{collection.status.value}"
        purchase = await tx.funded_purchases.get(collection.id)
        if collection.status is C.SUCCESS:
            entry = await tx.ledger.add(
                collection.user_id,
                LedgerKind.FUNDING,
                collection.amount,
                actor="dexchange",
                note=collection.provider_tx_id or collection.external_id,
                collection_id=collection.id,
            )
            if entry is None:
                return  # credited already: the message went with it
            payload["balance"] = entry.balance_after
            if purchase is not None and await tx.funded_purchases.move(
                collection.id, PurchaseState.DUE
            ):
                key = "funding.success.paying"
                funded = collection.id
                tx.after_commit(lambda: self.on_funded(funded))
        elif purchase is not None:
            await tx.funded_purchases.move(collection.id, PurchaseState.DROPPED)
            key = f"funding.{collection.status.value}.purchase"
        payload["key"] = key
        await tx.outbox.add(
            collection.user_id,
            OutboxKind.NOTICE,
            payload,
            dedupe_key=f"collection:{collection.id}:{collection.status.value}",
        )
        tx.after_commit(self.signals.outbox)

    async def _settled_out(self, tx: Repositories, collection: Collection) -> None:
        """A refund's final status: debited when it was made, so a success moves nothing
        more; any other end gives the debit back, once (the ledger's unique index)."""
        if collection.status is C.SUCCESS:
            payload: dict[str, Any] = {
                "key": "refund.success",
                "amount": collection.amount,
                "number": collection.number,
                "balance": await tx.ledger.balance(collection.user_id),
            }
        else:
            debit = await tx.ledger.for_collection(collection.id, LedgerKind.PAYOUT)
            assert debit is not None  # the table lets no payout leave 'created' without it
            entry = await tx.ledger.add(
                collection.user_id,
                LedgerKind.PAYOUT_RETURN,
                -debit.amount,
                actor="dexchange",
                note=collection.provider_tx_id or collection.external_id,
                collection_id=collection.id,
            )
            if entry is None:
                return  # given back already: the message went with it
            payload = {"key": "refund.failed", "amount": entry.amount}
            payload["balance"] = entry.balance_after
        await tx.outbox.add(
            collection.user_id,
            OutboxKind.NOTICE,
            payload,
            dedupe_key=f"collection:{collection.id}:{collection.status.value}",
        )
        tx.after_commit(self.signals.outbox)

    async def _transition(
        self,
        tx: Repositories,
        collection_id: int,
        target: CollectionStatus,
        source: str,
        next_check: datetime | None,
        *,
        provider_tx_id: str | None = None,
        message: str | None = None,
        link: str | None = None,
        maybe_sent: bool = False,
    ) -> Collection | None:
        result = await tx.collections.transition(
            collection_id,
            target,
            source,
            provider_tx_id=provider_tx_id,
            message=message,
            payment_link=link,
            maybe_sent=maybe_sent,
            next_check_at=next_check,
        )
        if result is not None:
            done: Collection = result
            tx.after_commit(lambda: self._count(done))
        return result

    def _count(self, collection: Collection) -> None:
        self._on_transition(collection)

    def count(self, collection: Collection) -> None:
        """A row made elsewhere (a refund, bot.services.payouts), counted for /metrics."""
        self._count(collection)

    # --- the reconciler's part --------------------------------------------------------------

    async def reconcile(self, collection: Collection) -> None:
        """Drive one due collection towards DEXCHANGE's word (never assumed)."""
        now = self.clock()
        past_expiry = now - collection.created_at > self.rules.expiry
        if collection.status is C.CREATED:
            await self.submit(collection.id)  # committed, then the process died
            return
        if collection.status is C.SUBMITTED:
            # Died during the call: it may have reached DEXCHANGE; retried under its id.
            async with self.storage.transaction() as tx:
                await tx.collections.mark_maybe_sent(collection.id)
                await self._transition(
                    tx, collection.id, C.UNKNOWN, "recovery", now, message="interrupted"
                )
            await self.submit(collection.id)
            return
        if collection.provider_tx_id is not None:
            try:
                applied = await self.poll(collection)
            except errors.DexchangeError as error:
                log.info("collection %s: DEXCHANGE %s, later again", collection.id, error.kind)
                applied = None
            if applied is None or not applied.status.is_final:
                await self._later(collection, past_expiry)
            return
        if collection.status is C.UNKNOWN:
            if not collection.maybe_sent and past_expiry:
                # Never reached DEXCHANGE (maintenance, 429s) and the customer's time is up.
                async with self.storage.transaction() as tx:
                    ended = await self._transition(
                        tx, collection.id, C.CANCELLED, "expiry", None, message="never sent"
                    )
                    if ended is not None:
                        await self._settled_in(tx, ended)
                return
            await self.submit(collection.id)
            return
        await self._later(collection, past_expiry)  # DEXCHANGE has it: its callback will tell

    async def _later(self, collection: Collection, past_expiry: bool) -> None:
        async with self.storage.transaction() as tx:
            if past_expiry and collection.created_at + 2 * self.rules.expiry < self.clock():
                await attention.flag_collection(
                    tx, collection.id, "still open long past its expiry: DEXCHANGE's word awaited"
                )
            at = self.clock() + check_delay(collection.checks, self.check_base)
            await tx.collections.schedule_check(collection.id, at)

    async def resume_after_restart(self) -> None:
        """Every open collection is due now: nothing of a previous process is in flight."""
        now = self.clock()
        waiting = [
            collection.id
            for collection in await self.storage.read.collections.open_collections(limit=1000)
            if collection.next_check_at is None or collection.next_check_at > now
        ]
        if not waiting:
            return  # no write at all: a start with nothing open takes no lock for this
        async with self.storage.transaction() as tx:
            for collection_id in waiting:
                await tx.collections.schedule_check(collection_id, now)

    async def due(self) -> list[Collection]:
        """Collections due for a look: funding ('in') and refunds ('out') alike."""
        return await self.storage.read.collections.due_for_check(self.clock())


class CollectionCallbacks:
    """The collections' callbacks as the HTTP endpoint sees them (`apply`, like payments')."""

    def __init__(self, service: CollectionService) -> None:
        self._service = service

    async def apply(self, external_id: str, given_signature: str, raw: bytes) -> CallbackVerdict:
        return await self._service.apply_callback(external_id, given_signature, raw)
