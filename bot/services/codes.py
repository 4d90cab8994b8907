"""Recharge codes as the domain knows them: read from whatever DEXCHANGE or an admin typed,
shown in groups of four digits (the parsing itself lives with the DEXCHANGE adapter, which
reads them from its answers)."""

from bot.dexchange.tokens import group_digits, parse_codes

__all__ = ["group_digits", "parse_codes"]
