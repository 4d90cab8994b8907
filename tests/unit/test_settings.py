from decimal import Decimal

import pytest

from bot.settings import ConfigurationError, load_settings, require

CONTRACT_NAMES = [
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_API_BASE_URL",
    "DEXCHANGE_API_KEY",
    "DEXCHANGE_BASE_URL",
    "DEXCHANGE_RATE_PER_MINUTE",
    "PUBLIC_BASE_URL",
    "HTTP_HOST",
    "HTTP_PORT",
    "DATABASE_URL",
    "ADMIN_TELEGRAM_IDS",
    "CALLBACK_SECRET",
    "FEE_PERCENT",
    "WOYOFAL_MIN_AMOUNT",
    "WOYOFAL_MAX_AMOUNT",
    "DEFAULT_LANGUAGE",
]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    for name in CONTRACT_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults_are_the_documented_ones() -> None:
    s = load_settings()
    assert s.TELEGRAM_API_BASE_URL == "https://api.telegram.org/bot"
    assert s.DEXCHANGE_BASE_URL == "https://api-m.dexchange.sn"
    assert s.DEXCHANGE_RATE_PER_MINUTE == 100
    assert s.DATABASE_URL == "sqlite:///data/bot.sqlite3"
    assert Decimal(1) == s.FEE_PERCENT
    assert s.WOYOFAL_MIN_AMOUNT == 1000
    assert s.DEFAULT_LANGUAGE == "fr"


def test_values_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_TELEGRAM_IDS", "12, 34")
    monkeypatch.setenv("FEE_PERCENT", "1.5")
    monkeypatch.setenv("DEXCHANGE_BASE_URL", "http://127.0.0.1:9000/")
    s = load_settings()
    assert s.ADMIN_TELEGRAM_IDS == [12, 34]
    assert Decimal("1.5") == s.FEE_PERCENT
    assert s.DEXCHANGE_BASE_URL == "http://127.0.0.1:9000"


def test_values_from_a_dotenv_file(tmp_path) -> None:
    (tmp_path / ".env").write_text("WOYOFAL_MAX_AMOUNT=200000\nDEFAULT_LANGUAGE=en\n")
    s = load_settings()
    assert s.WOYOFAL_MAX_AMOUNT == 200_000
    assert s.DEFAULT_LANGUAGE == "en"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("WOYOFAL_MIN_AMOUNT", "mille"),
        ("HTTP_PORT", "99999"),
        ("DEFAULT_LANGUAGE", "de"),
        ("DATABASE_URL", "mysql://x"),
        ("DEXCHANGE_BASE_URL", "api-m.dexchange.sn"),
        ("ADMIN_TELEGRAM_IDS", "12,abc"),
    ],
)
def test_an_invalid_setting_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    message = str(caught.value)
    assert name in message
    assert "\n" not in message
    assert value not in message or value.isdigit()


def test_secret_values_never_appear_in_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEXCHANGE_API_KEY", "super-secret-key")
    monkeypatch.setenv("HTTP_PORT", "not-a-port")
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    assert "super-secret-key" not in str(caught.value)
    assert "super-secret-key" not in repr(load_settings(HTTP_PORT=1))


def test_require_names_the_missing_variable() -> None:
    with pytest.raises(ConfigurationError, match="TELEGRAM_BOT_TOKEN"):
        require(load_settings(), "TELEGRAM_BOT_TOKEN")


def test_min_above_max_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WOYOFAL_MIN_AMOUNT", "5000")
    monkeypatch.setenv("WOYOFAL_MAX_AMOUNT", "1000")
    with pytest.raises(ConfigurationError, match="WOYOFAL_MAX_AMOUNT"):
        load_settings()


def test_collection_settings_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLLECTION_SERVICES", " wave_sn_cashout , OM_SN_CASHOUT")
    monkeypatch.setenv("COLLECTION_FEE_PAID_BY", "operator")
    monkeypatch.setenv("COLLECTION_DAILY_CAP", "250000")
    s = load_settings()
    assert s.COLLECTION_SERVICES == ["WAVE_SN_CASHOUT", "OM_SN_CASHOUT"]
    assert s.COLLECTION_FEE_PAID_BY == "operator"
    assert s.COLLECTION_DAILY_CAP == 250_000
    assert (s.COLLECTION_MIN_AMOUNT, s.COLLECTION_MAX_AMOUNT) == (200, 1_000_000)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("COLLECTION_SERVICES", "WAVE_SN_CASHIN"),  # a payout is no way to fund a wallet
        ("COLLECTION_MIN_AMOUNT", "100"),  # below DEXCHANGE's minimum
        ("COLLECTION_MAX_AMOUNT", "2000000"),  # above DEXCHANGE's maximum
        ("COLLECTION_FEE_PAID_BY", "nobody"),
    ],
)
def test_invalid_collection_settings_are_refused(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    assert name in str(caught.value)


def test_collection_bounds_must_be_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLLECTION_MIN_AMOUNT", "5000")
    monkeypatch.setenv("COLLECTION_MAX_AMOUNT", "1000")
    with pytest.raises(ConfigurationError):
        load_settings()
