"""Recharge codes are secrets: no log line shows one whole (issue 12, item 7; money rule 6).

Through configure_logging (the handler the bot really logs with) and, for the input space,
through the filter itself.
"""

import contextlib
import logging
import re
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.logging_setup import RedactSecrets, configure_logging

SECRET = "123456:TEST-TOKEN-abcdef"
LONG_DIGIT_RUN = re.compile(r"\d{16,}")


@contextlib.contextmanager
def bot_logging(secrets: list[str]) -> Iterator[logging.Logger]:
    """configure_logging as `python -m bot` calls it (a handler on sys.stderr as it is now:
    pytest's capture), the test's own logging put back after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging("INFO", secrets)
    try:
        yield logging.getLogger("bot.test")
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


@pytest.fixture
def stderr_log(capsys: pytest.CaptureFixture[str]) -> Iterator[logging.Logger]:
    with bot_logging([SECRET]) as log:
        yield log


def logged(capsys: pytest.CaptureFixture[str]) -> str:
    return capsys.readouterr().err


@pytest.mark.parametrize(
    ("code", "masked"),
    [
        ("1283930093209223", "****9223"),  # DEXCHANGE's example token, 16 digits
        ("1283 9300 9320 9223", "****9223"),  # as the bot shows it
        ("1283-9300-9320-9223", "****9223"),
        ("12839300932092231234", "****1234"),  # a 20-digit STS code
        ("5470 0132 0256 1667 7062", "****7062"),
    ],
)
def test_a_code_is_masked_to_its_last_four_digits(
    stderr_log: logging.Logger, capsys: pytest.CaptureFixture[str], code: str, masked: str
) -> None:
    stderr_log.info("payment 12 got code %s for meter %s", code, "07061270877")
    line = logged(capsys)
    assert f"got code {masked} for meter 07061270877" in line
    assert code not in line


def test_codes_in_exception_text_are_masked(capsys: pytest.CaptureFixture[str]) -> None:
    with bot_logging([SECRET]) as log:
        try:
            raise ValueError('cannot apply {"TOKEN": "1283930093209223, 12839300932092231234"}')
        except ValueError:
            log.exception("callback for payment %s failed", 7)
    text = logged(capsys)
    assert "Traceback" in text and "ValueError" in text
    assert '"TOKEN": "****9223, ****1234"' in text
    assert LONG_DIGIT_RUN.search(text) is None


def test_secrets_are_still_masked_alongside(
    stderr_log: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    stderr_log.warning("GET https://api.telegram.org/bot%s/getMe code 1283930093209223", SECRET)
    text = logged(capsys)
    assert SECRET not in text and "/bot***/getMe" in text and "****9223" in text


def test_shorter_numbers_are_left_alone(
    stderr_log: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    shown = (
        "meter 07061270877, reference 210278816, bill 8000000680, police 000210278816,"
        " amount 104500, tx TID444963031, phone 77 123 45 67, at 2026-11-28 10:35:00,"
        " 15 digits 123456789012345, id 1700000000123"
    )
    stderr_log.info(shown)
    assert shown in logged(capsys)


def test_codes_are_masked_with_no_secret_configured(capsys: pytest.CaptureFixture[str]) -> None:
    with bot_logging([]) as log:  # `python -m bot simulator` configures no secret
        log.info("token 1283930093209223")
    assert "token ****9223" in logged(capsys)


def filtered(message: str) -> str:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "%s", (message,), None)
    RedactSecrets([]).filter(record)
    return record.getMessage()


@given(
    st.text(st.sampled_from("ab :,\"'=\n"), max_size=8),
    st.text("0123456789", min_size=16, max_size=40),
    st.text(st.sampled_from("ab :,\"'=\n"), max_size=8),
)
def test_any_long_digit_run_keeps_only_its_last_four(before: str, code: str, after: str) -> None:
    assert filtered(before + code + after) == f"{before}****{code[-4:]}{after}"


@given(st.lists(st.text("0123456789", min_size=1, max_size=15), min_size=1, max_size=6))
def test_runs_shorter_than_sixteen_digits_are_unchanged(numbers: list[str]) -> None:
    text = " / ".join(numbers)  # separators that do not group digits into a code
    assert filtered(text) == text
