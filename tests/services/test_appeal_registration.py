"""59-FZ art. 8 with a frozen clock: the regime a channel gives an appeal (547-FZ), manual
registration within 3 local days of receipt (the clerk's reminders one day before and once overdue),
a paper letter registered late, and redirection by competence within 7 days of registration with its
two letters and the applicant's notice."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import pypdf
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Appeal, AppealLetter, AuditEvent, MailOutbox, OutboxMessage, StoredFile, User
from models.enums import AppealChannel, AppealRegime, AppealStatus, LetterKind, Role
from services import staff
from services.appeals import queries, redirect, regime, registration, reminders, workflow
from services.appeals.intake import AppealInput, ContactInput, register_appeal
from services.audit import Actor
from services.errors import InvalidInput, PermissionDenied
from services.files import file_path
from services.letters.issue import LetterEnv
from services.notify import NoticeContext

TZ = ZoneInfo("Europe/Moscow")
SYS = Actor.system("test")
CTX = NoticeContext(panel_url="https://panel.example.org/", tz=TZ)
CLERK_TG = 7701
# Monday 23 November 2026, 10:00 in Moscow.
MONDAY = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
POLICY = reminders.ReminderPolicy(days_before=(3, 1))


async def _people(session: AsyncSession) -> dict[str, User]:
    people = {
        "admin": await staff.create_user(session, SYS, full_name="Админ", roles=[Role.ADMIN]),
        "clerk": await staff.create_user(
            session, SYS, full_name="Секретарь", roles=[Role.CLERK], telegram_id=CLERK_TG
        ),
        "outsider": await staff.create_user(session, SYS, full_name="Посторонний"),
    }
    await session.commit()
    return people


def _actor(user: User) -> Actor:
    return Actor(user_id=user.id)


def _web_input(**kw: object) -> AppealInput:
    return AppealInput(
        channel=kw.pop("channel", AppealChannel.WEB.value),  # type: ignore[arg-type]
        text="Не вывозят мусор во дворе дома 7",
        contact=ContactInput(name="Пётр Сидоров", email="petr@example.org"),
        reply_to="petr@example.org",
        **kw,  # type: ignore[arg-type]
    )


async def test_defaults_keep_automatic_registration_and_the_admin_decides(
    session: AsyncSession, tmp_path: Path
) -> None:
    people = await _people(session)
    settings = {s.channel: s for s in await regime.all_settings(session)}
    assert all(s.regime == AppealRegime.APPEAL and not s.manual_registration for s in settings.values())
    assert {c for c, s in settings.items() if s.needs_decision} == {"telegram", "email"}
    with pytest.raises(PermissionDenied):
        await regime.update(
            session, _actor(people["clerk"]), "email", regime="message", manual_registration=False
        )

    result = await register_appeal(
        session, _web_input(), actor=SYS, files_dir=tmp_path, notify=CTX, now=MONDAY
    )
    assert (result.appeal.status, result.appeal.regime) == (AppealStatus.REGISTERED, AppealRegime.APPEAL)
    assert result.appeal.received_at == MONDAY == result.appeal.registered_at

    await regime.update(
        session, _actor(people["admin"]), "email", regime="message", manual_registration=False
    )
    await session.commit()
    mail = await register_appeal(
        session,
        _web_input(channel="email", external_id="<m1@example.org>"),
        actor=SYS,
        files_dir=tmp_path,
        now=MONDAY,
    )
    assert mail.appeal.regime == AppealRegime.MESSAGE and mail.appeal.status == AppealStatus.REGISTERED
    event = await session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "channel_regime"))
    assert event is not None and (event.old_state, event.new_state) == ("appeal", "message")
    assert (await regime.setting_for(session, "email")).needs_decision is False
    # The list and the export filter by regime.
    found, total = await queries.list_appeals(session, queries.AppealFilters(regime="message"))
    assert total == 1 and found[0].id == mail.appeal.id


async def test_manual_registration_within_three_local_days(session: AsyncSession, tmp_path: Path) -> None:
    people = await _people(session)
    await regime.update(session, _actor(people["admin"]), "web", regime="appeal", manual_registration=True)
    await session.commit()
    result = await register_appeal(
        session, _web_input(), actor=SYS, files_dir=tmp_path, notify=CTX, now=MONDAY
    )
    await session.commit()
    appeal = result.appeal
    assert appeal.status == AppealStatus.RECEIVED and appeal.reg_number  # the incoming number
    # Received Monday: registered by the end of Thursday, Moscow time.
    assert appeal.registration_due_at == datetime(2026, 11, 26, 23, 59, 59, tzinfo=TZ)
    received = await session.scalar(
        select(MailOutbox).where(MailOutbox.dedup_key == f"appeal:{appeal.id}:received")
    )
    assert received is not None and "26.11.2026" in received.body
    assert (
        await session.scalar(
            select(MailOutbox).where(MailOutbox.dedup_key == f"appeal:{appeal.id}:registered")
        )
        is None
    )

    thursday_night = datetime(2026, 11, 26, 23, 59, tzinfo=TZ)
    assert not registration.registration_overdue(appeal, thursday_night)
    friday = datetime(2026, 11, 27, 0, 1, tzinfo=TZ)
    assert registration.registration_overdue(appeal, friday)
    overdue = queries.AppealFilters(registration_overdue=True, now=friday)
    assert await queries.count_appeals(session, overdue) == 1
    assert (
        await queries.count_appeals(
            session, queries.AppealFilters(registration_overdue=True, now=thursday_night)
        )
        == 0
    )

    with pytest.raises(PermissionDenied):
        await registration.register_received(session, appeal.id, actor=people["outsider"], now=friday)
    friday_noon = datetime(2026, 11, 27, 12, 0, tzinfo=TZ)
    done = await registration.register_received(
        session, appeal.id, actor=people["clerk"], notify=CTX, now=friday_noon
    )
    await session.commit()
    assert done.status == AppealStatus.REGISTERED and done.registered_at == friday_noon
    # art. 12: 30 days from registration; the 30th, Sunday 27.12, is a day off: the term ends on Friday.
    assert done.due_at == datetime(2026, 12, 25, 12, 0, tzinfo=TZ)
    assert registration.registration_late_days(done, TZ) == 1
    assert await queries.count_appeals(session, overdue) == 0
    notice = await session.scalar(
        select(MailOutbox).where(MailOutbox.dedup_key == f"appeal:{appeal.id}:registered")
    )
    assert notice is not None and "25.12.2026" in notice.body
    event = await session.scalar(
        select(AuditEvent).where(AuditEvent.entity_id == appeal.id, AuditEvent.action == "registered")
    )
    assert event is not None and (event.old_state, event.new_state) == ("received", "registered")
    assert event.data["days_late"] == 1
    with pytest.raises(InvalidInput):
        await registration.register_received(session, appeal.id, actor=people["clerk"], now=friday_noon)


async def test_paper_letter_typed_in_late_and_never_from_the_future(
    session: AsyncSession, tmp_path: Path
) -> None:
    stamped = datetime(2026, 11, 17, 0, 0, tzinfo=TZ)  # Tuesday: due by the end of Friday 20th
    paper = AppealInput(
        channel=AppealChannel.PAPER.value,
        text="Письмо о ремонте крыши",
        contact=ContactInput(name="Анна Белова"),
        received_at=stamped,
    )
    result = await register_appeal(session, paper, actor=SYS, files_dir=tmp_path, now=MONDAY)
    appeal = result.appeal
    assert appeal.received_at == stamped and appeal.registered_at == MONDAY
    assert registration.registration_late_days(appeal, TZ) == 3  # Friday 20th → Monday 23rd
    in_time = await register_appeal(
        session,
        AppealInput(
            channel="paper",
            text="Ещё письмо",
            contact=ContactInput(name="Анна Белова"),
            received_at=MONDAY - timedelta(days=1),
        ),
        actor=SYS,
        files_dir=tmp_path,
        now=MONDAY,
    )
    assert registration.registration_late_days(in_time.appeal, TZ) == 0
    with pytest.raises(InvalidInput):
        await register_appeal(
            session,
            AppealInput(
                channel="paper",
                text="Из будущего",
                contact=ContactInput(name="Анна Белова"),
                received_at=MONDAY + timedelta(hours=1),
            ),
            actor=SYS,
            files_dir=tmp_path,
            now=MONDAY,
        )


async def _registration_reminders(session: AsyncSession) -> list[tuple[str, str]]:
    rows = await session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.dedup_key.like("appeal-remind:%"))
        .order_by(OutboxMessage.id)
    )
    return [(m.dedup_key.split(":")[2] + ":" + m.dedup_key.split(":")[4], m.payload["text"]) for m in rows]


async def test_registration_reminder_one_day_before_and_once_overdue(
    session: AsyncSession, tmp_path: Path
) -> None:
    people = await _people(session)
    await regime.update(session, _actor(people["admin"]), "web", regime="appeal", manual_registration=True)
    await session.commit()
    result = await register_appeal(session, _web_input(), actor=SYS, files_dir=tmp_path, now=MONDAY)
    await session.commit()

    async def run(at: datetime) -> int:
        found = await reminders.scan(session, CTX, POLICY, at)
        await session.commit()
        return found.messages

    assert await run(MONDAY + timedelta(hours=1)) == 0
    assert await run(datetime(2026, 11, 24, 12, 0, tzinfo=TZ)) == 0  # Tuesday: two days left
    assert await run(datetime(2026, 11, 25, 9, 0, tzinfo=TZ)) == 1  # Wednesday: one day before
    assert await run(datetime(2026, 11, 25, 18, 0, tzinfo=TZ)) == 0  # a rerun
    assert await run(datetime(2026, 11, 26, 20, 0, tzinfo=TZ)) == 0  # Thursday, still in time
    assert await run(datetime(2026, 11, 27, 9, 0, tzinfo=TZ)) == 1  # Friday: overdue
    assert await run(datetime(2026, 11, 27, 15, 0, tzinfo=TZ)) == 0  # once
    sent = await _registration_reminders(session)
    assert [k for k, _ in sent] == ["registration:d1", "registration:overdue"]
    assert result.appeal.reg_number in sent[0][1] and "Зарегистрировать до: 26.11.2026" in sent[0][1]
    assert "срок регистрации истёк" in sent[1][1]
    chats = set(
        (
            await session.scalars(
                select(OutboxMessage.chat_id).where(OutboxMessage.dedup_key.like("appeal-remind:%"))
            )
        ).all()
    )
    assert chats == {CLERK_TG}


async def _office(session: AsyncSession, tmp_path: Path, *, email: bool) -> tuple[dict[str, User], Appeal]:
    people = await _people(session)
    contact = (
        ContactInput(name="Пётр Сидоров", email="petr@example.org")
        if email
        else ContactInput(name="Пётр Сидоров", telegram_id=9901)
    )
    data = AppealInput(
        channel=AppealChannel.EMAIL.value if email else AppealChannel.TELEGRAM.value,
        text="Прошу проверить начисления за газ",
        contact=contact,
        external_id="<gas@example.org>" if email else None,
    )
    result = await register_appeal(session, data, actor=SYS, files_dir=tmp_path, now=MONDAY)
    await session.commit()
    return people, result.appeal


def _docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    cells = [p.text for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


async def test_redirect_term_and_late_flag(session: AsyncSession, tmp_path: Path) -> None:
    people, appeal = await _office(session, tmp_path, email=True)
    assert registration.redirect_due(appeal, TZ) == datetime(2026, 11, 30, 23, 59, 59, tzinfo=TZ)
    env = LetterEnv(files_dir=tmp_path, tz=TZ)
    texts = await redirect.drafts(session, appeal, env, now=MONDAY)
    assert appeal.reg_number in texts.cover_text and "Пётр Сидоров" in texts.cover_text
    assert "23.11.2026" in texts.cover_text and "{body}" in texts.notice_text
    wednesday = datetime(2026, 12, 2, 11, 0, tzinfo=TZ)  # two days after the 7-day term
    done = await redirect.redirect_appeal(
        session,
        appeal.id,
        redirect.RedirectInput(
            body_name="ООО «Газпром межрегионгаз»",
            cover_text=texts.cover_text,
            notice_text=texts.notice_text,
            sstu_id="8a3d5f1e-0000-4000-8000-000000000001",
        ),
        actor=people["clerk"],
        env=env,
        notify=CTX,
        now=wednesday,
    )
    await session.commit()
    assert done.appeal.status == AppealStatus.REDIRECTED and done.appeal.outcome == "redirected"
    assert done.appeal.redirected_sstu_id == "8a3d5f1e-0000-4000-8000-000000000001"
    assert (
        registration.days_late(registration.redirect_due(done.appeal, TZ), done.appeal.redirected_at, TZ) == 2
    )
    assert registration.redirect_due(appeal, TZ) is not None
    assert not queries.is_overdue(done.appeal, wednesday + timedelta(days=60))  # terminal here
    event = await session.scalar(select(AuditEvent).where(AuditEvent.action == "redirected"))
    assert event is not None and event.data["days_late"] == 2
    # The applicant's e-mail carries the notice and its letter's PDF.
    mail = await session.scalar(
        select(MailOutbox).where(MailOutbox.dedup_key == f"appeal:{appeal.id}:redirected")
    )
    assert mail is not None
    assert "ООО «Газпром межрегионгаз»" in mail.body and "{body}" not in mail.body
    assert mail.file_ids == [done.notice.pdf_file_id]
    assert done.notice.sent_via == "email" and done.cover.sent_via is None
    cover_docx = await session.get(StoredFile, done.cover.docx_file_id)
    assert cover_docx is not None
    text = _docx_text(file_path(tmp_path, cover_docx).read_bytes())
    assert "ООО «Газпром межрегионгаз»" in text and appeal.reg_number in text and "Пётр Сидоров" in text
    notice_pdf = await session.get(StoredFile, done.notice.pdf_file_id)
    assert notice_pdf is not None
    assert "межрегионгаз" in _pdf_text(file_path(tmp_path, notice_pdf).read_bytes())
    with pytest.raises(InvalidInput):  # once redirected, it is not ours any more
        await redirect.redirect_appeal(
            session,
            appeal.id,
            redirect.RedirectInput(body_name="Другой орган", cover_text="x", notice_text="y"),
            actor=people["clerk"],
            env=env,
            notify=CTX,
        )


async def test_open_assignments_stop_a_redirect_unless_confirmed(
    session: AsyncSession, tmp_path: Path
) -> None:
    people, appeal = await _office(session, tmp_path, email=False)
    appeal_id, clerk_id = appeal.id, people["clerk"].id
    await workflow.create_assignment_from_appeal(
        session,
        appeal.id,
        workflow.AppealAssignment(deadline=MONDAY + timedelta(days=5), executor_id=people["clerk"].id),
        now=MONDAY,
        actor=people["clerk"],
    )
    await session.commit()
    env = LetterEnv(files_dir=tmp_path, tz=TZ)
    data = redirect.RedirectInput(
        body_name="Прокуратура района", cover_text="Направляем.", notice_text="Направлено в {body}."
    )
    with pytest.raises(redirect.RedirectBlocked):
        await redirect.redirect_appeal(
            session, appeal.id, data, actor=people["clerk"], env=env, notify=CTX, now=MONDAY
        )
    await session.rollback()
    clerk = await session.get(User, clerk_id)
    assert clerk is not None
    assert (await session.scalars(select(AppealLetter))).all() == []
    forced = redirect.RedirectInput(
        body_name="Прокуратура района",
        cover_text="Направляем.",
        notice_text="Направлено в {body}.",
        override_reason="Вопрос не наш",
    )
    done = await redirect.redirect_appeal(
        session, appeal_id, forced, actor=clerk, env=env, notify=CTX, now=MONDAY
    )
    await session.commit()
    assert done.appeal.status == AppealStatus.REDIRECTED
    kinds = [x.kind for x in (await session.scalars(select(AppealLetter).order_by(AppealLetter.id))).all()]
    assert kinds == [LetterKind.REDIRECT_COVER, LetterKind.REDIRECT_NOTICE]
    rows = (
        await session.scalars(
            select(OutboxMessage).where(OutboxMessage.chat_id == 9901).order_by(OutboxMessage.id)
        )
    ).all()
    texts = [r for r in rows if r.method == "sendMessage" and ":redirected:" in (r.dedup_key or "")]
    assert texts and "Направлено в Прокуратура района." in texts[0].payload["text"]
    documents = [r for r in rows if r.method == "sendDocument" and ":redirected:" in (r.dedup_key or "")]
    assert len(documents) == 1 and documents[0].payload["document"]["filename"].endswith(".pdf")
    event = await session.scalar(select(AuditEvent).where(AuditEvent.action == "redirected"))
    assert event is not None and event.reason == "Вопрос не наш" and event.data["override"] is True
