import io
from dataclasses import replace

import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from bot.services.receipts import (
    MARGIN,
    WIDTH,
    ReceiptData,
    _clean,
    _words,
    missing_glyphs,
    render_receipt,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TX_ID = "TID123456789"

SAMPLE = ReceiptData(
    operator_name="SenPay",
    title="Reçu de paiement",
    lines=[
        ("Service", "Woyofal"),
        ("Compteur", "07061270877"),
        ("Titulaire", "Moussa DIOP"),
        ("Montant", "5 000 FCFA"),
        ("Frais", "50 FCFA"),
        ("Total", "5 050 FCFA"),
        ("Date", "28/11/2026 14:05"),
        ("Transaction", TX_ID),
    ],
    codes=["1283 9300 9320 9223"],
    codes_title="Code(s) à taper dans l'ordre",
    qr_payload=TX_ID,
    footer="Merci de votre confiance",
)

STS_CODES = ["1283 9300 9320 9223 1234", "5678 9012 3456 7890 1234", "0000 1111 2222 3333 4444"]
LONG_NAME = "Mame Diarra Bousso Ndèye Fatou Ndiaye épouse Seck, née à Thiès « la Cité du rail »"
LONG_REFERENCE = "2026-11-000123456789-SENELEC-DAKAR-PLATEAU/FACTURE-BIMESTRIELLE-0001"


def image_of(png: bytes) -> Image.Image:
    assert png.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return image


def decoded(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image.convert("L"))]


def margins_are_blank(image: Image.Image) -> bool:
    """Nothing drawn in the side margins: no text ran past the edge of the paper."""
    grey = image.convert("L")
    for box in ((0, 0, MARGIN, image.height), (WIDTH - MARGIN, 0, WIDTH, image.height)):
        if grey.crop(box).getextrema() != (255, 255):
            return False
    return True


def test_png_is_384_wide_and_black_on_white() -> None:
    image = image_of(render_receipt(SAMPLE))
    assert image.width == WIDTH == 384
    assert image.mode == "1"  # a thermal head prints no grey
    assert image.convert("L").getextrema() == (0, 255)
    assert margins_are_blank(image)


def test_qr_decodes_to_the_transaction_id() -> None:
    assert decoded(image_of(render_receipt(SAMPLE))) == [TX_ID]


@pytest.mark.parametrize(
    "tx_id",
    [TX_ID, "TID-SENEAU-000123456789", "dexchange_tx_0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c", "x" * 300],
)
def test_qr_is_large_centred_and_exact(tx_id: str) -> None:
    image = image_of(render_receipt(replace(SAMPLE, qr_payload=tx_id)))
    (result,) = zxingcpp.read_barcodes(image.convert("L"))
    assert result.text == tx_id
    xs = [p.x for p in (result.position.top_left, result.position.bottom_right)]
    assert max(xs) - min(xs) >= 199  # the symbol alone, between corner pixels; plus quiet zone
    assert abs((min(xs) + max(xs)) / 2 - WIDTH / 2) <= 2


def test_french_spacing_keeps_words_together() -> None:
    assert _words(_clean("la Cité du rail » : ok")) == [
        "la",
        "Cité",
        "du",
        "rail\u00a0»\u00a0:",
        "ok",
    ]
    assert _words(_clean("« Total » 5\u202f000\u00a0FCFA")) == [
        "«\u00a0Total\u00a0»",
        "5\u202f000\u00a0FCFA",
    ]
    assert _clean("a\u3000b\tc\r\nd\u200be\x00") == "a b c\nde"


def test_height_grows_with_lines_and_codes() -> None:
    base = image_of(render_receipt(SAMPLE)).height
    more_lines = replace(SAMPLE, lines=[*SAMPLE.lines, ("Référence", "ABC-123")])
    more_codes = replace(SAMPLE, codes=STS_CODES)
    no_codes = replace(SAMPLE, codes=[])
    assert image_of(render_receipt(more_lines)).height > base
    assert image_of(render_receipt(more_codes)).height > base
    assert image_of(render_receipt(no_codes)).height < base


def test_several_codes_still_decode() -> None:
    for codes in (STS_CODES, ["1283 9300 9320 9223", "4444 5555 6666 7777"]):
        image = image_of(render_receipt(replace(SAMPLE, codes=codes)))
        assert image.width == WIDTH
        assert decoded(image) == [TX_ID]
        assert margins_are_blank(image)


def test_long_values_wrap_instead_of_running_off() -> None:
    short = image_of(render_receipt(SAMPLE))
    data = replace(
        SAMPLE,
        operator_name="SenPay Services de Paiement Dakar Plateau",
        lines=[
            *SAMPLE.lines,
            ("Titulaire", LONG_NAME),
            ("Référence de la facture", LONG_REFERENCE),
            ("Une étiquette bien trop longue pour tenir sur une seule ligne", "oui"),
            ("Sans espace", "9" * 80),
        ],
        codes=[*STS_CODES, " ".join(["1234"] * 12)],  # the last one wraps between groups
        footer="Merci de votre confiance — " * 4,
    )
    image = image_of(render_receipt(data))
    assert image.width == WIDTH
    assert image.height > short.height + 300
    assert margins_are_blank(image)
    assert decoded(image) == [TX_ID]


def test_same_data_same_bytes() -> None:
    data = replace(SAMPLE, codes=STS_CODES, lines=[*SAMPLE.lines, ("Titulaire", LONG_NAME)])
    first = render_receipt(data)
    again = render_receipt(replace(data, lines=list(data.lines), codes=list(data.codes)))
    assert first == again


def test_french_text_and_amounts_have_glyphs() -> None:
    french = "Reçu à régler déjà payé où êtes-vous ? Noël, maïs, cœur, Œuvre, ÉÈÀÇÊÂÎÔÛ « » ’ – — …"
    wolof_pulaar = "Ñaari Jëf ŋ Ŋ ɓ ɗ ƴ Ɓ Ɗ Ƴ"
    amounts = "0123456789 FCFA € % n° Frais Total"
    assert missing_glyphs(french + wolof_pulaar + amounts + TX_ID) == ""
    assert missing_glyphs("中文 ok") == "中文"  # the check itself sees a box


def test_empty_fields_and_no_qr() -> None:
    empty = ReceiptData("", "", [], [], "", "", "")
    image = image_of(render_receipt(empty))
    assert image.width == WIDTH
    assert image.height > 0
    data = replace(SAMPLE, qr_payload="", lines=[("", ""), ("Libellé seul", ""), ("", "valeur")])
    image = image_of(render_receipt(data))
    assert decoded(image) == []


any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)
tx_ids = st.text(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"), min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(
    operator_name=any_text,
    title=any_text,
    lines=st.lists(st.tuples(any_text, any_text), max_size=6),
    codes=st.lists(any_text, max_size=3),
    codes_title=any_text,
    qr_payload=tx_ids,
    footer=any_text,
)
def test_any_unicode_renders(
    operator_name: str,
    title: str,
    lines: list[tuple[str, str]],
    codes: list[str],
    codes_title: str,
    qr_payload: str,
    footer: str,
) -> None:
    data = ReceiptData(operator_name, title, lines, codes, codes_title, qr_payload, footer)
    image = image_of(render_receipt(data))
    assert image.width == WIDTH
    assert decoded(image) == [qr_payload]
