"""French by default, English on request, remembered per user; commands in both languages."""

import re
from pathlib import Path

import pytest

from handlers.catalog import en, fr, wo
from tests.e2e.chat import Chat, codes_of, no_errors_logged, telegram_contract_kept
from tests.e2e.harness import running_stack

ACCENTED = re.compile(r"[éèêàçù]")


async def test_language_switch_and_commands(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_stack(tmp_path) as stack:
        tg, sim = stack.tg, stack.sim

        # Commands: one list per language, the same commands, descriptions translated;
        # the default (no language_code) is French.
        french = tg.commands_for("default", "fr")
        english = tg.commands_for("default", "en")
        default = tg.commands_for("default", "")
        assert [name for name, _ in french] == [name for name, _ in english]
        assert {"start", "help", "cancel", "language"} <= {name for name, _ in french}
        assert default == french
        assert dict(french)["cancel"] == fr.TEXTS["command.cancel"]
        assert dict(english)["cancel"] == en.TEXTS["command.cancel"]
        assert dict(french)["cancel"] != dict(english)["cancel"]
        calls = tg.calls_to("setMyCommands")
        assert {call.params.get("language_code") for call in calls} >= {"fr", "en"}

        # A new user is greeted in French.
        awa = Chat(tg, await stack.customer(1001, "Awa"))
        greeting = await awa.menu()
        assert greeting.text.startswith("Bonjour Awa")

        # The menu's language button, then English.
        choose = await awa.press(greeting, "g:lang")
        languages = choose.last
        assert "Choisissez votre langue" in languages.text
        switched = await awa.press(languages, "🇬🇧 English")
        assert switched.last.message_id == languages.message_id  # drawn over the choice
        assert "I will speak English" in switched.last.text
        assert "What would you like to do?" in switched.last.text

        # The whole purchase is in English, results from the outbox included.
        await awa.start_flow("woyofal")
        await awa.say("07061270877", "How much")
        summary = await awa.say("5 000", "Do you confirm")
        assert "Total to pay: 5 050 FCFA" in summary.text
        await awa.press(summary, "✅ Confirm and pay")
        result = await awa.wait_for("1283 9300 9320 9223")
        assert codes_of(result.text) == ["1283 9300 9320 9223"]
        assert "Total: 5 050 FCFA" in result.text
        assert not ACCENTED.search(result.text), result.text
        help_text = await awa.say("/help", "How it works")
        assert not ACCENTED.search(help_text.text)

        # Other users are not affected.
        bob = Chat(tg, await stack.customer(1002, "Bob"))
        assert (await bob.menu()).text.startswith("Bonjour Bob")

        # Remembered across a restart, and switched back by command with an argument.
        await stack.restart()
        again = await awa.menu()
        assert again.text.startswith("Hello Awa")
        back = await awa.say("/langue fr", "Que voulez-vous faire")
        assert "en français" in back.text
        await stack.restart()
        assert (await awa.menu()).text.startswith("Bonjour Awa")
        assert sim.state.pay_calls == 1
        telegram_contract_kept(tg)
    no_errors_logged(caplog)


async def test_wolof_from_the_language_menu_to_the_code(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_stack(tmp_path) as stack:
        tg, sim = stack.tg, stack.sim
        # Telegram's command menu in Wolof too, the same commands.
        wolof = tg.commands_for("default", "wo")
        assert [name for name, _ in wolof] == [name for name, _ in tg.commands_for("default", "fr")]
        assert dict(wolof)["cancel"] == wo.TEXTS["command.cancel"]

        modou = Chat(tg, await stack.customer(1003, "Modou"))
        greeting = await modou.menu()
        languages = (await modou.press(greeting, "g:lang")).last
        offered = [label for row in languages.buttons for label, _ in row]
        assert offered == ["🇫🇷 Français", "🇬🇧 English", "🇸🇳 Wolof"]
        switched = await modou.press(languages, "🇸🇳 Wolof")
        assert wo.TEXTS["language.set"] in switched.last.text
        assert wo.TEXTS["menu"] in switched.last.text

        await modou.start_flow("woyofal")
        await modou.say("07061270877", "Ñaata xaalis nga bëgg jënd")
        summary = await modou.say("5 000", "Ndax dëggal nga fey bii")
        assert "Total bi ngay fey : 5 050 FCFA" in summary.text
        await modou.press(summary, "✅ Dëggal te fey")
        result = await modou.wait_for("1283 9300 9320 9223")
        assert codes_of(result.text) == ["1283 9300 9320 9223"]
        assert result.text.startswith(wo.TEXTS["result.success.woyofal"])
        assert wo.TEXTS["result.code.one"] in result.text
        assert "Total : 5 050 FCFA" in result.text
        for french in ("Votre code", "Montant", "Recharge Woyofal réussie"):
            assert french not in result.text

        # Typed Wolof words lead where they mean; remembered across a restart.
        help_text = await modou.say("ndimbal", "Naka lay doxe")
        assert "/language – soppi làkk" in help_text.text
        await stack.restart()
        assert (await modou.menu()).text.startswith("Salaam aleekum Modou")
        assert sim.state.pay_calls == 1
        telegram_contract_kept(tg)
    no_errors_logged(caplog)
