"""`python -m bot admin …`: first setup and scripts, against the configured database.

Works while the bot runs (SQLite queues the two processes' writes). Exit codes: 0 done,
1 refused (unknown user, bad amount…), 2 bad usage or configuration.
"""

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

from bot.cli import books as admin_money_cli
from bot.services.accounts import AccountError, AccountService, parse_amount_argument
from bot.settings import Settings
from bot.workers.retention import CodeRetention
from handlers.formatting import date_time, fcfa
from handlers.i18n import t
from storage import Storage
from storage.backup import BackupRefused, backup_sqlite
from storage.deliveries import MessageState
from storage.models import Role
from storage.transfer import TransferRefused, TransferResult, migrate_to_postgres

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_USAGE = 2


def add_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    admin = commands.add_parser("admin", help="manage users and wallets from the command line")
    actions = admin.add_subparsers(dest="admin_command", required=True)

    grant = actions.add_parser("grant", help="set a user's role (creates the user if new)")
    _who(grant)
    grant.add_argument("--role", required=True, choices=[role.value for role in Role])

    credit = actions.add_parser("credit", help="credit a user's wallet")
    _who(credit)
    credit.add_argument("--amount", required=True)
    credit.add_argument("--note")

    debit = actions.add_parser("debit", help="correct a user's wallet downwards")
    _who(debit)
    debit.add_argument("--amount", required=True)
    debit.add_argument("--note")

    user = actions.add_parser("user", help="a user's role, balance and last payments")
    _who(user)

    actions.add_parser("pending", help="payments not final yet, with age and state")
    admin_money_cli.add_parsers(actions)
    actions.add_parser(
        "undelivered", help="messages set aside: they could not be rendered or were refused"
    )
    actions.add_parser(
        "purge-codes", help="keep only the last four digits of codes older than RETENTION_DAYS"
    )
    backup = actions.add_parser(
        "backup", help="a consistent copy of the SQLite database, even while the bot runs"
    )
    backup.add_argument("--to", required=True, type=Path, help="the new file (never overwritten)")
    _migrate_parser(actions)


