"""The consent text (a separate, versioned document) and the consent log.

The bot and the public form show the current version and log the person's decision with the version
they saw. When no administrator has published a text yet, the built-in one below is published as
version 1 on first use, so every logged consent points to a stored text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from models import ConsentRecord, ConsentText, User, utcnow
from models.enums import Role
from services.audit import Actor, record
from services.errors import InvalidInput, NotFound, PermissionDenied
from services.notify import N_

GIVEN, REFUSED, WITHDRAWN = "given", "refused", "withdrawn"
DECISIONS = (GIVEN, REFUSED, WITHDRAWN)
DECISION_LABELS = {
    GIVEN: N_("consent given"),
    REFUSED: N_("consent refused"),
    WITHDRAWN: N_("consent withdrawn"),
}
CHANNELS = ("telegram", "web", "email", "paper", "open311")
MAX_TEXT = 20_000

# Stored data, not interface text: the document as published (ru is the legally binding one).
DEFAULT_TEXT_RU = (
    "Согласие на обработку персональных данных\n\n"
    "Я даю согласие администрации (оператору) на обработку моих персональных данных: фамилии, имени, "
    "отчества, номера телефона, адреса электронной почты, почтового адреса, идентификатора Telegram, "
    "а также сведений, которые я сообщаю в тексте обращения и в приложенных файлах.\n\n"
    "Цель обработки: регистрация и рассмотрение моего обращения, направление ответа и уведомлений о ходе "
    "рассмотрения (Федеральный закон от 02.05.2006 № 59-ФЗ).\n\n"
    "Действия с данными: сбор, запись, систематизация, накопление, хранение, уточнение, использование, "
    "передача в органы и организации, к компетенции которых относится обращение, обезличивание, "
    "блокирование, удаление, уничтожение — с использованием средств автоматизации и без них.\n\n"
    "Срок: согласие действует до достижения цели обработки и истечения срока хранения обращения, "
    "установленного законодательством об архивном деле. Я могу отозвать согласие, запросить сведения "
    "о своих данных и их удаление, обратившись к оператору."
)
DEFAULT_TEXT_EN = (
    "Consent to the processing of personal data\n\n"
    "I consent to the administration (the operator) processing my personal data — name, phone number, "
    "e-mail address, postal address, Telegram identifier and what I write in the appeal and its files — "
    "to register and consider my appeal and to send me the answer and notices about it (Federal Law "
    "59-FZ). The consent lasts until the purpose is achieved and the appeal's archive term ends. I may "
    "withdraw it, ask what data is kept about me and ask for its erasure."
)


@dataclass(frozen=True, slots=True)
class ConsentEntry:
    """One decision to log. ``channel`` is where it was given, ``version`` the text shown."""

    channel: str
    version: int
    decision: str = GIVEN
    telegram_id: int | None = None
    correspondent_id: int | None = None
    appeal_id: int | None = None
    ip: str | None = None


def text_in(text: ConsentText, locale: str) -> str:
    return text.text_en if locale == "en" and text.text_en.strip() else text.text_ru


async def current(session: AsyncSession) -> ConsentText:
    """The version shown now (publishing the built-in text as version 1 if there is none)."""
    found = await session.scalar(select(ConsentText).where(ConsentText.is_current).limit(1))
    if found is not None:
        return found
    try:
        async with session.begin_nested():  # two first visitors at once: one insert wins
            text = ConsentText(version=1, text_ru=DEFAULT_TEXT_RU, text_en=DEFAULT_TEXT_EN, is_current=True)
            session.add(text)
    except IntegrityError:
        found = await session.scalar(select(ConsentText).where(ConsentText.is_current).limit(1))
        if found is None:
            raise
        return found
    return text


async def by_version(session: AsyncSession, version: int) -> ConsentText | None:
    return await session.scalar(select(ConsentText).where(ConsentText.version == version))


async def versions(session: AsyncSession) -> Sequence[ConsentText]:
    return (await session.scalars(select(ConsentText).order_by(ConsentText.version.desc()))).all()


async def publish(
    session: AsyncSession, user: User, text_ru: str, text_en: str = "", *, now: datetime | None = None
) -> ConsentText:
    """A new current version; the older ones stay stored and readable. Administrators only."""
    if not user.has_role(Role.ADMIN):
        raise PermissionDenied("Only administrators may publish the consent text.")
    text_ru, text_en = (text_ru or "").strip(), (text_en or "").strip()
    if not text_ru:
        raise InvalidInput("The Russian text of the consent is required.")
    if len(text_ru) > MAX_TEXT or len(text_en) > MAX_TEXT:
        raise InvalidInput("The consent text is too long.")
    await current(session)  # the built-in version 1 counts as published before the first edit
    latest = await session.scalar(select(func.max(ConsentText.version))) or 0
    await session.execute(update(ConsentText).where(ConsentText.is_current).values(is_current=False))
    text = ConsentText(
        version=latest + 1,
        text_ru=text_ru,
        text_en=text_en,
        published_at=now or utcnow(),
        published_by_id=user.id,
        is_current=True,
    )
    session.add(text)
    await session.flush()
    record(
        session,
        Actor(user_id=user.id),
        "consent_text",
        text.id,
        "consent_published",
        new_state=str(text.version),
    )
    return text


async def log(session: AsyncSession, entry: ConsentEntry, *, now: datetime | None = None) -> ConsentRecord:
    """Write one decision to the consent log (the caller commits)."""
    if entry.decision not in DECISIONS:
        raise InvalidInput("Unknown consent decision.")
    if await by_version(session, entry.version) is None:
        raise NotFound("This version of the consent text does not exist.")
    row = ConsentRecord(
        given_at=now or utcnow(),
        channel=entry.channel,
        consent_version=entry.version,
        decision=entry.decision,
        telegram_id=entry.telegram_id,
        correspondent_id=entry.correspondent_id,
        appeal_id=entry.appeal_id,
        ip=entry.ip,
    )
    session.add(row)
    await session.flush()
    return row


async def telegram_consented(session: AsyncSession, telegram_id: int, version: int) -> bool:
    """Whether this Telegram account's latest decision about ``version`` is «agree»."""
    latest = await session.scalar(
        select(ConsentRecord.decision)
        .where(ConsentRecord.telegram_id == telegram_id, ConsentRecord.consent_version == version)
        .order_by(ConsentRecord.id.desc())
        .limit(1)
    )
    return latest == GIVEN


async def link_telegram_consents(
    session: AsyncSession, telegram_id: int, *, correspondent_id: int | None, appeal_id: int
) -> None:
    """After the appeal is registered: the consents of this account without an appeal point to it."""
    await session.execute(
        update(ConsentRecord)
        .where(
            ConsentRecord.telegram_id == telegram_id,
            ConsentRecord.decision == GIVEN,
            ConsentRecord.appeal_id.is_(None),
        )
        .values(appeal_id=appeal_id, correspondent_id=correspondent_id)
    )


async def records_of(session: AsyncSession, correspondent_id: int) -> Sequence[ConsentRecord]:
    return (
        await session.scalars(
            select(ConsentRecord)
            .where(ConsentRecord.correspondent_id == correspondent_id)
            .order_by(ConsentRecord.given_at, ConsentRecord.id)
        )
    ).all()
