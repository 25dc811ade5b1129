"""The consent texts (separate, versioned documents, one per purpose) and the consent log.

152-FZ art. 9: a consent is specific — it names the operator, the purpose, the data, the actions and
the term. So each purpose has its own document with its own versions: **appeals** (59-FZ: the bot's
«Write an appeal», the public appeal form) and **activities** (the institution's own activities:
registering for events, forms in the bot and on the web, applications). The consent to mailings is a
third, separate one with its own double opt-in (services.mailings.consent); it never shows these texts.

The bot and the public pages show the purpose's current version and log the person's decision with
the purpose and the version they saw. When no administrator has published a purpose's text yet, the
built-in one below is published as its version 1 on first use, so every logged consent points to a
stored text. A text may hold three placeholders filled in when it is shown: ``{operator}`` (the
organisation's name from its card), ``{channel}`` (Telegram, MAX or the web form: where the person is)
and ``{account}`` (the identifier that channel gives us). The log keeps the channel, so the document a
person saw can be shown again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from models import ConsentRecord, ConsentText, OrgCard, User, utcnow
from models.enums import Role
from services.audit import Actor, record
from services.errors import InvalidInput, NotFound, PermissionDenied
from services.messengers import Messenger, messenger_of
from services.notify import N_

GIVEN, REFUSED, WITHDRAWN = "given", "refused", "withdrawn"
DECISIONS = (GIVEN, REFUSED, WITHDRAWN)
DECISION_LABELS = {
    GIVEN: N_("consent given"),
    REFUSED: N_("consent refused"),
    WITHDRAWN: N_("consent withdrawn"),
}
CHANNELS = ("telegram", "max", "web", "email", "paper", "open311")
MAX_TEXT = 20_000

APPEALS, ACTIVITIES = "appeals", "activities"
PURPOSES = (APPEALS, ACTIVITIES)
PURPOSE_LABELS = {
    APPEALS: N_("Appeals (59-FZ)"),
    ACTIVITIES: N_("Events, forms and applications"),
}

# Stored data, not interface text: the documents as published (ru is the legally binding one).
_ACTIONS_RU = (
    "Действия с данными: сбор, запись, систематизация, накопление, хранение, уточнение, использование, "
)
_RIGHTS_RU = (
    "Я могу отозвать согласие, запросить сведения о своих данных и их удаление, обратившись к оператору."
)
APPEALS_TEXT_RU = (
    "Согласие на обработку персональных данных для рассмотрения обращения\n\n"
    "Оператор персональных данных: {operator}.\n\n"
    "Я даю согласие оператору на обработку моих персональных данных: фамилии, имени, отчества, номера "
    "телефона, адреса электронной почты, почтового адреса, {account}, а также сведений, которые я сообщаю "
    "в тексте обращения и в приложенных файлах.\n\n"
    "Цель обработки: регистрация и рассмотрение моего обращения, направление ответа и уведомлений о ходе "
    "рассмотрения (Федеральный закон от 02.05.2006 № 59-ФЗ «О порядке рассмотрения обращений граждан "
    "Российской Федерации»).\n\n"
    "Способ подачи: {channel}.\n\n"
    + _ACTIONS_RU
    + "передача в органы и организации, к компетенции которых относится обращение, обезличивание, "
    "блокирование, удаление, уничтожение — с использованием средств автоматизации и без них.\n\n"
    "Срок: согласие действует до достижения цели обработки и истечения срока хранения обращения, "
    "установленного законодательством об архивном деле. " + _RIGHTS_RU
)
APPEALS_TEXT_EN = (
    "Consent to the processing of personal data to consider an appeal\n\n"
    "The operator: {operator}.\n\n"
    "I consent to the operator processing my personal data — name, phone number, e-mail address, postal "
    "address, {account} and what I write in the appeal and its files — to register and consider my "
    "appeal and to send me the answer and notices about it (Federal Law 59-FZ on citizens' appeals). "
    "Channel: {channel}. The data may be passed to the bodies the appeal concerns. The consent lasts "
    "until the purpose is achieved and the appeal's archive term ends. I may withdraw it, ask what data "
    "is kept about me and ask for its erasure."
)
ACTIVITIES_TEXT_RU = (
    "Согласие на обработку персональных данных для записи на мероприятия, заполнения форм и подачи "
    "заявок\n\n"
    "Оператор персональных данных: {operator}.\n\n"
    "Я даю согласие оператору на обработку моих персональных данных: фамилии, имени, отчества, номера "
    "телефона, адреса электронной почты, {account}, сведений, которые я сообщаю в ответах на вопросы "
    "формы, в заявке и в приложенных файлах, а также фамилии, имени и возраста ребёнка, если я записываю "
    "ребёнка как его законный представитель.\n\n"
    "Цель обработки: запись на мероприятия оператора и в лист ожидания, напоминания и сообщения об "
    "изменениях мероприятий, учёт посещения; приём и рассмотрение заполненных мною форм и заявок, "
    "сообщение о решении — в рамках уставной деятельности оператора (статьи 6 и 9 Федерального закона "
    "от 27.07.2006 № 152-ФЗ «О персональных данных»). Рассылки новостей по этому согласию не "
    "направляются: для них нужно отдельное согласие.\n\n"
    "Способ: {channel}.\n\n"
    + _ACTIONS_RU
    + "обезличивание, блокирование, удаление, уничтожение — с использованием средств автоматизации и без "
    "них. Данные не передаются третьим лицам, кроме случаев, предусмотренных законом.\n\n"
    "Срок: согласие действует до достижения цели обработки (проведения мероприятия, рассмотрения формы "
    "или заявки), но не более трёх лет с даты его предоставления, если я не отзову его раньше. " + _RIGHTS_RU
)
ACTIVITIES_TEXT_EN = (
    "Consent to the processing of personal data to register for events, fill in forms and submit "
    "applications\n\n"
    "The operator: {operator}.\n\n"
    "I consent to the operator processing my personal data — name, phone number, e-mail address, "
    "{account}, my answers to the form, my application and its files, and my child's name and age when I "
    "register a child as their legal representative — to register me for the operator's events and "
    "waiting lists, remind me and tell me about changes, record attendance, and to consider the forms and "
    "applications I send and tell me the decision, as part of the operator's own activities (Federal Law "
    "152-FZ, articles 6 and 9). No news mailings are sent under this consent: they need a separate one. "
    "Channel: {channel}. The data is not passed to third parties except where the law requires. The "
    "consent lasts until the purpose is achieved, at most three years from the day it is given, unless I "
    "withdraw it earlier. I may withdraw it, ask what data is kept about me and ask for its erasure."
)
DEFAULT_TEXTS = {
    APPEALS: (APPEALS_TEXT_RU, APPEALS_TEXT_EN),
    ACTIVITIES: (ACTIVITIES_TEXT_RU, ACTIVITIES_TEXT_EN),
}
# Kept for the code that imported the one document: the appeals text.
DEFAULT_TEXT_RU, DEFAULT_TEXT_EN = APPEALS_TEXT_RU, APPEALS_TEXT_EN

# What the placeholders become: parts of the document, in the document's language (None: not known,
# e.g. the public page opened without a channel).
_CHANNEL_WORDS = {
    "ru": {
        "telegram": "мессенджер Telegram (чат-бот оператора)",
        "max": "мессенджер MAX (чат-бот оператора)",
        "web": "форма на сайте оператора",
        None: "мессенджер Telegram или MAX (чат-бот оператора) либо форма на сайте оператора",
    },
    "en": {
        "telegram": "the Telegram messenger (the operator's chat bot)",
        "max": "the MAX messenger (the operator's chat bot)",
        "web": "the form on the operator's website",
        None: "the Telegram or MAX messenger (the operator's chat bot) or the form on the operator's website",
    },
}
_ACCOUNT_WORDS = {
    "ru": {
        "telegram": "идентификатора моей учётной записи в Telegram",
        "max": "идентификатора моей учётной записи в MAX",
        "web": "IP-адреса, с которого отправлена форма",
        None: "идентификатора моей учётной записи в мессенджере (Telegram или MAX) или IP-адреса, с "
        "которого отправлена форма",
    },
    "en": {
        "telegram": "my Telegram account identifier",
        "max": "my MAX account identifier",
        "web": "the IP address the form was sent from",
        None: "my messenger account identifier (Telegram or MAX) or the IP address the form was sent from",
    },
}
_NO_OPERATOR = {
    "ru": "организация, предоставляющая этот сервис",
    "en": "the organisation providing this service",
}


def check_purpose(purpose: str) -> str:
    if purpose not in PURPOSES:
        raise InvalidInput("Unknown consent purpose.")
    return purpose


def channel_of(address: int | None) -> str:
    """The consent channel of a chat address: ``max`` for a MAX account, else ``telegram``."""
    if address is not None and messenger_of(address) is Messenger.MAX:
        return "max"
    return "telegram"


@dataclass(frozen=True, slots=True)
class ConsentEntry:
    """One decision to log. ``channel`` is where it was given, ``version`` the text shown (of
    ``purpose``). A Telegram channel with a MAX chat address is logged as ``max``."""

    channel: str
    version: int
    decision: str = GIVEN
    telegram_id: int | None = None
    correspondent_id: int | None = None
    appeal_id: int | None = None
    ip: str | None = None
    purpose: str = APPEALS


def text_in(text: ConsentText, locale: str, channel: str | None = None) -> str:
    """The document in ``locale`` (Russian when there is no English text), its placeholders filled in
    for ``channel`` (``telegram``, ``max``, ``web``; None: any of them) and the text's operator."""
    english = locale == "en" and bool(text.text_en.strip())
    lang = "en" if english else "ru"
    body = text.text_en if english else text.text_ru
    key = channel if channel in ("telegram", "max", "web") else None
    operator = (text.operator or "").strip() or _NO_OPERATOR[lang]
    return (
        body.replace("{operator}", operator)
        .replace("{channel}", _CHANNEL_WORDS[lang][key])
        .replace("{account}", _ACCOUNT_WORDS[lang][key])
    )


