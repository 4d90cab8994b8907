"""The DEXCHANGE billing API: client, models and errors."""

from bot.dexchange.client import DexchangeClient

__all__ = ["DexchangeClient"]
