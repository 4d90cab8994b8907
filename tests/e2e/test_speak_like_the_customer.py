"""Speaking like the customer (issue 16), on Telegram and WhatsApp: the language of their app
from the first message, the amounts they type, what they send instead of text, the words
they type instead of commands, and a command menu per role."""

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from bot.services.accounts import AccountService
from handlers.catalog import en, fr, wo
from storage.models import Role
from tests.e2e.chat import MENU_QUESTION, Chat, no_errors_logged, telegram_contract_kept
from tests.e2e.harness import fund, running_stack
from tests.e2e.whatsapp_stack import whatsapp_stack

ADMIN_ID = 9001


async def test_a_new_user_starts_in_their_apps_language_until_they_choose(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_stack(tmp_path) as stack:
        tg, sim = stack.tg, stack.sim
        for user_id, name, code, greeting in [
            (1001, "John", "en", "Hello John"),
            (1002, "Awa", "fr-SN", "Bonjour Awa"),
            (1003, "Modou", "wo", "Salaam aleekum Modou"),
            (1004, "Hans", "de", "Bonjour Hans"),  # a language we do not speak: the default
            (1005, "Nobody", None, "Bonjour Nobody"),  # none told: the default
        ]:
            chat = Chat(tg, await stack.customer(user_id, name, language_code=code))
            assert (await chat.menu()).text.startswith(greeting), code

        # John's app is in English: so is his purchase, the outbox's result included.
        john = Chat(tg, tg.users[1001])
        await john.start_flow("woyofal")
        await john.say("07061270877", "How much")
        summary = await john.say("5000", "Do you confirm")
        await john.press(summary, "✅ Confirm and pay")
        result = await john.wait_for("1283 9300 9320 9223")
        assert "Total: 5 050 FCFA" in result.text

        # He chooses French in the menu: that wins over his app, now and after a restart.
        languages = await john.say("/language", "Choose your language")
        await john.press(languages, "g:setlang:fr")
        assert (await john.menu()).text.startswith("Bonjour John")
        await stack.restart()
        assert (await john.menu()).text.startswith("Bonjour John")
        assert sim.state.pay_calls == 1
        telegram_contract_kept(tg)
    no_errors_logged(caplog)


async def test_an_unclear_amount_is_asked_about_never_guessed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_stack(tmp_path) as stack:
        tg, sim = stack.tg, stack.sim
        awa = Chat(tg, await stack.customer(1001, "Awa"))
        await awa.start_flow("woyofal")
        await awa.say("07061270877", "Quel montant")
        for typed, meant in [("5,5", "5 500 FCFA"), ("2.5k", "2 500 FCFA"), ("7 mille", "7 000")]:
            question = await awa.say(typed, "voulez-vous dire")
            assert f"voulez-vous dire {meant}" in question.text, typed
        # The reading is one tap away, and nothing was paid or guessed meanwhile.
        question = await awa.say("5,5", "voulez-vous dire 5 500 FCFA ?")
        assert "5 500 FCFA" in [label for row in question.buttons for label, _ in row]
        summary = (await awa.press(question, "5 500 FCFA")).last
        assert "Montant : 5 500 FCFA" in summary.text
        # Forms the issue lists are read as 5 000 at once.
        await awa.press(summary, "✖️ Annuler")
        await awa.start_flow("woyofal")
        await awa.say("0706-1270-877", "Quel montant")  # dashes in a meter are fine
        summary = await awa.say("5\u202f000 F CFA", "Confirmez-vous")
        assert "Montant : 5 000 FCFA" in summary.text
        assert sim.state.pay_calls == 0
        telegram_contract_kept(tg)
    no_errors_logged(caplog)


async def test_voice_photo_and_the_rest_get_a_friendly_answer_on_telegram(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_stack(tmp_path) as stack:
        tg = stack.tg
        awa = Chat(tg, await stack.customer(1001, "Awa"))
        user = awa.user
        await awa.start_flow("woyofal")
        sends: list[tuple[Callable[[], Awaitable[object]], str]] = [
            (lambda: tg.send_voice(user), "Je ne peux pas écouter les messages vocaux"),
            (lambda: tg.send_photo_from_user(user), "Je ne peux pas lire les photos"),
            (lambda: tg.send_sticker(user), "Merci 😊"),
            (lambda: tg.send_location(user, 14.69, -17.44), "besoin de votre position"),
            (lambda: tg.send_contact(user, "+221771234567"), "contacts partagés"),
            (lambda: tg.send_document(user), "ouvrir les fichiers"),
            (lambda: tg.send_video(user), "regarder les vidéos"),
            (lambda: tg.send_message_update(user, {"dice": {"emoji": "🎲", "value": 3}}), "texte"),
        ]
        for send, expected in sends:
            since = tg.mark()
            await send()
            answer = await tg.wait_for_message(user, since=since)
            assert expected in answer.text, (expected, answer.text)
            assert "compteur Woyofal" in answer.text  # and the step is asked again
            assert answer.buttons
        # In the user's language.
        john = Chat(tg, await stack.customer(1002, "John", language_code="en"))
        await john.menu()
        since = tg.mark()
        await tg.send_voice(john.user)
        answer = await tg.wait_for_message(john.user, since=since)
        assert answer.text.startswith(en.TEXTS["media.voice"].split("{")[0].strip())
        assert "What would you like to do?" in answer.text
        telegram_contract_kept(tg)
    no_errors_logged(caplog)


async def test_media_on_whatsapp_get_a_friendly_answer(tmp_path: Path) -> None:
    async with whatsapp_stack(tmp_path) as s:
        wa = s.wa
        ndeye = await s.customer("221772222222", "Ndeye")
        await wa.send_text(ndeye, "menu")
        await wa.wait_for_message(ndeye, "Acheter Woyofal")
        sends: list[tuple[Callable[[], Awaitable[object]], str]] = [
            (lambda: wa.send_voice(ndeye), "Je ne peux pas écouter les messages vocaux"),
            (lambda: wa.send_image(ndeye), "Je ne peux pas lire les photos"),
            (lambda: wa.send_sticker(ndeye), "Merci 😊"),
            (lambda: wa.send_location(ndeye), "besoin de votre position"),
            (lambda: wa.send_contact(ndeye), "contacts partagés"),
            (lambda: wa.send_document(ndeye), "ouvrir les fichiers"),
            (lambda: wa.send_video(ndeye), "regarder les vidéos"),
        ]
        for send, expected in sends:
            since = wa.mark()
            await send()
            answer = await wa.wait_for_message(ndeye, expected, since=since)
            assert MENU_QUESTION in answer.text


async def test_greetings_and_words_typed_instead_of_commands(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_stack(tmp_path) as stack:
        tg = stack.tg
        awa = Chat(tg, await stack.customer(1001, "Awa Diop", credit=25_000))
        await awa.menu()
        greetings = [
            "bonjour",
            "Bonsoir !",
            "salut",
            "Salam",
            "salam aleykoum",
            "Asalaa maalekum",
            "hello",
            "Hi",
            "Nanga def ?",
        ]
        for word in greetings:
            answer = await awa.say(word, MENU_QUESTION)
            assert answer.text.startswith("Bonjour Awa"), word
            assert "g:pay:woyofal" in answer.callback_data, word
        for word, expected in [
            ("menu", MENU_QUESTION),
            ("Aide", "Comment ça marche"),
            ("help", "Comment ça marche"),
            ("solde ?", "Votre solde : 25 000 FCFA"),
            ("Woyofal", "compteur Woyofal"),
            ("SENELEC", "référence client Senelec"),
            ("seneau", "référence client SenEau"),
            ("Sen Eau", "référence client SenEau"),
        ]:
            answer = await awa.say(word, expected)
            assert answer.buttons, word
        # A greeting in the middle of a payment goes back to the menu: nothing was paid.
        await awa.say("Woyofal", "compteur Woyofal")
        await awa.say("07061270877", "Quel montant")
        await awa.say("bonjour", MENU_QUESTION)
        assert stack.sim.state.pay_calls == 0
        telegram_contract_kept(tg)
    no_errors_logged(caplog)


def chat_scope(user_id: int) -> dict[str, object]:
    return {"type": "chat", "chat_id": user_id}


async def eventually(check: Callable[[], bool], timeout: float = 5) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        assert loop.time() < deadline, "not in time"
        await asyncio.sleep(0.02)


async def test_command_menus_follow_roles(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with running_stack(tmp_path, ADMIN_TELEGRAM_IDS=str(ADMIN_ID)) as stack:
        tg = stack.tg
        customer_menu = [name for name, _ in tg.commands_for("default", "fr")]
        admin = Chat(tg, tg.user(ADMIN_ID, "Aissatou"))
        ousmane = Chat(tg, tg.user(1005, "Ousmane", username="ousmane_shop"))
        await ousmane.menu()
        assert tg.commands_for(chat_scope(1005), "fr") == []  # a customer: the default

        # The admin's first message: their chat gets the admin's menu, in every language.
        await admin.menu()
        await eventually(lambda: tg.commands_for(chat_scope(ADMIN_ID), "wo") != [])
        for language, texts in (("fr", fr.TEXTS), ("en", en.TEXTS), ("wo", wo.TEXTS)):
            menu = dict(tg.commands_for(chat_scope(ADMIN_ID), language))
            assert list(menu)[: len(customer_menu)] == customer_menu
            assert {"find", "last", "today", "report", "pending", "resolve", "role"} <= set(menu)
            assert menu["find"] == texts["command.find"]
            assert menu["resolve"] == texts["command.resolve"]
        assert "resolve" in dict(tg.commands_for(chat_scope(ADMIN_ID), ""))

        # /role makes Ousmane an agent: his chat gets the agent's menu at once, no admin's.
        await admin.say("/role @ousmane_shop agent", "est maintenant agent")
        for language in ("", "fr", "en", "wo"):
            names = [name for name, _ in tg.commands_for(chat_scope(1005), language)]
            assert names == [*customer_menu, "find", "last", "today", "report"], language
        # Back to customer: his chat's menus are deleted, the default one shows again.
        await admin.say("/role 1005 customer", "est maintenant client")
        for language in ("", "fr", "en", "wo"):
            assert tg.commands_for(chat_scope(1005), language) == []

        # Someone who never wrote has no chat yet for a menu: theirs comes with their first
        # message (Telegram would refuse it before, and the harness fails on any refusal).
        await fund(stack.runtime.storage, 1007, 1000)
        await admin.say("/role 1007 agent", "est maintenant agent")
        fatou = Chat(tg, tg.user(1007, "Fatou"))
        await fatou.menu()
        await eventually(lambda: "report" in dict(tg.commands_for(chat_scope(1007), "")))

        # A role set elsewhere (the command line, no bot to tell): shown at the next start.
        accounts = AccountService(stack.runtime.storage)
        await accounts.set_role(await accounts.find("1005"), Role.AGENT)
        await stack.restart()
        assert "today" in dict(tg.commands_for(chat_scope(1005), "wo"))
        assert dict(tg.commands_for(chat_scope(1005), "wo"))["today"] == wo.TEXTS["command.today"]
        telegram_contract_kept(tg)
    no_errors_logged(caplog)
