"""Configuration of the fake MAX server: the bot, its token, limits, demo personas and page language."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..config import Persona

__all__ = ["LIMIT_FIELDS", "MaxSandboxConfig", "Persona"]

# Fields that may be changed at runtime through the control API (``POST /api/limits``).
LIMIT_FIELDS = ("enforce_limits", "rate_per_sec", "attachment_ready_delay")


@dataclass
class MaxSandboxConfig:
    # The ``Authorization`` header must equal it; None accepts any non-empty token.
    token: str | None = "max-sandbox-token"
    bot_user_id: int = 9_000_001
    bot_name: str = "Поручено"
    bot_username: str = "porucheno_bot"
    # MAX: 30 requests per second per bot, 429 ``too.many.requests`` above it.
    rate_per_sec: float = 30
    enforce_limits: bool = True
    # An uploaded file's token is refused with ``attachment.not.ready`` for this long (0 = at once).
    attachment_ready_delay: float = 0.2
    personas: list[Persona] = field(default_factory=list)
    personas_started: bool = False  # personas may receive before they write (the demo's bound staff)
    lang: str = "ru"
    webhook_attempts: int = 4  # a failed webhook delivery is retried, then dropped
    webhook_retry_delay: float = 0.1  # doubled after each failure
    webhook_connections: int = 20  # webhook requests open at once (one per chat at a time)

    def limits(self) -> dict[str, float | bool]:
        return {name: getattr(self, name) for name in LIMIT_FIELDS}

    def update_limits(self, **changes: object) -> None:
        for name, value in changes.items():
            if name not in LIMIT_FIELDS:
                raise ValueError(f"unknown limit {name!r}; known: {', '.join(LIMIT_FIELDS)}")
            if name == "enforce_limits":
                coerced: object = (
                    value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes")
                )
            else:
                coerced = float(value)  # type: ignore[arg-type]
                if coerced < 0 or (name == "rate_per_sec" and coerced == 0):
                    raise ValueError(f"{name} must be positive")
            setattr(self, name, coerced)
