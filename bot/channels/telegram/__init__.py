"""The Telegram channel (python-telegram-bot)."""

import os

# Opt in to PTB's future behaviour now: RetryAfter.retry_after as a timedelta, without the
# deprecation warning PTB raises on every 429 otherwise.
os.environ.setdefault("PTB_TIMEDELTA", "true")
