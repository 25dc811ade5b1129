"""What an executor in the field needs with the card: the work's files, the appeal's photos,
documents and place, and why the work came back before.

Only the appeal's problem is passed on (number, subject, address, coordinates, attachments), never
the correspondent's name, phone or e-mail: executors work on the place, not with the person, and
the appeal's personal data stays with the clerks who answer it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Appeal, Assignment, AssignmentReport, Building, StoredFile, User
from models.enums import ReportStatus
from services.files import IMAGE_TYPES
from services.html_cut import cut_plain
from services.notify import NoticeContext, Translator, html_escape

PHOTO_LIMIT = 10 * 1024 * 1024  # Telegram: bigger photos are sent as documents
ALBUM_SIZE = 10  # Telegram: at most ten photos in one media group
HISTORY_SHOWN = 5  # the latest returns on a card; the panel keeps the full timeline
REASON_SHOWN = 300  # of the appeal's subject and of each return reason on the card
ADDRESS_SHOWN = 500


@dataclass(frozen=True, slots=True)
class ReturnEntry:
    at: datetime
    by: str | None  # the reviewer's name
    reason: str | None


@dataclass(frozen=True, slots=True)
class Place:
    address: str | None
    latitude: float | None = None
    longitude: float | None = None

    @property
    def has_pin(self) -> bool:
        return self.latitude is not None and self.longitude is not None


@dataclass(slots=True)
class FieldView:
    appeal_number: str | None = None
    appeal_subject: str | None = None
    place: Place | None = None
    photos: list[StoredFile] = field(default_factory=list)  # sent as albums
    documents: list[StoredFile] = field(default_factory=list)  # sent one by one
    returns: list[ReturnEntry] = field(default_factory=list)  # newest first
    returns_total: int = 0

    @property
    def has_materials(self) -> bool:
        return bool(self.photos or self.documents or (self.place and self.place.has_pin))


def is_photo(f: StoredFile) -> bool:
    return f.mime_type in IMAGE_TYPES and f.size <= PHOTO_LIMIT


def albums(photos: list[StoredFile]) -> list[list[StoredFile]]:
    return [photos[i : i + ALBUM_SIZE] for i in range(0, len(photos), ALBUM_SIZE)]


async def _place(session: AsyncSession, appeal: Appeal) -> Place | None:
    building = await session.get(Building, appeal.building_id) if appeal.building_id else None
    latitude, longitude = appeal.latitude, appeal.longitude
    if (latitude is None or longitude is None) and building is not None:
        latitude, longitude = building.latitude, building.longitude
    address = appeal.address or (f"{building.street}, {building.house}" if building is not None else None)
    if address is None and latitude is None:
        return None
    return Place(address, latitude, longitude)


async def field_view(session: AsyncSession, a: Assignment) -> FieldView:
    """The field part of ``a``'s card. The caller has checked that the viewer may see ``a``."""
    view = FieldView()
    owners = [StoredFile.assignment_id == a.id]
    appeal = await session.get(Appeal, a.appeal_id) if a.appeal_id else None
    if appeal is not None:
        view.appeal_number, view.appeal_subject = appeal.reg_number, appeal.subject
        view.place = await _place(session, appeal)
        # The answer's own attachments are the clerk's letter to the resident, not the problem's materials.
        owners.append(and_(StoredFile.appeal_id == appeal.id, StoredFile.for_answer.is_(False)))
    files = (
        await session.scalars(
            select(StoredFile).where(or_(*owners), StoredFile.report_id.is_(None)).order_by(StoredFile.id)
        )
    ).all()
    seen: set[str] = set()
    for f in files:
        if f.sha256 in seen:  # the same scan attached to the appeal and to the assignment
            continue
        seen.add(f.sha256)
        (view.photos if is_photo(f) else view.documents).append(f)
    returned = (
        await session.execute(
            select(AssignmentReport, User.full_name)
            .outerjoin(User, User.id == AssignmentReport.reviewed_by_id)
            .where(AssignmentReport.assignment_id == a.id, AssignmentReport.status == ReportStatus.RETURNED)
            .order_by(AssignmentReport.reviewed_at.desc(), AssignmentReport.id.desc())
        )
    ).all()
    view.returns_total = len(returned)
    view.returns = [
        ReturnEntry(r.reviewed_at or r.submitted_at or r.created_at, name, r.review_comment)
        for r, name in returned[:HISTORY_SHOWN]
    ]
    return view


def field_lines(view: FieldView, t: Translator, ctx: NoticeContext) -> list[str]:
    """The card's lines about the appeal's place, the work's files and the returns (already HTML).

    The one rendering of these facts: the card in the bot and every notice built from it
    (:func:`services.assignments.notices.full_card_text`) show the same lines."""
    lines: list[str] = []
    if view.appeal_number:
        lines.append(t("Appeal: %(number)s", number=html_escape(view.appeal_number)))
        if view.appeal_subject:
            lines.append(t("Subject: %(text)s", text=cut_plain(view.appeal_subject, REASON_SHOWN)))
    if view.place and view.place.address:
        lines.append(t("Address: %(address)s", address=cut_plain(view.place.address, ADDRESS_SHOWN)))
    if view.photos or view.documents:
        lines.append(
            t(
                "Files: photos %(photos)s, documents %(docs)s",
                photos=len(view.photos),
                docs=len(view.documents),
            )
        )
    if view.returns:
        latest = view.returns[0]
        lines += [
            "",
            t("<b>Latest return reason:</b> %(reason)s", reason=cut_plain(latest.reason, REASON_SHOWN)),
        ]
        lines.append(t("Returns for rework: %(n)s", n=view.returns_total))
        for entry in view.returns:
            # Only punctuation around the values: nothing to translate.
            who, reason = html_escape(entry.by), cut_plain(entry.reason, REASON_SHOWN)
            lines.append(f"• {ctx.format_dt(entry.at)}, {who}: {reason}")
    return lines


async def remember_file_id(session: AsyncSession, file_id: int, telegram_file_id: str) -> None:
    """After an upload from storage: next time the file goes by Telegram's id, without uploading."""
    stored = await session.get(StoredFile, file_id)
    if stored is not None and not stored.telegram_file_id:
        stored.telegram_file_id = telegram_file_id
