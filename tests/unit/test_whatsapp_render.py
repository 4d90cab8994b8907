"""Replies made into WhatsApp messages (bot/channels/whatsapp/render.py): the forms chosen,
the cuts, the pages of a long list, the formatting marks neutralised, and, for random
replies, every message within WhatsApp's limits as tests/whatsapp_wire.py writes them
(independently of the renderer)."""

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.base import length
from bot.channels.whatsapp.render import (
    LOOK_ALIKES,
    Outgoing,
    WhatsAppRenderer,
    is_more,
    neutralise,
)
from handlers.i18n import CATALOGS, t
from handlers.types import Button, Keyboard, Reply, keyboard
from tests.whatsapp_wire import problems

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def sendable(message: Outgoing) -> dict[str, Any]:
    return message.with_media("media-1") if message.upload is not None else message.body


def assert_fit(messages: list[Outgoing]) -> None:
    for message in messages:
        found = problems(sendable(message))
        assert found == [], f"{message.body}: {found}"


def buttons_of(count: int, label: str = "Choix {n}") -> Keyboard:
    return keyboard(*[[Button(label.format(n=n), f"s:abc123:pick:{n}")] for n in range(count)])


def rows_of(message: Outgoing) -> list[dict[str, str]]:
    sections = message.body["interactive"]["action"]["sections"]
    return [row for section in sections for row in section["rows"]]


def every_page(
    renderer: WhatsAppRenderer, user: str, messages: list[Outgoing]
) -> list[list[Outgoing]]:
    """The messages, then each page a press on "More…" brings, to the last."""
    found = [messages]
    while found[-1] and found[-1][-1].body.get("type") == "interactive":
        more = [row["id"] for row in rows_of_any(found[-1][-1]) if is_more(row["id"])]
        if not more:
            break
        page = renderer.next_page(user, more[0])
        assert page is not None
        found.append(page)
    return found


def rows_of_any(message: Outgoing) -> list[dict[str, str]]:
    interactive = message.body["interactive"]
    if interactive["type"] == "list":
        return rows_of(message)
    return [button["reply"] for button in interactive["action"]["buttons"]]


def render(reply: Reply, language: str = "fr") -> list[Outgoing]:
    return WhatsAppRenderer().render("u1", reply, language)


# --- texts -------------------------------------------------------------------------------------


def test_a_text_is_one_message_without_link_preview() -> None:
    assert [m.body for m in render(Reply("Bonjour"))] == [
        {"type": "text", "text": {"body": "Bonjour", "preview_url": False}}
    ]


def test_a_text_over_4096_is_cut_between_lines() -> None:
    text = "\n".join(f"Ligne {n:04d} " + "x" * 80 for n in range(100))  # 9 300 characters
    messages = render(Reply(text))
    bodies = [m.body["text"]["body"] for m in messages]
    assert len(bodies) == 3
    assert "\n".join(bodies) == text
    assert all(length(body) <= 4096 for body in bodies)
    assert_fit(messages)


def test_4096_is_one_message_and_4097_two() -> None:
    assert len(render(Reply("🔎" * 2048))) == 1
    first, second = render(Reply("🔎" * 2048 + "x"))
    assert (first.body["text"]["body"], second.body["text"]["body"]) == ("🔎" * 2048, "x")


def test_a_blank_text_sends_nothing() -> None:
    assert render(Reply(" \n ")) == []


# --- reply buttons and lists -------------------------------------------------------------------


def test_up_to_three_short_buttons_are_reply_buttons_carrying_their_payloads() -> None:
    [message] = render(Reply("Confirmez-vous ?", buttons_of(3)))
    interactive = message.body["interactive"]
    assert interactive["type"] == "button"
    assert interactive["body"] == {"text": "Confirmez-vous ?"}
    assert interactive["action"]["buttons"] == [
        {"type": "reply", "reply": {"id": f"s:abc123:pick:{n}", "title": f"Choix {n}"}}
        for n in range(3)
    ]


def test_four_buttons_are_a_list_under_the_catalogue_s_button() -> None:
    for language, label in (("fr", "Choisir"), ("en", "Choose")):
        [message] = render(Reply("Menu", buttons_of(4)), language)
        interactive = message.body["interactive"]
        assert interactive["type"] == "list"
        assert interactive["action"]["button"] == label
        assert [row["id"] for row in rows_of(message)] == [f"s:abc123:pick:{n}" for n in range(4)]
        assert_fit([message])


