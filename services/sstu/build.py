"""Build a month's ССТУ.РФ report from the appeals, their questions, letters and files.

Per question: its classifier code (no question rows: one question with the topic's code, when the
topic has one), its status from the question's result and the appeal's stage, the dates in the
organisation's zone, the extension flag, the answer document and, for a redirection, the
receiving body and the covering letter.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Appeal, AppealLetter, AppealQuestion, Category, Correspondent, StoredFile
from models.enums import AppealChannel, AppealOutcome, LetterKind, QuestionResult
from services.config import org_card
from services.files import file_path
from services.sstu.period import local_day, month_bounds
from services.sstu.report import (
    Attachment,
    SstuAppeal,
    SstuQuestion,
    SstuReport,
    Status,
    Transfer,
)
from services.sstu.state import AppealState, Stage, month_states

ELECTRONIC_CHANNELS = frozenset(
    {
        AppealChannel.TELEGRAM,
        AppealChannel.EMAIL,
        AppealChannel.WEB,
        AppealChannel.OPEN311,
        AppealChannel.EPGU,
    }
)
RESULT_STATUS = {
    QuestionResult.SUPPORTED: Status.SUPPORTED,
    QuestionResult.NOT_SUPPORTED: Status.NOT_SUPPORTED,
    QuestionResult.EXPLAINED: Status.EXPLAINED,
    QuestionResult.ANSWERED: Status.ANSWERED,
    QuestionResult.LEFT_WITHOUT_ANSWER: Status.LEFT_WITHOUT_ANSWER,
    QuestionResult.TRANSFERRED: Status.TRANSFERRED,
}


def question_status(stage: str, result: str | None) -> str:
    """The appeal's stage decides until it is answered on the merits; then each question's result.
    An answered question without a recorded result counts as "Answered" (an answer was given)."""
    if stage == Stage.NOT_REGISTERED:
        return Status.NOT_REGISTERED
    if stage == Stage.IN_WORK:
        return Status.IN_WORK
    if stage == Stage.REDIRECTED:
        return Status.TRANSFERRED
    if stage == Stage.NO_ANSWER:
        return Status.LEFT_WITHOUT_ANSWER
    return RESULT_STATUS.get(result or "", Status.ANSWERED)  # type: ignore[call-overload]


class _Related:
    """Everything the appeals of a month refer to, loaded in a few queries."""

    def __init__(self) -> None:
        self.questions: dict[int, list[AppealQuestion]] = defaultdict(list)
        self.letters: dict[int, list[AppealLetter]] = defaultdict(list)
        self.answer_files: dict[int, list[StoredFile]] = defaultdict(list)
        self.files: dict[int, StoredFile] = {}
        self.people: dict[int, Correspondent] = {}
        self.categories: dict[int, Category] = {}

    async def load(self, session: AsyncSession, appeals: list[Appeal]) -> None:
        ids = [a.id for a in appeals]
        for chunk in _chunks(ids):
            query = select(AppealQuestion).where(AppealQuestion.appeal_id.in_(chunk))
            for q in (
                await session.scalars(query.order_by(AppealQuestion.position, AppealQuestion.id))
            ).all():
                self.questions[q.appeal_id].append(q)
            query_l = select(AppealLetter).where(AppealLetter.appeal_id.in_(chunk)).order_by(AppealLetter.id)
            for letter in (await session.scalars(query_l)).all():
                self.letters[letter.appeal_id].append(letter)
            query_f = select(StoredFile).where(StoredFile.appeal_id.in_(chunk), StoredFile.for_answer)
            for stored in (await session.scalars(query_f.order_by(StoredFile.id))).all():
                self.answer_files[stored.appeal_id or 0].append(stored)
        pdf_ids = [x.pdf_file_id for ls in self.letters.values() for x in ls if x.pdf_file_id]
        for chunk in _chunks(pdf_ids):
            for stored in (await session.scalars(select(StoredFile).where(StoredFile.id.in_(chunk)))).all():
                self.files[stored.id] = stored
        people = sorted({a.correspondent_id for a in appeals if a.correspondent_id})
        for chunk in _chunks(people):
            for person in (
                await session.scalars(select(Correspondent).where(Correspondent.id.in_(chunk)))
            ).all():
                self.people[person.id] = person
        categories = sorted({a.category_id for a in appeals if a.category_id})
        for chunk in _chunks(categories):
            for category in (await session.scalars(select(Category).where(Category.id.in_(chunk)))).all():
                self.categories[category.id] = category

    def last_letter(self, appeal_id: int, kind: str) -> AppealLetter | None:
        found = [x for x in self.letters.get(appeal_id, []) if x.kind == kind]
        return found[-1] if found else None


def _chunks(ids: list[int], size: int = 500) -> Iterable[list[int]]:
    return (ids[i : i + size] for i in range(0, len(ids), size))


def _attachment(related: _Related, appeal: Appeal, files_dir: Path) -> Attachment | None:
    """The answer letter's PDF; else the first file sent with the answer."""
    letter = related.last_letter(appeal.id, LetterKind.ANSWER)
    stored = related.files.get(letter.pdf_file_id) if letter is not None and letter.pdf_file_id else None
    if stored is None:
        answer_files = related.answer_files.get(appeal.id, [])
        stored = answer_files[0] if answer_files else None
    if stored is None:
        return None
    name = stored.original_name or f"answer-{appeal.reg_number}.pdf"
    return Attachment(name=name, size=stored.size, path=file_path(files_dir, stored))


