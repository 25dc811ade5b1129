"""Registering an appeal from any channel (Telegram, e-mail, web form, Open311, paper).

One call validates the input, finds or creates the correspondent, gives the per-year number,
computes the legal answer deadline, stores the files (listing every refused one with its reason)
and queues the acknowledgement and the alerts to the clerks in the appeal's scope
(``staff_alerts``). ``(channel, external_id)`` makes a repeated delivery a no-op.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from models import Appeal, Building, Category, Correspondent, utcnow
from models.enums import AppealChannel, AppealStatus
from services import correspondents
from services.appeals import access, categories, notices, questions, regime, registration, staff_alerts
from services.appeals.attachments import IncomingFile, RejectedFile, store_all
from services.appeals.numbering import DuplicateExternal, insert_numbered, registration_year
from services.audit import Actor, record
from services.config import routing
from services.correspondents import normalize_email, normalize_phone, suggestions
from services.correspondents.contact import ContactInput
from services.errors import InvalidInput
from services.notify import NoticeContext
from services.text_input import clean_fields

__all__ = [
    "DEFAULT_ANSWER_DAYS",
    "MAX_TEXT_CHARS",
    "AppealInput",
    "ContactInput",
    "IncomingFile",
    "IntakeResult",
    "RejectedFile",
    "register_appeal",
]

MAX_TEXT_CHARS = 20_000
DEFAULT_ANSWER_DAYS = 30  # Federal Law 59-FZ, art. 12
SUBJECT_LIMIT = 500
ADDRESS_LIMIT = 500
EXTERNAL_ID_LIMIT = 500


@dataclass
class AppealInput:
    channel: str
    text: str
    contact: ContactInput
    subject: str | None = None
    category_id: int | None = None
    category_code: str | None = None
    address: str | None = None
    building_id: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    contact_phone: str | None = None
    files: list[IncomingFile] = field(default_factory=list)
    external_id: str | None = None  # the channel's exactly-once key
    reply_to: str | None = None  # the e-mail address answers go to
    # False for historic appeals brought in by an import: no clerk is told about them as new.
    notify: bool = True
    # When it arrived (a paper letter's incoming stamp, UTC); None: now. Never in the future.
    received_at: datetime | None = None


@dataclass
class IntakeResult:
    appeal: Appeal
    created: bool
    rejected_files: list[RejectedFile]
    # The status page's access code, in clear only here (new registrations): show it once.
    access_code: str | None = None


def _clip(value: str | None, limit: int) -> str | None:
    value = (value or "").strip()
    return value[:limit] or None


async def _category(session: AsyncSession, data: AppealInput, actor: Actor) -> Category | None:
    if data.category_id is not None:
        category = await session.get(Category, data.category_id)
    elif data.category_code:
        category = await session.scalar(select(Category).where(Category.code == data.category_code.strip()))
    else:
        return None
    # Only staff (a signed-in user) may file under a staff-only category; a resident's form field or
    # an Open311 client's code naming one is refused like an unknown category.
    if category is None or not categories.may_choose(category, staff=actor.user_id is not None):
        raise InvalidInput("Unknown appeal category.")
    return category


def _validate(data: AppealInput) -> str:
    try:
        AppealChannel(data.channel)
    except ValueError as exc:
        raise InvalidInput("Unknown appeal channel.") from exc
    text = (data.text or "").strip()
    if not text and not data.files:
        raise InvalidInput("The appeal is empty: write its text or attach a file.")
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidInput("The appeal text is too long: at most %(n)d characters.", n=MAX_TEXT_CHARS)
    if (data.latitude is None) != (data.longitude is None) or (
        data.latitude is not None and (not -90 <= data.latitude <= 90 or not -180 <= data.longitude <= 180)  # type: ignore[operator]
    ):
        raise InvalidInput("The location is not valid.")
    return text


async def find_by_external(session: AsyncSession, channel: str, external_id: str | None) -> Appeal | None:
    if not external_id:
        return None
    return await session.scalar(
        select(Appeal).where(Appeal.channel == channel, Appeal.external_id == external_id[:EXTERNAL_ID_LIMIT])
    )


async def _count_appeal(session: AsyncSession, correspondent: Correspondent, delta: int) -> None:
    """An atomic counter update. On SQLite it is also the transaction's first write at the latest,
    so the registration number is read under the write lock (see ``numbering``)."""
    new = await session.scalar(
        update(Correspondent)
        .where(Correspondent.id == correspondent.id)
        .values(appeals_count=Correspondent.appeals_count + delta)
        .returning(Correspondent.appeals_count)
        .execution_options(synchronize_session=False)
    )
    set_committed_value(correspondent, "appeals_count", new)


async def register_appeal(
    session: AsyncSession,
    data: AppealInput,
    *,
    actor: Actor,
    files_dir: Path,
    notify: NoticeContext | None = None,
    alert: NoticeContext | None = None,
    now: datetime | None = None,
) -> IntakeResult:
    """``notify``: queue the correspondent's acknowledgement; ``alert`` (default: ``notify``): tell
    the clerks in the appeal's scope (``staff_alerts``), unless ``data.notify`` is off (imports) —
    the bot answers the resident itself, so it passes only ``alert``."""
    data = clean_fields(data)  # the last line against unstorable text from any channel
    text = _validate(data)
    existing = await find_by_external(session, data.channel, data.external_id)
    if existing is not None:
        return IntakeResult(existing, False, [])
    category = await _category(session, data, actor)
    if data.building_id is not None and await session.get(Building, data.building_id) is None:
        raise InvalidInput("Unknown building.")
    now = now or utcnow()
    received_at = data.received_at or now
    if received_at > now:
        raise InvalidInput("The date of receipt cannot be in the future.", field="received_at")
    code = access.new_code()
    tz = (notify or NoticeContext()).tz
    terms = await registration.load_terms(session, tz, (notify or NoticeContext()).appeal_term_rule)
    # 547-FZ: the channel's regime is stamped on the appeal; with manual registration it waits in
    # «received» for a clerk (59-FZ art. 8 p. 2), the answer term counting from registration.
    channel_setting = await regime.setting_for(session, data.channel)
    manual = channel_setting.manual_registration
    status = AppealStatus.RECEIVED if manual else AppealStatus.REGISTERED
    contact = data.contact
    if data.channel == AppealChannel.EMAIL:
        contact = replace(contact, email_proven=True)  # the address the letter came from
    correspondent = await correspondents.find_or_create(session, contact, actor=actor)
    await session.flush()
    await _count_appeal(session, correspondent, +1)
    answer_days = (
        category.answer_days if category is not None and category.answer_days else DEFAULT_ANSWER_DAYS
    )
    # Routed once, at registration: the clerks' scope, alerts, reminders and the assignment form's
    # department all follow this, so a later edit of the rules does not move old appeals.
    department_id = await routing.route_department(
        session,
        category.id if category is not None else None,
        routing.Place(building_id=data.building_id, address=data.address),
    )
    appeal = Appeal(
        channel=data.channel,
        correspondent_id=correspondent.id,
        category_id=category.id if category is not None else None,
        department_id=department_id,
        subject=_clip(data.subject, SUBJECT_LIMIT),
        text=text,
        address=_clip(data.address, ADDRESS_LIMIT),
        building_id=data.building_id,
        latitude=data.latitude,
        longitude=data.longitude,
        contact_phone=_clip(data.contact_phone, 32),
        contact_email=normalize_email(contact.email) or _clip(contact.email, 255),
        telegram_id=contact.telegram_id if data.channel == AppealChannel.TELEGRAM else None,
        access_code_hash=access.code_hash(code),
        status=status,
        # Waiting for registration: provisional, set again when a clerk registers it.
        registered_at=received_at if manual else now,
        due_at=registration.answer_deadline(received_at if manual else now, answer_days, terms),
        regime=channel_setting.regime,
        received_at=received_at,
        registration_due_at=registration.registration_deadline(received_at, tz, terms),
        external_id=_clip(data.external_id, EXTERNAL_ID_LIMIT),
        reply_to=_clip(data.reply_to, 255),
        created_by_id=actor.user_id,
    )
    try:
        await insert_numbered(session, appeal, registration_year(now, tz))
    except DuplicateExternal:
        # The same letter or form was registered by a parallel delivery a moment ago.
        await _count_appeal(session, correspondent, -1)
        found = await find_by_external(session, data.channel, data.external_id)
        assert found is not None
        return IntakeResult(found, False, [])
    stored, rejected = await store_all(
        session,
        files_dir,
        data.files,
        appeal_id=appeal.id,
        user_id=actor.user_id,
        telegram_id=appeal.telegram_id,
    )
    await suggestions.suggest(
        session,
        correspondent,
        phone=normalize_phone(contact.phone),
        email=normalize_email(contact.email),
        appeal_id=appeal.id,
        actor=actor,
    )
    record(
        session,
        actor,
        "appeal",
        appeal.id,
        "received" if manual else "registered",
        new_state=status,
        data={
            "number": appeal.reg_number,
            "channel": appeal.channel,
            "regime": appeal.regime,
            "received_at": received_at.isoformat(),
            "correspondent_id": correspondent.id,
            "due_at": appeal.due_at.isoformat(),
            "files": len(stored),
            "rejected_files": [{"filename": r.filename, "reason": r.reason} for r in rejected],
        },
    )
    if notify is not None:
        event = notices.RECEIVED if manual else notices.REGISTERED
        await notices.notify_correspondent(session, notify, appeal, event, access_code=code)
    alert = alert or notify
    if alert is not None and data.notify:
        await staff_alerts.alert_new_appeal(session, alert, appeal, exclude_user_id=actor.user_id)
    await questions.create_first(session, appeal, category, summary=appeal.subject or text)
    await session.flush()
    return IntakeResult(appeal, True, rejected, code)
