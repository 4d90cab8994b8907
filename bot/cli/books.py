"""`python -m bot admin resolve …` and `python -m bot admin reconcile …`: what an operator
does about stuck payments and the evening's books, from the command line.

`resolve` ends a payment by hand (SUCCESS, with or without its code, or FAILED: the money
is released), recorded with who and why. `reconcile` lists every difference between our
books and DEXCHANGE's word for a day (exit 0 when there is none, 1 when there are).
"""

import argparse
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TextIO

from bot.dexchange.client import DexchangeClient
from bot.dexchange.tokens import parse_codes
from bot.services.books import BooksReport, ProviderBooks
from bot.services.payments import PaymentService
from bot.services.resolutions import Resolutions, ResolveRefused
from bot.settings import Settings
from handlers.admin import refusal_values
from handlers.i18n import t
from storage import Storage
from storage.models import PaymentStatus

COMMANDS = ("resolve", "reconcile")
OUTCOMES = {"success": PaymentStatus.SUCCESS, "failed": PaymentStatus.FAILED}


def add_parsers(actions: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    resolve = actions.add_parser(
        "resolve", help="end a stuck payment by hand: success (with its code) or failed"
    )
    resolve.add_argument("--payment", type=int, required=True, help="the payment's number")
    resolve.add_argument("--status", required=True, choices=list(OUTCOMES))
    resolve.add_argument("--reason", required=True, help="why: kept with the payment")
    resolve.add_argument(
        "--code", action="append", default=[], help="a recharge code (repeat for several)"
    )
    reconcile = actions.add_parser(
        "reconcile", help="our books against DEXCHANGE's for a day: every difference"
    )
    reconcile.add_argument("--date", type=date.fromisoformat, help="YYYY-MM-DD (UTC), today")


async def run(settings: Settings, args: argparse.Namespace, storage: Storage, out: TextIO) -> int:
    key = settings.DEXCHANGE_API_KEY.get_secret_value() if settings.DEXCHANGE_API_KEY else ""
    client = DexchangeClient(
        settings.DEXCHANGE_BASE_URL, key, timeout=settings.DEXCHANGE_TIMEOUT_SECONDS
    )
    try:
        if args.admin_command == "resolve":
            return await _resolve(settings, args, storage, client, out)
        day = args.date or datetime.now(UTC).date()
        report = await ProviderBooks(storage, client if key else None).report(day)
        print(render_report(report), file=out)
        return 0 if report.clean else 1
    finally:
        await client.aclose()


async def _resolve(
    settings: Settings,
    args: argparse.Namespace,
    storage: Storage,
    client: DexchangeClient,
    out: TextIO,
) -> int:
    service = PaymentService(
        storage,
        client,
        fee_percent=settings.FEE_PERCENT,
        public_base_url=settings.public_base_url,
        callback_secret="",  # no pay call and no callback URL is made here
        max_fee_percent=Decimal(settings.PROVIDER_FEE_MAX_PERCENT),
    )
    codes = [code for text in args.code for code in parse_codes(text)]
    try:
        payment = await Resolutions(service).resolve(
            args.payment,
            OUTCOMES[args.status],
            actor="cli",
            reason=args.reason,
            codes=codes,
        )
    except ResolveRefused as refused:
        language = settings.DEFAULT_LANGUAGE
        text = t(language, refused.code, **refusal_values(language, refused))
        print(f"error: {text}", file=sys.stderr)
        return 1
    state = "waiting for its code" if payment.awaiting_code else payment.status.value
    print(f"ok: payment #{payment.id} ({payment.external_id}) is now {state}", file=out)
    return 0


def render_report(report: BooksReport) -> str:
    lines = [f"books of {report.day.isoformat()} (UTC): {report.payments} payment(s)"]
    if report.provider_balance is not None:
        lines.append(f"DEXCHANGE balance now: {report.provider_balance} FCFA")
    elif report.provider_error is not None:
        lines.append(f"DEXCHANGE balance: not available ({report.provider_error})")
    if report.differences:
        lines.append(f"{len(report.differences)} difference(s):")
        lines += [f"  - {line}" for line in report.differences]
    else:
        lines.append("no difference")
    if report.by_hand:
        lines.append(f"{len(report.by_hand)} payment(s) settled by hand:")
        lines += [f"  - {line}" for line in report.by_hand]
    if report.open:
        lines.append(f"{len(report.open)} payment(s) still open or flagged:")
        lines += [f"  - {line}" for line in report.open]
    return "\n".join(lines)
