"""The terminal demo shows a link (a URL button) to open, never as a numbered choice: a
number typed after it still presses the keyboard the user was answering."""

import io

from bot.channels.terminal import TerminalConsole
from handlers.types import Button, Reply, keyboard


def test_a_link_is_shown_not_numbered() -> None:
    out = io.StringIO()
    console = TerminalConsole(out)
    console.show(Reply("Combien ?", keyboard([Button("5 000 FCFA", "s:abc:amt:5000")])))
    url = "https://pay.wave.com/c/1"
    console.show(Reply("Ouvrez ce lien :", keyboard([Button("Valider avec Wave", "", url=url)])))
    assert f"Valider avec Wave : {url}" in out.getvalue()
    assert "[1] Valider" not in out.getvalue()
    pressed = console.pressed("1")
    assert pressed is not None and pressed.payload == "s:abc:amt:5000"
