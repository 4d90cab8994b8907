"""Run the fake by hand: `python -m fakes.whatsapp --port 8082 --webhook URL`.

Point the bot at the printed base URL, token and ids, then type lines on stdin:
    221771234567 menu            a text from that number (the user is made on first use)
    press 221771234567 Confirmer a press on the newest message to them with that choice
    read 221771234567            they read what was delivered to them
    advance 25                   the clock moves on 25 hours
The bot's messages are printed as they are accepted, and when they fail.
"""

import argparse
import asyncio
import contextlib
import sys
import threading

from .models import BotMessage
from .pace import Pace
from .server import (
    DEFAULT_APP_SECRET,
    DEFAULT_PHONE_NUMBER_ID,
    DEFAULT_TOKEN,
    DEFAULT_VERIFY_TOKEN,
    FakeWhatsApp,
)
from .templates import TemplatesArg

# The three utility templates (README.md, "WhatsApp templates"); tests pass the bot's own.
STANDALONE_TEMPLATES: TemplatesArg = {
    "senpay_code": {
        "fr": (
            "Votre recharge Woyofal pour le compteur {{1}} est prête. Code : {{2}}. "
            "Montant : {{3}}. Référence : {{4}}. Merci d'utiliser SenPay.",
            4,
        ),
        "en": (
            "Your Woyofal top-up for meter {{1}} is ready. Code: {{2}}. Amount: {{3}}. "
            "Reference: {{4}}. Thank you for using SenPay.",
            4,
        ),
    },
    "senpay_payment_result": {
        "fr": (
            "Votre paiement {{1}} de {{2}} pour la référence {{3}} : {{4}}. "
            "Répondez à ce message pour voir le détail.",
            4,
        ),
        "en": (
            "Your {{1}} payment of {{2}} for reference {{3}}: {{4}}. "
            "Reply to this message to see the details.",
            4,
        ),
    },
    "senpay_notice": {
        "fr": ("Message de SenPay : {{1}}. Répondez à ce message pour continuer.", 1),
        "en": ("Message from SenPay: {{1}}. Reply to this message to continue.", 1),
    },
}


def _show(message: BotMessage, event: str) -> None:
    if event not in ("accepted", "failed"):
        return
    choices = " ".join(f"[{title}|{ident}]" for ident, title in message.choices)
    extra = f" (failed {message.error_code})" if event == "failed" else ""
    print(f"<< to {message.to} {message.type}: {message.text} {choices}{extra}", flush=True)


async def _handle(wa: FakeWhatsApp, line: str) -> None:
    words = line.split(maxsplit=2)
    if not words:
        return
    if words[0] == "advance" and len(words) == 2:
        wa.advance(hours=float(words[1]))
        return
    if words[0] in ("press", "read") and len(words) >= 2 and words[1].isdigit():
        user = wa.find_user(words[1]) or wa.user(words[1])
        if words[0] == "read":
            await wa.read(user)
            return
        choice = words[2] if len(words) == 3 else ""
        for message in reversed(wa.messages(user)):
            if any(choice in (ident, title) for ident, title in message.choices):
                await wa.press(user, message, choice)
                return
        print(f"no message to {user.phone} offers {choice!r}")
        return
    head, _, text = line.partition(" ")
    if not head.isdigit() or not text:
        print("usage: PHONE TEXT | press PHONE CHOICE | read PHONE | advance HOURS")
        return
    user = wa.find_user(head) or wa.user(head)
    await wa.send_text(user, text)


async def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m fakes.whatsapp")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8082)
    parser.add_argument("--webhook", help="the bot's webhook URL")
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--phone-number-id", default=DEFAULT_PHONE_NUMBER_ID)
    parser.add_argument("--app-secret", default=DEFAULT_APP_SECRET)
    parser.add_argument("--verify-token", default=DEFAULT_VERIFY_TOKEN)
    parser.add_argument("--no-pace", action="store_true", help="lift throughput and pace")
    parser.add_argument("--simple", action="store_true", help="statuses once and in order")
    args = parser.parse_args()
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[str | None] = asyncio.Queue()

    def read_stdin() -> None:  # a daemon thread, so a pending read never blocks exit
        for line in sys.stdin:
            loop.call_soon_threadsafe(lines.put_nowait, line.strip())
        loop.call_soon_threadsafe(lines.put_nowait, None)

    async with FakeWhatsApp(
        args.token,
        phone_number_id=args.phone_number_id,
        app_secret=args.app_secret,
        verify_token=args.verify_token,
        templates=STANDALONE_TEMPLATES,
        pace=Pace.off() if args.no_pace else None,
        realistic=not args.simple,
        host=args.host,
        port=args.port,
        record_calls=False,
    ) as wa:
        wa.on_bot_message(_show)
        if args.webhook:
            answer = await wa.subscribe(args.webhook)
            print(f"webhook verification: {answer.status} {'ok' if answer.ok else 'FAILED'}")
        print(
            f"WHATSAPP_API_BASE_URL={wa.base_url}\nWHATSAPP_ACCESS_TOKEN={args.token}\n"
            f"WHATSAPP_PHONE_NUMBER_ID={args.phone_number_id}\n"
            f"WHATSAPP_APP_SECRET={args.app_secret}\nWHATSAPP_VERIFY_TOKEN={args.verify_token}",
            flush=True,
        )
        threading.Thread(target=read_stdin, daemon=True).start()
        while (line := await lines.get()) is not None:
            await _handle(wa, line)


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