def _transfer(related: _Related, appeal: Appeal, tz: ZoneInfo) -> Transfer:
    cover = related.last_letter(appeal.id, LetterKind.REDIRECT_COVER)
    return Transfer(
        department_id=(appeal.redirected_sstu_id or "").strip() or None,
        transfer_date=local_day(appeal.redirected_at, tz),
        transfer_number=cover.out_number if cover is not None else None,
    )


def _category_code(category: Category | None) -> str | None:
    # Topics carry no classifier code in the schema yet; a later column of that name is used.
    code = getattr(category, "classifier_code", None) if category is not None else None
    return code.strip() if isinstance(code, str) and code.strip() else None


def _questions(
    state: AppealState, related: _Related, files_dir: Path, tz: ZoneInfo
) -> tuple[SstuQuestion, ...]:
    appeal = state.appeal
    rows: list[tuple[str | None, AppealQuestion | None]] = [
        (q.classifier_code, q) for q in related.questions.get(appeal.id, [])
    ]
    from_category = not rows
    if from_category:
        category = related.categories.get(appeal.category_id) if appeal.category_id else None
        rows = [(_category_code(category), None)]
    registered = state.stage != Stage.NOT_REGISTERED
    extended = appeal.extended_at is not None and state.stage != Stage.NOT_REGISTERED
    out: list[SstuQuestion] = []
    for code, row in rows:
        status = question_status(state.stage, row.result if row is not None else None)
        considered = status in (Status.EXPLAINED, Status.SUPPORTED, Status.NOT_SUPPORTED, Status.ANSWERED)
        responded = considered or status == Status.LEFT_WITHOUT_ANSWER
        out.append(
            SstuQuestion(
                code=(code or "").strip() or None,
                status=status,
                incoming_date=local_day(state.incoming_at, tz),
                registration_date=local_day(appeal.registered_at, tz) if registered else None,
                response_date=local_day(state.finished_at, tz) if responded else None,
                is_extend=extended,
                attachment=_attachment(related, appeal, files_dir) if considered else None,
                actions_taken=bool(row.measures_taken)
                if row is not None and status == Status.SUPPORTED
                else None,
                measures=(row.measures or None) if row is not None else None,
                transfer=_transfer(related, appeal, tz) if status == Status.TRANSFERRED else None,
                from_category=from_category,
            )
        )
    return tuple(out)


def _appeal(
    state: AppealState, related: _Related, department_id: str | None, files_dir: Path, tz: ZoneInfo
) -> SstuAppeal:
    appeal = state.appeal
    person = related.people.get(appeal.correspondent_id) if appeal.correspondent_id else None
    anonymous = state.stage == Stage.NO_ANSWER and appeal.outcome == AppealOutcome.ANONYMOUS
    registered = state.stage != Stage.NOT_REGISTERED
    return SstuAppeal(
        appeal_id=appeal.id,
        department_id=department_id,
        # We keep no "came forwarded from another body" mark: every appeal counts as direct.
        is_direct=True,
        format="Electronic" if appeal.channel in ELECTRONIC_CHANNELS else "Other",
        number=appeal.reg_number,
        create_date=local_day(appeal.registered_at if registered else state.incoming_at, tz),
        name=None if anonymous or person is None else (person.name or None),
        address=None
        if anonymous
        else ((person.postal_address if person else None) or appeal.address or None),
        email=None if anonymous else (appeal.contact_email or (person.email if person else None) or None),
        questions=_questions(state, related, files_dir, tz),
    )


async def build_month(
    session: AsyncSession, year: int, month: int, *, tz: ZoneInfo, files_dir: Path
) -> SstuReport:
    """The report for ``month`` of ``year`` as at the month's end (see ``state.month_states``)."""
    period = month_bounds(year, month, tz)
    card = await org_card.get_card(session)
    department_id = ((card.sstu_department_id or "").strip() or None) if card is not None else None
    states = await month_states(session, period)
    related = _Related()
    await related.load(session, [s.appeal for s in states])
    appeals = tuple(_appeal(s, related, department_id, files_dir, tz) for s in states)
    return SstuReport(year=year, month=month, department_id=department_id, appeals=appeals)