def test_a_label_past_20_makes_the_keyboard_a_list() -> None:
    long = "🔁 Racheter 1 000 FCFA"  # 22 UTF-16 units, 21 code points
    [message] = render(
        Reply("Fait", keyboard([Button(long, "g:again:1")], [Button("Menu", "g:menu")]))
    )
    assert message.body["interactive"]["type"] == "list"
    assert rows_of(message) == [
        {"id": "g:again:1", "title": long},
        {"id": "g:menu", "title": "Menu"},
    ]


def test_twenty_characters_are_still_a_button() -> None:
    [message] = render(Reply("Fait", keyboard([Button("x" * 20, "g:a"), Button("🔎" * 10, "g:b")])))
    assert message.body["interactive"]["type"] == "button"


def test_two_buttons_with_one_label_go_as_a_list() -> None:
    # Meta refuses reply buttons with the same title; a list's rows only need their own ids.
    [message] = render(
        Reply("Lequel ?", keyboard([Button("Compteur", "a"), Button("Compteur", "b")]))
    )
    assert message.body["interactive"]["type"] == "list"
    assert_fit([message])


def test_a_label_past_24_is_cut_in_the_title_and_whole_in_the_description() -> None:
    label = "⭐ Boutique Médina, rue 10 · 07061270877"
    [message] = render(Reply("Vos compteurs", buttons_of(4, label + " {n}")))
    row = rows_of(message)[0]
    assert row["title"] == "⭐ Boutique Médina, rue…"  # 23 units, a blank before "…" dropped
    assert row["description"] == label + " 0"
    assert_fit([message])


def test_a_label_past_72_is_cut_in_the_description_too() -> None:
    [message] = render(Reply("x", buttons_of(4, "y" * 100 + "{n}")))
    row = rows_of(message)[0]
    assert row["title"] == "y" * 23 + "…"
    assert row["description"] == "y" * 71 + "…"


def test_a_cut_does_not_split_an_emoji() -> None:
    [message] = render(Reply("x", buttons_of(4, "a" * 22 + "🔎🔎{n}")))
    assert rows_of(message)[0]["title"] == "a" * 22 + "…"  # 🔎 is two units: it would make 25


def test_a_payload_met_twice_is_one_choice() -> None:
    [message] = render(Reply("x", keyboard([Button("A", "g:menu")], [Button("B", "g:menu")])))
    assert [b["reply"] for b in message.body["interactive"]["action"]["buttons"]] == [
        {"id": "g:menu", "title": "A"}
    ]


def test_a_payload_too_long_for_a_row_is_refused() -> None:
    with pytest.raises(ValueError, match="200 bytes"):
        render(Reply("x", keyboard(*[[Button(f"B{n}", "é" * 101 + str(n))] for n in range(4)])))


def test_a_label_on_several_lines_is_one_title() -> None:
    [message] = render(Reply("x", keyboard([Button("Mon\n  compteur", "a")])))
    assert message.body["interactive"]["action"]["buttons"][0]["reply"]["title"] == "Mon compteur"


# --- the body of a keyboard --------------------------------------------------------------------


def test_a_text_over_1024_goes_first_and_its_end_is_the_buttons_body() -> None:
    lines = [f"{n:02d}. " + "x" * 96 for n in range(15)]  # 15 lines of 100
    messages = render(Reply("\n".join(lines), buttons_of(2)))
    assert [m.kind for m in messages] == ["text", "interactive"]
    body = messages[1].body["interactive"]["body"]["text"]
    assert body == "\n".join(lines[-10:])  # the most whole lines that fit 1 024
    assert messages[0].body["text"]["body"] == "\n".join(lines[:-10])
    assert_fit(messages)


def test_a_last_line_past_1024_is_cut_inside() -> None:
    text = "Début\n" + "y" * 3000
    messages = render(Reply(text, buttons_of(5)))
    assert [m.kind for m in messages] == ["text", "interactive"]
    head = messages[0].body["text"]["body"]
    body = messages[1].body["interactive"]["body"]["text"]
    assert length(body) == 1024
    assert head + body == "Début\n" + "y" * 3000
    assert_fit(messages)


