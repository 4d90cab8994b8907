"""The whole bot with WhatsApp enabled (and Telegram beside it), against the fake WhatsApp
Graph API (fakes/whatsapp), the fake Telegram and the DEXCHANGE simulator, over loopback.

`whatsapp_stack()` starts the fake WhatsApp, then the bot (`running_stack`) pointed at it,
then points the fake's webhook at the bot. Both clocks move together with `advance()`: the
24-hour window closes for the fake and for the bot alike. On a passing test, it checks the
fake refused nothing and no message failed, but what the test says it expects.
"""

import contextlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.channels.whatsapp.templates import by_name
from fakes.whatsapp import FakeWhatsApp, Pace
from fakes.whatsapp.models import WaUser
from storage.models import LedgerKind
from tests.e2e.harness import DrivenClock, Stack, running_stack

# The fake's and the bot's recipient pace, shortened so that a test is quick: the same
# shape as WhatsApp's (a burst, then one message an interval), checked the same way.
QUICK = Pace(messages_per_second=80, recipient_burst=3, recipient_interval=0.25)


@dataclass
class WhatsAppStack:
    stack: Stack
    wa: FakeWhatsApp
    clock: DrivenClock

    async def customer(
        self,
        phone: str,
        name: str,
        *,
        bsuid: str | None = None,
        with_number: bool = True,
        credit: int = 1_000_000,
    ) -> WaUser:
        """A WhatsApp user whose wallet holds `credit` FCFA (test setup, no message); the
        bot knows them as Meta will show them (by BSUID only, without a visible number)."""
        user = self.wa.user(phone, name, bsuid=bsuid, with_number=with_number)
        if credit:
            shown_phone = phone if with_number else None
            async with self.stack.runtime.storage.transaction() as tx:
                row = await tx.users.upsert_identity("whatsapp", bsuid, shown_phone, name, None)
                await tx.ledger.add(row.id, LedgerKind.CREDIT, credit, actor="test")
        return user

    def advance(self, **delta: float) -> None:
        """Move the fake's clock and the bot's clock forward together."""
        self.wa.advance(**delta)
        self.clock.advance(**delta)

    async def user_row(self, phone: str | None, bsuid: str | None = None) -> Any:
        return await self.stack.runtime.storage.read.users.by_channel_identity(
            "whatsapp", bsuid, phone
        )


@contextlib.asynccontextmanager
async def whatsapp_stack(
    tmp_path: Path,
    *,
    pace: Pace = QUICK,
    expect_refused: Mapping[int, int] | None = None,
    expect_failed: Mapping[int, int] | None = None,
    **overrides: Any,
) -> AsyncIterator[WhatsAppStack]:
    clock = DrivenClock()
    async with FakeWhatsApp(templates=by_name(), pace=pace) as wa:
        settings: dict[str, Any] = {
            "WHATSAPP_ACCESS_TOKEN": wa.access_token,
            "WHATSAPP_PHONE_NUMBER_ID": wa.phone_number_id,
            "WHATSAPP_APP_SECRET": wa.app_secret,
            "WHATSAPP_VERIFY_TOKEN": wa.verify_token,
            "WHATSAPP_API_BASE_URL": wa.base_url,
            "WHATSAPP_MESSAGES_PER_SECOND": pace.messages_per_second or 1000,
            "WHATSAPP_RECIPIENT_INTERVAL_SECONDS": pace.recipient_interval or 0,
            "WHATSAPP_RECIPIENT_BURST": pace.recipient_burst,
            **overrides,
        }
        async with running_stack(tmp_path, clock=clock, **settings) as stack:
            assert stack.runtime.http is not None
            wa.set_webhook(
                stack.runtime.http.url + settings.get("WHATSAPP_WEBHOOK_PATH", "/whatsapp/webhook")
            )
            yield WhatsAppStack(stack, wa, clock)
            await wa.wait_until_idle(timeout=10)
        wa.assert_contract_kept(refused=expect_refused, failed=expect_failed)
