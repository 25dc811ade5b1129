"""A clerk's retry of a quarantined letter: the intake registers it again.

Apart from ``quarantine`` (which the intake writes to) so the imports run one way:
intake → quarantine, retry → intake and quarantine.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from models import Appeal
from models.mail_quarantine import QUARANTINE_DISMISSED, QUARANTINE_PENDING, QUARANTINE_REGISTERED
from services import audit
from services.audit import Actor
from services.mail import quarantine
from services.mail.intake import register_letter
from services.notify import NoticeContext, Translator

log = logging.getLogger(__name__)


@dataclass
class RetryResult:
    appeal: Appeal | None  # None when the letter turned out to be an auto-reply (then dismissed)
    error: str | None = None  # why it still fails; the letter stays in the quarantine

    @property
    def ok(self) -> bool:
        return self.error is None


async def retry_letter(
    session: AsyncSession,
    item_id: int,
    *,
    actor: Actor,
    files_dir: Path,
    notify: NoticeContext | None,
    default_locale: str,
) -> RetryResult:
    """Register the letter again. A failure is recorded on the item (nothing else is written)."""
    item = await quarantine.get_letter(session, item_id)
    quarantine.require_pending(item)
    quarantine.require_appeal_letter(item)
    try:
        async with session.begin_nested():
            outcome, appeal = await register_letter(
                session,
                item.raw,
                t=Translator(default_locale),
                files_dir=files_dir,
                notify=notify,
                actor=actor,
                origin=f"quarantine {item.id}",
            )
    except Exception as exc:
        log.warning("quarantined letter %s still fails: %r", item.id, exc)
        item.attempts += 1
        item.error_class, item.error_message = quarantine.describe_error(exc)
        audit.record(
            session,
            actor,
            quarantine.ENTITY,
            item.id,
            "mail_quarantine_retry_failed",
            reason=item.error_class,
        )
        return RetryResult(None, error=item.error_class)
    new_status = QUARANTINE_DISMISSED if outcome == "skipped" else QUARANTINE_REGISTERED
    quarantine.resolve(item, new_status, actor)
    item.appeal_id = appeal.id if appeal is not None else None
    audit.record(
        session,
        actor,
        quarantine.ENTITY,
        item.id,
        "mail_quarantine_retried",
        old_state=QUARANTINE_PENDING,
        new_state=new_status,
        data={"appeal_id": item.appeal_id, "outcome": outcome},
    )
    return RetryResult(appeal)