def _migrate_parser(actions: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    migrate = actions.add_parser(
        "migrate-to-postgres",
        help="copy the SQLite database into a new, empty PostgreSQL one (bot stopped)",
        description="Copy every table of the SQLite database, ids included, into an empty"
        " PostgreSQL database, in one transaction, then check counts and balances. Stop the"
        " bot first. Run again, it changes nothing (exit 0); a PostgreSQL database holding"
        " anything else is refused (exit 1).",
    )
    migrate.add_argument(
        "--from",
        dest="source",
        metavar="sqlite:///PATH",
        help="the SQLite database (default: DATABASE_URL, when it is SQLite)",
    )
    migrate.add_argument(
        "--to",
        dest="target",
        metavar="postgresql://…",
        help="the PostgreSQL database (default: DATABASE_URL, when it is PostgreSQL: set"
        " it in .env to keep its password out of the process list)",
    )


def _who(parser: argparse.ArgumentParser) -> None:
    """A user is named by their Telegram id (or @username) or their WhatsApp number (or
    business-scoped id)."""
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--telegram-id")
    group.add_argument("--whatsapp-id", help="the number with its country code, e.g. 221771234567")


def _named(args: argparse.Namespace) -> str:
    """How AccountService.find names the user given on the command line."""
    if args.whatsapp_id is not None:
        value = str(args.whatsapp_id).strip().lstrip("+")
        if not value or not value.replace(".", "").replace("_", "").isalnum():
            raise AccountError("admin.unknown_user", who=value[:40])
        return f"wa:{value}"
    return _telegram_id(args.telegram_id)


def _telegram_id(value: str) -> str:
    value = value.strip()
    if not value.lstrip("@").replace("_", "").isalnum():
        raise AccountError("admin.unknown_user", who=value[:40])
    return value


async def _run(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    storage = Storage(settings.database_location)
    await storage.open()
    accounts = AccountService(storage)
    lang = settings.DEFAULT_LANGUAGE
    try:
        action: Callable[[], Awaitable[str]]
        command = args.admin_command
        if command in admin_money_cli.COMMANDS:
            return await admin_money_cli.run(settings, args, storage, out)
        if command == "grant":
            who = _named(args)
            channel = "whatsapp" if who.startswith("wa:") else "telegram"
            if channel == "telegram" and not who.isdigit():
                raise AccountError("admin.unknown_user", who=who)
            role = Role(args.role)

            async def action() -> str:
                user = await accounts.grant(who.removeprefix("wa:"), role, channel=channel)
                return f"ok: user {user.external_id} is now {user.role.value}"

        elif command in ("credit", "debit"):
            who = _named(args)
            amount = parse_amount_argument(str(args.amount))

            async def action() -> str:
                target = await accounts.find(who)
                move = accounts.credit if command == "credit" else accounts.debit
                balance = await move(target, amount, args.note, "cli")
                sign = "+" if command == "credit" else "-"
                return (
                    f"ok: {command} {sign}{amount} FCFA for user {target.external_id}; "
                    f"balance {balance} FCFA"
                )

        elif command == "user":
            who = _named(args)

            async def action() -> str:
                summary = await accounts.summary(await accounts.find(who), payments=10)
                user = summary.user
                lines = [
                    f"user {user.external_id} @{user.username or '-'} {user.display_name or ''}",
                    f"role: {user.role.value}",
                    f"balance: {summary.balance} FCFA",
                    f"since: {date_time(user.created_at)}",
                    "payments:",
                ]
                lines += [
                    f"  #{p.id} {date_time(p.created_at)} {p.service.value} {p.reference}"
                    f" {p.total} FCFA {p.status.value}{_message(summary.messages.get(p.id))}"
                    for p in summary.payments
                ] or ["  none"]
                return "\n".join(lines)

        elif command == "undelivered":

            async def action() -> str:
                return await _undelivered(storage)

        elif command == "purge-codes":

            async def action() -> str:
                retention = CodeRetention(storage, settings.RETENTION_DAYS)
                return f"ok: {(await retention.run_once()).summary(retention.days)}"

        else:

            async def action() -> str:
                payments = await accounts.pending()
                now = accounts.clock()
                lines = [f"{len(payments)} pending"]
                for p in payments:
                    minutes = int((now - p.created_at).total_seconds() // 60)
                    flag = " ATTENTION" if p.needs_attention else ""
                    flag += f" ON HOLD: {p.on_hold}" if p.on_hold else ""
                    flag += " (paid, waiting for its code)" if p.awaiting_code else ""
                    lines.append(
                        f"  #{p.id} {p.external_id} {p.service.value} {p.reference}"
                        f" {p.total} FCFA {p.status.value} {minutes} min{flag}"
                    )
                dead = await storage.read.outbox.dead_count()
                if dead:
                    lines.append(f"{dead} undelivered message(s): python -m bot admin undelivered")
                return "\n".join(lines)

        print(await action(), file=out)
        return EXIT_OK
    except AccountError as error:
        values = {
            k: (fcfa(v) if isinstance(v, int) and k in ("balance", "amount") else v)
            for k, v in error.values.items()
        }
        print(f"error: {t(lang, error.code, **values)}", file=sys.stderr)
        return EXIT_REFUSED
    finally:
        await storage.close()


def _message(state: MessageState | None) -> str:
    if state is None:
        return ""
    code = f" {state.error_code}" if state.word == "failed" and state.error_code else ""
    return f" message {state.word}{code}"


async def _undelivered(storage: Storage) -> str:
    """Every dead message (OutboxStatus.DEAD), newest first: id, user, payment, kind, error."""
    read = storage.read
    letters = await read.outbox.dead_letters(limit=1000)
    lines = [f"{await read.outbox.dead_count()} undelivered"]
    for letter in letters:
        message = letter.message
        user = await read.users.get(message.user_id)
        who = f"user {user.external_id}" if user is not None else f"user #{message.user_id}"
        payment = f"payment #{message.payment_id}" if message.payment_id is not None else "-"
        lines.append(
            f"  #{message.id} {date_time(message.created_at)} {who} {payment}"
            f" {message.kind.value}: {letter.error}"
        )
    return "\n".join(lines)


def run(settings: Settings, args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    if args.admin_command == "backup":
        return _backup(settings, args.to, out)
    if args.admin_command == "migrate-to-postgres":
        return _migrate(settings, args, out)
    return asyncio.run(_run(settings, args, out))


def _backup(settings: Settings, target: Path, out: TextIO) -> int:
    """No storage opened (no migration, no lock): a read-only copy of the file as it is."""
    if settings.on_postgres:
        print(
            "refused: DATABASE_URL is PostgreSQL: back it up with its own tools"
            ' (pg_dump, or continuous archiving; README "Backups")',
            file=sys.stderr,
        )
        return EXIT_REFUSED
    try:
        done = backup_sqlite(settings.database_path, target)
    except BackupRefused as refused:
        print(f"refused: {refused}", file=sys.stderr)
        return EXIT_REFUSED
    print(
        f"ok: backup in {done.target} ({done.size_bytes} bytes, {done.pages} pages,"
        f" schema version {done.schema_version}, integrity ok)",
        file=out,
    )
    return EXIT_OK


def _migrate(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    """No storage opened on DATABASE_URL: the copy opens both sides itself."""
    source = args.source or (None if settings.on_postgres else settings.DATABASE_URL)
    target = args.target or (settings.DATABASE_URL if settings.on_postgres else None)
    if source is None or source.startswith(("postgresql://", "postgres://")):
        print("error: name the SQLite database to copy: --from sqlite:///PATH", file=sys.stderr)
        return EXIT_USAGE
    if target is None or not target.startswith(("postgresql://", "postgres://")):
        print("error: name the PostgreSQL database to fill: --to postgresql://…", file=sys.stderr)
        return EXIT_USAGE
    try:
        done = asyncio.run(migrate_to_postgres(Path(source.removeprefix("sqlite:///")), target))
    except TransferRefused as refused:
        print(f"refused: {refused}", file=sys.stderr)
        return EXIT_REFUSED
    print(_migrated(done, _server(target)), file=out)
    return EXIT_OK


def _server(url: str) -> str:
    """The PostgreSQL URL without its user and password, to print."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    return f"postgresql://{host}{port}{parts.path}"


def _migrated(done: TransferResult, server: str) -> str:
    if done.already_done:
        return (
            f"ok: {server} already holds this copy ({done.tables} tables, {done.rows} rows,"
            f" made at {done.copied_at}); nothing changed"
        )
    return (
        f"ok: copied {done.tables} tables, {done.rows} rows into {server}"
        f" in {done.seconds:.2f} s; counts and {done.wallets} wallet balance(s) checked"
    )