async def operator_name(session: AsyncSession) -> str:
    """The operator as the organisation's card names it: the full name, else the short one."""
    card = await session.get(OrgCard, 1)  # services.config.org_card.CARD_ID: the one card
    if card is None:
        return ""
    return (card.name or card.short_name or "").strip()


async def _with_operator(session: AsyncSession, text: ConsentText) -> ConsentText:
    text.operator = await operator_name(session)
    return text


def _current_query(purpose: str) -> Select[tuple[ConsentText]]:
    return select(ConsentText).where(ConsentText.purpose == purpose, ConsentText.is_current).limit(1)


async def current(session: AsyncSession, purpose: str = APPEALS) -> ConsentText:
    """The purpose's version shown now (publishing its built-in text as version 1 if there is none)."""
    check_purpose(purpose)
    found = await session.scalar(_current_query(purpose))
    if found is not None:
        return await _with_operator(session, found)
    text_ru, text_en = DEFAULT_TEXTS[purpose]
    try:
        async with session.begin_nested():  # two first visitors at once: one insert wins
            text = ConsentText(purpose=purpose, version=1, text_ru=text_ru, text_en=text_en, is_current=True)
            session.add(text)
    except IntegrityError:
        found = await session.scalar(_current_query(purpose))
        if found is None:
            raise
        return await _with_operator(session, found)
    return await _with_operator(session, text)


