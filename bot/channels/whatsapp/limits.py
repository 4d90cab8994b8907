"""What one WhatsApp message may carry (Cloud API; /work/shared/reference/whatsapp-cloud-api.md).

Declared before the channel exists so that every keyboard is tested against them. Meta does
not say how it counts characters: `length()` counts an emoji outside the BMP as two.
"""

from bot.channels.base import ChannelLimits

LIMITS = ChannelLimits(
    text_chars=4096,  # a text message
    caption_chars=1024,  # an image's caption
    keyboard_text_chars=1024,  # the body of an interactive message (buttons or list)
    buttons=3,  # reply buttons, in one group
    buttons_per_row=3,
    label_chars=20,  # a reply button's title
    payload_bytes=256,  # a reply button's id (256 characters)
    # More than 3 choices go as a list message: 10 rows in all its sections, a row's
    # title 24 characters, its id 200.
    list_rows=10,
    list_label_chars=24,
    list_payload_bytes=200,
    # What the renderer (render.py) does beyond: a longer label is cut in the row's title
    # and whole in its description (72); more than 10 choices go in pages with "More…"; a
    # longer text goes first in text messages of 4 096, its end as the body.
    list_description_chars=72,
    pages_lists=True,
    splits_text=True,
)
