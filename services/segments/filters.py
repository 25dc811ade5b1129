"""The filter spec of a segment: what is stored in ``Segment.filters`` and what the builder posts.

A frozen pydantic model: unknown keys are refused (a typo must not silently widen an audience),
lists are deduplicated and capped, and the stored JSON round-trips through :func:`parse` and
:meth:`SegmentFilters.to_json`. Every part is optional; an empty spec means «everyone with a
confirmed consent» because the consent defaults to ``confirmed`` — a mailing's audience.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from services.errors import InvalidInput
from services.notify import N_

MAX_ITEMS = 50  # ids or tags in one list: a builder form, not a bulk import
MAX_DAYS = 3660


class Channel(StrEnum):
    ANY = "any"
    TELEGRAM = "telegram"  # a Telegram chat the bot may write to (not blocked)
    EMAIL = "email"


class ConsentFilter(StrEnum):
    CONFIRMED = "confirmed"  # the default: only these may receive mailings
    PENDING = "pending"
    WITHDRAWN = "withdrawn"
    NONE = "none"  # never asked
    ANY = "any"


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _unique(values: list[Any]) -> tuple[Any, ...]:
    seen: dict[Any, None] = {}
    for value in values:
        seen.setdefault(value, None)
    if len(seen) > MAX_ITEMS:
        raise ValueError("too many items")
    return tuple(seen)


class TagsFilter(_Part):
    any: tuple[str, ...] = ()
    all: tuple[str, ...] = ()
    none: tuple[str, ...] = ()

    @field_validator("any", "all", "none", mode="before")
    @classmethod
    def _normalise(cls, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list | tuple):
            raise ValueError("a list of tags")
        # Tags are stored casefolded and trimmed (models.audience.CorrespondentTag).
        return _unique([str(v).strip().casefold()[:64] for v in value if str(v).strip()])


class IdList(_Part):
    @staticmethod
    def ids(value: Any) -> tuple[int, ...]:
        if not isinstance(value, list | tuple):
            raise ValueError("a list of ids")
        out = []
        for v in value:
            if isinstance(v, bool) or not isinstance(v, int | str) or not str(v).strip().isdigit():
                raise ValueError("an id")
            out.append(int(v))
        return _unique(out)


class FormsFilter(_Part):
    ids: tuple[int, ...] = ()
    since: date | None = None  # answered on or after (local date)
    until: date | None = None  # answered on or before

    @field_validator("ids", mode="before")
    @classmethod
    def _ids(cls, value: Any) -> tuple[int, ...]:
        return IdList.ids(value)

    @model_validator(mode="after")
    def _period(self) -> FormsFilter:
        if self.since and self.until and self.since > self.until:
            raise ValueError("period")
        return self


class EventsFilter(_Part):
    attended: tuple[int, ...] = ()  # marked «came» at any of these
    registered: tuple[int, ...] = ()  # registered (not cancelled) for any of these

    @field_validator("attended", "registered", mode="before")
    @classmethod
    def _ids(cls, value: Any) -> tuple[int, ...]:
        return IdList.ids(value)


class AddressFilter(_Part):
    subscribed: bool = True  # has any address subscription in the bot
    street: str | None = Field(default=None, max_length=255)  # matched on the normalised street key
    building_id: int | None = None


class ActivityFilter(_Part):
    # Seen in the bot, or answered a form, registered or wrote an appeal within N days …
    active_days: int | None = Field(default=None, ge=1, le=MAX_DAYS)
    # … or none of that for N days.
    inactive_days: int | None = Field(default=None, ge=1, le=MAX_DAYS)

    @model_validator(mode="after")
    def _one(self) -> ActivityFilter:
        if self.active_days and self.inactive_days:
            raise ValueError("either active or inactive")
        return self


class SegmentFilters(_Part):
    tags: TagsFilter = TagsFilter()
    forms: FormsFilter = FormsFilter()
    events: EventsFilter = EventsFilter()
    programmes: tuple[str, ...] = ()
    topics: tuple[int, ...] = ()  # appeal categories
    address: AddressFilter | None = None
    channel: Channel = Channel.ANY
    activity: ActivityFilter = ActivityFilter()
    consent: ConsentFilter = ConsentFilter.CONFIRMED

    @field_validator("programmes", mode="before")
    @classmethod
    def _programmes(cls, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list | tuple):
            raise ValueError("a list")
        return _unique([str(v).strip()[:128] for v in value if str(v).strip()])

    @field_validator("topics", mode="before")
    @classmethod
    def _topics(cls, value: Any) -> tuple[int, ...]:
        return IdList.ids(value)

    def to_json(self) -> dict[str, Any]:
        """The compact JSON stored in ``Segment.filters``: defaults left out."""
        return self.model_dump(mode="json", exclude_defaults=True)


INVALID = N_("The segment's filters are not valid: %(details)s")


def parse(data: dict[str, Any] | None) -> SegmentFilters:
    """The stored or posted JSON as a spec; a clear ``InvalidInput`` for anything malformed."""
    if data is None:
        return SegmentFilters()
    if not isinstance(data, dict):
        raise InvalidInput(INVALID, details="not an object")
    try:
        return SegmentFilters.model_validate(data)
    except ValidationError as exc:
        details = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '—'}: {err['msg']}" for err in exc.errors()[:5]
        )
        raise InvalidInput(INVALID, details=details[:500]) from None
