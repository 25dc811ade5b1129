"""Reading answers: a form's submissions, a card's, one with its files, the XLSX of a form."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Form, FormField, FormSubmission, StoredFile
from models.enums import SubmissionChannel
from services.errors import NotFound
from services.forms.definitions import fields_of, label_in
from services.forms.validation import plain, shown
from services.notify import N_, Translator
from services.offload import Offload, render
from services.spreadsheets import xlsx_bytes

LIST_LIMIT = 500
EXPORT_LIMIT = 20_000
# Where an answer came from, in words (the panel's lists and page, the XLSX).
CHANNEL_LABELS: dict[str, str] = {
    SubmissionChannel.WEB: N_("Website"),
    SubmissionChannel.TELEGRAM: N_("Telegram bot"),
    SubmissionChannel.PANEL: N_("Panel"),
}


def channel_label(channel: object, locale: str) -> str:
    code = str(channel or "")
    return Translator(locale)(CHANNEL_LABELS[code]) if code in CHANNEL_LABELS else code


async def of_form(
    session: AsyncSession, form_id: int, *, limit: int = LIST_LIMIT
) -> Sequence[FormSubmission]:
    rows = await session.scalars(
        select(FormSubmission)
        .where(FormSubmission.form_id == form_id)
        .order_by(FormSubmission.created_at.desc(), FormSubmission.id.desc())
        .limit(limit)
    )
    return list(rows)


async def of_card(session: AsyncSession, correspondent_id: int) -> Sequence[tuple[FormSubmission, Form]]:
    """A card's answers, newest first, with their forms."""
    rows = await session.execute(
        select(FormSubmission, Form)
        .join(Form, Form.id == FormSubmission.form_id)
        .where(FormSubmission.correspondent_id == correspondent_id)
        .order_by(FormSubmission.created_at.desc(), FormSubmission.id.desc())
        .limit(LIST_LIMIT)
    )
    return [(s, f) for s, f in rows.all()]


async def get(session: AsyncSession, submission_id: int) -> FormSubmission:
    item = await session.get(FormSubmission, submission_id)
    if item is None:
        raise NotFound("Answer not found.")
    return item


async def files_of(session: AsyncSession, submission_id: int) -> Sequence[StoredFile]:
    rows = await session.scalars(
        select(StoredFile).where(StoredFile.form_submission_id == submission_id).order_by(StoredFile.id)
    )
    return list(rows)


def rows_of(fields: Sequence[FormField], submission: FormSubmission, locale: str) -> list[tuple[str, str]]:
    """(label, answer as read) for every field of the form, then answers of deleted fields by key."""
    answers = submission.answers or {}
    shown_rows = [(label_in(f, locale), shown(f, answers.get(f.key), locale)) for f in fields]
    known = {f.key for f in fields}
    shown_rows += [(key, plain(value) or "—") for key, value in answers.items() if key not in known]
    return shown_rows


async def workbook(
    session: AsyncSession, form: Form, locale: str, tz: ZoneInfo, offload: Offload | None = None
) -> bytes:
    """The form's answers as XLSX: read here, built in the render pool (nothing slow on the event loop)."""
    fields = await fields_of(session, form.id)
    submissions = await of_form(session, form.id, limit=EXPORT_LIMIT)
    t = Translator(locale)
    header = [t(N_("No.")), t(N_("Sent")), t(N_("Channel")), t(N_("Card"))] + [
        label_in(f, locale) for f in fields
    ]
    rows: list[list[object]] = []
    for s in submissions:
        local = s.created_at.replace(tzinfo=s.created_at.tzinfo or ZoneInfo("UTC")).astimezone(tz)
        rows.append(
            [s.id, local.replace(tzinfo=None), channel_label(s.channel, locale), s.correspondent_id]
            + [shown(f, (s.answers or {}).get(f.key), locale) for f in fields]
        )
    return await render(offload, xlsx, header, rows, form.slug)


def xlsx(header: list[str], rows: list[list[object]], sheet: str) -> bytes:
    from openpyxl import Workbook  # imported lazily: the bot process never needs it
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet[:31]
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    for cell in ws["B"][1:]:
        if isinstance(cell.value, datetime):
            cell.number_format = "DD.MM.YYYY HH:MM"
    ws.freeze_panes = "A2"
    return xlsx_bytes(wb)
