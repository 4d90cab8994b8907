"""Payment receipts: PNG images for 58 mm thermal receipt printers and phone screens, and the
agents' receipt queued with every success (`agent_receipt_hook`; the texts on a receipt are
the conversation's, in handlers/receipts.py).

A 58 mm printer prints 48 mm, 384 dots at 203 dpi: the image is exactly that wide, 1-bit black
on white (a thermal head prints no grey, so glyphs are rasterised without anti-aliasing), and
as tall as its content. Text wraps; nothing is cut off.
"""

import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from math import ceil
from pathlib import Path
from typing import Literal

import qrcode  # type: ignore[import-untyped]
from PIL import Image, ImageDraw, ImageFont

from bot.services.payments import StatusHook
from storage import Repositories
from storage.models import OutboxKind, Payment, PaymentStatus, Role

WIDTH = 384
MARGIN = 12
CONTENT_WIDTH = WIDTH - 2 * MARGIN

# Pillow's built-in font has no "é", "ç" or "—"; these DejaVu subsets do (see assets/fonts).
_FONT_DIR = Path(__file__).parents[1] / "assets" / "fonts"
REGULAR = "DejaVuSans.ttf"
BOLD = "DejaVuSans-Bold.ttf"
MONO = "DejaVuSansMono-Bold.ttf"

OPERATOR_SIZE = 30
TITLE_SIZE = 24
BODY_SIZE = 22
BADGE_SIZE = 20
CODE_SIZES = range(34, 25, -1)  # largest that fits wins; 26 px is the floor
CODE_GAP = 0.4  # between groups of digits, in em: the mono font's own space is too wide
ROW_GAP = 16  # least room between a label and its value on one row
QR_QUIET_ZONE = 4  # modules, as the QR standard asks
QR_SYMBOL = 200  # px, least width of the symbol itself, quiet zone not counted

Align = Literal["left", "center", "right"]
Font = ImageFont.FreeTypeFont
_Paint = Callable[[Image.Image, ImageDraw.ImageDraw, int], None]


@dataclass(frozen=True)
class ReceiptData:
    operator_name: str  # the bot operator's business name, e.g. "SenPay"
    title: str  # localised, e.g. "Reçu de paiement"
    lines: list[tuple[str, str]]  # localised label/value pairs, in order
    codes: list[str]  # recharge codes, already grouped by 4; may be empty
    codes_title: str  # localised, e.g. "Code(s) à taper dans l'ordre"
    qr_payload: str  # the DEXCHANGE transaction id; the QR code encodes exactly this
    footer: str  # localised, e.g. "Merci de votre confiance"
    notes: list[str] = field(default_factory=list)  # said under the codes, e.g. "Code expiré…"


def render_receipt(data: ReceiptData) -> bytes:
    """The receipt as PNG bytes: 384 px wide, 1-bit, the same bytes for the same data.

    A `qr_payload` too long for any QR code (over ~2 kB) raises qrcode's DataOverflowError.
    """
    blocks = _blocks(data)
    height = sum(block.height for block in blocks)
    image = Image.new("1", (WIDTH, height), 255)
    draw = ImageDraw.Draw(image)
    draw.fontmode = "1"  # hinted monochrome glyphs, no grey edges
    y = 0
    for block in blocks:
        block.paint(image, draw, y)
        y += block.height
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def missing_glyphs(text: str) -> str:
    """The characters of `text` (after clean-up) the receipt's text fonts draw as empty boxes."""
    missing: dict[str, None] = {}
    for font in (_font(REGULAR, BODY_SIZE), _font(BOLD, BODY_SIZE)):
        notdef = _ink(font, "\U0010fffd")  # a private-use character no font here has
        for char in _clean(text):
            if char != "\n" and _ink(font, char) == notdef:
                missing[char] = None
    return "".join(missing)


@dataclass(frozen=True)
class _Block:
    height: int
    paint: _Paint


