"""Settings from the environment or `.env` (pydantic-settings).

The variable names are a contract with operators and outside test tools: keep them.
Every setting is listed, with a comment, in `.env.example`.
"""

import hmac
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

Language = Literal["fr", "en", "wo"]
CollectionService = Literal["WAVE_SN_CASHOUT", "OM_SN_CASHOUT", "FM_SN_CASHOUT"]
COLLECTION_SERVICES: tuple[CollectionService, ...] = (
    "WAVE_SN_CASHOUT",
    "OM_SN_CASHOUT",
    "FM_SN_CASHOUT",
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        case_sensitive=True,
        extra="ignore",
        hide_input_in_errors=True,
    )

    # Telegram
    TELEGRAM_BOT_TOKEN: SecretStr | None = None
    TELEGRAM_API_BASE_URL: str = "https://api.telegram.org/bot"
    TELEGRAM_WEBHOOK_URL: str | None = None
    TELEGRAM_WEBHOOK_SECRET: SecretStr | None = None
    TELEGRAM_MESSAGES_PER_SECOND: float = Field(default=30, ge=0)
    TELEGRAM_CHAT_MESSAGES_PER_SECOND: float = Field(default=1, ge=0)

    # WhatsApp (Cloud API): enabled when the access token and the phone number id are set
    WHATSAPP_ACCESS_TOKEN: SecretStr | None = None
    WHATSAPP_PHONE_NUMBER_ID: str | None = None
    WHATSAPP_APP_SECRET: SecretStr | None = None
    WHATSAPP_VERIFY_TOKEN: SecretStr | None = None
    WHATSAPP_API_BASE_URL: str = "https://graph.facebook.com"
    WHATSAPP_API_VERSION: str = "v23.0"
    WHATSAPP_WEBHOOK_PATH: str = "/whatsapp/webhook"
    WHATSAPP_MESSAGES_PER_SECOND: float = Field(default=80, gt=0)
    WHATSAPP_RECIPIENT_INTERVAL_SECONDS: float = Field(default=6, ge=0)
    WHATSAPP_RECIPIENT_BURST: int = Field(default=3, ge=1)
    WHATSAPP_TEMPLATE_CODE: str = "senpay_code"
    WHATSAPP_TEMPLATE_RESULT: str = "senpay_payment_result"
    WHATSAPP_TEMPLATE_NOTICE: str = "senpay_notice"
    WHATSAPP_TEMPLATE_LANGUAGES: Annotated[dict[str, str], NoDecode] = Field(
        default_factory=lambda: {"fr": "fr", "en": "en"}
    )

    # DEXCHANGE
    DEXCHANGE_API_KEY: SecretStr | None = None
    DEXCHANGE_BASE_URL: str = "https://api-m.dexchange.sn"
    DEXCHANGE_RATE_PER_MINUTE: int = Field(default=100, ge=1)
    DEXCHANGE_TIMEOUT_SECONDS: float = Field(default=30, gt=0)

    # Our HTTP server (callbacks, webhook, health, metrics)
    PUBLIC_BASE_URL: str | None = None
    HTTP_HOST: str = "127.0.0.1"
    HTTP_PORT: int = Field(default=8080, ge=0, le=65535)
    HTTP_BODY_TIMEOUT_SECONDS: float = Field(default=10, gt=0)
    HTTP_MAX_CONNECTIONS: int = Field(default=200, ge=1)
    # How long a process holds a webhook message it handles before another may take it.
    INBOX_LEASE_SECONDS: float = Field(default=30, gt=0)
    CALLBACK_SECRET: SecretStr | None = None

    # Storage
    DATABASE_URL: str = "sqlite:///data/bot.sqlite3"
    # PostgreSQL: how often a process tries the leader's lock, and the leader checks it.
    LEADER_POLL_SECONDS: float = Field(default=0.5, gt=0, le=10)

    # People
    ADMIN_TELEGRAM_IDS: Annotated[list[int], NoDecode] = Field(default_factory=list)
    ADMIN_WHATSAPP_IDS: Annotated[list[str], NoDecode] = Field(default_factory=list)
    SUPPORT_CONTACT: str | None = None
    OPERATOR_NAME: str = "SenPay"

    # Money
    FEE_PERCENT: Decimal = Field(default=Decimal("1"), ge=0, le=100)
    # A fee from DEXCHANGE above this share of the amount (and above the quote) is not
    # believed: the status is applied, the quoted fee kept, an admin told.
    PROVIDER_FEE_MAX_PERCENT: Decimal = Field(default=Decimal("10"), ge=0, le=100)
    WOYOFAL_MIN_AMOUNT: int = Field(default=1000, ge=1)
    WOYOFAL_MAX_AMOUNT: int = Field(default=500_000, ge=1)

    # Funding a wallet from mobile money (DEXCHANGE transaction/init, *_CASHOUT)
    COLLECTION_MIN_AMOUNT: int = Field(default=200, ge=200, le=1_000_000)
    COLLECTION_MAX_AMOUNT: int = Field(default=1_000_000, ge=200, le=1_000_000)
    COLLECTION_DAILY_CAP: int = Field(default=1_000_000, ge=200)  # per customer, per day
    COLLECTION_FEE_PERCENT: Decimal = Field(default=Decimal("0"), ge=0, le=100)
    COLLECTION_FEE_PAID_BY: Literal["customer", "operator"] = "customer"
    COLLECTION_SERVICES: Annotated[list[CollectionService], NoDecode] = Field(
        default_factory=lambda: list(COLLECTION_SERVICES)
    )
    COLLECTION_EXPIRY_MINUTES: float = Field(default=15, gt=0)

    # Seconds a "your code is on its way" message waits for the code itself to come first.
    PROCESSING_NOTICE_SECONDS: float = Field(default=1, ge=0)

    # Conversation
    DEFAULT_LANGUAGE: Language = "fr"
    CONVERSATION_IDLE_MINUTES: float = Field(default=15, gt=0)

    # Agents
    DAILY_REPORT_HOUR: int | None = Field(default=20, ge=0, le=23)

    # Days a recharge code is kept whole; then only its last four digits (0 is not allowed).
    RETENTION_DAYS: int = Field(default=90, ge=1)

    # Reconciliation of payments whose outcome is not known yet
    RECONCILE_INTERVAL_SECONDS: float = Field(default=5, gt=0)
    RECONCILE_DEADLINE_MINUTES: float = Field(default=30, gt=0)

    # Seconds between the notifier's looks for messages nobody woke it for (None: 1 s).
    NOTIFIER_IDLE_SECONDS: float | None = Field(default=None, gt=0)

    LOG_LEVEL: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("ADMIN_TELEGRAM_IDS", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("ADMIN_WHATSAPP_IDS", mode="before")
    @classmethod
    def _split_whatsapp_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [
                part.strip().lstrip("+")
                for part in value.replace(";", ",").split(",")
                if part.strip()
            ]
        return value

    @field_validator("COLLECTION_SERVICES", mode="before")
    @classmethod
    def _split_services(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip().upper() for part in value.split(",") if part.strip()]
        return value

    @field_validator("WHATSAPP_TEMPLATE_LANGUAGES", mode="before")
    @classmethod
    def _language_pairs(cls, value: object) -> object:
        """ "fr:fr,en:en_US": our language → the language Meta approved the template in."""
        if isinstance(value, str):
            pairs = [part.split(":", 1) for part in value.split(",") if part.strip()]
            if any(len(pair) != 2 or not pair[0].strip() or not pair[1].strip() for pair in pairs):
                raise ValueError("write language:template_language pairs, e.g. fr:fr,en:en_US")
            return {ours.strip(): theirs.strip() for ours, theirs in pairs}
        return value

    @field_validator("WHATSAPP_WEBHOOK_PATH")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.startswith("/") or value.startswith("/callbacks/"):
            raise ValueError("must be a path starting with / (and not under /callbacks/)")
        return value.rstrip("/") or "/"

    @field_validator("DAILY_REPORT_HOUR", "NOTIFIER_IDLE_SECONDS", mode="before")
    @classmethod
    def _empty_is_off(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator(
        "DEXCHANGE_BASE_URL", "TELEGRAM_API_BASE_URL", "PUBLIC_BASE_URL", "WHATSAPP_API_BASE_URL"
    )
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("DATABASE_URL")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite:///", "postgresql://", "postgres://")):
            raise ValueError("must be sqlite:///path or postgresql://user:password@host/db")
        return value

    @model_validator(mode="after")
    def _amount_bounds(self) -> "Settings":
        if self.WOYOFAL_MAX_AMOUNT < self.WOYOFAL_MIN_AMOUNT:
            raise ValueError("WOYOFAL_MAX_AMOUNT must not be below WOYOFAL_MIN_AMOUNT")
        if self.COLLECTION_MAX_AMOUNT < self.COLLECTION_MIN_AMOUNT:
            raise ValueError("COLLECTION_MAX_AMOUNT must not be below COLLECTION_MIN_AMOUNT")
        return self

    @property
    def telegram_enabled(self) -> bool:
        return _set(self.TELEGRAM_BOT_TOKEN)

    @property
    def whatsapp_enabled(self) -> bool:
        return _set(self.WHATSAPP_ACCESS_TOKEN) and bool(self.WHATSAPP_PHONE_NUMBER_ID)

    @property
    def on_postgres(self) -> bool:
        return self.DATABASE_URL.startswith(("postgresql://", "postgres://"))

    @property
    def database_path(self) -> Path:
        """The SQLite file (SQLite only: backups, the demo's folder)."""
        if self.on_postgres:
            raise ValueError("DATABASE_URL is a PostgreSQL server, not a SQLite file")
        return Path(self.DATABASE_URL.removeprefix("sqlite:///"))

    @property
    def database_location(self) -> Path | str:
        """What storage.Storage opens: the SQLite file, or the PostgreSQL URL."""
        return self.DATABASE_URL if self.on_postgres else self.database_path

    def callback_secret(self) -> str:
        """CALLBACK_SECRET, or, when unset, one derived from the DEXCHANGE key and the bot
        token: as secret as they are, and stable across restarts (so callback URLs of
        payments in flight stay valid). Set CALLBACK_SECRET to rotate those independently."""
        if self.CALLBACK_SECRET is not None and self.CALLBACK_SECRET.get_secret_value():
            return self.CALLBACK_SECRET.get_secret_value()
        key = self.DEXCHANGE_API_KEY.get_secret_value() if self.DEXCHANGE_API_KEY else ""
        token = self.TELEGRAM_BOT_TOKEN.get_secret_value() if self.TELEGRAM_BOT_TOKEN else ""
        if not key:
            raise ConfigurationError("CALLBACK_SECRET is required when DEXCHANGE_API_KEY is unset")
        return hmac.new(key.encode(), f"callback-secret:{token}".encode(), "sha256").hexdigest()

    @property
    def public_base_url(self) -> str:
        if self.PUBLIC_BASE_URL:
            return self.PUBLIC_BASE_URL
        return f"http://{self.HTTP_HOST}:{self.HTTP_PORT}"


def _set(secret: SecretStr | None) -> bool:
    return secret is not None and bool(secret.get_secret_value())


class ConfigurationError(Exception):
    """A setting is missing or invalid; the message is one line naming the variable."""


def describe_validation_error(error: ValidationError) -> str:
    """One line per problem, each naming the variable, never echoing a value."""
    lines = []
    for problem in error.errors(include_input=False, include_url=False):
        name = ".".join(str(part) for part in problem["loc"]) or "settings"
        message = str(problem["msg"]).removeprefix("Value error, ")
        lines.append(f"{name}: {message}")
    return "; ".join(lines)


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise ConfigurationError(describe_validation_error(error)) from None


def require(settings: Settings, *names: str) -> None:
    """Stop with a clear line when a setting needed by this command is absent."""
    for name in names:
        value = getattr(settings, name)
        if value is None or (isinstance(value, SecretStr) and not value.get_secret_value()):
            raise ConfigurationError(f"{name} is required but not set (environment or .env)")


def require_channels(settings: Settings) -> None:
    """At least one chat channel, and WhatsApp only with what verifies its webhooks: the
    bot refuses to start rather than accept unsigned messages."""
    if not settings.telegram_enabled and not settings.whatsapp_enabled:
        raise ConfigurationError(
            "TELEGRAM_BOT_TOKEN or WHATSAPP_ACCESS_TOKEN (with WHATSAPP_PHONE_NUMBER_ID) is"
            " required: no chat channel is enabled"
        )
    if settings.whatsapp_enabled:
        require(settings, "WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN")
