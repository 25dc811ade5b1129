"""The ССТУ.РФ monthly report: a month of appeals through to the ZIP, each appeal's file compared
field by field with a hand-written expectation; validation refuses what the portal would."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AppealQuestion, AuditEvent, OrgCard, StoredFile, User
from models.enums import AppealStatus
from services.errors import PermissionDenied
from services.files import file_path
from services.sstu import archive, build, export, validate
from tests.services.sstu_scenario import (
    LIGHT_CODE,
    ORG_GUID,
    RECEIVER_GUID,
    ROAD_CODE,
    TZ,
    build_november,
    msk,
    register,
)


def _unzip(data: bytes) -> dict[str, object]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: json.loads(zf.read(name).decode("utf-8")) for name in zf.namelist()}


async def test_a_month_goes_to_the_zip_field_by_field(session: AsyncSession, tmp_path: Path) -> None:
    month = await build_november(session, tmp_path)
    pdf = await session.get(StoredFile, month.answer_pdf_id)
    assert pdf is not None
    answer_b64 = base64.b64encode(file_path(tmp_path, pdf).read_bytes()).decode("ascii")
    answer_doc = {"name": "answer-2026-000001-1.pdf", "content": answer_b64}

    report = await build.build_month(session, 2026, 11, tz=TZ, files_dir=tmp_path)
    assert validate.validate(report) == []
    files = _unzip(await archive.archive(report))

    assert sorted(files) == [
        "2026-000001.json",
        "2026-000002.json",
        "2026-000003.json",
        "2026-000004.json",
        "manifest.json",
    ]  # the «сообщение» 2026-000005 is not reported
    assert files["2026-000001.json"] == {
        "departmentId": ORG_GUID,
        "isDirect": True,
        "format": "Electronic",
        "number": "2026-000001",
        "createDate": "2026-11-03",
        "name": "Иванов Иван Иванович",
        "address": "г. Энск, ул. Мира, 5, кв. 1",
        "email": "ivanov@example.ru",
        "questions": [
            {
                "code": ROAD_CODE,
                "status": "Supported",
                "incomingDate": "2026-11-03",
                "registrationDate": "2026-11-03",
                "isExtend": True,
                "responseDate": "2026-11-20",
                "attachment": answer_doc,
                "actionsTaken": True,
            },
            {
                "code": LIGHT_CODE,
                "status": "Explained",
                "incomingDate": "2026-11-03",
                "registrationDate": "2026-11-03",
                "isExtend": True,
                "responseDate": "2026-11-20",
                "attachment": answer_doc,
            },
        ],
    }
    assert files["2026-000002.json"] == {
        "departmentId": ORG_GUID,
        "isDirect": True,
        "format": "Electronic",
        "number": "2026-000002",
        "createDate": "2026-11-05",
        "name": "Петрова Анна",
        "email": "petrova@example.ru",
        "questions": [
            {
                "code": "0003.0012.0137.0808",
                "status": "Transferred",
                "incomingDate": "2026-11-05",
                "registrationDate": "2026-11-05",
                "isExtend": False,
                "transfer": {
                    "departmentId": RECEIVER_GUID,
                    "transferDate": "2026-11-09",
                    "transferNumber": "2026-000002/1",
                },
            }
        ],
    }
    assert month.cover_number == "2026-000002/1"
    assert files["2026-000003.json"] == {
        "departmentId": ORG_GUID,
        "isDirect": True,
        "format": "Other",
        "number": "2026-000003",
        "createDate": "2026-11-12",
        "questions": [
            {
                "code": ROAD_CODE,
                "status": "LeftWithoutAnswer",
                "incomingDate": "2026-11-12",
                "registrationDate": "2026-11-12",
                "isExtend": False,
                "responseDate": "2026-11-13",
            }
        ],
    }
    assert files["2026-000004.json"] == {
        "departmentId": ORG_GUID,
        "isDirect": True,
        "format": "Electronic",
        "number": "2026-000004",
        "createDate": "2026-11-25",
        "name": "Сидоров Пётр",
        "email": "sidorov@example.ru",
        "questions": [
            {
                "code": "0003.0009.0098.0654",
                "status": "InWork",
                "incomingDate": "2026-11-25",
                "registrationDate": "2026-11-25",
                "isExtend": False,
            }
        ],
    }
    assert files["manifest.json"] == {
        "format": "porucheno-sstu-1",
        "period": "2026-11",
        "departmentId": ORG_GUID,
        "appeals": 4,
        "questions": 5,
        "files": ["2026-000001.json", "2026-000002.json", "2026-000003.json", "2026-000004.json"],
    }
    # The same report packs to the same bytes.
    assert await archive.archive(report) == await archive.archive(report)

    # December: only the appeal answered in December, now without an answer document to attach.
    december = await build.build_month(session, 2026, 12, tz=TZ, files_dir=tmp_path)
    assert [(a.number, [q.status for q in a.questions]) for a in december.appeals] == [
        ("2026-000004", ["Answered"])
    ]
    assert [(p.number, p.message) for p in validate.validate(december)] == [
        ("2026-000004", "Question %(n)s: no answer document to attach.")
    ]


async def test_validation_refuses_a_missing_department_id_and_a_missing_code(
    session: AsyncSession, tmp_path: Path
) -> None:
    month = await build_november(session, tmp_path, with_org_id=False)
    question = await session.scalar(
        select(AppealQuestion).where(AppealQuestion.appeal_id == month.in_work.id)
    )
    assert question is not None
    question.classifier_code = None
    session.add(AppealQuestion(appeal_id=month.anonymous.id, position=2, classifier_code="12.34"))
    await session.commit()
    clerk = await session.scalar(select(User).where(User.full_name == "Секретарь"))
    assert clerk is not None

    result = await export.export_month(session, clerk, 2026, 11, tz=TZ, files_dir=tmp_path)
    assert result.data is None
    assert [(p.number, p.message, p.params) for p in result.problems] == [
        ("", "The organisation's SSTU.RF identifier is not set.", {}),
        (
            "2026-000003",
            "Question %(n)s: the classifier code %(code)s is not of the form 0000.0000.0000.0000.",
            {"n": 2, "code": "12.34"},
        ),
        ("2026-000004", "Question %(n)s: no classifier code.", {"n": 1}),
    ]
    assert await session.scalar(select(AuditEvent).where(AuditEvent.action == "sstu_export")) is None

    card = await session.get(OrgCard, 1)
    assert card is not None
    card.sstu_department_id = ORG_GUID
    question.classifier_code = ROAD_CODE
    await session.execute(
        AppealQuestion.__table__.delete().where(AppealQuestion.classifier_code == "12.34")  # type: ignore[attr-defined]
    )
    await session.commit()
    result = await export.export_month(session, clerk, 2026, 11, tz=TZ, files_dir=tmp_path)
    assert result.problems == [] and result.data is not None
    assert result.file_name == "sstu-2026-11.zip"
    event = await session.scalar(select(AuditEvent).where(AuditEvent.action == "sstu_export"))
    assert event is not None and event.actor_user_id == clerk.id
    assert event.data == {"month": "2026-11", "appeals": 4, "questions": 5, "bytes": len(result.data)}


async def test_a_scoped_clerk_may_not_build_the_report(session: AsyncSession, tmp_path: Path) -> None:
    month = await build_november(session, tmp_path)
    executor = await session.scalar(select(User).where(User.full_name == "Исполнитель"))
    assert executor is not None and month.answered.id
    with pytest.raises(PermissionDenied):
        await export.preview(session, executor, 2026, 11, tz=TZ, files_dir=tmp_path)


async def test_an_unregistered_appeal_a_question_less_one_and_a_large_answer(
    session: AsyncSession, tmp_path: Path
) -> None:
    month = await build_november(session, tmp_path)
    waiting = (await register(session, tmp_path, now=msk(29), text="Пришло в пятницу")).appeal
    waiting.status = AppealStatus.RECEIVED
    waiting.received_at = msk(28)
    session.add(AppealQuestion(appeal_id=waiting.id, position=1, classifier_code=ROAD_CODE, text="Вопрос"))
    bare = (await register(session, tmp_path, now=msk(27), text="Без вопросов")).appeal
    pdf = await session.get(StoredFile, month.answer_pdf_id)
    assert pdf is not None
    pdf.size = 10 * 1024 * 1024  # as if the answer document were 10 MB
    await session.commit()

    report = await build.build_month(session, 2026, 11, tz=TZ, files_dir=tmp_path)
    by_number = {a.number: a for a in report.appeals}
    files = archive.report_files(report)
    assert files[f"{waiting.reg_number}.json"]["questions"] == [
        {"code": ROAD_CODE, "status": "NotRegistered", "incomingDate": "2026-11-28"}
    ]
    assert files[f"{waiting.reg_number}.json"]["createDate"] == "2026-11-28"
    assert [q.from_category for q in by_number[bare.reg_number].questions] == [True]
    assert [(p.number, p.message) for p in validate.validate(report)] == [
        ("2026-000001", "Question %(n)s: the answer document is 10 MB or larger."),
        ("2026-000001", "Question %(n)s: the answer document is 10 MB or larger."),
        (bare.reg_number, "Question %(n)s: no classifier code."),
    ]
