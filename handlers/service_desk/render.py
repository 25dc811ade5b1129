"""Cards and lists of service requests: texts with SLA clock markers, and the buttons each person may use.

The buttons only offer; every press is re-checked by the services on the reloaded request.
"""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.turn import Turn
from handlers.service_desk.callbacks import Act, DeskCallback
from models import ServiceRequest, User, utcnow
from models.enums import ServiceStatus, ServiceUrgency
from services.html_cut import cut_plain
from services.notify import NoticeContext, Translator, html_escape
from services.service_desk import access, queries, sla
from services.service_desk.notices import STATUS_NAMES, URGENCY_NAMES, headline
from services.work_calendar import store as calendar_store
from services.work_calendar.clock import WorkCalendar

S = ServiceStatus
OPEN_STATUSES = frozenset({S.NEW, S.IN_WORK, S.WAITING})
TEXT_SHOWN = 1200
HISTORY_SHOWN = 8  # the latest messages on a card
COMMENT_SHOWN = 400
LABEL_SUBJECT = 28  # of a subject on a list button
STATUS_ICONS = {
    S.NEW: "🆕",
    S.IN_WORK: "🛠",
    S.WAITING: "⏸",
    S.RESOLVED: "✅",
    S.CLOSED: "✔️",
    S.CANCELLED: "✖",
}


def button(text: str, action: str, request_id: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=DeskCallback(action=action, id=request_id).pack())


def duration(t: Translator, minutes: int) -> str:
    hours, rest = divmod(abs(minutes), 60)
    if hours:
        return t("%(h)s h %(m)s min", h=hours, m=rest)
    return t("%(m)s min", m=rest)


def clock_text(t: Translator, ctx: NoticeContext, clock: sla.Clock) -> str:
    state = clock.state
    if state is sla.ClockState.NONE or clock.due_at is None:
        return "—"
    due = ctx.format_dt(clock.due_at)
    if state is sla.ClockState.RUNNING:
        return t("⏱ by %(when)s, %(left)s left", when=due, left=duration(t, clock.left_minutes or 0))
    if state is sla.ClockState.BREACHED:
        return t(
            "⚠️ overdue by %(left)s (was due %(when)s)", when=due, left=duration(t, clock.left_minutes or 0)
        )
    if state is sla.ClockState.PAUSED:
        return t("⏸ paused while waiting for the requester")
    if state is sla.ClockState.MET:
        return t("✓ met (due %(when)s)", when=due)
    return t("✗ missed (due %(when)s)", when=due)


def marker(request: ServiceRequest, calendar: WorkCalendar) -> str:
    """One sign for a list row: ⚠️ a running target is breached, ⏸ paused, else the status's icon."""
    now = utcnow()
    clocks = (sla.reaction_clock(request, calendar, now), sla.resolution_clock(request, calendar, now))
    if any(c.state is sla.ClockState.BREACHED for c in clocks):
        return "⚠️"
    if any(c.state is sla.ClockState.PAUSED for c in clocks):
        return "⏸"
    return STATUS_ICONS[S(request.status)]


def row_label(request: ServiceRequest, calendar: WorkCalendar) -> str:
    return f"{marker(request, calendar)} {request.number} · {cut_plain(request.subject, LABEL_SUBJECT)}"


async def calendar_of(turn: Turn) -> WorkCalendar:
    return await calendar_store.load(turn.session, turn.notice_ctx.tz)


