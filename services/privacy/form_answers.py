"""152-FZ for forms: a person's answers in their data export, and blanked when they are erased.
Models only, so the privacy service never imports the forms service.

Erasing keeps which form was answered and when (counts and dates stay true), and drops what was
answered, the typed contacts, the Telegram id, the address and the files' names.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import Form, FormSubmission, StoredFile


async def erase_submissions(session: AsyncSession, correspondent_ids: Sequence[int]) -> int:
    ids = list(
        (
            await session.scalars(
                select(FormSubmission.id).where(FormSubmission.correspondent_id.in_(correspondent_ids))
            )
        ).all()
    )
    if not ids:
        return 0
    await session.execute(
        update(FormSubmission)
        .where(FormSubmission.id.in_(ids))
        .values(answers={}, contact_email=None, contact_phone=None, telegram_id=None, ip=None)
    )
    for f in (await session.scalars(select(StoredFile).where(StoredFile.form_submission_id.in_(ids)))).all():
        f.original_name = f"file-{f.id}"
        f.uploaded_by_telegram_id = None
    return len(ids)


async def export_submissions(
    session: AsyncSession, correspondent_ids: Sequence[int]
) -> tuple[list[dict[str, Any]], list[StoredFile]]:
    """The person's answers (form, date, channel, answers, typed contacts) and their files."""
    rows = await session.execute(
        select(FormSubmission, Form.slug, Form.title_ru)
        .join(Form, Form.id == FormSubmission.form_id)
        .where(FormSubmission.correspondent_id.in_(correspondent_ids))
        .order_by(FormSubmission.created_at, FormSubmission.id)
    )
    items = [
        {
            "id": s.id,
            "form": slug,
            "form_title": title,
            "sent_at": s.created_at.isoformat(),
            "channel": s.channel,
            "answers": s.answers,
            "contact_email": s.contact_email,
            "contact_phone": s.contact_phone,
        }
        for s, slug, title in rows.all()
    ]
    ids = [i["id"] for i in items]
    stored = (
        list(
            (
                await session.scalars(
                    select(StoredFile).where(StoredFile.form_submission_id.in_(ids)).order_by(StoredFile.id)
                )
            ).all()
        )
        if ids
        else []
    )
    return items, stored
