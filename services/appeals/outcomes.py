"""How consideration ends without an answer on the merits: 59-FZ article 11.

- p. 1, anonymous: no surname or address for the answer → no answer; when it reports an unlawful
  act (being prepared, committed, or its author) it goes to the competent state body (the police)
  with a covering letter. Nobody to tell.
- p. 3, obscene or abusive language or threats → may be left without an answer on the merits; the
  applicant is told that abusing the right is not acceptable. Told once: a second abusive appeal of
  the same correspondent is closed without another notice (the law asks for one; repeating it
  only feeds the exchange).
- p. 4, unreadable → no answer, not forwarded; the applicant is told within 7 days of registration
  when their name and address can be read.
- p. 5, repeated with no new arguments → ``outcomes_stop``.

Each action re-checks everything here (the panel's form is not trusted): an active clerk or manager
(administrators pass), the appeal within the user's scope, the appeal still open, and no open
assignment on it unless overridden with a reason (the same rule as the answer, audited). The appeal
is closed with its ``outcome``, the letter issued (DOCX and PDF kept with the appeal) and the notice
queued with the letter's PDF; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Appeal, AppealLetter, Correspondent, StoredFile, User, utcnow
from models.enums import AppealOutcome, AppealStatus, LetterKind, Role
from services.appeals import access, notices, outcome_texts, registration, workflow
from services.appeals.outcome_texts import LetterText
from services.appeals.status_sync import load
from services.audit import Actor, record
from services.errors import InvalidInput, NotFound, PermissionDenied
from services.letters import issue
from services.notify import NoticeContext, Translator
from services.work_calendar.terms import Terms

OUTCOME_ROLES = (Role.CLERK, Role.MANAGER)  # administrators always pass
OPEN_STATES = frozenset({AppealStatus.REGISTERED, AppealStatus.IN_WORK})
UNREADABLE_NOTICE_DAYS = 7  # art. 11 p. 4: «в течение семи дней со дня регистрации»
FORWARD_LIMIT = 500
REASON_LIMIT = workflow.REASON_LIMIT


@dataclass(frozen=True, slots=True)
class OutcomeEnv:
    """Where letters go and how notices are rendered; ``notify`` None: no notice (imports, tests)."""

    letters: issue.LetterEnv
    notify: NoticeContext | None
    now: datetime | None = None


@dataclass(slots=True)
class OutcomeResult:
    appeal: Appeal
    letter: AppealLetter | None = None
    notices: int = 0  # notice rows queued for the applicant (0: nobody to tell electronically)
    # The abusive rule «once»: the earlier letter that already told this correspondent.
    already_told: AppealLetter | None = None
    open_assignment_ids: list[int] = field(default_factory=list)


# --- checks shared by every outcome --------------------------------------------------------------


def check_role(user: User, roles: tuple[str, ...] = OUTCOME_ROLES) -> None:
    if not user.is_active or not user.has_role(*roles):
        raise PermissionDenied("You are not allowed to decide how this appeal ends.")


async def prepare(
    session: AsyncSession,
    appeal_id: int,
    actor: User,
    override_reason: str | None,
    *,
    roles: tuple[str, ...] = OUTCOME_ROLES,
) -> tuple[Appeal, list[workflow.OpenAssignment], str | None]:
    """The appeal, locked, after every check; the open assignments an override is taken over."""
    check_role(actor, roles)
    override = (override_reason or "").strip() or None
    if override is not None and len(override) > REASON_LIMIT:
        raise InvalidInput("The text is too long: at most %(n)d characters.", n=REASON_LIMIT)
    appeal = await load(session, appeal_id, for_update=True)
    if not await access.may_see(session, actor, appeal):
        raise NotFound("Appeal not found.")  # the same answer as for a missing one
    if appeal.status not in OPEN_STATES:
        raise InvalidInput("The appeal is no longer open.")
    still_open = await workflow.open_assignments(session, appeal.id)
    if still_open and override is None:
        raise workflow.AssignmentsStillOpen(still_open)
    return appeal, still_open, override


def close_with(
    session: AsyncSession,
    appeal: Appeal,
    outcome: str,
    actor: User,
    *,
    still_open: list[workflow.OpenAssignment],
    override: str | None,
    data: dict[str, object],
    reason: str | None = None,
) -> None:
    """Closed with ``outcome``; the audit event is named after it (``outcome_<outcome>``)."""
    old = appeal.status
    appeal.status = AppealStatus.CLOSED
    appeal.outcome = outcome
    if still_open:
        data = data | {"override": True, "open_assignment_ids": [a.id for a in still_open]}
    record(
        session,
        Actor(user_id=actor.id, telegram_id=actor.telegram_id),
        "appeal",
        appeal.id,
        f"outcome_{outcome}",
        old_state=old,
        new_state=AppealStatus.CLOSED,
        reason=" · ".join(x for x in (reason, override if still_open else None) if x) or None,
        data={"outcome": outcome} | data,
    )


def _text(letter: LetterText) -> LetterText:
    title, body = (letter.title or "").strip(), (letter.body or "").strip()
    if not title or not body:
        raise InvalidInput("The letter needs a title and a text.")
    return LetterText(title[:500], body)


async def issue_and_notify(
    session: AsyncSession,
    appeal: Appeal,
    kind: str,
    letter: LetterText,
    env: OutcomeEnv,
    actor: User,
    *,
    event: str | None,
    recipient_lines: tuple[str, ...] = (),
    enclosures: tuple[str, ...] = (),
) -> tuple[AppealLetter, int]:
    """Issue the letter; with ``event``, queue the applicant's notice carrying its PDF and mark
    the letter sent when the notice goes electronically (else the clerk posts the printed one)."""
    text = _text(letter)
    request = issue.LetterRequest(
        appeal_id=appeal.id,
        kind=kind,
        title=text.title,
        body=text.body,
        recipient_lines=recipient_lines,
        enclosures=enclosures,
    )
    issued = await issue.issue_letter(session, request, env.letters, actor=actor, now=env.now)
    await session.flush()
    if event is None or env.notify is None:
        return issued, 0
    pdf = await session.get(StoredFile, issued.pdf_file_id) if issued.pdf_file_id else None
    to = await notices.delivery_of(session, env.notify, appeal)
    queued = await notices.notify_correspondent(
        session, env.notify, appeal, event, documents=[pdf] if pdf else []
    )
    if to.chat_id is not None or to.email is not None:
        issue.mark_sent(issued, "telegram" if to.chat_id is not None else "email", now=env.now)
    return issued, queued


async def correspondent_of(session: AsyncSession, appeal: Appeal) -> Correspondent | None:
    return await session.get(Correspondent, appeal.correspondent_id) if appeal.correspondent_id else None


# --- p. 1: anonymous ------------------------------------------------------------------------------


async def leave_anonymous(
    session: AsyncSession,
    appeal_id: int,
    *,
    actor: User,
    env: OutcomeEnv,
    forward_to: str | None = None,
    letter: LetterText | None = None,
    override_reason: str | None = None,
) -> OutcomeResult:
    """No answer; with ``forward_to`` (it reports a crime) the covering letter to that body."""
    body = (forward_to or "").strip()
    if len(body) > FORWARD_LIMIT:
        raise InvalidInput("The text is too long: at most %(n)d characters.", n=FORWARD_LIMIT)
    if body and letter is None:
        raise InvalidInput("The letter needs a title and a text.")
    appeal, still_open, override = await prepare(session, appeal_id, actor, override_reason)
    data: dict[str, object] = {"forwarded_to": body} if body else {}
    close_with(
        session, appeal, AppealOutcome.ANONYMOUS, actor, still_open=still_open, override=override, data=data
    )
    result = OutcomeResult(appeal)
    if body and letter is not None:
        t = Translator(env.letters.locale)
        enclosure = t(
            "The appeal No. %(number)s of %(date)s",
            number=appeal.reg_number,
            date=outcome_texts.local_date(appeal, env.letters.tz),
        )
        result.letter, _ = await issue_and_notify(
            session,
            appeal,
            LetterKind.ANONYMOUS_FORWARD,
            letter,
            env,
            actor,
            event=None,  # art. 11 p. 1: there is nobody to tell
            recipient_lines=(body,),
            enclosures=(enclosure,),
        )
    await session.flush()
    return result


# --- p. 3: obscene or abusive -----------------------------------------------------------------------


async def abusive_notice_given(
    session: AsyncSession, correspondent_id: int | None, *, except_appeal: int | None = None
) -> AppealLetter | None:
    """The first abusive-language notice this correspondent was sent, if any («told once»)."""
    if correspondent_id is None:
        return None
    query = (
        select(AppealLetter)
        .join(Appeal, Appeal.id == AppealLetter.appeal_id)
        .where(Appeal.correspondent_id == correspondent_id, AppealLetter.kind == LetterKind.ABUSIVE_NOTICE)
        .order_by(AppealLetter.issued_at, AppealLetter.id)
        .limit(1)
    )
    if except_appeal is not None:
        query = query.where(Appeal.id != except_appeal)
    return await session.scalar(query)


async def leave_abusive(
    session: AsyncSession,
    appeal_id: int,
    *,
    actor: User,
    env: OutcomeEnv,
    letter: LetterText | None,
    override_reason: str | None = None,
) -> OutcomeResult:
    """Without an answer on the merits; the applicant told of the inadmissibility of abusing the
    right unless already told (then ``result.already_told`` is that letter and nothing is sent)."""
    appeal, still_open, override = await prepare(session, appeal_id, actor, override_reason)
    told = await abusive_notice_given(session, appeal.correspondent_id)
    correspondent = await correspondent_of(session, appeal)
    data: dict[str, object] = {"notice": told is None and correspondent is not None}
    if told is not None:
        data["already_told_letter"] = told.out_number
    close_with(
        session, appeal, AppealOutcome.ABUSIVE, actor, still_open=still_open, override=override, data=data
    )
    result = OutcomeResult(appeal, already_told=told)
    if told is None and correspondent is not None:
        if letter is None:
            raise InvalidInput("The letter needs a title and a text.")
        result.letter, result.notices = await issue_and_notify(
            session, appeal, LetterKind.ABUSIVE_NOTICE, letter, env, actor, event=notices.ABUSIVE
        )
    await session.flush()
    return result


# --- p. 4: unreadable ---------------------------------------------------------------------------------


def unreadable_notice_due(appeal: Appeal, terms: Terms | None = None) -> datetime:
    """The last moment to tell the applicant: seven days from registration (on the production
    calendar when ``terms`` carry it: a last day off moves as every appeal term does)."""
    if terms is None:
        return appeal.registered_at + timedelta(days=UNREADABLE_NOTICE_DAYS)
    return terms.after(appeal.registered_at, UNREADABLE_NOTICE_DAYS)


def unreadable_notice_late(appeal: Appeal, now: datetime | None = None, terms: Terms | None = None) -> bool:
    return (now or utcnow()) > unreadable_notice_due(appeal, terms)


async def leave_unreadable(
    session: AsyncSession,
    appeal_id: int,
    *,
    actor: User,
    env: OutcomeEnv,
    notify_applicant: bool,
    letter: LetterText | None = None,
    override_reason: str | None = None,
) -> OutcomeResult:
    """No answer and not forwarded; ``notify_applicant`` when the name and address can be read
    (the clerk judges it from the letter): the notice letter goes out, late ones audited as such."""
    if notify_applicant and letter is None:
        raise InvalidInput("The letter needs a title and a text.")
    appeal, still_open, override = await prepare(session, appeal_id, actor, override_reason)
    correspondent = await correspondent_of(session, appeal)
    if notify_applicant and correspondent is None:
        raise InvalidInput("The appeal has no correspondent to tell.")
    now = env.now or utcnow()
    terms = await registration.load_terms(session, env.letters.tz, env.letters.appeal_term_rule)
    data: dict[str, object] = {
        "notice": notify_applicant,
        "notice_due_at": unreadable_notice_due(appeal, terms).isoformat(),
        "late": notify_applicant and unreadable_notice_late(appeal, now, terms),
    }
    close_with(
        session, appeal, AppealOutcome.UNREADABLE, actor, still_open=still_open, override=override, data=data
    )
    result = OutcomeResult(appeal)
    if notify_applicant and letter is not None:
        result.letter, result.notices = await issue_and_notify(
            session, appeal, LetterKind.UNREADABLE_NOTICE, letter, env, actor, event=notices.UNREADABLE
        )
    await session.flush()
    return result