def test_a_very_long_text_with_buttons_goes_in_as_few_messages_as_fit() -> None:
    text = "\n".join("z" * 99 for _ in range(80))  # 7 999: 1 024 then 4 096 twice would do
    messages = render(Reply(text, buttons_of(2)))
    assert [m.kind for m in messages] == ["text", "text", "interactive"]
    assert_fit(messages)


def test_buttons_without_text_get_a_body() -> None:
    [message] = render(Reply("", buttons_of(2)))
    assert message.body["interactive"]["body"]["text"] == "Choisir"


# --- pages of a long list ----------------------------------------------------------------------


def test_more_than_ten_choices_go_in_pages_of_nine_and_more() -> None:
    renderer = WhatsAppRenderer()
    reply = Reply("Vos compteurs", buttons_of(25))
    pages = every_page(renderer, "u1", renderer.render("u1", reply, "fr"))
    rows = [rows_of(page[-1]) for page in pages]
    assert [len(page) for page in rows] == [10, 10, 7]
    assert [row["title"] for row in rows[0][-1:] + rows[1][-1:]] == ["Plus…", "Plus…"]
    assert rows[0][-1]["description"] == "Choix 10 à 18 sur 25"
    assert rows[1][-1]["description"] == "Choix 19 à 25 sur 25"
    chosen = [row["id"] for page in rows for row in page if not is_more(row["id"])]
    assert chosen == [f"s:abc123:pick:{n}" for n in range(25)]
    assert pages[1][0].body["interactive"]["body"]["text"] == "Suite des choix (2/3)"
    for page in pages:
        assert_fit(page)


def test_eleven_choices_are_nine_then_two() -> None:
    renderer = WhatsAppRenderer()
    pages = every_page(renderer, "u1", renderer.render("u1", Reply("Menu", buttons_of(11)), "en"))
    assert [len(rows_of(page[-1])) for page in pages] == [10, 2]
    assert rows_of(pages[0][-1])[-1]["title"] == "More…"
    assert pages[1][0].body["interactive"]["body"]["text"] == "More choices (2/2)"


def test_ten_choices_are_one_list_and_nothing_is_kept() -> None:
    renderer = WhatsAppRenderer()
    [message] = renderer.render("u1", Reply("x", buttons_of(10)), "fr")
    assert not any(is_more(row["id"]) for row in rows_of(message))
    assert renderer.next_page("u1", "wa:more:00000000:1") is None


def more_of(messages: list[Outgoing]) -> str:
    return rows_of(messages[-1])[-1]["id"]


def test_only_the_user_s_last_long_list_has_its_next_page() -> None:
    renderer = WhatsAppRenderer()
    first = more_of(renderer.render("u1", Reply("x", buttons_of(12)), "fr"))
    assert first.startswith("wa:more:") and first.endswith(":1")
    assert renderer.next_page("u2", first) is None  # another user
    assert renderer.next_page("u1", first) is not None
    assert renderer.next_page("u1", first) is not None  # pressed twice: shown twice
    second = more_of(renderer.render("u1", Reply("y", buttons_of(30)), "fr"))
    assert renderer.next_page("u1", first) is None  # an older list
    assert renderer.next_page("u1", second) is not None
    # A short list shown since does not take the long one's place.
    renderer.render("u1", Reply("z", buttons_of(4)), "fr")
    assert renderer.next_page("u1", second) is not None


def test_forged_more_ids_find_nothing() -> None:
    renderer = WhatsAppRenderer()
    more = more_of(renderer.render("u1", Reply("x", buttons_of(12)), "fr"))
    token = more.split(":")[2]
    for forged in (
        f"wa:more:{token}:2",  # past the last page
        f"wa:more:{token}:0",  # the first page is the message itself
        f"wa:more:{token}:-1",
        f"wa:more:{token}:x",
        f"wa:more:{token}",
        "wa:more:deadbeef:1",
        "wa:more:",
        f"s:{token}:more",
    ):
        assert renderer.next_page("u1", forged) is None, forged


def test_the_lists_of_the_least_recent_users_are_forgotten_first() -> None:
    renderer = WhatsAppRenderer(users_kept=2)
    more = {
        user: more_of(renderer.render(user, Reply("x", buttons_of(12)), "fr")) for user in "abc"
    }
    assert renderer.next_page("a", more["a"]) is None
    assert renderer.next_page("b", more["b"]) is not None
    assert renderer.next_page("c", more["c"]) is not None


