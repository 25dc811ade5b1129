"""Redirection by competence (59-FZ art. 8 p. 3): within 7 days of registration an appeal whose
questions are not ours is sent to the competent body, and the applicant is told.

One call issues both letters through ``services.letters`` (the covering letter to the body, the
notice to the applicant, each kept as DOCX and PDF), marks the appeal redirected (terminal here:
not overdue any more, not reported as answered), audits it and queues the notice with the notice
letter's PDF by the appeal's own channel. Assignments still open on the appeal stop it unless the
clerk confirms with a reason, as for the answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Appeal, AppealLetter, Correspondent, StoredFile, User, utcnow
from models.enums import AppealOutcome, AppealStatus, LetterKind
from services.appeals import notices, registration, workflow
from services.audit import Actor, record
from services.errors import InvalidInput
from services.letters import issue
from services.notify import N_, NoticeContext, Translator

BODY_LIMIT = 500
SSTU_ID_RE = re.compile(r"^[0-9A-Za-z-]{1,64}$")  # ССТУ.РФ issues GUIDs
TEXT_LIMIT = 10_000
REASON_LIMIT = 2_000
DATE_FORMAT = "%d.%m.%Y"
# In the applicant's notice: replaced by the receiving body's name on submit, so the text can be
# prefilled before the clerk types the name.
BODY_PLACEHOLDER = "{body}"

COVER_TITLE = N_("On forwarding an appeal by competence")
NOTICE_TITLE = N_("On forwarding your appeal")
COVER_TEXT = N_(
    "We forward to you by competence appeal No. %(number)s of %(date)s (applicant: %(applicant)s) for"
    " consideration under part 3 of article 8 of Federal Law No. 59-FZ of 02.05.2006 «On the procedure"
    " for considering appeals of citizens of the Russian Federation».\n\nPlease answer the applicant"
    " directly: the applicant has been told of the forwarding."
)
NOTICE_TEXT = N_(
    "Your appeal No. %(number)s of %(date)s was sent on %(sent)s to %(body)s by competence (part 3 of"
    " article 8 of Federal Law No. 59-FZ), who will consider it and answer you."
)


@dataclass(frozen=True, slots=True)
class RedirectInput:
    body_name: str  # the receiving body
    cover_text: str
    notice_text: str  # ``BODY_PLACEHOLDER`` becomes ``body_name``
    sstu_id: str | None = None  # the receiving body's ССТУ.РФ id, if known
    attach_files: bool = False  # list the appeal's own files as enclosures of the covering letter
    override_reason: str | None = None  # redirect with assignments still open: why


@dataclass(frozen=True, slots=True)
class Drafts:
    cover_text: str
    notice_text: str


@dataclass(frozen=True, slots=True)
class RedirectResult:
    appeal: Appeal
    cover: AppealLetter
    notice: AppealLetter
    queued: int  # notice messages queued to the applicant (0: goes by post)


class RedirectBlocked(InvalidInput):
    """Assignments on the appeal are still open: the clerk must confirm with a reason."""

    def __init__(self, assignments: list[workflow.OpenAssignment]) -> None:
        super().__init__(
            N_("Assignments on this appeal are still open: finish them, or redirect anyway with a reason."),
            n=len(assignments),
        )
        self.assignments = assignments


def _date(moment: datetime, env: issue.LetterEnv) -> str:
    return moment.astimezone(env.tz).strftime(DATE_FORMAT)


async def _applicant(session: AsyncSession, appeal: Appeal) -> str:
    person = await session.get(Correspondent, appeal.correspondent_id) if appeal.correspondent_id else None
    return person.name if person is not None and person.name else "—"


async def drafts(
    session: AsyncSession, appeal: Appeal, env: issue.LetterEnv, *, now: datetime | None = None
) -> Drafts:
    """The texts the form starts with: both name the appeal's number, date and applicant."""
    t = Translator(env.locale)
    number, date = appeal.reg_number, _date(appeal.registered_at, env)
    return Drafts(
        cover_text=t(COVER_TEXT, applicant=await _applicant(session, appeal), number=number, date=date),
        notice_text=t(
            NOTICE_TEXT, number=number, date=date, sent=_date(now or utcnow(), env), body=BODY_PLACEHOLDER
        ),
    )


