"""Runtime settings, read from ``PORUCHENO_*`` environment variables and an optional ``.env``.

Built once in the entry point and passed down; nothing reads the environment at import time.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_BOT_API_URL = "https://api.telegram.org"
SUPPORTED_LOCALES = ("ru", "en")
DEFAULT_MAX_API_URL = "https://platform-api.max.ru"


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
    # MAX (the national messenger): the same bot, enabled by a token from business.max.ru.
    max_token: str = Field(default="", description="MAX bot token (enables the MAX bot)")
    max_api_url: str = Field(default=DEFAULT_MAX_API_URL, description="MAX Bot API base URL")
    max_bot_username: str = Field(default="", description="The MAX bot's name, for invite links")
    max_webhook_url: str | None = Field(default=None, description="Public MAX webhook URL (webhook mode)")
    max_webhook_secret: str | None = Field(default=None, description="X-Max-Bot-Api-Secret value")
    max_webhook_port: int = 8082
    # MAX documents 30 requests/s per bot; it sends no retry_after with a 429, so we wait this long.
    max_send_rate: float = Field(default=28.0, gt=0)
    max_send_chat_rate: float = Field(default=1.0, gt=0)
    max_retry_seconds: float = Field(default=1.0, gt=0)
    admin_host: str = "127.0.0.1"
    admin_port: int = Field(default=8080, ge=1, le=65535)
    public_url: str | None = Field(default=None, description="URL of the admin panel as users see it")
    timezone: str = "Europe/Moscow"
    locale: str = "ru"
    # An appeal's term (59-FZ) whose last day is a day off ends on the previous working day (the
    # methodological recommendations), the next one (Civil Code art. 193), or stays (none).
    appeal_term_on_day_off: str = Field(default="previous", pattern=r"^(previous|next|none)$")
    files_dir: Path = Path("var/files")
    # Nightly backup (database + files) into this directory at this local time, keeping the newest N.
    backup_dir: Path | None = None
    backup_at: str = Field(default="03:00", pattern=r"^\d{2}:\d{2}$")
    backup_keep: int = Field(default=7, ge=1)
    secret_key: str = Field(default="", description="Secret for cookies and tokens (32+ chars)")
    bot_username: str = "porucheno_bot"
    invite_ttl_hours: int = Field(default=72, ge=1)
    # Outbox: Telegram allows ~30 msg/s per bot and ~1 msg/s per chat.
    outbox_global_rate: float = Field(default=29.5, gt=0)
    outbox_chat_interval: float = Field(default=1.0, ge=0)
    # Every message the bot sends (replies and outbox together), paced in this process a little under
    # Telegram's ~30/s per bot and ~1/s per chat; a 429 is waited out and the request repeated.
    send_rate: float = Field(default=29.5, gt=0)
    send_burst: int = Field(default=10, ge=1)
    send_chat_rate: float = Field(default=1.0, gt=0)
    send_chat_burst: int = Field(default=2, ge=1)
    send_retries: int = Field(default=5, ge=0)
    # Long polling: updates handled at once (more wait for a free place; Telegram keeps them). Matches
    # the SQLite connection pool's 20, so a burst queues here rather than for a database connection.
    update_concurrency: int = Field(default=20, ge=1)
    # PostgreSQL connections each process keeps open (default: update_concurrency + 5, for the outbox
    # sender, the scheduler and the panel beside the updates) and opens beyond that in a burst. A
    # connection opened for a burst and closed on return costs the server a backend process each time,
    # so the pool holds what steady work needs. SQLite keeps its own pool (20 + 10).
    database_pool_size: int | None = Field(default=None, ge=1)
    database_max_overflow: int = Field(default=5, ge=0)
    send_retry_max_seconds: float = Field(default=60.0, ge=0)
    log_level: str = "INFO"
    # text: one readable line per record; json: one JSON object per line, with update_id and user_id
    # while an update is handled (porucheno/logs.py), for a log collector.
    log_format: str = Field(default="text", pattern=r"^(text|json)$")
    # /metrics (Prometheus) on the panel's and the webhook's port: open by default, like most
    # exporters; when set, a scrape must send "Authorization: Bearer <token>".
    metrics_token: SecretStr = SecretStr("")
    # Deadline nudges: reminders this many hours before a deadline; none during quiet hours.
    nudge_offsets_hours: list[float] = Field(default_factory=lambda: [24.0, 2.0])
    quiet_hours: str = Field(default="22:00-08:00", pattern=r"^\d{2}:\d{2}-\d{2}:\d{2}$")
    # Personal data (152-FZ): a person whose appeals were all finished this many days ago is
    # anonymised by a nightly job (5 years: the archive term of appeals); 0 switches it off.
    pd_retention_days: int = Field(default=1825, ge=0)
    # Messenger notices quote appeals and addresses: a nightly job drops the text of those finished
    # (sent, failed, refused) this many days ago, keeping their delivery record; 0 keeps every text.
    notice_keep_days: int = Field(default=90, ge=0)
    escalation_time: str = Field(default="09:00", pattern=r"^\d{2}:\d{2}$")
    # Appeals: clerks are reminded this many calendar days before the registration and answer
    # deadlines (and once on the day a deadline passes); checked with the deadline scan.
    appeal_remind_days: str = Field(default="3,1", pattern=r"^\s*\d{1,2}(\s*,\s*\d{1,2})*\s*$")
    # Service desk: a resolved request the requester neither confirmed nor reopened within this many
    # working days is closed as confirmed.
    service_confirm_days: int = Field(default=3, ge=1, le=30)
    deadline_scan_minutes: int = Field(default=5, ge=1, le=60)
    # Digests: the daily one at this local time; the weekly XLSX report on this ISO weekday (1 = Monday).
    digest_time: str = Field(default="08:30", pattern=r"^\d{2}:\d{2}$")
    weekly_report_day: int = Field(default=1, ge=1, le=7)
    # Who gets them: "managers" (everything), "heads" (their department's assignments), "dispatchers"
    # (outages and signals), "clerks" (appeals in their scope), comma-separated.
    digest_recipients: str = Field(
        default="managers,heads,dispatchers,clerks",
        pattern=r"^(managers|heads|dispatchers|clerks)(,(managers|heads|dispatchers|clerks)){0,3}$",
    )
    # Outage resources the dispatcher may choose (comma-separated codes); empty: all of them.
    outage_resources: str | None = None
    # Subscribers are warned this many hours before a planned outage starts.
    outage_warning_hours: float = Field(default=24.0, gt=0, le=24 * 14)
    # E-mail channel: appeals read from an IMAP mailbox, answers sent by SMTP; off while imap_host is empty.
    imap_host: str = ""
    imap_port: int = Field(default=993, ge=1, le=65535)
    imap_ssl: bool = True
    imap_starttls: bool = False
    imap_user: str = ""
    imap_password: SecretStr = SecretStr("")
    imap_mailbox: str = "INBOX"
    imap_poll_seconds: int = Field(default=60, ge=5, le=3600)
    imap_mark_seen: bool = False
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_ssl: bool = False
    smtp_starttls: bool = True
    smtp_user: str = ""
    smtp_password: SecretStr = SecretStr("")
    mail_from: str = ""
    # Service desk by e-mail: a separate mailbox whose letters become service requests and whose
    # address (service_mail_from) sends their notices; off while service_imap_host or
    # service_mail_from is empty. Letters go out through the SMTP server above, logged in as
    # service_smtp_user when it is set (else as smtp_user).
    service_imap_host: str = ""
    service_imap_port: int = Field(default=993, ge=1, le=65535)
    service_imap_ssl: bool = True
    service_imap_starttls: bool = False
    service_imap_user: str = ""
    service_imap_password: SecretStr = SecretStr("")
    service_imap_mailbox: str = "INBOX"
    service_imap_poll_seconds: int = Field(default=60, ge=5, le=3600)
    service_imap_mark_seen: bool = False
    service_mail_from: str = ""
    service_smtp_user: str = ""
    service_smtp_password: SecretStr = SecretStr("")
    # The topic (its code) of a letter whose subject names none as «[code]»; empty: the first active topic.
    service_mail_topic: str = ""
    # Reverse proxies (addresses or CIDR networks, comma-separated) whose X-Forwarded-For is believed.
    trusted_proxies: str = ""
    # Open311 GET shows answer texts (status_notes) to anyone only when this is switched on.
    open311_publish_answers: bool = False
    # Our Open311 jurisdiction_id: a request naming another one gets 404; empty accepts any (or none).
    open311_jurisdiction: str = ""
    # The public map of outages (/public/map): a tile URL template such as
    # https://tile.openstreetmap.org/{z}/{x}/{y}.png; empty shows the plain list of addresses only.
    map_tile_url: str = ""
    map_tile_attribution: str = "© OpenStreetMap"
    map_center_lat: float = Field(default=56.3978, ge=-90, le=90)
    map_center_lon: float = Field(default=38.7165, ge=-180, le=180)
    map_zoom: int = Field(default=15, ge=1, le=19)

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

    @field_validator("quiet_hours", "escalation_time", "digest_time", "backup_at")
    @classmethod
    def _valid_times(cls, value: str) -> str:
        for part in value.split("-"):
            hours, minutes = (int(x) for x in part.split(":"))
            if hours > 23 or minutes > 59:
                raise ValueError(f"{part} is not a time of day")
        return value

    @field_validator("outage_resources")
    @classmethod
    def _known_resources(cls, value: str | None) -> str | None:
        from services.errors import InvalidInput  # imported here: settings load before the services
        from services.outages.resources import DEFAULT_RESOURCES, enabled_resources

        try:
            enabled_resources(value)
        except InvalidInput as exc:
            known = ", ".join(r.code for r in DEFAULT_RESOURCES)
            raise ValueError(f"unknown resource {exc.params.get('code')!r}; known: {known}") from None
        return value

    @field_validator("nudge_offsets_hours")
    @classmethod
    def _positive_offsets(cls, value: list[float]) -> list[float]:
        if any(v <= 0 for v in value):
            raise ValueError("offsets must be positive numbers of hours")
        return value

    @field_validator("imap_starttls", "smtp_starttls")
    @classmethod
    def _one_tls_mode(cls, value: bool, info: ValidationInfo) -> bool:
        # Runs only when STARTTLS is given explicitly: implicit TLS (*_SSL) must then be switched off.
        ssl_field = (info.field_name or "").replace("starttls", "ssl")
        if value and info.data.get(ssl_field):
            raise ValueError(f"STARTTLS needs PORUCHENO_{ssl_field.upper()}=false")
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        import ipaddress

        for part in value.replace(",", " ").split():
            try:
                ipaddress.ip_network(part, strict=False)
            except ValueError:
                raise ValueError(f"{part!r} is not an IP address or network") from None
        return value

    @field_validator("map_tile_url")
    @classmethod
    def _tile_template(cls, value: str) -> str:
        value = value.strip()
        if value and (
            not value.startswith(("https://", "http://"))
            or not all(part in value for part in ("{z}", "{x}", "{y}"))
            or any(ch in value for ch in " '\"<>;")
        ):
            raise ValueError("must be an http(s) URL template with {z}, {x} and {y}, or empty")
        return value

    @field_validator("mail_from")
    @classmethod
    def _mail_address(cls, value: str) -> str:
        if value and "@" not in value:
            raise ValueError("must be an e-mail address, e.g. Администрация <appeals@example.ru>")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def admin_base_url(self) -> str:
        return self.public_url or f"http://{self.admin_host}:{self.admin_port}"

    @property
    def pool_size(self) -> int:
        """PostgreSQL connections one process keeps open (``database_pool_size``, or enough for
        ``update_concurrency`` updates and the work beside them)."""
        return self.database_pool_size or self.update_concurrency + 5

    @property
    def connections_per_process(self) -> int:
        """The most PostgreSQL connections one process opens: its pool and a burst beyond it."""
        return self.pool_size + self.database_max_overflow


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
