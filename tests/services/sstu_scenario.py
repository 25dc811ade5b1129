"""A November 2026 of appeals for the ССТУ.РФ report tests, built through the services with a frozen
clock: a two-question appeal answered with an issued letter after an extension, a redirected one
with its covering letter, an anonymous one, one still in work at the month's end, and a «сообщение»
that the report must leave out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from models import Appeal, AppealQuestion, OrgCard
from models.enums import AppealChannel, AppealOutcome, AppealRegime, AppealStatus, LetterKind, QuestionResult
from services.appeals import workflow
from services.appeals.intake import IntakeResult
from services.correspondents.contact import ContactInput
from services.letters import issue
from tests.services import appeals_helpers
from tests.services.appeals_helpers import make_category, make_staff

TZ = ZoneInfo("Europe/Moscow")
ORG_GUID = "0f8fad5b-d9cb-469f-a165-70867728950e"
RECEIVER_GUID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
ROAD_CODE = "0003.0009.0099.0659"
LIGHT_CODE = "0003.0009.0099.0662"


async def register(session: AsyncSession, files_dir: Path, **fields: object) -> IntakeResult:
    """Registered through the intake, without the first question registration makes
    (services/appeals/questions.create_first): the scenarios write each appeal's questions
    themselves, or test an appeal that has none."""
    result = await appeals_helpers.register(session, files_dir, **fields)  # type: ignore[arg-type]
    await session.execute(delete(AppealQuestion).where(AppealQuestion.appeal_id == result.appeal.id))
    await session.commit()
    return result


def msk(day: int, hour: int = 10, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=TZ).astimezone(UTC)


@dataclass
class November:
    answered: Appeal
    redirected: Appeal
    anonymous: Appeal
    in_work: Appeal
    message: Appeal
    answer_pdf_id: int
    cover_number: str


async def build_november(session: AsyncSession, files_dir: Path, *, with_org_id: bool = True) -> November:
    people = await make_staff(session)
    clerk = people["clerk"]
    session.add(
        OrgCard(
            id=1,
            name="Администрация г. Энска",
            head_position="Глава города",
            head_name="П. П. Петров",
            sstu_department_id=ORG_GUID if with_org_id else None,
        )
    )
    await make_category(session)
    env = issue.LetterEnv(files_dir=files_dir, tz=TZ)

    # 1. Two questions, extended once, answered with the issued answer letter.
    answered = (
        await register(
            session,
            files_dir,
            now=msk(3),
            text="Яма у дома 5 и не горит фонарь",
            contact=ContactInput(
                name="Иванов Иван Иванович",
                telegram_id=1001,
                email="ivanov@example.ru",
                postal_address="г. Энск, ул. Мира, 5, кв. 1",
            ),
        )
    ).appeal
    session.add_all(
        [
            AppealQuestion(
                appeal_id=answered.id,
                position=1,
                classifier_code=ROAD_CODE,
                text="Яма",
                result=QuestionResult.SUPPORTED,
                measures_taken=True,
                measures="Яма заделана 18.11.2026",
                decided_at=msk(18),
            ),
            AppealQuestion(
                appeal_id=answered.id,
                position=2,
                classifier_code=LIGHT_CODE,
                text="Фонарь",
                result=QuestionResult.EXPLAINED,
                decided_at=msk(19),
            ),
        ]
    )
    await workflow.extend_deadline(
        session, answered.id, days=20, reason="Нужна проверка на месте", actor=clerk, now=msk(10)
    )
    letter = await issue.issue_letter(
        session,
        issue.LetterRequest(
            appeal_id=answered.id,
            kind=LetterKind.ANSWER,
            title="Ответ на обращение",
            body="Уважаемый Иван Иванович!\n\nЯма заделана, фонарь включат в декабре.",
        ),
        env,
        actor=clerk,
        now=msk(20),
    )
    await workflow.answer_appeal(
        session,
        answered.id,
        text="Яма заделана, фонарь включат в декабре.",
        actor=clerk,
        notify=None,
        now=msk(20, 12),
    )
    await session.commit()

    # 2. Redirected by competence, with the covering letter to the receiving body.
    redirected = (
        await register(
            session,
            files_dir,
            now=msk(5),
            channel=AppealChannel.EMAIL,
            text="Шумят соседи",
            contact=ContactInput(name="Петрова Анна", email="petrova@example.ru"),
            reply_to="petrova@example.ru",
            external_id="<m1@example.ru>",
        )
    ).appeal
    session.add(
        AppealQuestion(
            appeal_id=redirected.id,
            position=1,
            classifier_code="0003.0012.0137.0808",
            text="Шум",
            result=QuestionResult.TRANSFERRED,
        )
    )
    cover = await issue.issue_letter(
        session,
        issue.LetterRequest(
            appeal_id=redirected.id,
            kind=LetterKind.REDIRECT_COVER,
            title="О направлении обращения",
            body="Направляем обращение по компетенции.",
            recipient_lines=("ОМВД по г. Энску",),
        ),
        env,
        actor=clerk,
        now=msk(9),
    )
    redirected.status = AppealStatus.REDIRECTED
    redirected.outcome = AppealOutcome.REDIRECTED
    redirected.redirected_at = msk(9)
    redirected.redirected_to = "ОМВД по г. Энску"
    redirected.redirected_sstu_id = RECEIVER_GUID
    await session.commit()

    # 3. Anonymous (no name, no address): left without an answer.
    anonymous = (
        await register(
            session,
            files_dir,
            now=msk(12),
            channel=AppealChannel.PAPER,
            text="Анонимная жалоба",
            contact=ContactInput(name="Аноним"),
        )
    ).appeal
    session.add(AppealQuestion(appeal_id=anonymous.id, position=1, classifier_code=ROAD_CODE, text="Жалоба"))
    await workflow.reject_appeal(
        session, anonymous.id, reason="Анонимное обращение", actor=clerk, now=msk(13)
    )
    anonymous.outcome = AppealOutcome.ANONYMOUS
    await session.commit()

    # 4. Still in work at the end of November (answered only in December).
    in_work = (
        await register(
            session,
            files_dir,
            now=msk(25),
            channel=AppealChannel.WEB,
            text="Нет остановки",
            contact=ContactInput(name="Сидоров Пётр", email="sidorov@example.ru"),
        )
    ).appeal
    session.add(
        AppealQuestion(
            appeal_id=in_work.id, position=1, classifier_code="0003.0009.0098.0654", text="Остановка"
        )
    )
    await session.commit()
    await workflow.answer_appeal(
        session, in_work.id, text="Остановку поставят.", actor=clerk, notify=None, now=msk(2, month=12)
    )
    await session.commit()

    # 5. A «сообщение» (547-FZ): handled, never reported.
    message = (await register(session, files_dir, now=msk(14), text="Просто сообщаю")).appeal
    message.regime = AppealRegime.MESSAGE
    session.add(AppealQuestion(appeal_id=message.id, position=1, classifier_code=ROAD_CODE, text="Сообщение"))
    await session.commit()
    assert letter.pdf_file_id is not None
    return November(answered, redirected, anonymous, in_work, message, letter.pdf_file_id, cover.out_number)