def _clean(data: RedirectInput) -> RedirectInput:
    body = " ".join((data.body_name or "").split())
    if not body:
        raise InvalidInput("Name the body the appeal goes to.", field="redirect_to")
    if len(body) > BODY_LIMIT:
        raise InvalidInput(
            "The text is too long: at most %(n)d characters.", n=BODY_LIMIT, field="redirect_to"
        )
    sstu = (data.sstu_id or "").strip() or None
    if sstu is not None and not SSTU_ID_RE.match(sstu):
        raise InvalidInput("The ССТУ.РФ id takes Latin letters, digits and dashes.", field="redirect_sstu_id")
    texts = {}
    for name, value in (("redirect_cover", data.cover_text), ("redirect_notice", data.notice_text)):
        value = (value or "").strip()
        if not value:
            raise InvalidInput("Please fill in this field.", field=name)
        if len(value) > TEXT_LIMIT:
            raise InvalidInput("The text is too long: at most %(n)d characters.", n=TEXT_LIMIT, field=name)
        texts[name] = value
    reason = (data.override_reason or "").strip() or None
    if reason is not None and len(reason) > REASON_LIMIT:
        raise InvalidInput("The text is too long: at most %(n)d characters.", n=REASON_LIMIT)
    return RedirectInput(
        body_name=body,
        cover_text=texts["redirect_cover"],
        notice_text=texts["redirect_notice"].replace(BODY_PLACEHOLDER, body),
        sstu_id=sstu,
        attach_files=data.attach_files,
        override_reason=reason,
    )


async def _enclosures(
    session: AsyncSession, appeal: Appeal, env: issue.LetterEnv, attach_files: bool
) -> tuple[str, ...]:
    t = Translator(env.locale)
    lines = [
        t(
            "Appeal No. %(number)s of %(date)s",
            number=appeal.reg_number,
            date=_date(appeal.registered_at, env),
        )
    ]
    if attach_files:
        letters = await issue.letter_file_ids(session, appeal.id)
        own = await session.scalars(
            select(StoredFile)
            .where(StoredFile.appeal_id == appeal.id, StoredFile.for_answer.is_(False))
            .order_by(StoredFile.id)
        )
        lines += [f.original_name or f"#{f.id}" for f in own.all() if f.id not in letters]
    return tuple(lines)


async def redirect_appeal(
    session: AsyncSession,
    appeal_id: int,
    data: RedirectInput,
    *,
    actor: User,
    env: issue.LetterEnv,
    notify: NoticeContext | None,
    now: datetime | None = None,
) -> RedirectResult:
    registration.check_staff(actor)
    data = _clean(data)
    appeal = await registration.load_in_scope(session, appeal_id, actor)
    if appeal.status not in registration.REDIRECTABLE:
        raise InvalidInput("Only a registered appeal under consideration can be redirected.")
    still_open = await workflow.open_assignments(session, appeal.id)
    if still_open and data.override_reason is None:
        raise RedirectBlocked(still_open)
    now = now or utcnow()
    cover = await issue.issue_letter(
        session,
        issue.LetterRequest(
            appeal_id=appeal.id,
            kind=LetterKind.REDIRECT_COVER,
            title=Translator(env.locale)(COVER_TITLE),
            body=data.cover_text,
            recipient_lines=(data.body_name,),
            enclosures=await _enclosures(session, appeal, env, data.attach_files),
        ),
        env,
        actor=actor,
        now=now,
    )
    notice = await issue.issue_letter(
        session,
        issue.LetterRequest(
            appeal_id=appeal.id,
            kind=LetterKind.REDIRECT_NOTICE,
            title=Translator(env.locale)(NOTICE_TITLE),
            body=data.notice_text,
        ),
        env,
        actor=actor,
        now=now,
    )
    old = appeal.status
    appeal.status = AppealStatus.REDIRECTED
    appeal.outcome = AppealOutcome.REDIRECTED
    appeal.redirected_at = now
    appeal.redirected_to = data.body_name
    appeal.redirected_sstu_id = data.sstu_id
    terms = await registration.load_terms(session, env.tz, env.appeal_term_rule)
    deadline = registration.redirect_deadline(appeal.registered_at, env.tz, terms)
    late = registration.days_late(deadline, now, env.tz)
    audit: dict[str, object] = {
        "to": data.body_name,
        "sstu_id": data.sstu_id,
        "cover_letter_id": cover.id,
        "notice_letter_id": notice.id,
        "days_late": late,
    }
    if still_open:
        audit["override"] = True
        audit["open_assignment_ids"] = [a.id for a in still_open]
    record(
        session,
        Actor(user_id=actor.id, telegram_id=actor.telegram_id),
        "appeal",
        appeal.id,
        "redirected",
        old_state=old,
        new_state=AppealStatus.REDIRECTED,
        reason=data.override_reason if still_open else None,
        data=audit,
    )
    await session.flush()
    queued = 0
    if notify is not None:
        pdf = await session.get(StoredFile, notice.pdf_file_id) if notice.pdf_file_id else None
        to = await notices.delivery_of(session, notify, appeal)
        queued = await notices.notify_correspondent(
            session,
            notify,
            appeal,
            notices.REDIRECTED,
            reason=data.notice_text,
            documents=[pdf] if pdf is not None else [],
        )
        if to.chat_id is not None:
            issue.mark_sent(notice, "telegram", now)
        elif to.email is not None:
            issue.mark_sent(notice, "email", now)
    return RedirectResult(appeal, cover, notice, queued)
