"""The operator's DEXCHANGE account as admins see it: its balance, or why it cannot be read."""

from dataclasses import dataclass

from bot.dexchange.client import DexchangeClient
from bot.dexchange.errors import DexchangeError


@dataclass(frozen=True)
class ProviderBalance:
    balance: int  # FCFA
    currency: str
    updated: str | None


class ProviderUnavailable(Exception):
    """DEXCHANGE did not give the balance; `message` says why, in its words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ProviderAccount:
    def __init__(self, client: DexchangeClient) -> None:
        self._client = client

    async def balance(self) -> ProviderBalance:
        try:
            found = await self._client.balance()
        except DexchangeError as error:
            raise ProviderUnavailable(error.message[:200]) from None
        return ProviderBalance(found.balance, found.currency, found.last_update)
