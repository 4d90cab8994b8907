"""Run the fake by hand: `python -m fakes.telegram --port 8081 [--rate-limits]`.

Point the bot at the printed base URL, then type lines on stdin:
    1001 /start             a text from user 1001 (created on first use)
    press 1001 7 confirm    user 1001 presses the button "confirm" of bot message 7
    block 1001 / unblock 1001
The bot's messages are printed as they are sent, edited or deleted.
"""

import argparse
import asyncio
import contextlib
import sys
import threading

from .models import BotMessage
from .server import FakeTelegram


def _show(message: BotMessage, event: str) -> None:
    buttons = " ".join(f"[{text}|{data}]" for row in message.buttons for text, data in row)
    print(f"<< {event} #{message.message_id} to {message.chat_id}: {message.content} {buttons}")


async def _handle(tg: FakeTelegram, line: str) -> None:
    words = line.split()
    if not words:
        return
    if words[0] in ("press", "block", "unblock") and len(words) >= 2 and words[1].isdigit():
        user = tg.users.get(int(words[1])) or tg.user(int(words[1]))
        if words[0] == "block":
            tg.block(user)
        elif words[0] == "unblock":
            tg.unblock(user)
        elif len(words) == 4 and words[2].isdigit():
            await tg.press(user, int(words[2]), words[3], force=True)
        else:
            print("usage: press USER_ID MESSAGE_ID DATA")
        return
    head, _, text = line.partition(" ")
    if not head.isdigit() or not text:
        print("usage: USER_ID TEXT | press USER_ID MESSAGE_ID DATA | block USER_ID")
        return
    user = tg.users.get(int(head)) or tg.user(int(head))
    await tg.send_text(user, text)


async def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m fakes.telegram")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST-TOKEN")
    parser.add_argument("--username", default="senpay_test_bot")
    parser.add_argument("--rate-limits", action="store_true", help="enable Telegram's limits")
    args = parser.parse_args()
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[str | None] = asyncio.Queue()

    def read_stdin() -> None:  # a daemon thread, so a pending read never blocks exit
        for line in sys.stdin:
            loop.call_soon_threadsafe(lines.put_nowait, line.strip())
        loop.call_soon_threadsafe(lines.put_nowait, None)

    async with FakeTelegram(
        args.token,
        bot_username=args.username,
        host=args.host,
        port=args.port,
        rate_limits=args.rate_limits,
        record_calls=False,
    ) as tg:
        tg.on_bot_message(_show)
        print(f"base_url: {tg.base_url}\ntoken:    {tg.token}", flush=True)
        threading.Thread(target=read_stdin, daemon=True).start()
        while (line := await lines.get()) is not None:
            await _handle(tg, line)


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
