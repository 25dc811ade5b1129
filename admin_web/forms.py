"""Tiny form helper: reads posted fields, keeps what the user typed, collects errors per field."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from admin_web.i18n import N_, gettext, translate_error
from services.errors import DomainError

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^\+?[0-9 ()\-]{5,32}$")
LOGIN_RE = re.compile(r"^[a-z0-9._-]{3,64}$")


@dataclass
class Form:
    """``values`` re-fill the inputs; ``errors`` maps a field (or ``""`` for the form) to a message."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def posted(cls, data: Mapping[str, Any], multi: Collection[str] = ()) -> Form:
        values: dict[str, Any] = {}
        for key in data:
            if key in multi:
                values[key] = [str(v) for v in data.getall(key)]  # type: ignore[attr-defined]
            else:
                value = data[key]
                values[key] = value if isinstance(value, str) else ""
        return cls(values=values)

    @property
    def ok(self) -> bool:
        return not self.errors

    def fail(self, name: str, message: str, **params: Any) -> None:
        self.errors.setdefault(name, gettext(message, **params))

    def fail_domain(self, exc: DomainError) -> None:
        """Show a service refusal next to its field when it names one, else above the form."""
        name = str(exc.params.get("field", ""))
        self.errors.setdefault(name, translate_error(exc.message, exc.params))

    def text(self, name: str, *, required: bool = False, max_length: int = 255) -> str | None:
        value = str(self.values.get(name) or "").strip()
        self.values[name] = value
        if not value:
            if required:
                self.fail(name, N_("This field is required."))
            return None
        if len(value) > max_length:
            self.fail(name, N_("At most %(n)d characters."), n=max_length)
        return value

    def matching(
        self, name: str, pattern: re.Pattern[str], message: str, *, max_length: int = 255
    ) -> str | None:
        value = self.text(name, max_length=max_length)
        if value is not None and not pattern.match(value):
            self.fail(name, message)
        return value

    def choice(self, name: str, allowed: Collection[int]) -> int | None:
        """An optional id picked from a select; anything not offered is refused."""
        raw = str(self.values.get(name) or "").strip()
        if not raw:
            return None
        if not raw.isdigit() or int(raw) not in allowed:
            self.fail(name, N_("Choose a value from the list."))
            return None
        return int(raw)

    def choices(self, name: str, allowed: Collection[str], *, required: bool = False) -> list[str]:
        picked = [v for v in self.values.get(name) or [] if v]
        if any(v not in allowed for v in picked):
            self.fail(name, N_("Choose a value from the list."))
        elif required and not picked:
            self.fail(name, N_("Choose at least one."))
        return [v for v in picked if v in allowed]

    def flag(self, name: str) -> bool:
        value = bool(self.values.get(name))
        self.values[name] = value
        return value
