"""Issuing a letter on an appeal: number it, render DOCX and PDF, store both with the appeal.

The outgoing number is the appeal's registration number and the letter's place among the
appeal's letters (``12/2026/3``): unique, and it tells at a glance which appeal it answers.
Rendering runs in a thread; the appeal row is locked so two letters never take one number.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Appeal, AppealLetter, Correspondent, User, utcnow
from models.enums import LetterKind
from services import files as file_store
from services.audit import Actor, record
from services.config import org_card
from services.errors import InvalidInput, NotFound
from services.letters.content import LetterContent, LetterLabels, paragraphs_of
from services.letters.render import render_letter
from services.notify import Translator
from services.offload import Offload, render

DATE_FORMAT = "%d.%m.%Y"
BODY_LIMIT = 20_000
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
LETTER_TYPES = frozenset({DOCX_MIME, "application/pdf"})


@dataclass(frozen=True, slots=True)
class LetterRequest:
    appeal_id: int
    kind: str  # models.enums.LetterKind
    title: str
    body: str  # paragraphs separated by blank lines
    # The addressee block; empty: the applicant (name and postal address, else e-mail).
    recipient_lines: tuple[str, ...] = ()
    # Empty: the head of the organisation from its card (Настройки → Организация).
    signer_position: str = ""
    signer_name: str = ""
    enclosures: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LetterEnv:
    """Where files go, the zone dates are shown in and the letter's language."""

    files_dir: Path
    tz: ZoneInfo
    locale: str = "ru"
    appeal_term_rule: str = "previous"  # as NoticeContext's: the redirection term on a day off
    # The render pool (the running service's panel has one): python-docx and fpdf2 hold the GIL.
    offload: Offload | None = None


async def applicant_lines(session: AsyncSession, appeal: Appeal) -> tuple[str, ...]:
    person = await session.get(Correspondent, appeal.correspondent_id) if appeal.correspondent_id else None
    if person is None:
        return ()
    where = person.postal_address or appeal.address or appeal.contact_email or person.email
    return tuple(x for x in (person.name, where) if x)


async def _next_number(session: AsyncSession, appeal: Appeal) -> str:
    count = await session.scalar(select(func.count()).where(AppealLetter.appeal_id == appeal.id))
    return f"{appeal.reg_number}/{(count or 0) + 1}"


def _file_name(kind: str, number: str, ext: str) -> str:
    return f"{kind}-{re.sub(r'[^0-9A-Za-zА-Яа-яЁё-]+', '-', number)}.{ext}"


# Letters to another body (a covering letter) do not answer a letter of theirs: no «На №» line;
# their text names the appeal instead.
TO_OTHER_BODIES = frozenset({LetterKind.REDIRECT_COVER, LetterKind.ANONYMOUS_FORWARD})


def _labels(
    t: Translator,
    head: org_card.Letterhead,
    appeal: Appeal,
    request: LetterRequest,
    number: str,
    env: LetterEnv,
    now: datetime,
) -> LetterLabels:
    registered = appeal.registered_at.astimezone(env.tz).strftime(DATE_FORMAT)
    return LetterLabels(
        number=t(
            "Ref. No. %(number)s of %(date)s",
            number=number,
            date=now.astimezone(env.tz).strftime(DATE_FORMAT),
        ),
        reply_to=""
        if request.kind in TO_OTHER_BODIES
        else t("In reply to No. %(number)s of %(date)s", number=appeal.reg_number, date=registered),
        enclosures=t("Enclosures:"),
        inn=t("INN %(inn)s", inn=head.inn) if head.inn else "",
        ogrn=t("OGRN %(ogrn)s", ogrn=head.ogrn) if head.ogrn else "",
    )


async def issue_letter(
    session: AsyncSession,
    request: LetterRequest,
    env: LetterEnv,
    *,
    actor: Actor | User,
    now: datetime | None = None,
) -> AppealLetter:
    """Render and keep the letter; the caller sends it (e-mail, bot, post) and commits."""
    body = (request.body or "").strip()
    if not body:
        raise InvalidInput("The letter has no text.")
    if len(body) > BODY_LIMIT:
        raise InvalidInput("The text is too long: at most %(n)d characters.", n=BODY_LIMIT)
    appeal = await session.get(Appeal, request.appeal_id, with_for_update=True)
    if appeal is None:
        raise NotFound("The appeal was not found.")
    now = now or utcnow()
    head = await org_card.letterhead(session)
    number = await _next_number(session, appeal)
    content = LetterContent(
        letterhead=head,
        labels=_labels(Translator(env.locale), head, appeal, request, number, env, now),
        recipient_lines=request.recipient_lines or await applicant_lines(session, appeal),
        title=request.title,
        paragraphs=paragraphs_of(body),
        signer_position=request.signer_position or head.head_position,
        signer_name=request.signer_name or head.head_name,
        enclosures=request.enclosures,
    )
    docx, pdf = await asyncio.gather(
        *(render(env.offload, render_letter, fmt, content) for fmt in ("docx", "pdf"))
    )
    user_id = actor.id if isinstance(actor, User) else actor.user_id
    origin = file_store.FileOrigin(uploaded_by_user_id=user_id, appeal_id=appeal.id)
    stored = [
        await file_store.store_file(
            session,
            env.files_dir,
            data,
            filename=_file_name(request.kind, number, ext),
            allowed=LETTER_TYPES,
            origin=origin,
        )
        for data, ext in ((docx, "docx"), (pdf, "pdf"))
    ]
    letter = AppealLetter(
        appeal_id=appeal.id,
        kind=request.kind,
        out_number=number,
        issued_at=now,
        recipient="\n".join(content.recipient_lines),
        title=request.title[:500],
        body=body,
        signer_position=content.signer_position or None,
        signer_name=content.signer_name or None,
        docx_file_id=stored[0].id,
        pdf_file_id=stored[1].id,
        created_by_id=user_id,
    )
    session.add(letter)
    await session.flush()
    audit_actor = Actor(user_id=actor.id, telegram_id=actor.telegram_id) if isinstance(actor, User) else actor
    record(
        session,
        audit_actor,
        "appeal",
        appeal.id,
        "letter_issued",
        data={"letter_id": letter.id, "kind": request.kind, "out_number": number},
    )
    return letter


async def letters_of(session: AsyncSession, appeal_id: int) -> list[AppealLetter]:
    query = select(AppealLetter).where(AppealLetter.appeal_id == appeal_id).order_by(AppealLetter.id)
    return list((await session.scalars(query)).all())


async def letter_file_ids(session: AsyncSession, appeal_id: int) -> set[int]:
    """Files that are letters, not what the applicant sent: the page lists them apart."""
    ids: set[int] = set()
    for letter in await letters_of(session, appeal_id):
        ids |= {i for i in (letter.docx_file_id, letter.pdf_file_id) if i is not None}
    return ids


def mark_sent(letter: AppealLetter, via: str, now: datetime | None = None) -> None:
    letter.sent_via = via
    letter.sent_at = now or utcnow()
