"""The answer as a letter: issued once per answer on the letterhead (``services.letters``), sent as
the answer itself (the PDF goes with the e-mail and the Telegram messages; by hand or post the
clerk prints it) and kept with the appeal.

A 547-FZ «сообщение» may be answered without a letter; a 59-FZ appeal gets one by default.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Appeal, AppealLetter, StoredFile, User, utcnow
from models.enums import AppealRegime, LetterKind, Role
from services.appeals import notices
from services.audit import Actor, record
from services.config import org_card
from services.errors import InvalidInput, NotFound, PermissionDenied
from services.letters import issue
from services.letters.content import LetterContent, LetterLabels, paragraphs_of
from services.letters.render import render_letter
from services.notify import N_, NoticeContext, Translator
from services.offload import render

TITLE = N_("Answer to the appeal")
DATE_FORMAT = "%d.%m.%Y"
# How a letter left: the first two by themselves with the notice, the others by the clerk.
VIA_EMAIL = "email"
VIA_TELEGRAM = "telegram"
BY_HAND = ("post", "hand")
_STAFF = (Role.CLERK, Role.MANAGER, Role.CONTROLLER)  # as in workflow; administrators always pass


@dataclass(frozen=True, slots=True)
class AnswerLetterSpec:
    """The answer goes out as a letter: where its files are kept, its zone and language, the signer
    (empty: the head of the organisation from its card)."""

    env: issue.LetterEnv
    signer_position: str = ""
    signer_name: str = ""


def letter_by_default(appeal: Appeal) -> bool:
    """A 59-FZ appeal is answered by a letter; a «сообщение» may be answered by the text alone."""
    return appeal.regime != AppealRegime.MESSAGE


def enclosure_names(files: Sequence[StoredFile]) -> tuple[str, ...]:
    return tuple(f.original_name or f"{f.id}" for f in files)


async def answer_letter_of(session: AsyncSession, appeal_id: int) -> AppealLetter | None:
    query = (
        select(AppealLetter)
        .where(AppealLetter.appeal_id == appeal_id, AppealLetter.kind == LetterKind.ANSWER)
        .order_by(AppealLetter.id)
        .limit(1)
    )
    return await session.scalar(query)


async def issue_answer_letter(
    session: AsyncSession,
    appeal: Appeal,
    files: Sequence[StoredFile],
    spec: AnswerLetterSpec,
    *,
    actor: User,
    now: datetime | None = None,
) -> AppealLetter:
    """The letter of the answer already recorded on ``appeal``. One answer, one letter: when it
    exists (a retry after a failed sending, say) it is returned as it is, never issued again."""
    existing = await answer_letter_of(session, appeal.id)
    if existing is not None:
        return existing
    if not appeal.answer_text:
        raise InvalidInput("The answer is empty.")
    request = issue.LetterRequest(
        appeal_id=appeal.id,
        kind=LetterKind.ANSWER,
        title=Translator(spec.env.locale)(TITLE),
        body=appeal.answer_text,
        signer_position=spec.signer_position,
        signer_name=spec.signer_name,
        enclosures=enclosure_names(files),
    )
    return await issue.issue_letter(session, request, spec.env, actor=actor, now=now)


async def send_answer(
    session: AsyncSession,
    ctx: NoticeContext,
    appeal: Appeal,
    letter: AppealLetter | None,
    *,
    now: datetime | None = None,
) -> None:
    """Queue the answer through the appeal's channel, the letter's PDF first among its documents.

    The notice is idempotent (its dedup keys), so a second call queues nothing new. A letter that
    went by e-mail or Telegram is marked sent; one for the post waits for the clerk (``mark_posted``)."""
    pdf = await session.get(StoredFile, letter.pdf_file_id) if letter and letter.pdf_file_id else None
    documents = [pdf] if pdf is not None else []
    to = await notices.delivery_of(session, ctx, appeal)
    await notices.notify_correspondent(session, ctx, appeal, notices.ANSWERED, documents=documents)
    via = VIA_TELEGRAM if to.chat_id is not None else VIA_EMAIL if to.email is not None else None
    if letter is not None and via is not None and letter.sent_at is None:
        issue.mark_sent(letter, via, now)
        record(
            session,
            Actor.system("answer"),
            "appeal",
            appeal.id,
            "letter_sent",
            data={"letter_id": letter.id, "out_number": letter.out_number, "via": via},
        )
    await session.flush()


async def mark_posted(
    session: AsyncSession, appeal_id: int, *, via: str, actor: User, now: datetime | None = None
) -> AppealLetter:
    """The clerk says the printed answer letter went by post or was handed over; audited, once."""
    if not actor.is_active or not actor.has_role(*_STAFF):
        raise PermissionDenied("You are not allowed to work with appeals.")
    if via not in BY_HAND:
        raise InvalidInput("Choose how the letter was sent.")
    letter = await answer_letter_of(session, appeal_id)
    if letter is None:
        raise NotFound("The appeal has no answer letter.")
    if letter.sent_at is not None:
        raise InvalidInput("The letter is already marked as sent.")
    issue.mark_sent(letter, via, now or utcnow())
    record(
        session,
        Actor(user_id=actor.id, telegram_id=actor.telegram_id),
        "appeal",
        appeal_id,
        "letter_sent",
        data={"letter_id": letter.id, "out_number": letter.out_number, "via": via},
    )
    await session.flush()
    return letter


@dataclass(frozen=True, slots=True)
class Draft:
    """What the clerk has typed so far, to see as the letter before sending."""

    body: str
    signer_position: str = ""
    signer_name: str = ""
    enclosures: tuple[str, ...] = ()


async def preview_pdf(session: AsyncSession, appeal: Appeal, draft: Draft, env: issue.LetterEnv) -> bytes:
    """The answer letter as it would be issued, without a number and without keeping anything."""
    body = draft.body.strip()
    if not body:
        raise InvalidInput("The answer is empty.")
    if len(body) > issue.BODY_LIMIT:
        raise InvalidInput("The text is too long: at most %(n)d characters.", n=issue.BODY_LIMIT)
    t = Translator(env.locale)
    head = await org_card.letterhead(session)
    registered = appeal.registered_at.astimezone(env.tz).strftime(DATE_FORMAT)
    content = LetterContent(
        letterhead=head,
        labels=LetterLabels(
            number=t("Draft: the outgoing number is given when the answer is sent"),
            reply_to=t("In reply to No. %(number)s of %(date)s", number=appeal.reg_number, date=registered),
            enclosures=t("Enclosures:"),
            inn=t("INN %(inn)s", inn=head.inn) if head.inn else "",
            ogrn=t("OGRN %(ogrn)s", ogrn=head.ogrn) if head.ogrn else "",
        ),
        recipient_lines=await issue.applicant_lines(session, appeal),
        title=t(TITLE),
        paragraphs=paragraphs_of(body),
        signer_position=draft.signer_position or head.head_position,
        signer_name=draft.signer_name or head.head_name,
        enclosures=draft.enclosures,
    )
    return await render(env.offload, render_letter, "pdf", content)
