"""Historic appeals with their answers, under their original registration numbers.

The registration number is the appeal's external key (it is already unique, and an administration
knows its appeals by it), so no extra column: a re-import updates the appeal with that number.
Numbers in our own form ``YYYY-NNNNNN`` keep their year and sequence, so new registrations continue
after them; any other form (``123/2019-П``) gets a negative sequence in its year, which the
numbering (``max + 1``) never reaches.

Rows are written directly, not through registration: no notice, e-mail or Telegram message goes to
anyone, and no assignment is created.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from models import Appeal, Category
from models.enums import AppealChannel, AppealStatus
from services.imports.base import Cells, ChunkContext, ImportKind, assign_changed
from services.imports.columns import (
    Column,
    Rejected,
    choice,
    header_key,
    long_text,
    moment,
    required,
    spellings,
    text,
)
from services.imports.kinds.correspondents import (
    ContactRow,
    existing_contacts,
    match,
    new_correspondent,
    parse_contact,
    remember,
)
from services.imports.kinds.lookups import chunks
from services.notify import N_
from services.work_calendar import terms

DEFAULT_ANSWER_DAYS = 30
_OWN_NUMBER = re.compile(r"^(\d{4})-(\d{6})$")  # exactly as numbering.format_number writes it
STATUS_SPELLINGS = spellings(
    {
        AppealStatus.REGISTERED: ("зарегистрировано", "новое", "new"),
        AppealStatus.IN_WORK: ("в работе", "in work", "in progress"),
        AppealStatus.ANSWERED: ("отвечено", "ответ дан", "дан ответ", "answered"),
        AppealStatus.CLOSED: ("закрыто", "исполнено", "closed"),
        AppealStatus.REJECTED: ("отклонено", "оставлено без рассмотрения", "rejected"),
        AppealStatus.REDIRECTED: ("перенаправлено", "направлено по компетенции", "redirected"),
    }
)
CHANNEL_SPELLINGS = spellings(
    {
        AppealChannel.PAPER: ("бумага", "письмо", "почта россии", "лично", "paper", "letter"),
        AppealChannel.EMAIL: ("email", "e mail", "электронная почта"),
        AppealChannel.WEB: ("сайт", "форма", "интернет приемная", "web", "site"),
        AppealChannel.PHONE: ("телефон", "звонок", "phone"),
        AppealChannel.TELEGRAM: ("телеграм", "telegram"),
        AppealChannel.OPEN311: ("open311",),
    }
)


@dataclass(slots=True)
class _Appeal:
    reg_number: str
    registered_at: datetime
    due_at: datetime | None
    channel: str
    contact: ContactRow | None
    category: str
    subject: str
    text: str
    address: str
    status: str | None
    answer_text: str
    answered_at: datetime | None


class AppealsKind(ImportKind):
    name = "appeals"
    title = N_("Appeals")
    columns = (
        Column(
            "reg_number",
            N_("Registration number"),
            ("рег номер", "регистрационный номер", "номер", "number"),
            required=True,
            example="2024-000123",
        ),
        Column(
            "registered_at",
            N_("Registration date"),
            ("дата регистрации", "дата", "registered", "registered at", "date"),
            required=True,
            example="15.03.2024",
        ),
        Column("due_at", N_("Answer due"), ("срок ответа", "срок", "due"), example="14.04.2024"),
        Column("channel", N_("Channel"), ("канал", "способ поступления", "channel"), example="бумага"),
        Column(
            "external_id",
            N_("Correspondent external id"),
            ("код корреспондента", "id корреспондента", "correspondent id"),
            example="C-000001",
        ),
        Column(
            "name",
            N_("Correspondent"),
            ("заявитель", "фио", "корреспондент", "correspondent"),
            example="Петров Пётр Петрович",
        ),
        Column("phone", N_("Phone"), ("телефон", "phone"), example="+7 900 765-43-21"),
        Column("email", N_("E-mail"), ("email", "почта", "e mail"), example=""),
        Column("category", N_("Category code"), ("категория", "тема", "код темы", "category"), example=""),
        Column(
            "subject",
            N_("Subject"),
            ("тема обращения", "краткое содержание", "subject"),
            example="Яма во дворе",
        ),
        Column("text", N_("Text"), ("текст", "содержание", "text"), example="Прошу заделать яму у дома 5."),
        Column("address", N_("Address"), ("адрес", "адрес проблемы", "address"), example="ул. Ленина, 5"),
        Column("status", N_("Status"), ("статус", "состояние", "status"), example="отвечено"),
        Column("answer_text", N_("Answer"), ("ответ", "текст ответа", "answer"), example="Яма заделана."),
        Column(
            "answered_at", N_("Answer date"), ("дата ответа", "answered", "answered at"), example="01.04.2024"
        ),
    )

    def parse(self, cells: Cells, ctx: ChunkContext) -> _Appeal:
        contact = parse_contact(cells, name_required=False)
        has_contact = contact.name or contact.external_id or contact.phone or contact.email
        if has_contact and not contact.name and not contact.external_id:
            raise Rejected(N_("A correspondent needs a name or an external id."))
        registered_at = moment(cells.get("registered_at"), ctx.tz, "registered_at")
        answer = long_text(cells.get("answer_text"))
        answered_at = moment(cells.get("answered_at"), ctx.tz, "answered_at")
        status = choice(cells.get("status"), STATUS_SPELLINGS, "status")
        if status is None:
            status = AppealStatus.ANSWERED if answer else AppealStatus.REGISTERED
        if answer and answered_at is None:
            raise Rejected(N_("The answer has no date."))
        if registered_at is None:
            raise Rejected(N_('The "%(column)s" cell is empty.'), column="registered_at")
        if answered_at is not None and answered_at < registered_at:
            raise Rejected(N_("The answer is dated before the registration."))
        return _Appeal(
            reg_number=required(text(cells.get("reg_number"), limit=32, name="reg_number"), "reg_number"),
            registered_at=registered_at,
            due_at=moment(cells.get("due_at"), ctx.tz, "due_at"),
            channel=choice(cells.get("channel"), CHANNEL_SPELLINGS, "channel") or AppealChannel.PAPER,
            contact=contact if has_contact else None,
            category=text(cells.get("category"), limit=64, name="category"),
            subject=text(cells.get("subject"), limit=500, name="subject"),
            text=long_text(cells.get("text")),
            address=text(cells.get("address"), limit=500, name="address"),
            status=status,
            answer_text=answer,
            answered_at=answered_at,
        )

    async def apply(self, ctx: ChunkContext, rows: list[tuple[int, Any]]) -> None:
        session = ctx.session
        if "categories" not in ctx.cache:
            ctx.cache["categories"] = {
                header_key(c.code): (c.id, c.answer_days)
                for c in (await session.scalars(select(Category))).all()
            }
        categories: dict[str, tuple[int, int]] = ctx.cache["categories"]
        if "terms" not in ctx.cache:  # the answer term on the production calendar, as at intake
            ctx.cache["terms"] = await terms.load(session, ctx.tz, ctx.term_rule)
        on_calendar: terms.Terms = ctx.cache["terms"]
        existing: dict[str, Appeal] = {}
        for part in chunks(r.reg_number for _n, r in rows):
            for a in (await session.scalars(select(Appeal).where(Appeal.reg_number.in_(part)))).all():
                existing[a.reg_number] = a
        contacts = await existing_contacts(session, (r.contact for _n, r in rows if r.contact))
        for number, row in rows:
            category = None
            if row.category:
                category = categories.get(header_key(row.category))
                if category is None:
                    ctx.report.reject(number, N_('Unknown category code "%(value)s".'), value=row.category)
                    continue
            correspondent = None
            if row.contact is not None:
                correspondent = match(contacts, row.contact)
                if correspondent is None and row.contact.external_id and not row.contact.name:
                    ctx.report.reject(
                        number,
                        N_('No correspondent with the external id "%(value)s".'),
                        value=row.contact.external_id,
                    )
                    continue
            values: dict[str, Any] = {
                "category_id": category[0] if category else None,
                "subject": row.subject or None,
                "text": row.text,
                "address": row.address or None,
                "status": row.status,
                "answer_text": row.answer_text or None,
                "answered_at": row.answered_at,
                "contact_phone": row.contact.phone or None if row.contact else None,
                "contact_email": row.contact.email if row.contact else None,
            }
            appeal = existing.get(row.reg_number)
            if appeal is None:
                if ctx.is_pending("appeals", row.reg_number):
                    ctx.report.updated += 1
                    continue
                if correspondent is None and row.contact is not None:
                    correspondent = new_correspondent(row.contact)
                    session.add(correspondent)
                    await session.flush()
                    remember(contacts, row.contact, correspondent)
                if correspondent is not None:
                    correspondent.appeals_count = (correspondent.appeals_count or 0) + 1
                days = category[1] if category and category[1] else DEFAULT_ANSWER_DAYS
                year, seq = await self._number(ctx, row)
                appeal = Appeal(
                    reg_year=year,
                    reg_seq=seq,
                    reg_number=row.reg_number,
                    channel=row.channel,
                    correspondent_id=correspondent.id if correspondent else None,
                    registered_at=row.registered_at,
                    due_at=row.due_at or on_calendar.after(row.registered_at, days),
                    created_by_id=ctx.actor.user_id,
                    **values,
                )
                session.add(appeal)
                await session.flush()
                existing[row.reg_number] = appeal
                ctx.remember("appeals", row.reg_number)
                ctx.report.created += 1
                continue
            values["registered_at"] = row.registered_at
            if row.due_at:
                values["due_at"] = row.due_at
            if correspondent is not None:
                values["correspondent_id"] = correspondent.id
            ctx.report.found(assign_changed(appeal, values))
        await session.flush()

    @staticmethod
    async def _number(ctx: ChunkContext, row: _Appeal) -> tuple[int, int]:
        own = _OWN_NUMBER.match(row.reg_number)
        if own and int(own.group(2)) > 0:
            return int(own.group(1)), int(own.group(2))
        year = row.registered_at.astimezone(ctx.tz).year
        lowest: dict[int, int] = ctx.cache.setdefault("negative_seq", {})
        if year not in lowest:
            found = await ctx.session.scalar(select(func.min(Appeal.reg_seq)).where(Appeal.reg_year == year))
            lowest[year] = min(found or 0, 0)
        lowest[year] -= 1
        return year, lowest[year]
