"""Queueing the daily and weekly digests into the outbox, once per period and recipient.

Recipients: managers, department heads, dispatchers and clerks (the configured groups); each reads
what their roles give them (``readers``: assignments, appeals, outages, in their scope) — the trend
chart only comes with assignments, the weekly spreadsheet only to readers of assignments.
Each message carries a dedup key naming the period and the recipient
(``digest:d:2026-11-23:17``), so a job that runs again, or after a restart, queues nothing twice.
Figures are built once per reader kind per run, rendered per recipient language.
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
from services.analytics.digest_sections import ASSIGNMENTS
from services.analytics.export import kpi_workbook
from services.analytics.kpi import Scope
from services.analytics.readers import Reader, reader_of
from services.files import store_file
from services.notify import N_, NoticeContext, Translator
from services.offload import Offload, render

ALL_GROUPS = frozenset({"managers", "heads", "dispatchers", "clerks"})
CAPTION_LIMIT = 1024  # Telegram's limit for a photo caption
PNG = frozenset({"image/png"})
XLSX = frozenset({"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/zip"})
GROUP_ROLES = {"managers": Role.MANAGER, "dispatchers": Role.DISPATCHER, "clerks": Role.CLERK}


@dataclass(frozen=True)
class Recipient:
    user: User
    reader: Reader

    @property
    def scope(self) -> Scope:
        return self.reader.scope


async def digest_recipients(session: AsyncSession, groups: frozenset[str] = ALL_GROUPS) -> list[Recipient]:
    """Managers, department heads, dispatchers and clerks, as ``groups`` allows, each with what
    their roles give them to read (``readers``); managers first, then heads, then the others."""
    users: list[User] = []
    if "managers" in groups:
        users += await _with_role(session, Role.MANAGER)
    if "heads" in groups:
        users += (
            await session.scalars(
                select(User)
                .join(Department, Department.head_id == User.id)
                .where(Department.is_active, User.is_active, User.telegram_id.is_not(None))
                .order_by(Department.id)
            )
        ).all()
    for group in ("dispatchers", "clerks"):
        if group in groups:
            users += await _with_role(session, GROUP_ROLES[group])
    result: list[Recipient] = []
    seen: set[int] = set()
    for user in users:
        if user.id in seen:
            continue
        seen.add(user.id)
        reader = await reader_of(session, user)
        if reader is not None:
            result.append(Recipient(user, reader))
    return result


async def _with_role(session: AsyncSession, role: Role) -> list[User]:
    query = (
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == role, User.is_active, User.telegram_id.is_not(None))
        .order_by(User.id)
    )
    return list((await session.scalars(query)).unique())


async def build_for(
    session: AsyncSession, ctx: NoticeContext, reader: Reader, *, now: datetime, day: date | None = None
) -> Digest:
    return await build_digest(
        session,
        ctx,
        now=now,
        scope=reader.scope,
        day=day,
        sections=reader.sections,
        clerk_department_id=reader.clerk_department_id,
    )


async def trend_chart(digest: Digest, t: Translator, offload: Offload | None = None) -> bytes:
    """The chart is drawn in the render pool: matplotlib must not hold up the event loop."""
    return await render(offload, on_time_trend_png, tuple(digest.trend), t)


async def _already_queued(session: AsyncSession, keys: list[str]) -> set[str]:
    if not keys:
        return set()
    rows = await session.scalars(select(OutboxMessage.dedup_key).where(OutboxMessage.dedup_key.in_(keys)))
    return {k for k in rows if k}


def _heading(r: Recipient, t: Translator) -> str:
    return r.reader.heading or t(N_("Whole organisation"))


async def queue_daily_digests(
    session: AsyncSession,
    ctx: NoticeContext,
    files_dir: Path,
    *,
    now: datetime,
    groups: frozenset[str] = ALL_GROUPS,
    offload: Offload | None = None,
) -> int:
    """Queue today's digest (about yesterday) for every recipient who has not had it. Returns how many."""
    day = ctx.local(now).date() - timedelta(days=1)
    recipients = await digest_recipients(session, groups)
    keys = {r.user.id: f"digest:d:{day.isoformat()}:{r.user.id}" for r in recipients}
    done = await _already_queued(session, list(keys.values()))
    digests: dict[tuple[object, ...], Digest] = {}
    charts: dict[tuple[object, ...], str] = {}
    queued = 0
    for r in recipients:
        key = keys[r.user.id]
        if key in done:
            continue
        if r.reader.key not in digests:
            digests[r.reader.key] = await build_for(session, ctx, r.reader, now=now)
        digest = digests[r.reader.key]
        locale = ctx.locale_of(r.user)
        t = Translator(locale)
        text, keyboard = render_digest(digest, t, ctx, heading=_heading(r, t))
        chat = r.user.telegram_id
        assert chat is not None
        messages = []
        if ASSIGNMENTS not in r.reader.sections:  # no assignment trend to draw: the text alone
            markup = keyboard if keyboard["inline_keyboard"] else None
            message = outbox.text_message(chat, text, reply_markup=markup, dedup_key=key)
            message.payload["parse_mode"] = "HTML"
            queued += await outbox.enqueue_many(
                session, [message], batch=f"digest:d:{day.isoformat()}", priority=150
            )
            continue
        chart_key = (r.scope, locale)
        if chart_key not in charts:
            png = await trend_chart(digest, t, offload)
            stored = await store_file(session, files_dir, png, filename="trend.png", allowed=PNG)
            charts[chart_key] = stored.storage_path
        photo = {"path": charts[chart_key], "filename": f"digest-{day.isoformat()}.png"}
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
    offload: Offload | None = None,
) -> int:
    """Queue last week's XLSX KPI report (assignments) for every recipient who reads them and has
    not had it."""
    monday, start, end = week_bounds(ctx, now)
    recipients = [r for r in await digest_recipients(session, groups) if ASSIGNMENTS in r.reader.sections]
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
            data = await kpi_workbook(
                session, ctx, start, end, now=now, scope=r.scope, locale=locale, offload=offload
            )
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