# --- images ------------------------------------------------------------------------------------


def test_an_image_is_uploaded_then_sent_with_its_caption() -> None:
    [message] = render(Reply("🧾 Reçu · Woyofal", image=PNG, image_name="recu.png"))
    assert message.upload is not None
    assert (message.upload.data, message.upload.name, message.upload.mime) == (
        PNG,
        "recu.png",
        "image/png",
    )
    assert message.with_media("m-9") == {
        "type": "image",
        "image": {"id": "m-9", "caption": "🧾 Reçu · Woyofal"},
    }


def test_a_caption_past_1024_goes_as_text_after_a_bare_image() -> None:
    text = "c" * 1025
    messages = render(Reply(text, image=PNG))
    assert [m.kind for m in messages] == ["image", "text"]
    assert messages[0].with_media("m") == {"type": "image", "image": {"id": "m"}}
    assert messages[1].body["text"]["body"] == text


def test_an_image_with_buttons_has_its_caption_and_the_buttons_below() -> None:
    buttons = keyboard(
        [Button("👤 Nouveau client", "g:next:woyofal")], [Button("🏠 Menu", "g:menu")]
    )
    messages = render(Reply("🧾 Reçu", buttons, image=PNG))
    assert [m.kind for m in messages] == ["image", "interactive"]
    assert messages[0].with_media("m")["image"]["caption"] == "🧾 Reçu"
    assert messages[1].body["interactive"]["body"]["text"] == t("fr", "result.next")
    assert_fit(messages)


def test_only_an_image_takes_a_media_id() -> None:
    with pytest.raises(ValueError, match="media id"):
        render(Reply("x"))[0].with_media("m")


# --- formatting marks --------------------------------------------------------------------------


def test_formatting_marks_are_replaced_by_look_alikes_of_the_same_length() -> None:
    text = "_Awa_ *Boutique* ~prix~ `code` ```bloc```"
    shown = neutralise(text)
    assert not set("*_~`") & set(shown)
    assert shown == "ˍAwaˍ ∗Boutique∗ ∼prix∼ ˋcodeˋ ˋˋˋblocˋˋˋ"
    assert length(shown) == length(text)


def test_marks_are_neutralised_in_every_text_a_user_reads() -> None:
    renderer = WhatsAppRenderer()
    reply = Reply("Bonjour _Awa_", buttons_of(12, "*Boutique* {n}"))
    for page in every_page(renderer, "u", renderer.render("u", reply, "fr")):
        assert_fit(page)  # the wire check refuses any mark in a text shown
    [caption] = render(Reply("*reçu*", image=PNG))
    assert caption.with_media("m")["image"]["caption"] == "∗reçu∗"


def test_the_catalogues_use_no_formatting_mark() -> None:
    """Marks are neutralised in the whole text because ours never mean one: a catalogue
    text that wants bold would be shown with a look-alike instead."""
    import re

    for language, catalog in CATALOGS.items():
        for key, text in catalog.items():
            words = re.sub(r"\{[^}]*\}", "", text)  # placeholders may have underscores
            assert not set(LOOK_ALIKES) & set(map(ord, words)), (language, key)


# --- random replies ----------------------------------------------------------------------------

# Letters, accents, marks, blanks, new lines, wide emoji and emoji sequences.
WIDE = ["🔎", "⚡", "✖️", "👨‍👩‍👧", "🇸🇳", "\u200d", "\ufe0f"]
ALPHABET = st.sampled_from(
    ["a", "Z", "é", "0", " ", "  ", "\n", "\n\n", "\t", "*", "_", "~", "`", "·", "…", *WIDE]
)
TEXTS = st.one_of(
    st.lists(ALPHABET, max_size=60).map("".join),
    st.tuples(st.lists(ALPHABET, max_size=120).map("".join), st.integers(1, 120)).map(
        lambda pair: pair[0] * pair[1]
    ),
)
LABELS = st.lists(ALPHABET, min_size=1, max_size=60).map("".join).map(lambda label: label[:60])
PAYLOADS = st.text(min_size=1, max_size=64).filter(lambda payload: len(payload.encode()) <= 64)
BUTTONS = st.lists(st.builds(Button, LABELS, PAYLOADS), max_size=25)


