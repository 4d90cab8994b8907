"""`python -m bot refund …` and `python -m bot collections`: a customer's balance back to
their mobile money, and the top-ups and refunds an operator watches, from the command line.

`refund` commits the refund and its debit, then makes the init call itself (the running
bot's reconciler sends it if this process dies first; its callback reaches the bot's HTTP
server). Exit codes: 0 done, 1 refused (unknown user, bad amount, balance too low…).
"""

import argparse
import asyncio
import secrets
import sys
from datetime import datetime, timedelta
from typing import TextIO

from bot.dexchange.client import DexchangeClient
from bot.services.accounts import (
    AccountError,
    AccountService,
    CollectionsOverview,
    parse_amount_argument,
)
from bot.services.collections import CollectionService, FundingRules
from bot.services.payouts import Payouts, RefundRefused
from bot.settings import Settings
from handlers.admin_collections import METHOD_WORDS, RefundUsage, parse_number, refusal_text
from handlers.formatting import date_time, fcfa
from handlers.i18n import t
from storage import Storage
from storage.models import Collection, MoneyAccount

EXIT_OK = 0
EXIT_REFUSED = 1


def add_parsers(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    refund = commands.add_parser(
        "refund", help="refund a customer's balance (or part of it) to their mobile money"
    )
    refund.add_argument(
        "user", help="Telegram id or @username; WhatsApp: +221… or wa:<number or id>"
    )
    refund.add_argument("amount", help="whole FCFA, or all for the whole balance")
    refund.add_argument("--method", choices=["wave", "om", "free"], help="default: saved one")
    refund.add_argument("--number", help="9 digits; default: the customer's saved number")
    refund.add_argument(
        "--key", help="idempotency key: the same key finds the same refund (default: new)"
    )
    collections = commands.add_parser(
        "collections", help="top-ups and refunds: open, failed lately, flagged for an admin"
    )
    collections.add_argument("--days", type=int, default=7, help="how far back failures go")


async def _refund(settings: Settings, args: argparse.Namespace, storage: Storage) -> str:
    accounts = AccountService(storage)
    target = await accounts.find(str(args.user).strip())
    word = str(args.amount).strip()
    amount = None if word.lower() == "all" else parse_amount_argument(word)
    if (args.method is None) != (args.number is None):
        raise RefundUsage("admin.usage.refund")
    if args.method is not None:
        account = MoneyAccount(METHOD_WORDS[args.method], parse_number(str(args.number)))
    else:
        saved = await storage.read.users.money_account(target.id)
        if saved is None:
            raise RefundUsage("admin.refund.no_account", user=target.external_id)
        account = saved
    key = settings.DEXCHANGE_API_KEY.get_secret_value() if settings.DEXCHANGE_API_KEY else ""
    client = DexchangeClient(
        settings.DEXCHANGE_BASE_URL, key, timeout=settings.DEXCHANGE_TIMEOUT_SECONDS
    )
    try:
        service = CollectionService(
            storage,
            client,
            public_base_url=settings.public_base_url,
            callback_secret=settings.callback_secret(),
            rules=FundingRules(expiry=timedelta(minutes=settings.COLLECTION_EXPIRY_MINUTES)),
            init_timeout=settings.DEXCHANGE_TIMEOUT_SECONDS,
            check_base=settings.RECONCILE_INTERVAL_SECONDS,
        )
        made, created = await Payouts(service).prepare(
            target.id,
            amount,
            account.method,
            account.number,
            actor="cli",
            idempotency_key=args.key or f"cli:{secrets.token_hex(12)}",
        )
        if created:
            await service.submit(made.id)
    finally:
        await client.aclose()
    now = await storage.read.collections.get(made.id)
    assert now is not None
    balance = await storage.read.ledger.balance(target.id)
    word = "refund" if created else "already made: refund"
    return (
        f"ok: {word} #{now.id} {now.external_id} {now.amount} FCFA to {now.method.value}"
        f" {now.number} for user {target.external_id}: {now.status.value};"
        f" balance {balance} FCFA"
    )


def _line(collection: Collection, now: datetime) -> str:
    minutes = int((now - collection.created_at).total_seconds() // 60)
    kind = "funding" if collection.direction.value == "in" else "refund"
    line = (
        f"  #{collection.id} {collection.external_id} {kind} {collection.method.value}"
        f" {collection.number} {collection.amount} FCFA {collection.status.value}"
        f" user #{collection.user_id} {date_time(collection.created_at)} ({minutes} min)"
    )
    if collection.needs_attention:
        line += f" ATTENTION: {collection.attention_reason}"
    return line


def render_overview(seen: CollectionsOverview, now: datetime) -> str:
    sections = [
        ("open", seen.open),
        (f"failed, cancelled or expired in the last {seen.days} day(s)", seen.ended),
        ("flagged for an admin", seen.flagged),
    ]
    lines = []
    for title, found in sections:
        lines.append(f"{title}: {len(found)}")
        lines += [_line(collection, now) for collection in found]
    return "\n".join(lines)


async def _run(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    storage = Storage(settings.database_location)
    await storage.open()
    lang = settings.DEFAULT_LANGUAGE
    try:
        if args.command == "refund":
            text = await _refund(settings, args, storage)
        else:
            accounts = AccountService(storage)
            days = max(1, min(int(args.days), 90))
            seen = await accounts.collections_overview(days, limit=1000)
            text = render_overview(seen, accounts.clock())
        print(text, file=out)
        return EXIT_OK
    except AccountError as error:
        values = {
            k: (fcfa(v) if isinstance(v, int) and k in ("balance", "amount") else v)
            for k, v in error.values.items()
        }
        print(f"error: {t(lang, error.code, **values)}", file=sys.stderr)
    except RefundUsage as usage:
        print(f"error: {t(lang, usage.key, **usage.values)}", file=sys.stderr)
    except RefundRefused as refused:
        print(f"error: {refusal_text(lang, refused)}", file=sys.stderr)
    finally:
        await storage.close()
    return EXIT_REFUSED


def run(settings: Settings, args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    return asyncio.run(_run(settings, args, out))