async def card_text(turn: Turn, request: ServiceRequest, *, agent: bool) -> str:
    t, ctx, session = turn.t, turn.notice_ctx, turn.session
    topic = await queries.topic(session, request.topic_id)
    people = await queries.people(session, [request.requester_id, request.assignee_id])
    requester = people.get(request.requester_id or 0)
    assignee = people.get(request.assignee_id or 0)
    calendar = await calendar_of(turn)
    now = utcnow()
    lines = [
        headline(request, topic, t),
        t("Status: %(status)s", status=t(STATUS_NAMES[S(request.status)])),
        t(
            "Requester: %(name)s",
            name=html_escape(requester.full_name if requester else request.requester_name),
        ),
        t("Assignee: %(name)s", name=html_escape(assignee.full_name if assignee else None)),
        t("Filed: %(when)s", when=ctx.format_dt(request.created_at)),
        t("Reaction: %(clock)s", clock=clock_text(t, ctx, sla.reaction_clock(request, calendar, now))),
        t("Resolution: %(clock)s", clock=clock_text(t, ctx, sla.resolution_clock(request, calendar, now))),
    ]
    if request.text:
        lines += ["", cut_plain(request.text, TEXT_SHOWN)]
    files = await queries.file_count(session, request.id, agent=agent)
    if files:
        lines.append(t("📎 Files: %(n)s", n=files))
    if request.rating is not None:
        lines.append(t("Rating: %(stars)s", stars="⭐" * request.rating))
    history = list(await queries.comments(session, request.id, internal=agent))
    if history:
        authors = await queries.people(session, [c.author_id for c in history])
        lines += ["", t("<b>History</b>")]
        if len(history) > HISTORY_SHOWN:
            lines.append(t("… earlier messages: %(n)s", n=len(history) - HISTORY_SHOWN))
        for c in history[-HISTORY_SHOWN:]:
            author = authors.get(c.author_id or 0)
            name = author.full_name if author else (c.author_email or t("service"))
            lock = "🔒 " if c.internal else ""
            lines.append(
                f"{lock}<i>{ctx.format_dt(c.created_at)} {html_escape(name)}:</i> "
                + cut_plain(c.text, COMMENT_SHOWN)
            )
    return "\n".join(lines)


async def card_markup(
    turn: Turn, request: ServiceRequest, user: User, *, agent: bool
) -> InlineKeyboardMarkup:
    t = turn.t
    status = S(request.status)
    rid = request.id
    rows: list[list[InlineKeyboardButton]] = []
    if access.is_requester(user, request):
        if status in OPEN_STATUSES:
            rows.append([button(t("💬 Write"), Act.SAY, rid), button(t("✖ Withdraw"), Act.CANCEL, rid)])
        if status is S.RESOLVED:
            rows.append(
                [button(t("✅ Confirm"), Act.CONFIRM, rid), button(t("↩️ Not solved"), Act.NOT_SOLVED, rid)]
            )
        if status is S.CLOSED and request.rating is None:
            rows.append([button(t("⭐ Rate"), Act.RATE, rid)])
    if agent and status in OPEN_STATUSES:
        if status is S.NEW:
            rows.append([button(t("✋ Take"), Act.TAKE, rid)])
        elif status is S.IN_WORK and request.assignee_id != user.id:
            rows.append([button(t("✋ Take over"), Act.TAKE_OVER, rid)])
        if not access.is_requester(user, request):
            rows.append([button(t("💬 Reply to the requester"), Act.SAY, rid)])
        rows.append([button(t("🔒 Internal note"), Act.NOTE, rid)])
        if status is S.IN_WORK:
            rows.append([button(t("❓ Ask the requester"), Act.ASK, rid)])
        if status in (S.IN_WORK, S.WAITING):
            rows.append([button(t("✅ Resolve"), Act.RESOLVE, rid)])
        rows.append([button(t("⚡ Urgency"), Act.URGENCY, rid), button(t("✖ Cancel"), Act.CANCEL, rid)])
        rows.append([InlineKeyboardButton(text=t("📋 Answer templates"), callback_data=f"tpl:req:{rid}")])
    files = await queries.file_count(turn.session, rid, agent=agent)
    if files:
        rows.append([button(t("📎 Files (%(n)s)", n=files), Act.FILES, rid)])
    if agent:
        done, total = await queries.checklist_progress(turn.session, rid)
        if total:
            label = t("☑️ Checklist %(done)s/%(total)s", done=done, total=total)
            rows.append([InlineKeyboardButton(text=label, callback_data=f"chk:open:r:{rid}")])
    back = Act.MINE if access.is_requester(user, request) or not agent else Act.QUEUE
    rows.append([button(t("« To the list"), back)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def urgency_markup(t: Translator, request: ServiceRequest) -> InlineKeyboardMarkup:
    rows = [
        [
            button(
                ("• " if u == request.urgency else "") + t(URGENCY_NAMES[u]), Act.SET_URGENCY + u, request.id
            )
        ]
        for u in ServiceUrgency
    ]
    rows.append([button(t("« Back"), Act.OPEN, request.id)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def stars_markup(request_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[button("⭐" * n, f"{Act.STARS}{n}", request_id)] for n in range(5, 0, -1)]
    )