@dataclass(frozen=True)
class _Line:
    """One line of text, laid out word by word with a fixed gap between words."""

    words: tuple[str, ...]
    font: Font
    gap: int
    align: Align

    @property
    def width(self) -> int:
        if not self.words:
            return 0
        return sum(_length(self.font, w) for w in self.words) + self.gap * (len(self.words) - 1)

    @property
    def height(self) -> int:
        ascent, descent = self.font.getmetrics()
        return int(ascent + descent)

    def draw(self, draw: ImageDraw.ImageDraw, left: int, width: int, y: int) -> None:
        if self.align == "left":
            x = left
        elif self.align == "right":
            x = left + width - self.width
        else:
            x = left + (width - self.width) // 2
        for word in self.words:
            draw.text((x, y), word, font=self.font, fill=0)
            x += _length(self.font, word) + self.gap


def _blocks(data: ReceiptData) -> list[_Block]:
    blocks = [_space(16)]
    blocks += _paragraph(data.operator_name, _font(BOLD, OPERATOR_SIZE), "center")
    if data.title.strip():
        blocks += [_space(4), *_paragraph(data.title, _font(REGULAR, TITLE_SIZE), "center")]
    blocks += [_space(10), _rule(), _space(10)]
    for number, (label, value) in enumerate(data.lines):
        if number:
            blocks.append(_space(8))
        blocks.append(_row(label, value))
    if data.codes or data.notes:
        blocks += [_space(12), _rule(), _space(10)]
        if data.codes:
            blocks += _paragraph(data.codes_title, _font(BOLD, BODY_SIZE), "center")
            blocks += [_space(8), *_codes(data.codes)]
        for number, note in enumerate(data.notes):
            if number or data.codes:
                blocks.append(_space(8))
            blocks += _paragraph(note, _font(BOLD, BODY_SIZE), "center")
        blocks += [_space(10), _rule()]
    if data.qr_payload:
        blocks += [_space(6), _qr(data.qr_payload), _space(2)]
    else:
        blocks.append(_space(16))
    blocks += _paragraph(data.footer, _font(REGULAR, BODY_SIZE), "center")
    blocks.append(_space(32))  # room to tear the paper off below the text
    return blocks


def _space(height: int) -> _Block:
    return _Block(height, lambda image, draw, y: None)


def _rule() -> _Block:
    """A dashed line across the receipt, 2 px thick."""

    def paint(image: Image.Image, draw: ImageDraw.ImageDraw, y: int) -> None:
        for x in range(MARGIN, WIDTH - MARGIN, 12):
            draw.rectangle((x, y, min(x + 7, WIDTH - MARGIN - 1), y + 1), fill=0)

    return _Block(2, paint)


def _stack(lines: list[_Line], left: int = MARGIN, width: int = CONTENT_WIDTH) -> _Block:
    def paint(image: Image.Image, draw: ImageDraw.ImageDraw, y: int) -> None:
        for line in lines:
            line.draw(draw, left, width, y)
            y += line.height

    return _Block(sum(line.height for line in lines), paint)


def _paragraph(text: str, font: Font, align: Align) -> list[_Block]:
    text = _clean(text)
    if not text.strip():
        return []
    return [_stack(_wrap(text, font, CONTENT_WIDTH, align))]


def _row(label: str, value: str) -> _Block:
    """Label on the left, value on the right; both wrap onto lines of their own when long."""
    labels = _wrap(_clean(label), _font(REGULAR, BODY_SIZE), CONTENT_WIDTH, "left")
    values = _wrap(_clean(value), _font(BOLD, BODY_SIZE), CONTENT_WIDTH, "right")
    if len(labels) == 1 and len(values) == 1:
        (label_line,), (value_line,) = labels, values
        if label_line.width + ROW_GAP + value_line.width <= CONTENT_WIDTH:

            def paint(image: Image.Image, draw: ImageDraw.ImageDraw, y: int) -> None:
                label_line.draw(draw, MARGIN, CONTENT_WIDTH, y)
                value_line.draw(draw, MARGIN, CONTENT_WIDTH, y)

            return _Block(max(label_line.height, value_line.height), paint)
    lines = [line for line in labels if line.words] + [line for line in values if line.words]
    return _stack(lines or labels)


