"""The command line: `python -m bot [run | demo | simulator …]`."""

import argparse
import asyncio
import contextlib
import gc
import logging
import signal
import sys
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import uvloop

from bot.logging_setup import configure_logging
from bot.settings import ConfigurationError, Settings, load_settings, require, require_channels

log = logging.getLogger("bot")

EXIT_CONFIG = 2


def _secrets_of(settings: Settings) -> list[str]:
    values = [settings.TELEGRAM_BOT_TOKEN, settings.DEXCHANGE_API_KEY, settings.CALLBACK_SECRET]
    values.append(settings.TELEGRAM_WEBHOOK_SECRET)
    values += [
        settings.WHATSAPP_ACCESS_TOKEN,
        settings.WHATSAPP_APP_SECRET,
        settings.WHATSAPP_VERIFY_TOKEN,
    ]
    return [value.get_secret_value() for value in values if value is not None]


async def _until_signalled() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    return stop


def cmd_run(args: argparse.Namespace) -> int:
    settings = load_settings()
    require_channels(settings)
    require(settings, "DEXCHANGE_API_KEY")
    configure_logging(settings.LOG_LEVEL, [*_secrets_of(settings), settings.callback_secret()])
    from bot.runtime import BotRuntime

    async def main() -> None:
        stop = await _until_signalled()
        await BotRuntime(settings).run_until_stopped(stop)

    tune_garbage_collector()
    # uvloop: the same asyncio, its loop and sockets in C; about a tenth less CPU per
    # callback and per update here (docs/performance.md).
    uvloop.run(main())
    return 0


def tune_garbage_collector() -> None:
    """Every update makes thousands of short-lived objects; with CPython's default
    thresholds the collector runs hundreds of times a second and its pauses show in the
    reply times. Freeze what was loaded at start (never garbage) and collect the young
    generation less often: p99 of update→reply halves under load (docs/performance.md)."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def cmd_demo(args: argparse.Namespace) -> int:
    settings = load_settings()
    configure_logging("WARNING", _secrets_of(settings))
    from bot.cli.demo import run_demo

    asyncio.run(
        run_demo(
            database=args.database,
            callback_delay=args.callback_delay,
            language=args.language,
            credit=args.credit,
        )
    )
    return 0


def cmd_simulator(args: argparse.Namespace) -> int:
    configure_logging("INFO")
    from bot.simulator import SimulatorConfig, run_standalone

    config = SimulatorConfig(
        api_key=args.api_key,
        initial_balance=args.balance,
        callback_delay=args.callback_delay,
        slow_seconds=args.slow_seconds,
        fee_percent=Decimal(args.fee_percent),
        rate_per_minute=args.rate_per_minute or None,
    )

    async def main() -> None:
        stop = await _until_signalled()
        server = asyncio.create_task(run_standalone(args.host, args.port, config))
        await stop.wait()
        server.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await server

    asyncio.run(main())
    return 0


def cmd_admin(args: argparse.Namespace) -> int:
    settings = load_settings()
    configure_logging("WARNING", _secrets_of(settings))
    from bot.cli import admin as admin_cli

    return admin_cli.run(settings, args)


def cmd_refunds(args: argparse.Namespace) -> int:
    settings = load_settings()
    hidden = _secrets_of(settings)
    if args.command == "refund":  # it calls DEXCHANGE with a signed callback URL
        require(settings, "DEXCHANGE_API_KEY")
        hidden.append(settings.callback_secret())
    configure_logging("WARNING", hidden)
    from bot.cli import refunds as refunds_cli

    return refunds_cli.run(settings, args)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="python -m bot",
        description="Pay SenEau/Senelec bills and buy Woyofal by chat, through DEXCHANGE.",
    )
    commands = root.add_subparsers(dest="command")
    run = commands.add_parser("run", help="run the bot (Telegram, HTTP server, workers)")
    run.set_defaults(func=cmd_run)

    demo = commands.add_parser("demo", help="the whole bot in this terminal, no network needed")
    demo.add_argument("--database", type=Path, help="keep the demo database in this file")
    demo.add_argument("--callback-delay", type=float, default=2.0)
    demo.add_argument("--language", choices=["fr", "en", "wo"])
    demo.add_argument(
        "--credit",
        type=int,
        default=0,
        help="start the demo user with this credit in FCFA (default 0: fund it from Wave)",
    )
    demo.set_defaults(func=cmd_demo)

    sim = commands.add_parser("simulator", help="serve the DEXCHANGE simulator on its own")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, default=8090)
    sim.add_argument("--api-key", default="sim-test-key")
    sim.add_argument("--balance", type=int, default=5_000_000)
    sim.add_argument("--callback-delay", type=float, default=2.0)
    sim.add_argument("--slow-seconds", type=float, default=35.0)
    sim.add_argument("--fee-percent", default="1")
    sim.add_argument("--rate-per-minute", type=int, default=100, help="0 turns the limit off")
    sim.set_defaults(func=cmd_simulator)

    from bot.cli import admin as admin_cli

    admin_cli.add_parser(commands)
    commands.choices["admin"].set_defaults(func=cmd_admin)

    from bot.cli import refunds as refunds_cli

    refunds_cli.add_parsers(commands)
    for name in ("refund", "collections"):
        commands.choices[name].set_defaults(func=cmd_refunds)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command is None:
        args.func = cmd_run
    try:
        return int(args.func(args))
    except ConfigurationError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130
