"""What one Telegram message may carry (Bot API, core.telegram.org/bots/api)."""

from bot.channels.base import NO_LIMIT, ChannelLimits

LIMITS = ChannelLimits(
    text_chars=4096,  # sendMessage text: 1-4096 characters after entities parsing
    caption_chars=1024,  # sendPhoto caption: 0-1024 characters
    keyboard_text_chars=4096,  # a keyboard does not shorten the text
    # An inline keyboard: 100 buttons, 8 a row. Not in the Bot API's pages: what bot
    # developers report Telegram refuses beyond ("reply markup is too long" past 100, as
    # the fake Telegram answers too).
    buttons=100,
    buttons_per_row=8,
    label_chars=NO_LIMIT,  # none documented; clients cut a long label with "…"
    payload_bytes=64,  # callback_data: 1-64 bytes
    splits_text=True,  # a longer text goes out in several messages (channel.send_reply)
)