def _codes(codes: list[str]) -> list[_Block]:
    """Each code on one line in large mono digits, numbered in order when there are several.

    The number sits left of its code when that still leaves room for 26 px digits (16-digit
    codes), else on a line of its own above it (20-digit STS codes).
    """
    texts = [_clean(code) for code in codes]
    badges = [_badge(str(n)) for n in range(1, len(texts) + 1)] if len(texts) > 1 else []
    room = max((badge.width for badge in badges), default=0) + 10
    inline = bool(badges) and _code_size(texts, CONTENT_WIDTH - room) is not None
    width = CONTENT_WIDTH - room if inline else CONTENT_WIDTH
    # When nothing fits on one line even at the smallest size, codes wrap between groups.
    size = _code_size(texts, width) or CODE_SIZES[-1]
    blocks: list[_Block] = []
    for index, text in enumerate(texts):
        if index:
            blocks.append(_space(12))
        lines = _wrap(text, _font(MONO, size), width, "center", _code_gap(size))
        code = _stack(lines, MARGIN + room, width) if inline else _stack(lines)
        if not badges:
            blocks.append(code)
        elif inline:
            blocks.append(_beside(badges[index], code))
        else:
            blocks += [_beside(badges[index], _space(0)), _space(4), code]
    return blocks


def _code_size(texts: list[str], width: int) -> int | None:
    """The largest code size at which every code fits on one line of `width`."""
    for size in CODE_SIZES:
        if all(
            _Line(tuple(_words(text)), _font(MONO, size), _code_gap(size), "center").width <= width
            for text in texts
        ):
            return size
    return None


def _code_gap(size: int) -> int:
    return round(size * CODE_GAP)


