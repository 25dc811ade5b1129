"""The outgoing mail queue: letters wait in ``mail_outbox`` until the SMTP sender delivers them.

Apart from the appeal notices so that anything may queue a letter (an e-mail confirmation code, an
answer) without importing the appeals.
"""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from models import MailOutbox, utcnow


async def enqueue_mail(
    session: AsyncSession,
    *,
    appeal_id: int | None,
    to: str,
    subject: str,
    body: str,
    in_reply_to: str | None,
    dedup_key: str,
    file_ids: list[int] | None = None,
) -> bool:
    """Queue a letter; the same ``dedup_key`` twice is a no-op. True when a row was added.

    ``file_ids``: ``StoredFile`` rows sent as attachments (the sender reads them from FILES_DIR)."""
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    now = utcnow()
    table = MailOutbox.__table__
    stmt = (
        insert(table)
        .values(
            appeal_id=appeal_id,
            to_address=to,
            subject=subject[:500],
            body=body,
            in_reply_to=(in_reply_to or None) and in_reply_to[:500],
            dedup_key=dedup_key,
            file_ids=list(file_ids) if file_ids else None,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["dedup_key"])
        .returning(table.c.id)
    )
    return (await session.execute(stmt)).first() is not None
