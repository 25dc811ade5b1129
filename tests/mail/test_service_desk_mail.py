"""Service requests by e-mail: letters to the service mailbox (a real Dovecot) become requests and
comments, the service's notices reach the requester's mailbox (a real SMTP server) threaded."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import (
    Appeal,
    Department,
    MailQuarantine,
    ServiceComment,
    ServiceRequest,
    ServiceTopic,
    StoredFile,
    User,
)
from models.enums import ServiceChannel, ServiceStatus
from porucheno.settings import Settings
from scheduler.factory import SchedulerHealth, create_scheduler
from services.audit import Actor
from services.errors import InvalidInput
from services.mail import retry
from services.mail.smtp_sender import MailSender
from services.notify import NoticeContext
from services.service_desk import mail_retry, requests, resolution
from services.service_desk.mail_in import DeskMail, ServiceMailPoller
from services.service_desk.mail_out import DEDUP_PREFIX
from tests.mail.conftest import ImapServer, SmtpSink, letter, message_id_of

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
DESK = "Служба поддержки <desk@city.example>"
ANNA = "Анна Иванова <anna@example.ru>"


class Desk:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        settings: Settings,
        imap: ImapServer,
        mailbox: str,
        smtp: SmtpSink,
    ) -> None:
        self.session_factory = session_factory
        self.imap, self.mailbox, self.smtp = imap, mailbox, smtp
        self.ctx = NoticeContext(service_mail_from=DESK)
        self.poller = ServiceMailPoller(
            session_factory,
            imap.config(mailbox),
            files_dir=settings.files_dir,
            notify=self.ctx,
            default_topic="it",
        )
        self.sender = MailSender(
            session_factory,
            smtp.config(mail_from=DESK),
            files_dir=settings.files_dir,
            only_prefix=DEDUP_PREFIX,
        )
        self.agent_id = 0
        self.files_dir = settings.files_dir

    async def setup(self) -> None:
        async with self.session_factory() as session:
            it = Department(name="Отдел информационных технологий")
            session.add(it)
            await session.flush()
            agent = User(full_name="Сергей Админов", email="agent@city.example", department_id=it.id)
            session.add(agent)
            session.add(
                ServiceTopic(code="it", name_ru="Компьютеры и связь", name_en="IT", department_id=it.id)
            )
            await session.commit()
            self.agent_id = agent.id

    async def deliver(self, *letters: EmailMessage) -> object:
        self.imap.append(self.mailbox, *letters)
        return await self.poller.poll()

    async def send(self) -> list[EmailMessage]:
        before = len(self.smtp.received)
        await self.sender.send_due()
        return self.smtp.received[before:]

    async def requests(self) -> list[ServiceRequest]:
        async with self.session_factory() as session:
            return list((await session.scalars(select(ServiceRequest).order_by(ServiceRequest.id))).all())

    async def comments(self, request_id: int) -> list[ServiceComment]:
        async with self.session_factory() as session:
            query = (
                select(ServiceComment)
                .where(ServiceComment.request_id == request_id)
                .order_by(ServiceComment.id)
            )
            return list((await session.scalars(query)).all())

    async def as_agent(self, action: str, request_id: int, *text: str) -> None:
        async with self.session_factory() as session:
            agent = await session.get(User, self.agent_id)
            assert agent is not None
            change = getattr(requests, action, None) or getattr(resolution, action)
            await change(session, agent, request_id, *text, ctx=self.ctx)
            await session.commit()


@pytest.fixture
async def desk(
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    imap_server: ImapServer,
    mailbox: str,
    smtp_server: SmtpSink,
) -> Desk:
    d = Desk(session_factory, settings, imap_server, mailbox, smtp_server)
    await d.setup()
    return d


def _reply(to: EmailMessage, body: str, *, sender: str = ANNA) -> EmailMessage:
    reply = letter(subject=f"Re: {to['Subject']}", body=body, sender=sender)
    reply["In-Reply-To"] = message_id_of(to)
    reply["References"] = f"{to['In-Reply-To'] or ''} {message_id_of(to)}".strip()
    return reply


def _text(msg: EmailMessage) -> str:
    part = msg.get_body(("plain",)) if msg.is_multipart() else msg
    assert part is not None
    return part.get_content()


async def test_letter_to_request_question_answer_and_resolution_by_mail(desk: Desk) -> None:
    first = letter(subject="[it] Не печатает принтер", body="Принтер в кабинете 12 не печатает.", sender=ANNA)
    first.add_attachment(PDF, maintype="application", subtype="pdf", filename="Скан ошибки.pdf")
    result = await desk.deliver(first)
    assert result.registered == 1

    [request] = await desk.requests()
    assert request.subject == "Не печатает принтер"
    assert request.channel == ServiceChannel.EMAIL and request.status == ServiceStatus.NEW
    assert request.requester_email == "anna@example.ru" and request.requester_name == "Анна Иванова"
    assert request.requester_id is None
    assert "Принтер в кабинете 12" in request.text
    async with desk.session_factory() as session:
        files = (
            await session.scalars(select(StoredFile).where(StoredFile.service_request_id == request.id))
        ).all()
    assert [f.original_name for f in files] == ["Скан ошибки.pdf"]

    [ack] = await desk.send()
    assert ack["To"] == "anna@example.ru"
    assert f"[№ {request.number}]" in str(ack["Subject"]) and "Не печатает принтер" in str(ack["Subject"])
    assert ack["In-Reply-To"] == message_id_of(first)
    assert request.number in _text(ack) and "зарегистрирована" in _text(ack)

    await desk.as_agent("take", request.id)
    assert await desk.send() == []  # taking it in work is not worth a letter
    await desk.as_agent("wait_for_requester", request.id, "Какая модель принтера?")
    [question] = await desk.send()
    assert question["In-Reply-To"] == message_id_of(first)
    assert "Какая модель принтера?" in _text(question) and "Сергей Админов" in _text(question)
    assert (await desk.comments(request.id))[0].message_id == message_id_of(question)

    answer = _reply(question, "HP LaserJet 1020.\n\n> Какая модель принтера?")
    assert (await desk.deliver(answer)).registered == 1
    [request] = await desk.requests()
    assert request.status == ServiceStatus.IN_WORK
    comments = await desk.comments(request.id)
    assert [c.text for c in comments] == ["Какая модель принтера?", "HP LaserJet 1020."]
    assert comments[1].via == ServiceChannel.EMAIL and comments[1].author_email == "anna@example.ru"
    assert await desk.send() == []  # the requester's own words are not mailed back to her

    again = await desk.deliver(answer)  # the same letter delivered a second time
    assert again.duplicates == 1 and again.registered == 0
    assert len(await desk.comments(request.id)) == 2

    await desk.as_agent("resolve", request.id, "Заменили картридж.")
    [resolved] = await desk.send()
    assert resolved["In-Reply-To"] == message_id_of(first)
    assert "Заменили картридж." in _text(resolved) and request.number in str(resolved["Subject"])
    assert (await desk.requests())[0].status == ServiceStatus.RESOLVED

    # «Not solved» as a reply to the resolution letter: back to work.
    assert (await desk.deliver(_reply(resolved, "Всё равно не печатает."))).registered == 1
    assert (await desk.requests())[0].status == ServiceStatus.IN_WORK


async def test_foreign_or_unknown_thread_files_a_new_request(desk: Desk) -> None:
    first = letter(subject="Нет интернета", body="Не открываются сайты.", sender=ANNA)
    await desk.deliver(first)
    [ack] = await desk.send()
    [anna_request] = await desk.requests()

    # Another person replies into Anna's thread and names her number: not attached to her request.
    stranger = _reply(ack, "А у меня не работает почта.", sender="Борис <boris@example.ru>")
    unknown = letter(subject="Сломалась мышь", body="Мышь не работает.", sender="Борис <boris@example.ru>")
    unknown["In-Reply-To"] = "<no-such-letter@example.ru>"
    result = await desk.deliver(stranger, unknown)
    assert result.registered == 2

    all_requests = await desk.requests()
    assert len(all_requests) == 3
    assert await desk.comments(anna_request.id) == []
    assert [r.requester_email for r in all_requests[1:]] == ["boris@example.ru", "boris@example.ru"]
    assert [r.subject for r in all_requests[1:]] == ["Нет интернета", "Сломалась мышь"]
    letters = await desk.send()
    assert sorted(str(m["To"]) for m in letters) == ["boris@example.ru", "boris@example.ru"]
    assert all(all_requests[0].number not in str(m["Subject"]) for m in letters)

    # Anna herself writes a fresh letter naming her number: it joins her request.
    more = letter(subject=f"[№ {anna_request.number}] Ещё", body="И телефон тоже не работает.", sender=ANNA)
    assert (await desk.deliver(more)).registered == 1
    assert [c.text for c in await desk.comments(anna_request.id)] == ["И телефон тоже не работает."]
    assert len(await desk.requests()) == 3


async def test_agent_replies_by_mail_loops_skipped_and_bad_letters_quarantined(desk: Desk) -> None:
    async with desk.session_factory() as session:
        session.add(User(full_name="Пётр Петров", email="Petrov@City.example"))
        await session.commit()
    first = letter(
        subject="Доступ к 1С", body="Нужен доступ к бухгалтерии.", sender="Пётр <petrov@city.example>"
    )
    await desk.deliver(first)
    [request] = await desk.requests()
    assert request.requester_id is not None and request.requester_email == "petrov@city.example"
    [ack] = await desk.send()

    # The agent answers the acknowledgement from his own mail client: a public comment from him,
    # mailed on to the requester.
    agent_letter = _reply(ack, "Доступ выдан, пароль у администратора.", sender="Сергей <agent@city.example>")
    assert (await desk.deliver(agent_letter)).registered == 1
    [comment] = await desk.comments(request.id)
    assert comment.author_id == desk.agent_id and not comment.internal
    [forwarded] = await desk.send()
    assert forwarded["To"] == "petrov@city.example"
    assert "Доступ выдан, пароль у администратора." in _text(forwarded)
    assert (await desk.requests())[0].first_response_at is not None

    own = letter(subject="Эхо", body="Наше же письмо", sender=DESK)
    no_sender = letter(subject="Без отправителя", body="Кто я?", sender="undisclosed-recipients:;")
    after = letter(
        subject="Монитор мерцает",
        body=None,
        html="<html><body><p>Монитор <b>мерцает</b>&nbsp;с утра.</p></body></html>",
        sender=ANNA,
    )
    result = await desk.deliver(own, no_sender, after)
    assert result.skipped == 1 and result.quarantined == 1 and result.registered == 1
    assert [r.subject for r in await desk.requests()] == ["Доступ к 1С", "Монитор мерцает"]
    assert (await desk.requests())[1].text == "Монитор мерцает с утра."
    async with desk.session_factory() as session:
        kept = (await session.scalars(select(MailQuarantine))).all()
        assert [q.subject for q in kept] == ["Без отправителя"]
        assert await session.scalar(select(func.count()).select_from(ServiceComment)) == 1
        # A clerk's «retry» would make a resident's appeal of it: refused, the letter stays put.
        with pytest.raises(InvalidInput) as refused:
            await retry.retry_letter(
                session,
                kept[0].id,
                actor=Actor.system("test"),
                files_dir=desk.files_dir,
                notify=desk.ctx,
                default_locale="ru",
            )
        assert "service desk mailbox" in refused.value.message
        assert await session.scalar(select(func.count()).select_from(Appeal)) == 0
        # The service's own retry takes it in as the poll would: still no sender, so it stays put
        # with the error counted; a clerk cannot make a request of a letter nobody sent.
        tries = kept[0].attempts
        outcome = await mail_retry.retry_desk_letter(
            session, kept[0].id, actor=Actor.system("test"), desk=DeskMail(desk.ctx, desk.files_dir)
        )
        assert not outcome.ok and outcome.request is None
        await session.commit()
        item = await session.get(MailQuarantine, kept[0].id)
        assert item is not None and item.status == "pending" and item.attempts == tries + 1


async def test_quarantined_letter_retried_into_a_request(desk: Desk) -> None:
    """A letter that came while the service had no active topic waits in the quarantine; once the
    administrator turns a topic on, «retry» files its request with its attachment, never an appeal."""
    async with desk.session_factory() as session:
        topic = await session.scalar(select(ServiceTopic))
        assert topic is not None
        topic.is_active = False
        await session.commit()
    result = await desk.deliver(
        letter(subject="Сломался сканер", body="Сканер в приёмной не включается.", sender=ANNA)
    )
    assert result.quarantined == 1 and await desk.requests() == []
    async with desk.session_factory() as session:
        [item] = (await session.scalars(select(MailQuarantine))).all()
        topic = await session.scalar(select(ServiceTopic))
        assert topic is not None
        topic.is_active = True
        outcome = await mail_retry.retry_desk_letter(
            session, item.id, actor=Actor.system("test"), desk=DeskMail(desk.ctx, desk.files_dir)
        )
        await session.commit()
        assert outcome.ok and outcome.request is not None and outcome.request.subject == "Сломался сканер"
        await session.refresh(item)
        assert item.status == "registered"
        assert await session.scalar(select(func.count()).select_from(Appeal)) == 0
    [ack] = await desk.send()  # the acknowledgement with the number goes out as from the poll
    assert outcome.request.number in ack["Subject"]


async def test_scheduler_polls_the_service_mailbox_only_when_configured(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    mail = {"smtp_host": "smtp.city.example", "smtp_user": "appeals", "mail_from": "appeals@city.example"}
    plain = create_scheduler(settings.model_copy(update=mail), session_factory, SchedulerHealth())
    assert {"service_mail_poll", "service_mail_outbox"}.isdisjoint(job.id for job in plain.get_jobs())

    desk = {
        **mail,
        "service_imap_host": "imap.city.example",
        "service_imap_user": "desk",
        "service_mail_from": DESK,
        "service_mail_topic": "it",
        "service_smtp_user": "desk",
    }
    jobs = {
        j.id: j
        for j in create_scheduler(
            settings.model_copy(update=desk), session_factory, SchedulerHealth()
        ).get_jobs()
    }
    poller = jobs["service_mail_poll"].args[0]
    assert isinstance(poller, ServiceMailPoller)
    assert poller.config.host == "imap.city.example" and poller.desk.default_topic == "it"
    assert poller.desk.ctx.service_mail_from == DESK
    appeals_sender, desk_sender = jobs["mail_outbox"].args[0], jobs["service_mail_outbox"].args[0]
    assert (
        appeals_sender.skip_prefix == DEDUP_PREFIX
        and appeals_sender.config.mail_from == "appeals@city.example"
    )
    assert desk_sender.only_prefix == DEDUP_PREFIX
    assert desk_sender.config.mail_from == DESK and desk_sender.config.user == "desk"