def _badge(number: str) -> Image.Image:
    """The code's rank, white on a black rounded box: it cannot be mistaken for a digit of it."""
    font = _font(BOLD, BADGE_SIZE)
    ascent, descent = font.getmetrics()
    text_width = _length(font, number)
    height = int(ascent + descent) + 4
    width = max(height, text_width + 12)
    badge = Image.new("1", (width, height), 255)
    draw = ImageDraw.Draw(badge)
    draw.fontmode = "1"
    draw.rounded_rectangle((0, 0, width - 1, height - 1), radius=5, fill=0)
    draw.text((width // 2, height // 2), number, font=font, fill=255, anchor="mm")
    return badge


def _beside(badge: Image.Image, block: _Block) -> _Block:
    """The badge at the left margin, vertically centred on the block."""
    height = max(badge.height, block.height)

    def paint(image: Image.Image, draw: ImageDraw.ImageDraw, y: int) -> None:
        image.paste(badge, (MARGIN, y + (height - badge.height) // 2))
        block.paint(image, draw, y + (height - block.height) // 2)

    return _Block(height, paint)


def _qr(payload: str) -> _Block:
    """The QR code, error correction M, quiet zone included, whole pixels per module."""
    code = qrcode.QRCode(error_correction=qrcode.ERROR_CORRECT_M, box_size=1, border=QR_QUIET_ZONE)
    code.add_data(payload)
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    modules = len(matrix)
    symbol = modules - 2 * QR_QUIET_ZONE
    scale = max(1, min(WIDTH // modules, ceil(QR_SYMBOL / symbol)))
    small = Image.new("1", (modules, modules), 255)
    small.putdata([0 if dark else 255 for row in matrix for dark in row])
    qr = small.resize((modules * scale, modules * scale), Image.Resampling.NEAREST)

    def paint(image: Image.Image, draw: ImageDraw.ImageDraw, y: int) -> None:
        image.paste(qr, ((WIDTH - qr.width) // 2, y))

    return _Block(qr.height, paint)


def _wrap(text: str, font: Font, width: int, align: Align, gap: int | None = None) -> list[_Line]:
    """Greedy word wrap; a word longer than a line is broken, after a hyphen if it can be."""
    if gap is None:
        gap = _length(font, " ")
    lines: list[_Line] = []
    for paragraph in text.split("\n"):
        words: list[str] = []
        used = 0
        for word in _words(paragraph):
            for piece in _break(word, font, width):
                piece_width = _length(font, piece)
                if words and used + gap + piece_width <= width:
                    words.append(piece)
                    used += gap + piece_width
                else:
                    if words:
                        lines.append(_Line(tuple(words), font, gap, align))
                    words, used = [piece], piece_width
        lines.append(_Line(tuple(words), font, gap, align))
    return lines


def _words(paragraph: str) -> list[str]:
    """Split cleaned text at plain spaces; « and » stay with their word, ":" "?" "!" too."""
    words: list[str] = []
    for token in paragraph.split(" "):
        if not token:
            continue
        if words and (words[-1] in _OPENING or token in _CLOSING):
            words[-1] += "\u00a0" + token
        else:
            words.append(token)
    return words


def _break(word: str, font: Font, width: int) -> list[str]:
    pieces = []
    while len(word) > 1 and _length(font, word) > width:
        # The longest prefix that fits, at least one character.
        low, high = 1, len(word) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if _length(font, word[:middle]) <= width:
                low = middle
            else:
                high = middle - 1
        # Rather after a hyphen or slash, as in "2026-11-0001/SENELEC", if that is not too early.
        cut = max((i + 1 for i in range(low - 1) if word[i] in _BREAK_AFTER), default=0)
        if cut < low // 2:
            cut = low
        pieces.append(word[:cut])
        word = word[cut:]
    pieces.append(word)
    return pieces


_BREAK_AFTER = frozenset("-/_.,:;|\\")
# French puts a no-break space inside « » and before : ; ! ?: lines never break there.
_NO_BREAK_SPACES = "\u00a0\u2007\u202f"
_OPENING = frozenset("«‹")
_CLOSING = frozenset("»›:;!?%")
_LINE_BREAKS = {"\r\n": "\n", "\r": "\n", "\x0b": "\n", "\x0c": "\n", "\x85": "\n"}
_LINE_BREAKS |= {"\u2028": "\n", "\u2029": "\n"}


def _clean(text: str) -> str:
    """NFC (one glyph for "é"); new lines kept, other spaces made plain (the fonts lack some,
    like the ideographic one), no-break spaces kept, control and format characters dropped."""
    for old, new in _LINE_BREAKS.items():
        text = text.replace(old, new)
    text = unicodedata.normalize("NFC", text)
    return "".join(_clean_char(char) for char in text)


def _clean_char(char: str) -> str:
    if char == "\n" or char in _NO_BREAK_SPACES:
        return char
    if char.isspace():
        return " "
    if unicodedata.category(char) in ("Cc", "Cf", "Cs"):
        return ""
    return char


@cache
def _font(name: str, size: int) -> Font:
    # Basic layout: the same pixels whether or not libraqm is installed, and faster.
    return ImageFont.truetype(_FONT_DIR / name, size, layout_engine=ImageFont.Layout.BASIC)


def _length(font: Font, text: str) -> int:
    return ceil(font.getlength(text, mode="1"))


def _ink(font: Font, char: str) -> bytes:
    size = int(font.size)
    image = Image.new("1", (size * 3, size * 2), 255)
    draw = ImageDraw.Draw(image)
    draw.fontmode = "1"
    draw.text((size, 0), char, font=font, fill=0)
    return image.tobytes()


# --- agents get a receipt with every success, unasked -------------------------------------


def agent_receipt_hook(on_outbox: Callable[[], None]) -> StatusHook:
    """A payment-service status hook: on SUCCESS of an agent's payment, queue its receipt
    (after the success message, in the same transaction; at most once per payment)."""

    async def queue_receipt(tx: Repositories, before: Payment, after: Payment) -> None:
        # A receipt once the payment is complete: paid, and for Woyofal with its code.
        if not _complete(after) or _complete(before):
            return
        if await tx.users.role_of(after.user_id) is not Role.AGENT:
            return
        await tx.outbox.add(after.user_id, OutboxKind.RECEIPT, {}, payment_id=after.id)
        tx.after_commit(on_outbox)

    return queue_receipt


def _complete(payment: Payment) -> bool:
    return payment.status is PaymentStatus.SUCCESS and not payment.awaiting_code
