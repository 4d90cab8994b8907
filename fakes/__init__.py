"""Fakes of the world outside the bot, shared by the tests and the benchmarks.

`fakes.telegram`: the Telegram Bot API server on loopback; `fakes.whatsapp`: the WhatsApp
Cloud API on loopback (it imports nothing of the bot); `fakes.process`: the bot as its own
process. Nothing here imports from `tests/` or `bench/`.
"""
