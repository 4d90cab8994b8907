"""Every reply the bot can send, in every language and for every role, fits every channel's
limits (issue 13): Telegram and the terminal, and WhatsApp, the next channel.

The replies are those of the walk of every flow (tests/flow_walk.py): every command, button
and typed input at every step, with users' data at the flows' maxima, and every message the
outbox renderer makes.

A keyboard fits a channel as buttons, or, on a channel with lists (WhatsApp), as a list.
What fits neither is named in KNOWN with the reason: a new misfit fails, and so does
a named one that no longer happens (take it off the list).
"""

import pytest

from bot.channels import terminal
from bot.channels.base import ChannelLimits
from bot.channels.telegram import limits as telegram
from bot.channels.whatsapp import limits as whatsapp
from handlers.flows import build_registry
from handlers.i18n import t
from handlers.types import Reply
from tests.channel_checks import misfits
from tests.flow_walk import shape

CHANNELS: dict[str, ChannelLimits] = {
    "telegram": telegram.LIMITS,
    "terminal": terminal.LIMITS,
    "whatsapp": whatsapp.LIMITS,
}

# What does not fit, met on purpose and left for the channel to handle (or for a later
# change: behaviour does not change in issue 13). (channel, what, name) → why.
# what: "text" (a text over the limit, on a channel that does not split texts, named by its
# catalogue key and its keyboard), "choices" (more buttons than a list has rows, on a
# channel that does not page its lists), "label" (longer than a list row's title and than
# its description, so it fits no form), "list only" (longer than a button's title: its
# keyboard must go as a list, where a label past a row's title is cut there and shown whole
# in the row's description). A keyboard is named by its first button, a button by
# `shape()`: s:ref:# is a step's button "ref" with a number.
# WhatsApp splits long texts and pages lists past 10 rows (bot/channels/whatsapp/render.py):
# /pending, /undelivered, /meters, /balance, the agents' menu (11 entries), 10 bills and
# 20 saved references fit it so (`ChannelLimits.splits_text`, `pages_lists`).
KNOWN: dict[tuple[str, str, str], str] = {
    ("whatsapp", "list only", "s:bill:#"): (
        "a bill, '105 545 FCFA · échéance 01/12/2026': 34 (en 29)"
    ),
    ("whatsapp", "list only", "s:m:#"): "a saved reference's icon and nickname past 17 characters",
    ("whatsapp", "list only", "s:ref:#"): "'⭐ {nickname} · {reference}' past a 4-letter nickname",
    ("whatsapp", "list only", "s:same"): "an agent's last client, '👤 {label}', past 17 characters",
    ("whatsapp", "list only", "g:fund"): (
        "'➕ Recharger mon compte', the issue's own words (15): 22; a keyboard with it is a list"
    ),
    ("whatsapp", "list only", "g:again:#"): (
        "'🔁 Racheter 1 000 FCFA' and up: 22-24; '🔁 Buy 100 000 FCFA again': 25"
    ),
}


@pytest.fixture
def replies(walked_replies: list[tuple[str, Reply]]) -> list[tuple[str, Reply]]:
    return walked_replies


# --- the checks -------------------------------------------------------------------------------


def test_the_walk_meets_every_flow(replies: list[tuple[str, Reply]]) -> None:
    """Every global button and every step of the registry was met (so a new flow is walked
    too, or this says what the walk misses)."""
    registry = build_registry()
    shown = {shape(b.payload) for _, reply in replies for row in reply.buttons for b in row}
    actions = {name.split(":")[1] for name in shown if name.startswith("g:")}
    assert set(registry.actions) - actions == set()
    steps = {where.split(": ", 1)[1].split(" ← ")[0] for where, _ in replies}
    assert set(registry.steps) - steps == set()
    # …and by the paths meant, not by the engine's answer to a failure of its own.
    failed = [where for where, reply in replies if t("fr", "error.internal") in reply.text]
    failed += [where for where, reply in replies if t("en", "error.internal") in reply.text]
    assert failed == []


def test_every_reply_fits_every_channel(replies: list[tuple[str, Reply]]) -> None:
    found: dict[tuple[str, str, str], str] = {}
    for channel, limits in CHANNELS.items():
        for where, reply in replies:
            for what, name, detail in misfits(limits, reply):
                found.setdefault((channel, what, name), f"{where}: {detail}")
    new = {key: example for key, example in found.items() if key not in KNOWN}
    gone = sorted(key for key in KNOWN if key not in found)
    report = "\n".join(f"{key}: {example}" for key, example in sorted(new.items()))
    assert not new, f"replies that do not fit a channel:\n{report}"
    assert not gone, f"named in KNOWN but no longer met (take them off): {gone}"
