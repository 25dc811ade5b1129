"""Runtime settings, read from ``PORUCHENO_*`` environment variables and an optional ``.env``.

Built once in the entry point and passed down; nothing reads the environment at import time.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_BOT_API_URL = "https://api.telegram.org"
SUPPORTED_LOCALES = ("ru", "en")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PORUCHENO_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    bot_token: str = Field(default="", description="Bot token from @BotFather")
    bot_api_url: str = Field(default=DEFAULT_BOT_API_URL, description="Bot API base URL")
    database_url: str = Field(
        default="sqlite+aiosqlite:///var/porucheno.sqlite3", description="SQLAlchemy async URL"
    )
    redis_url: str | None = Field(default=None, description="Redis URL for FSM storage")
    webhook_url: str | None = Field(default=None, description="Public webhook URL (enables webhook mode)")
    webhook_secret: str | None = Field(default=None, description="Secret header for webhook updates")
    webhook_host: str = "127.0.0.1"
    webhook_port: int = 8081
    admin_host: str = "127.0.0.1"
    admin_port: int = Field(default=8080, ge=1, le=65535)
    public_url: str | None = Field(default=None, description="URL of the admin panel as users see it")
    timezone: str = "Europe/Moscow"
    locale: str = "ru"
    files_dir: Path = Path("var/files")
    secret_key: str = Field(default="", description="Secret for cookies and tokens (32+ chars)")
    bot_username: str = "porucheno_bot"
    invite_ttl_hours: int = Field(default=72, ge=1)
    # Outbox: Telegram allows ~30 msg/s per bot and ~1 msg/s per chat.
    outbox_global_rate: float = Field(default=28.0, gt=0)
    outbox_chat_interval: float = Field(default=1.0, ge=0)
    log_level: str = "INFO"
    # Deadline nudges: reminders this many hours before a deadline; none during quiet hours.
    nudge_offsets_hours: list[float] = Field(default_factory=lambda: [24.0, 2.0])
    quiet_hours: str = Field(default="22:00-08:00", pattern=r"^\d{2}:\d{2}-\d{2}:\d{2}$")
    escalation_time: str = Field(default="09:00", pattern=r"^\d{2}:\d{2}$")
    deadline_scan_minutes: int = Field(default=5, ge=1, le=60)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in SUPPORTED_LOCALES:
            raise ValueError(f"must be one of {', '.join(SUPPORTED_LOCALES)}")
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if value.startswith("postgresql://") or value.startswith("postgres://"):
            return "postgresql+asyncpg://" + value.split("://", 1)[1]
        if value.startswith("sqlite:///"):
            return "sqlite+aiosqlite:///" + value.removeprefix("sqlite:///")
        if not value.startswith(("sqlite+aiosqlite:", "postgresql+asyncpg:")):
            raise ValueError("use sqlite+aiosqlite:///path or postgresql+asyncpg://...")
        return value

    @field_validator("quiet_hours", "escalation_time")
    @classmethod
    def _valid_times(cls, value: str) -> str:
        for part in value.split("-"):
            hours, minutes = (int(x) for x in part.split(":"))
            if hours > 23 or minutes > 59:
                raise ValueError(f"{part} is not a time of day")
        return value

    @field_validator("nudge_offsets_hours")
    @classmethod
    def _positive_offsets(cls, value: list[float]) -> list[float]:
        if any(v <= 0 for v in value):
            raise ValueError("offsets must be positive numbers of hours")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def admin_base_url(self) -> str:
        return self.public_url or f"http://{self.admin_host}:{self.admin_port}"


class SettingsError(Exception):
    """A bad setting: the message is one line naming it."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        name = "PORUCHENO_" + str(err["loc"][0]).upper() if err.get("loc") else "settings"
        msg = str(err["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"Bad setting {name}: {msg}") from None
