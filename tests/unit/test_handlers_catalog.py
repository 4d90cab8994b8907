"""The catalogues: French and English say the same things with the same {placeholders}, and
every key the code asks for exists."""

import ast
import string
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.catalog import en, fr
from handlers.i18n import CATALOGS, LANGUAGES, t
from handlers.session import Pressed, Session, global_payload

ROOT = Path(__file__).resolve().parents[2]


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


FRENCH = CATALOGS["fr"]  # every feature's French texts, as the bot looks them up


def test_french_and_english_have_the_same_keys() -> None:
    assert set(fr.TEXTS) == set(en.TEXTS)
    for language in LANGUAGES:
        assert set(CATALOGS[language]) - set(FRENCH) == set(), language
        assert set(FRENCH) - set(CATALOGS[language]) == set(), language


@pytest.mark.parametrize("key", sorted(FRENCH))
def test_same_placeholders_in_every_language(key: str) -> None:
    expected = placeholders(FRENCH[key])
    for language, catalog in CATALOGS.items():
        assert placeholders(catalog[key]) == expected, (language, key)
        assert catalog[key].strip(), (language, key)


def test_every_template_formats_with_its_placeholders() -> None:
    for language in LANGUAGES:
        for key, template in CATALOGS[language].items():
            names = placeholders(template)
            assert all(name.isidentifier() for name in names), (language, key)
            assert t(language, key, **dict.fromkeys(names, "VALUE")).count("VALUE") >= len(names)


def t_calls_in_code() -> list[tuple[str, ast.Call]]:
    """Every call t(language, key, …) or menu_reply(session, key, …) in handlers/ and bot/."""
    calls = []
    for path in [*ROOT.glob("handlers/**/*.py"), *ROOT.glob("bot/**/*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or len(node.args) < 2:
                continue
            function = node.func
            if (isinstance(function, ast.Name) and function.id == "t") or (
                # engine.menu_reply(session, key, **values) renders t(language, key, **values)
                isinstance(function, ast.Attribute) and function.attr == "menu_reply"
            ):
                calls.append((path.name, node))
    return calls


def test_every_key_the_code_uses_exists_and_gets_its_values() -> None:
    literal = 0
    for where, call in t_calls_in_code():
        key = call.args[1]
        given_names = {keyword.arg for keyword in call.keywords}
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            literal += 1
            assert key.value in FRENCH, (where, key.value)
            if None not in given_names:  # no **values: every placeholder must be given
                missing = placeholders(FRENCH[key.value]) - given_names
                assert missing == set(), (where, key.value)
        elif isinstance(key, ast.JoinedStr) and isinstance(key.values[0], ast.Constant):
            prefix = str(key.values[0].value)
            assert any(name.startswith(prefix) for name in FRENCH), (where, prefix)
    assert literal > 40  # the scan does find the conversation's texts


def test_every_service_and_failure_reason_has_its_text() -> None:
    from bot.dexchange import errors
    from storage.models import Service

    for service in Service:
        assert f"service.{service.value}" in fr.TEXTS
        assert f"biller.{service.value}" in fr.TEXTS
    reasons = {
        cls.kind
        for cls in vars(errors).values()
        if isinstance(cls, type)
        and issubclass(cls, errors.Rejected)
        and cls not in (errors.Rejected, errors.TurnedAway)
    }
    reasons -= {"not_found"}  # pay never answers it; it falls back to provider_failed
    missing = {reason for reason in reasons if f"result.failed.{reason}" not in fr.TEXTS}
    assert missing == set()


def test_unknown_language_falls_back_to_french() -> None:
    assert "ff" not in CATALOGS  # Pulaar: no catalogue (yet)
    assert t("ff", "menu") == FRENCH["menu"]


@given(st.text(max_size=80))
def test_any_button_payload_parses_or_is_refused_without_error(payload: str) -> None:
    pressed = Pressed.parse(payload)
    if pressed is not None:
        assert pressed.scope in ("g", "s")


def test_payloads_fit_telegram_and_round_trip() -> None:
    from datetime import UTC, datetime

    from storage.models import User

    user = User(1, "telegram", "1", "1", None, None, None, None, datetime.now(UTC))
    session = Session(user, "fr", "confirm", {}, "a1b2c3", None, is_new=False)
    longest = session.step_payload("ref:" + "9" * 20)
    assert len(longest.encode()) <= 64
    pressed = Pressed.parse(longest)
    assert pressed == Pressed("s", "a1b2c3", "ref", "9" * 20)
    assert Pressed.parse(global_payload("setlang:en")) == Pressed("g", None, "setlang", "en")


def test_every_kind_of_wallet_movement_has_its_label() -> None:
    """/balance names each movement by its kind: a kind without its text made the user's
    balance fail with an internal error (a late success's `redebit`, since issue 12)."""
    from storage.models import LedgerKind

    missing = {kind.value for kind in LedgerKind if f"wallet.kind.{kind.value}" not in fr.TEXTS}
    assert missing == set()