@st.composite
def replies(draw: st.DrawFn) -> Reply:
    buttons = draw(BUTTONS)
    rows: list[list[Button]] = []
    while buttons:
        size = draw(st.integers(1, 4))
        rows.append(buttons[:size])
        buttons = buttons[size:]
    image = draw(st.sampled_from([None, PNG]))
    return Reply(draw(TEXTS), keyboard(*rows), image)


def visible(text: str) -> str:
    return "".join(text.split())


@settings(max_examples=400, deadline=None)
@given(replies(), st.sampled_from(["fr", "en"]))
def test_random_replies_fit_whatsapp_and_lose_nothing(reply: Reply, language: str) -> None:
    renderer = WhatsAppRenderer()
    pages = every_page(renderer, "u", renderer.render("u", reply, language))
    for page in pages:
        assert_fit(page)
    messages = pages[0]
    # Every choice is offered once, in order, over the pages.
    payloads = list(dict.fromkeys(b.payload for row in reply.buttons for b in row))
    offered = [
        row["id"]
        for page in pages
        for message in page
        if message.kind == "interactive"
        for row in rows_of_any(message)
        if not is_more(row["id"])
    ]
    assert offered == payloads
    if len(payloads) > 10:
        assert len(pages) == 1 + (len(payloads) - 2) // 9
    # The text is all there, in order (blanks aside), with its marks neutralised.
    said = ""
    for message in messages:
        body = sendable(message)
        if message.kind == "text":
            said += body["text"]["body"]
        elif message.kind == "image":
            said += body["image"].get("caption", "")
        else:
            said += body["interactive"]["body"]["text"]
    expected = visible(neutralise(reply.text))
    fillers = ("", visible(t(language, "result.next")), visible(t(language, "whatsapp.choose")))
    assert visible(said) in {expected + filler for filler in fillers}
    if reply.image is not None:
        assert messages[0].kind == "image"


def test_a_link_goes_under_the_text_as_written() -> None:
    """WhatsApp has no URL button of ours: the link is written under the text, its _ and ~
    percent-encoded (the same address, no formatting mark), beside the other buttons."""
    url = "https://pay.wave.com/c/cos_1a~b_c"
    written = "https://pay.wave.com/c/cos%5F1a%7Eb%5Fc"
    reply = Reply(
        "Ouvrez ce lien :",
        keyboard([Button("Valider avec Wave", "", url=url)], [Button("🏠 Menu", "g:menu")]),
    )
    [message] = WhatsAppRenderer().render(1, reply, "fr")
    assert message.body["interactive"]["type"] == "button"
    assert (
        message.body["interactive"]["body"]["text"]
        == f"Ouvrez ce lien :\nValider avec Wave : {written}"
    )
    [only] = message.body["interactive"]["action"]["buttons"]
    assert only["reply"]["id"] == "g:menu"
    assert_fit([message])
    long_label = Button("Valider le paiement avec Wave", "", url=url)  # no cta: over 20
    [alone] = WhatsAppRenderer().render(1, Reply("Lien", keyboard([long_label])), "fr")
    assert alone.body == {
        "type": "text",
        "text": {"body": f"Lien\nValider le paiement avec Wave : {written}", "preview_url": False},
    }


def test_a_link_alone_is_a_cta_url_message() -> None:
    url = "https://pay.wave.com/c/cos_1a~b_c"  # hidden behind the button: kept as it is
    reply = Reply("Ouvrez ce lien :", keyboard([Button("Valider avec Wave", "", url=url)]))
    [message] = WhatsAppRenderer().render(1, reply, "fr")
    assert message.body == {
        "type": "interactive",
        "interactive": {
            "type": "cta_url",
            "body": {"text": "Ouvrez ce lien :"},
            "action": {
                "name": "cta_url",
                "parameters": {"display_text": "Valider avec Wave", "url": url},
            },
        },
    }
    assert_fit([message])
    long = Reply("x\n" * 700, reply.buttons)  # a body over 1 024: the head goes first
    *head, last = WhatsAppRenderer().render(1, long, "fr")
    assert [part.kind for part in head] == ["text"]
    assert last.body["interactive"]["type"] == "cta_url"
    assert_fit([*head, last])
