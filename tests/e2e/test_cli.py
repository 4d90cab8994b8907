"""`python -m bot` with a missing or invalid setting: exit code 2 and one clear line naming the
variable, no traceback, no secret echoed. Each case is a real process in an empty folder."""

import asyncio
import sys
from dataclasses import dataclass
from pathlib import Path

from fakes.process import clean_environment, free_port

TOKEN = "123456:CLI-SECRET-TOKEN"
KEY = "cli-secret-dexchange-key"
CALLBACK = "cli-secret-callback"
SETTING_PREFIXES = (
    "ADMIN_",
    "CONVERSATION_",
    "DEFAULT_LANGUAGE",
    "FEE_",
    "LOG_LEVEL",
    "RECONCILE_",
    "WOYOFAL_",
    "WHATSAPP_",
)


@dataclass(frozen=True)
class Case:
    args: tuple[str, ...]
    env: dict[str, str]
    named: str


def base_env() -> dict[str, str]:
    env = {k: v for k, v in clean_environment().items() if not k.startswith(SETTING_PREFIXES)}
    # Should a case ever get past its settings, it must not reach the internet.
    env["TELEGRAM_API_BASE_URL"] = f"http://127.0.0.1:{free_port()}/bot"
    env["DEXCHANGE_BASE_URL"] = f"http://127.0.0.1:{free_port()}"
    env["HTTP_PORT"] = "0"
    return env


COMPLETE = {"TELEGRAM_BOT_TOKEN": TOKEN, "DEXCHANGE_API_KEY": KEY, "CALLBACK_SECRET": CALLBACK}
WHATSAPP = {
    "WHATSAPP_ACCESS_TOKEN": "cli-secret-whatsapp-token",
    "WHATSAPP_PHONE_NUMBER_ID": "1234567890",
    "WHATSAPP_APP_SECRET": "cli-secret-app-secret",
    "WHATSAPP_VERIFY_TOKEN": "cli-secret-verify",
}
CASES = [
    Case((), {}, "TELEGRAM_BOT_TOKEN"),
    Case(("run",), {}, "TELEGRAM_BOT_TOKEN"),
    Case((), {"DEXCHANGE_API_KEY": KEY, "CALLBACK_SECRET": CALLBACK}, "TELEGRAM_BOT_TOKEN"),
    Case(("run",), {**COMPLETE, "TELEGRAM_BOT_TOKEN": ""}, "TELEGRAM_BOT_TOKEN"),
    Case((), {"TELEGRAM_BOT_TOKEN": TOKEN, "CALLBACK_SECRET": CALLBACK}, "DEXCHANGE_API_KEY"),
    Case(("run",), {"TELEGRAM_BOT_TOKEN": TOKEN}, "DEXCHANGE_API_KEY"),
    Case((), {**COMPLETE, "WOYOFAL_MIN_AMOUNT": "abc"}, "WOYOFAL_MIN_AMOUNT"),
    Case(("run",), {**COMPLETE, "WOYOFAL_MIN_AMOUNT": "abc"}, "WOYOFAL_MIN_AMOUNT"),
    Case(("run",), {**COMPLETE, "HTTP_PORT": "99999"}, "HTTP_PORT"),
    Case(("run",), {**COMPLETE, "DEXCHANGE_BASE_URL": "api-m.dexchange.sn"}, "DEXCHANGE_BASE_URL"),
    # WhatsApp enabled and nothing to verify its webhooks with: no start.
    Case(("run",), {**COMPLETE, **WHATSAPP, "WHATSAPP_APP_SECRET": ""}, "WHATSAPP_APP_SECRET"),
    Case(("run",), {**COMPLETE, **WHATSAPP, "WHATSAPP_VERIFY_TOKEN": ""}, "WHATSAPP_VERIFY_TOKEN"),
    Case(
        ("run",),
        {
            "DEXCHANGE_API_KEY": KEY,
            "CALLBACK_SECRET": CALLBACK,
            **WHATSAPP,
            "WHATSAPP_APP_SECRET": "",
        },
        "WHATSAPP_APP_SECRET",
    ),
]


async def run_cli(case: Case, cwd: Path) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *case.args,
        cwd=cwd,
        env={**base_env(), **case.env},
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError(f"{case} did not stop") from None
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


async def test_missing_or_invalid_settings_stop_with_one_line(tmp_path: Path) -> None:
    folders = []
    for number in range(len(CASES)):
        folder = tmp_path / f"case{number}"
        folder.mkdir()
        folders.append(folder)
    results = await asyncio.gather(
        *(run_cli(case, folder) for case, folder in zip(CASES, folders, strict=True))
    )
    for case, (code, stdout, stderr) in zip(CASES, results, strict=True):
        lines = stderr.strip().splitlines()
        assert code == 2, (case, stderr)
        assert len(lines) == 1, (case, stderr)
        assert case.named in lines[0], (case, stderr)
        assert "Traceback" not in stderr + stdout
        # No value is echoed: not the secrets, not the invalid value either.
        for value in case.env.values():
            assert not value or value not in stderr + stdout, (case, stderr)
    # Nothing was created where the bot was started (no database for a bot that never ran).
    assert all(list(folder.iterdir()) == [] for folder in folders)
