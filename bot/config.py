"""Settings from the environment and `.env`, one class per concern (see `.env.example`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_COMMON = {"env_file": ".env", "env_file_encoding": "utf-8", "extra": "ignore"}


class DatabaseSettings(BaseSettings):
    """Where the data lives: a SQLite file by default, PostgreSQL when one machine is not enough."""

    model_config = SettingsConfigDict(**_COMMON)  # type: ignore[typeddict-item]

    url: str = Field(default="sqlite+aiosqlite:///banggabeli.db", alias="DATABASE_URL")
    echo: bool = Field(default=False, alias="DATABASE_ECHO")
    # PostgreSQL: connections each process keeps (a fixed pool; SQLite always uses one).
    pool_size: int = Field(default=10, ge=1, alias="DATABASE_POOL_SIZE")


class BotSettings(BaseSettings):
    """Behaviour of the bot that does not depend on a channel."""

    model_config = SettingsConfigDict(**_COMMON)  # type: ignore[typeddict-item]

    admin_ids: str = Field(default="", alias="ADMIN_IDS")
    default_language: str = Field(default="id", alias="DEFAULT_LANGUAGE")
    conversation_ttl_hours: int = Field(default=72, alias="CONVERSATION_TTL_HOURS")
    region_file: Path | None = Field(default=None, alias="REGION_FILE")
    log_level: str = Field(default="INFO", alias="LOG_LEVEL")
    timezone: str = Field(default="Asia/Jakarta", alias="TIMEZONE")
    timezone_label: str = Field(default="WIB", alias="TIMEZONE_LABEL")
    log_personal_data: bool = Field(default=False, alias="LOG_PERSONAL_DATA")
    # The city's agencies offered to OPD staff, separated by `;` (empty: the bundled Kota Metro list).
    opd_agencies: str = Field(default="", alias="OPD_AGENCIES")
    invite_days: int = Field(default=14, alias="OPD_INVITE_DAYS")

    @field_validator("region_file", mode="before")
    @classmethod
    def _empty_region_file_is_default(cls, value: object) -> object:
        # `REGION_FILE=` (as in .env.example) means the bundled Kota Metro file, not the current directory.
        return None if isinstance(value, str) and not value.strip() else value

    def admin_identities(self) -> set[tuple[str, str]]:
        """Parse `telegram:123,console:admin` into {(channel, external_id)}."""
        pairs: set[tuple[str, str]] = set()
        for item in self.admin_ids.split(","):
            channel, sep, ident = item.strip().partition(":")
            if sep and channel and ident:
                pairs.add((channel.strip().lower(), ident.strip()))
        return pairs


class TelegramSettings(BaseSettings):
    """Telegram Bot API access; empty token means the Telegram channel is off."""

    model_config = SettingsConfigDict(**_COMMON)  # type: ignore[typeddict-item]

    bot_token: SecretStr | None = Field(default=None, alias="TELEGRAM_BOT_TOKEN")
    api_server: str | None = Field(default=None, alias="TELEGRAM_API_SERVER")
    # For invite deep links `https://t.me/<username>?start=<code>`; empty: invites show the code only.
    bot_username: str = Field(default="", alias="TELEGRAM_BOT_USERNAME")
    rate_overall: float = Field(default=28.0, alias="TELEGRAM_RATE_OVERALL")
    rate_per_chat: float = Field(default=1.0, alias="TELEGRAM_RATE_PER_CHAT")
    # Per-user flood control of incoming messages: a burst, then a steady rate (load tests raise the burst).
    flood_burst: int = Field(default=20, alias="TELEGRAM_FLOOD_BURST")
    flood_per_second: float = Field(default=1.0, alias="TELEGRAM_FLOOD_PER_SECOND")


class WhatsAppSettings(BaseSettings):
    """WhatsApp Cloud API access; the channel is on when the token and the phone number id are both set."""

    model_config = SettingsConfigDict(**_COMMON)  # type: ignore[typeddict-item]

    token: SecretStr | None = Field(default=None, alias="WHATSAPP_TOKEN")
    phone_number_id: str | None = Field(default=None, alias="WHATSAPP_PHONE_NUMBER_ID")
    app_secret: SecretStr | None = Field(default=None, alias="WHATSAPP_APP_SECRET")
    verify_token: SecretStr | None = Field(default=None, alias="WHATSAPP_VERIFY_TOKEN")
    api_base: str = Field(default="https://graph.facebook.com", alias="WHATSAPP_API_BASE")
    api_version: str = Field(default="v23.0", alias="WHATSAPP_API_VERSION")
    rate: float = Field(default=20.0, alias="WHATSAPP_RATE")
    daily_recipients: int = Field(default=250, alias="WHATSAPP_DAILY_RECIPIENTS")
    max_body_bytes: int = Field(default=1_000_000, alias="WHATSAPP_MAX_BODY_BYTES")
    template_event: str | None = Field(default=None, alias="WHATSAPP_TEMPLATE_EVENT")
    template_notice: str | None = Field(default=None, alias="WHATSAPP_TEMPLATE_NOTICE")
    template_lead: str | None = Field(default=None, alias="WHATSAPP_TEMPLATE_LEAD")

    @field_validator(
        "token",
        "app_secret",
        "verify_token",
        "template_event",
        "template_notice",
        "template_lead",
        "phone_number_id",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def enabled(self) -> bool:
        """True when the channel can send (a token and a phone number id)."""
        return self.token is not None and bool(self.phone_number_id)


class DeliverySettings(BaseSettings):
    """The outbox worker: how much it claims at once, for how long, and how patiently it retries."""

    model_config = SettingsConfigDict(**_COMMON)  # type: ignore[typeddict-item]

    batch: int = Field(default=50, alias="DELIVERY_BATCH")
    concurrency: int = Field(default=40, alias="DELIVERY_CONCURRENCY")
    lease_seconds: int = Field(default=60, alias="DELIVERY_LEASE_SECONDS")
    max_attempts: int = Field(default=6, alias="DELIVERY_MAX_ATTEMPTS")
    poll_seconds: float = Field(default=1.0, alias="DELIVERY_POLL_SECONDS")


class WebSettings(BaseSettings):
    """The aiohttp server that takes webhooks and answers health checks."""

    model_config = SettingsConfigDict(**_COMMON)  # type: ignore[typeddict-item]

    host: str = Field(default="127.0.0.1", alias="HOST")
    port: int = Field(default=8080, alias="PORT")
    webhook_base_url: str | None = Field(default=None, alias="WEBHOOK_BASE_URL")
    webhook_secret: SecretStr | None = Field(default=None, alias="WEBHOOK_SECRET")


class Settings:
    """All settings, built once by the composition root."""

    def __init__(self, env_file: str | None = ".env", **database_overrides: str) -> None:
        kw: dict[str, object] = {"_env_file": env_file}
        self.database = DatabaseSettings(**kw, **database_overrides)  # type: ignore[arg-type]
        self.bot = BotSettings(**kw)  # type: ignore[arg-type]
        self.telegram = TelegramSettings(**kw)  # type: ignore[arg-type]
        self.whatsapp = WhatsAppSettings(**kw)  # type: ignore[arg-type]
        self.delivery = DeliverySettings(**kw)  # type: ignore[arg-type]
        self.web = WebSettings(**kw)  # type: ignore[arg-type]