async def by_version(session: AsyncSession, version: int, purpose: str = APPEALS) -> ConsentText | None:
    """The purpose's ``version``; version 1 of a purpose never shown yet is its built-in text."""
    if purpose not in PURPOSES:
        return None
    found = await session.scalar(
        select(ConsentText).where(ConsentText.purpose == purpose, ConsentText.version == version)
    )
    if found is None and version == 1:
        first = await current(session, purpose)
        return first if first.version == 1 else None
    return await _with_operator(session, found) if found is not None else None


async def versions(session: AsyncSession, purpose: str = APPEALS) -> Sequence[ConsentText]:
    return (
        await session.scalars(
            select(ConsentText).where(ConsentText.purpose == purpose).order_by(ConsentText.version.desc())
        )
    ).all()


async def publish(
    session: AsyncSession,
    user: User,
    text_ru: str,
    text_en: str = "",
    *,
    purpose: str = APPEALS,
    now: datetime | None = None,
) -> ConsentText:
    """A new current version of ``purpose``'s text; the older ones, and the other purposes' texts,
    stay as they are. Administrators only."""
    if not user.has_role(Role.ADMIN):
        raise PermissionDenied("Only administrators may publish the consent text.")
    check_purpose(purpose)
    text_ru, text_en = (text_ru or "").strip(), (text_en or "").strip()
    if not text_ru:
        raise InvalidInput("The Russian text of the consent is required.")
    if len(text_ru) > MAX_TEXT or len(text_en) > MAX_TEXT:
        raise InvalidInput("The consent text is too long.")
    await current(session, purpose)  # the built-in version 1 counts as published before the first edit
    latest = (
        await session.scalar(select(func.max(ConsentText.version)).where(ConsentText.purpose == purpose)) or 0
    )
    await session.execute(
        update(ConsentText)
        .where(ConsentText.purpose == purpose, ConsentText.is_current)
        .values(is_current=False)
    )
    text = ConsentText(
        purpose=purpose,
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
        data={"purpose": purpose},
    )
    return await _with_operator(session, text)


async def log(session: AsyncSession, entry: ConsentEntry, *, now: datetime | None = None) -> ConsentRecord:
    """Write one decision to the consent log (the caller commits)."""
    if entry.decision not in DECISIONS:
        raise InvalidInput("Unknown consent decision.")
    check_purpose(entry.purpose)
    if await by_version(session, entry.version, entry.purpose) is None:
        raise NotFound("This version of the consent text does not exist.")
    channel = entry.channel
    if channel == "telegram":  # callers written before MAX say "telegram" for any messenger
        channel = channel_of(entry.telegram_id)
    row = ConsentRecord(
        given_at=now or utcnow(),
        channel=channel,
        purpose=entry.purpose,
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


async def telegram_consented(
    session: AsyncSession, telegram_id: int, version: int, purpose: str = APPEALS
) -> bool:
    """Whether this messenger account's latest decision about ``purpose``'s ``version`` is «agree»."""
    latest = await session.scalar(
        select(ConsentRecord.decision)
        .where(
            ConsentRecord.telegram_id == telegram_id,
            ConsentRecord.purpose == purpose,
            ConsentRecord.consent_version == version,
        )
        .order_by(ConsentRecord.id.desc())
        .limit(1)
    )
    return latest == GIVEN


async def link_telegram_consents(
    session: AsyncSession, telegram_id: int, *, correspondent_id: int | None, appeal_id: int
) -> None:
    """After the appeal is registered: this account's appeal consents without an appeal point to it."""
    await session.execute(
        update(ConsentRecord)
        .where(
            ConsentRecord.telegram_id == telegram_id,
            ConsentRecord.purpose == APPEALS,
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
