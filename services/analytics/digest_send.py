"""Queueing the daily and weekly digests into the outbox, once per period and recipient.

Recipients: managers get the organisation's figures; department heads who are not managers get
their department's. Each message carries a dedup key naming the period and the recipient
(``digest:d:2026-11-23:17``), so a job that runs again, or after a restart, queues nothing twice.
Figures are built once per scope per run, rendered per recipient language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Department, OutboxMessage, User, UserRole
from models.enums import Role
from services import outbox
from services.analytics.charts import on_time_trend_png
from services.analytics.digest import Digest, build_digest, render_digest
from services.analytics.export import kpi_workbook
from services.analytics.kpi import ORGANISATION, Scope
from services.files import store_file
from services.notify import N_, NoticeContext, Translator

ALL_GROUPS = frozenset({"managers", "heads"})
CAPTION_LIMIT = 1024  # Telegram's limit for a photo caption
PNG = frozenset({"image/png"})
XLSX = frozenset({"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/zip"})


@dataclass(frozen=True)
class Recipient:
    user: User
    scope: Scope
    heading: str  # department name, or "" for the organisation


async def digest_recipients(session: AsyncSession, groups: frozenset[str] = ALL_GROUPS) -> list[Recipient]:
    """Managers (organisation) and department heads (their department), as ``groups`` allows."""
    result: list[Recipient] = []
    if "managers" in groups:
        result = await _managers(session)
    seen = {r.user.id for r in result}
    if "heads" not in groups:
        return result
    heads = await session.execute(
        select(User, Department)
        .join(Department, Department.head_id == User.id)
        .where(Department.is_active, User.is_active, User.telegram_id.is_not(None))
        .order_by(Department.id)
    )
    for user, department in heads:
        if user.id not in seen:
            result.append(Recipient(user, Scope(department_id=department.id), department.name))
            seen.add(user.id)
    return result


async def _managers(session: AsyncSession) -> list[Recipient]:
    managers = (
        await session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.MANAGER, User.is_active, User.telegram_id.is_not(None))
            .order_by(User.id)
        )
    ).unique()
    return [Recipient(u, ORGANISATION, "") for u in managers]


async def scope_of(session: AsyncSession, user: User) -> tuple[Scope, str] | None:
    """What ``user`` may see in digests and ``/stats``: the organisation for managers, their own
    department for a department head, nothing for anyone else."""
    if user.has_role(Role.MANAGER):
        return ORGANISATION, ""
    department = await session.scalar(
        select(Department).where(Department.head_id == user.id, Department.is_active).order_by(Department.id)
    )
    return (Scope(department_id=department.id), department.name) if department is not None else None


async def _already_queued(session: AsyncSession, keys: list[str]) -> set[str]:
    if not keys:
        return set()
    rows = await session.scalars(select(OutboxMessage.dedup_key).where(OutboxMessage.dedup_key.in_(keys)))
    return {k for k in rows if k}


def _heading(r: Recipient, t: Translator) -> str:
    return r.heading or t(N_("Whole organisation"))


async def queue_daily_digests(
    session: AsyncSession,
    ctx: NoticeContext,
    files_dir: Path,
    *,
    now: datetime,
    groups: frozenset[str] = ALL_GROUPS,
) -> int:
    """Queue today's digest (about yesterday) for every recipient who has not had it. Returns how many."""
    day = ctx.local(now).date() - timedelta(days=1)
    recipients = await digest_recipients(session, groups)
    keys = {r.user.id: f"digest:d:{day.isoformat()}:{r.user.id}" for r in recipients}
    done = await _already_queued(session, list(keys.values()))
    digests: dict[Scope, Digest] = {}
    charts: dict[tuple[Scope, str], str] = {}
    queued = 0
    for r in recipients:
        key = keys[r.user.id]
        if key in done:
            continue
        if r.scope not in digests:
            digests[r.scope] = await build_digest(session, ctx, now=now, scope=r.scope)
        digest = digests[r.scope]
        locale = ctx.locale_of(r.user)
        t = Translator(locale)
        text, keyboard = render_digest(digest, t, ctx, heading=_heading(r, t))
        if (r.scope, locale) not in charts:
            png = on_time_trend_png(digest.trend, t)
            stored = await store_file(session, files_dir, png, filename="trend.png", allowed=PNG)
            charts[(r.scope, locale)] = stored.storage_path
        chat = r.user.telegram_id
        assert chat is not None
        photo = {"path": charts[(r.scope, locale)], "filename": f"digest-{day.isoformat()}.png"}
        messages = []
        if len(text) <= CAPTION_LIMIT:
            payload = {"chat_id": chat, "photo": photo, "caption": text, "parse_mode": "HTML"}
            if keyboard["inline_keyboard"]:
                payload["reply_markup"] = keyboard
            messages.append(outbox.OutgoingMessage(chat, payload, "sendPhoto", key))
        else:  # a long top-overdue list: the chart, then the text with its buttons
            messages.append(outbox.OutgoingMessage(chat, {"chat_id": chat, "photo": photo}, "sendPhoto", key))
            message = outbox.text_message(chat, text, reply_markup=keyboard, dedup_key=f"{key}:text")
            message.payload["parse_mode"] = "HTML"
            messages.append(message)
        queued += await outbox.enqueue_many(
            session, messages, batch=f"digest:d:{day.isoformat()}", priority=150
        )
    return queued


def week_bounds(ctx: NoticeContext, now: datetime) -> tuple[date, datetime, datetime]:
    """The last full local week (Monday to Sunday) before ``now``: (its Monday, start, end)."""
    today = ctx.local(now).date()
    monday = today - timedelta(days=today.weekday() + 7)
    start = datetime.combine(monday, time(0), tzinfo=ctx.tz)
    return monday, start, start + timedelta(days=7)


async def queue_weekly_reports(
    session: AsyncSession,
    ctx: NoticeContext,
    files_dir: Path,
    *,
    now: datetime,
    groups: frozenset[str] = ALL_GROUPS,
) -> int:
    """Queue last week's XLSX KPI report for every recipient who has not had it."""
    monday, start, end = week_bounds(ctx, now)
    recipients = await digest_recipients(session, groups)
    keys = {r.user.id: f"digest:w:{monday.isoformat()}:{r.user.id}" for r in recipients}
    done = await _already_queued(session, list(keys.values()))
    files: dict[tuple[Scope, str], str] = {}
    queued = 0
    for r in recipients:
        key = keys[r.user.id]
        if key in done:
            continue
        locale = ctx.locale_of(r.user)
        t = Translator(locale)
        if (r.scope, locale) not in files:
            data = await kpi_workbook(session, ctx, start, end, now=now, scope=r.scope, locale=locale)
            stored = await store_file(session, files_dir, data, filename="kpi.xlsx", allowed=XLSX)
            files[(r.scope, locale)] = stored.storage_path
        last = (end - timedelta(days=1)).date()
        caption = t(
            N_("Weekly report: %(heading)s, %(start)s – %(end)s"),
            heading=_heading(r, t),
            start=monday.strftime("%d.%m.%Y"),
            end=last.strftime("%d.%m.%Y"),
        )
        chat = r.user.telegram_id
        assert chat is not None
        document = {"path": files[(r.scope, locale)], "filename": f"kpi-{monday.isoformat()}.xlsx"}
        payload = {"chat_id": chat, "document": document, "caption": caption}
        message = outbox.OutgoingMessage(chat, payload, "sendDocument", key)
        queued += await outbox.enqueue_many(
            session, [message], batch=f"digest:w:{monday.isoformat()}", priority=150
        )
    return queued
