"""Configuration of the fake Telegram server: limits, demo personas and page language."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

# Fields that may be changed at runtime through the control API (``POST /api/limits``).
LIMIT_FIELDS = (
    "bot_rate_per_sec",
    "bot_burst",
    "chat_rate_per_sec",
    "chat_burst",
    "group_per_minute",
    "enforce_limits",
)


@dataclass
class Persona:
    """A pre-registered user shown in the chat page's sidebar."""

    user_id: int
    name: str
    role: str
    username: str | None = None


@dataclass
class SandboxConfig:
    # Telegram's documented broadcast limits: ~30 messages/s per bot, ~1/s per private chat
    # (short bursts tolerated), 20/min per group.
    bot_rate_per_sec: float = 30
    bot_burst: int = 30
    chat_rate_per_sec: float = 1.0
    chat_burst: int = 3
    group_per_minute: int = 20
    enforce_limits: bool = True
    personas: list[Persona] = field(default_factory=list)
    lang: str = "ru"

    def limits(self) -> dict[str, float | int | bool]:
        return {name: getattr(self, name) for name in LIMIT_FIELDS}

    def update_limits(self, **changes: object) -> None:
        """Apply a partial limits update, coercing JSON values to the declared field types."""
        types = {f.name: f.type for f in fields(self)}
        for name, value in changes.items():
            if name not in LIMIT_FIELDS:
                raise ValueError(f"unknown limit {name!r}; known: {', '.join(LIMIT_FIELDS)}")
            kind = types[name]
            if kind == "bool":
                coerced: object = (
                    value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes")
                )
            elif kind == "int":
                coerced = int(value)  # type: ignore[call-overload]
            else:
                coerced = float(value)  # type: ignore[arg-type]
            if not isinstance(coerced, bool) and coerced <= 0:  # type: ignore[operator]
                raise ValueError(f"{name} must be positive")
            setattr(self, name, coerced)
