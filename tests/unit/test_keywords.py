"""Typed words standing for commands (WhatsApp has no command menu): matched whole, in any
case, with or without accents and punctuation; a word with what follows it only for the
commands that take an argument."""

from hypothesis import given
from hypothesis import strategies as st

from handlers.keywords import KEYWORDS, command_for, command_with_argument


def test_a_word_alone_in_any_case_accent_or_punctuation() -> None:
    assert command_for("Solde ?") == "balance"
    assert command_for("AIDE") == "help"
    assert command_for("  Ménu! ") == "menu"
    assert command_for("Sen'Eau") == "seneau"
    assert command_for("solde svp") is None
    assert command_for("Fatou") is None


def test_wolof_words_too() -> None:
    assert command_for("Ndimbal") == "help"
    assert command_for("xaalis ?") == "balance"
    assert command_for("Làkk") == "language"
    assert command_for("Bayi") == "cancel"
    assert command_for("Li weesu") == "history"
    assert command_for("Tey") == "today"
    assert command_with_argument("seet Fatou") == ("find", "Fatou")
    assert command_with_argument("làkk wo") == ("language", "wo")


def test_a_word_with_its_argument_for_the_commands_that_take_one() -> None:
    assert command_with_argument("chercher 07061270877") == ("find", "07061270877")
    assert command_with_argument("Chercher  Fatou Diop") == ("find", "Fatou Diop")
    assert command_with_argument("Rapport 2026-11-29") == ("report", "2026-11-29")
    assert command_with_argument("find modou") == ("find", "modou")
    assert command_with_argument("langue en") == ("language", "en")
    # Not a command taking an argument, or no argument at all.
    assert command_with_argument("solde 5000") is None
    assert command_with_argument("chercher") is None
    assert command_with_argument("Woyofal 5000") is None


@given(st.text(max_size=60))
def test_any_text_is_at_most_one_known_command(text: str) -> None:
    whole = command_for(text)
    assert whole is None or whole in KEYWORDS.values()
    found = command_with_argument(text)
    if found is not None:
        command, argument = found
        assert command in KEYWORDS.values() and argument and argument == argument.strip()


def test_funding_words_but_not_recharge_alone() -> None:
    assert command_for("Recharger") == "recharger"
    assert command_for("recharger mon compte") == "recharger"
    assert command_for("Recharge compte") == "recharger"
    assert command_for("Créditer mon compte") == "recharger"
    assert command_for("Top up") == "topup"
    assert command_for("fund") == "fund"
    assert command_for("Yokk xaalis") == "recharger"
    # "une recharge" is first a Woyofal top-up: not taken for the wallet's
    assert command_for("recharge") is None


def test_greetings_stand_for_start_in_every_language() -> None:
    for word in [
        "bonjour",
        "Bonsoir !",
        "salut",
        "Salam",
        "salam aleykoum",
        "Salamalekoum",
        "Asalaa maalekum",
        "hello",
        "Hi!",
        "Nanga def ?",
    ]:
        assert command_for(word) == "start", word
    assert command_for("bonjour je veux payer") is None  # a sentence is not a greeting


def test_the_services_and_the_usual_words_by_their_names() -> None:
    for word, command in [
        ("menu", "menu"),
        ("aide", "help"),
        ("Help", "help"),
        ("solde", "balance"),
        ("WOYOFAL", "woyofal"),
        ("Senelec", "senelec"),
        ("SenEau", "seneau"),
        ("Sen Eau", "seneau"),
    ]:
        assert command_for(word) == command, word
