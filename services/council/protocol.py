"""The protocol of a held meeting as data: every line already in the reader's language, so the DOCX
and the PDF (``protocol_docx``, ``protocol_pdf``) only lay it out and always say the same thing.

``protocol_files.protocol_file`` builds the files in a thread, off the event loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from models import User
from models.enums import ApplicationDecision, MeetingStatus
from services.council.agenda import agenda_rows
from services.council.meetings import get_meeting, members
from services.council.voting import has_quorum, tally
from services.errors import InvalidInput
from services.notify import N_, Translator

DECISION_NAMES = {
    ApplicationDecision.APPROVED: N_("approved"),
    ApplicationDecision.REJECTED: N_("rejected"),
    ApplicationDecision.NEEDS_MORE: N_("more information requested"),
}


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    lines: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ProtocolData:
    title: str
    header: list[str]
    sections: list[Section]
    signatures: list[tuple[str, str]]  # (role, name)


def decision_name(t: Translator, decision: str | None) -> str:
    return t(DECISION_NAMES[ApplicationDecision(decision)]) if decision else t("not decided")


def score_text(t: Translator, average: float | None, reviews: int, score_max: int) -> str:
    if average is None:
        return t("Reviewers' average score: no reviews.")
    shown = f"{average:g}".replace(".", "," if t.locale == "ru" else ".")
    return t(
        "Reviewers' average score: %(avg)s of %(max)d (reviews: %(n)d).", avg=shown, max=score_max, n=reviews
    )


async def build(session: AsyncSession, meeting_id: int, *, locale: str, tz: ZoneInfo) -> ProtocolData:
    meeting = await get_meeting(session, meeting_id)
    if meeting.status != MeetingStatus.HELD:
        raise InvalidInput(N_("The protocol is made once the meeting is held (closed)."))
    t = Translator(locale)
    people = await members(session, meeting.id)
    present = [u.full_name for m, u in people if m.present]
    absent = [u.full_name for m, u in people if not m.present]
    chair, secretary = await _name(session, meeting.chair_id), await _name(session, meeting.secretary_id)
    quorum = has_quorum(len(people), len(present))
    header = [
        t("Date: %(when)s", when=meeting.held_at.astimezone(tz).strftime("%d.%m.%Y %H:%M")),
        t("Place: %(place)s", place=meeting.place or "—"),
        t("Chair: %(name)s", name=chair),
        t("Secretary: %(name)s", name=secretary),
    ]
    attendance = Section(
        t("Members of the council"),
        [
            t("Present (%(n)d): %(names)s", n=len(present), names=", ".join(present) or "—"),
            t("Absent (%(n)d): %(names)s", n=len(absent), names=", ".join(absent) or "—"),
            t(
                "Quorum: %(present)d of %(total)d members present — there is a quorum.",
                present=len(present),
                total=len(people),
            )
            if quorum
            else t(
                "Quorum: %(present)d of %(total)d members present — no quorum.",
                present=len(present),
                total=len(people),
            ),
        ],
    )
    rows = await agenda_rows(session, meeting.id)
    agenda = Section(
        t("Agenda"),
        [f"{n}. {r.application.number} — {r.application.title}" for n, r in enumerate(rows, start=1)],
    )
    sections = [attendance, agenda]
    for n, row in enumerate(rows, start=1):
        counted = await tally(session, row.item)
        lines = [
            t(
                "Application: %(number)s, «%(title)s»",
                number=row.application.number,
                title=row.application.title,
            ),
            t("Applicant: %(org)s", org=row.application.applicant_org or "—"),
            score_text(t, row.average, row.reviews, row.score_max),
            t(
                "Voted: for — %(yes)d, against — %(no)d, abstained — %(abstain)d.",
                yes=counted.votes_for,
                no=counted.against,
                abstain=counted.abstain,
            ),
            t("Decision: %(decision)s.", decision=decision_name(t, row.item.decision)),
        ]
        if row.item.decision_note == "chair":
            lines.append(t("The votes were equal: the chair's vote decided."))
        elif row.item.decision == ApplicationDecision.NEEDS_MORE and row.item.decision_note:
            lines.append(t("Proposal: %(text)s", text=row.item.decision_note))
        sections.append(Section(t("Item %(n)d", n=n), lines))
    return ProtocolData(
        title=t("Protocol of the expert council meeting № %(number)s", number=meeting.number),
        header=header,
        sections=sections,
        signatures=[(t("Chair"), chair), (t("Secretary"), secretary)],
    )


async def _name(session: AsyncSession, user_id: int | None) -> str:
    user = await session.get(User, user_id) if user_id else None
    return user.full_name if user else "—"
