"""Assignments as the bot shows them: cards with the viewer's buttons, lists, report previews.

Cards are the services' one card text (:func:`services.assignments.notices.full_card_text`: the
assignment's facts and its field part), so a card re-rendered after a button press looks exactly like
the one the outbox delivered, whatever the notice. Buttons are chosen from the
freshly loaded record and the viewer's rights; handlers still re-check everything on every press.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_
from bot.pickers import short
from bot.texts import quote
from bot.turn import Turn
from handlers.assignments.callbacks import (
    AssignmentCallback,
    AssignmentListCallback,
    ExtensionPickCallback,
    ReportCallback,
)
from models import Assignment, AssignmentReport, StoredFile, User, utcnow
from models.enums import OPEN_ASSIGNMENT_STATUSES
from models.enums import AssignmentStatus as S
from services import checklists
from services.assignments import access, checklist_gate, notices, parent_state
from services.assignments.deadline_rules import QUICK_PICKS, quick_pick
from services.assignments.field import field_view
from services.assignments.lifecycle import Action, Party, target_state
from services.assignments.queries import ListFilter, Page
from services.files import IMAGE_TYPES
from services.html_cut import cut_html, cut_plain
from services.notify import NoticeContext, Translator
from services.work_calendar.clock import WorkCalendar

log = logging.getLogger(__name__)

MY, CONTROL = "my", "ctl"
FILTERS = {
    MY: (ListFilter.OPEN, ListFilter.OVERDUE, ListFilter.DUE_SOON, ListFilter.RETURNED),
    CONTROL: (
        ListFilter.OPEN,
        ListFilter.REVIEW,
        ListFilter.OVERDUE,
        ListFilter.DUE_SOON,
        ListFilter.RETURNED,
    ),
}
FILTER_NAMES = {
    ListFilter.OPEN: N_("📋 All open"),
    ListFilter.OVERDUE: N_("⏰ Overdue"),
    ListFilter.DUE_SOON: N_("🔥 Due within a day"),
    ListFilter.RETURNED: N_("↩️ Returned"),
    ListFilter.REVIEW: N_("📝 On review"),
}
# The same msgids as the menu buttons that open the lists.
LIST_TITLES = {MY: N_("My assignments"), CONTROL: N_("Under control")}
EXTENSION_PICKS = QUICK_PICKS
TITLE_LABEL = 40


def _markup(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup | None:
    rows = [row for row in rows if row]
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


# -- cards --------------------------------------------------------------------------------------------


def control_extras(a: Assignment, checklist: tuple[int, int] = (0, 0)) -> dict[str, Any]:
    """The control's changes beyond the review: the deadline, another executor, cancelling; a
    checklist for work without one (with one, its button opens it with «➕ Add»)."""
    row: list[tuple[str, str]] = []
    add: list[tuple[str, str]] = []
    if not checklist[1] and a.status not in (S.DONE, S.CANCELLED, S.DECLINED):
        add.append((_("☑️ Add a checklist"), checklists.cb_add(checklists.ASSIGNMENT, a.id)))
    if a.status not in (S.DONE, S.CANCELLED):
        row.append((_("🗓 Deadline"), notices.cb("deadline", a.id)))
    if target_state(Action.REASSIGN, a.status):
        row.append((_("👤 Reassign"), notices.cb("reassign", a.id)))
    if target_state(Action.CANCEL, a.status):
        row.append((_("🚫 Cancel"), notices.cb("cancel", a.id)))
    return notices.inline_keyboard([row, add])


async def viewer_buttons(
    session: AsyncSession, a: Assignment, user: User, t: Translator, *, materials: bool = False
) -> InlineKeyboardMarkup | None:
    """The executor's and the control's buttons, whichever this user is (both for an author who
    executes their own work); a department head may also reassign; any viewer may comment.
    ``materials``: the work has files or a place to send on demand."""
    groups: list[dict[str, Any]] = []
    checklist = await checklist_gate.counts(session, a.id)
    if materials:
        groups.append(notices.inline_keyboard([[(_("📂 Files and location"), notices.cb("files", a.id))]]))
    if await access.can_act(session, a, user, Party.EXECUTOR):
        groups.append(notices.executor_buttons(a, t, checklist))
    if access.is_control(a, user):
        groups.append(notices.control_buttons(a, t, checklist))
        groups.append(control_extras(a, checklist))
    elif target_state(Action.REASSIGN, a.status) and await access.can_delegate(session, a, user):
        # A department head hands work addressed to the department on to a subordinate.
        groups.append(notices.inline_keyboard([[(_("👤 Reassign"), notices.cb("reassign", a.id))]]))
    if not groups and a.status not in (S.DONE, S.CANCELLED):
        groups.append(notices.inline_keyboard([[(_("💬 Comment"), notices.cb("comment", a.id))]]))
    seen: set[str] = set()
    rows: list[list[InlineKeyboardButton]] = []
    for group in groups:
        for row in group["inline_keyboard"]:
            fresh = [b for b in row if b["callback_data"] not in seen]
            seen.update(b["callback_data"] for b in fresh)
            rows.append([InlineKeyboardButton(**b) for b in fresh])
    return _markup(rows)


def parent_buttons(a: Assignment, points: list[Assignment], control: bool) -> InlineKeyboardMarkup | None:
    """A multi-point assignment: the control moves its deadline, cancels it or adds a point; anyone
    who sees it opens a point's own card (where the point is accepted or returned)."""
    rows: list[list[InlineKeyboardButton]] = []
    open_ = a.status not in (S.DONE, S.CANCELLED)

    def button(text: str, action: str, ident: int) -> InlineKeyboardButton:
        return InlineKeyboardButton(text=text, callback_data=notices.cb(action, ident))

    if control and open_:
        rows.append([button(_("🗓 Deadline"), "deadline", a.id), button(_("🚫 Cancel"), "cancel", a.id)])
        rows.append([button(_("➕ Add a point"), "addpt", a.id)])
    opened = [button(f"{p.point_no}. {short(p.title, TITLE_LABEL)}", "open", p.id) for p in points]
    rows += [opened[i : i + 2] for i in range(0, len(opened), 2)]
    if open_:
        rows.append([button(_("💬 Comment"), "comment", a.id)])
    return _markup(rows)


async def card(turn: Turn, a: Assignment, headline: str) -> tuple[str, InlineKeyboardMarkup | None]:
    """The card text (``headline`` already translated) and the buttons of the turn's staff member."""
    assert turn.user is not None  # handlers refuse a press without a staff member first
    points = await parent_state.points_of(turn.session, a.id) if a.parent_id is None else []
    if points:
        people = await parent_state.executor_names(turn.session, points)
        author = await turn.session.get(User, a.author_id) if a.author_id else None
        text = await notices.full_card_text(
            turn.session, a, turn.t, turn.notice_ctx, {a.author_id: author} if author else {}, headline
        )
        text += "\n" + "\n".join(
            parent_state.progress_lines(points, turn.t, turn.notice_ctx, now=utcnow(), names=people)
        )
        return cut_html(text), parent_buttons(a, points, access.is_control(a, turn.user))
    people = {}
    for uid in {a.executor_id, a.author_id} - {None}:
        person = await turn.session.get(User, uid)
        if person is not None:
            people[person.id] = person
    view = await field_view(turn.session, a)
    text = await notices.full_card_text(turn.session, a, turn.t, turn.notice_ctx, people, headline, view=view)
    markup = await viewer_buttons(turn.session, a, turn.user, turn.t, materials=view.has_materials)
    return cut_html(text), markup


async def redraw_card(turn: Turn, message_id: object, a: Assignment, headline: str) -> None:
    """Bring a card the user pressed earlier (before a conversation) up to date; best effort."""
    if not isinstance(message_id, int):
        return
    text, markup = await card(turn, a, headline)
    try:
        await turn.bot.edit_message_text(
            text=text, chat_id=turn.chat_id, message_id=message_id, reply_markup=markup
        )
    except TelegramBadRequest as exc:
        log.debug("card %s in chat %s not edited: %s", message_id, turn.chat_id, exc)


# -- lists --------------------------------------------------------------------------------------------


def list_view(
    scope: str,
    flt: ListFilter,
    page: Page,
    ctx: NoticeContext,
    *,
    now: datetime,
    first: bool,
    points: dict[int, tuple[int, int, str]] | None = None,
) -> tuple[str, InlineKeyboardMarkup]:
    """``points``: for the points among the items, (number, how many, the parent's title)."""
    title = f"<b>{_(LIST_TITLES[scope])}</b> — {_(FILTER_NAMES[flt])}"
    lines = [title, ""]
    rows: list[list[InlineKeyboardButton]] = []
    if not page.items:
        lines.append(_("Nothing here.") if first else _("No more assignments."))
    for a in page.items:
        mark = " ⚠️" if a.deadline < now and a.status in OPEN_ASSIGNMENT_STATUSES else ""
        lines.append(
            _("№%(id)s %(title)s — due %(deadline)s, %(status)s%(mark)s")
            % {
                "id": a.id,
                "title": _point_label(points, a) + quote(short(a.title, 80)),
                "deadline": ctx.format_dt(a.deadline),
                "status": _(notices.STATUS_NAMES[S(a.status)]),
                "mark": mark,
            }
        )
        rows.append(
            [
                InlineKeyboardButton(
                    text=f"№{a.id} · {short(a.title, TITLE_LABEL)}",
                    callback_data=AssignmentCallback(action="open", id=a.id).pack(),
                )
            ]
        )
    nav: list[InlineKeyboardButton] = []
    if not first:
        nav.append(_list_button(_("« First page"), scope, flt))
    if page.next_cursor is not None:
        nav.append(_list_button(_("Next ›"), scope, flt, page.next_cursor.encode()))
    rows.append(nav)
    filters = [
        _list_button(("• " if f is flt else "") + _(FILTER_NAMES[f]), scope, f) for f in FILTERS[scope]
    ]
    rows += [filters[i : i + 2] for i in range(0, len(filters), 2)]
    markup = _markup(rows)
    assert markup is not None  # the filter rows are always there
    return "\n".join(lines), markup


def _point_label(points: dict[int, tuple[int, int, str]] | None, a: Assignment) -> str:
    if not points or a.id not in points:
        return ""
    no, total, parent = points[a.id]
    label = _("p. %(no)s of %(total)s — %(parent)s") % {"no": no, "total": total, "parent": short(parent, 60)}
    return quote(label) + ": "


def _list_button(text: str, scope: str, flt: ListFilter, cursor: str = "") -> InlineKeyboardButton:
    data = AssignmentListCallback(scope=scope, flt=flt.value, cur=cursor)
    return InlineKeyboardButton(text=text, callback_data=data.pack())


# -- reports ------------------------------------------------------------------------------------------


def human_size(size: int) -> str:
    if size < 1024 * 1024:
        return _("%(n)s KB") % {"n": max(1, round(size / 1024))}
    return _("%(n)s MB") % {"n": f"{size / (1024 * 1024):.1f}"}


def report_preview(
    a: Assignment, report: AssignmentReport, files: Sequence[StoredFile]
) -> tuple[str, InlineKeyboardMarkup]:
    lines = [
        _("<b>Report draft</b> for assignment №%(id)s: %(title)s") % {"id": a.id, "title": quote(a.title)},
        "",
        _("Text: %(text)s") % {"text": cut_plain(report.text or None, notices.TEXT_SHOWN)},
    ]
    if files:
        lines.append(_("Files (%(n)s):") % {"n": len(files)})
        for number, f in enumerate(files, 1):
            name = f.original_name or (_("photo") if f.mime_type in IMAGE_TYPES else _("file"))
            lines.append(f"{number}. {quote(name)} — {human_size(f.size)}")
    else:
        lines.append(_("Files: none yet"))
    lines += ["", _("Send more photos or documents, write the text again to replace it, or send the report.")]
    buttons = [
        [
            InlineKeyboardButton(
                text=_("📤 Send"), callback_data=ReportCallback(action="send", id=a.id).pack()
            ),
            InlineKeyboardButton(
                text=_("➕ Add more"), callback_data=ReportCallback(action="more", id=a.id).pack()
            ),
        ],
        [
            InlineKeyboardButton(
                text=_("✖️ Cancel"), callback_data=ReportCallback(action="cancel", id=a.id).pack()
            )
        ],
    ]
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=buttons)


# -- extension deadlines ------------------------------------------------------------------------------

_TYPED = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s+(\d{1,2})[:.](\d{2}))?\s*$")
DEFAULT_HOUR = 18  # a date without a time means the end of the working day


def parse_local(text: str, tz: ZoneInfo) -> datetime | None:
    """«дд.мм.гггг чч:мм» (or just the date) in local time → an aware datetime; None if malformed."""
    match = _TYPED.match(text)
    if match is None:
        return None
    day, month, year, hour, minute = match.groups()
    try:
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour) if hour else DEFAULT_HOUR,
            int(minute) if minute else 0,
            tzinfo=tz,
        )
    except ValueError:
        return None


def pick_labels() -> dict[int, str]:
    """Working days on the production calendar; the button shows the date they lead to."""
    return {1: _("+1 working day"), 3: _("+3 working days"), 5: _("+1 working week")}


def extension_picks(
    a: Assignment,
    ctx: NoticeContext,
    calendar: WorkCalendar,
    *,
    now: datetime,
    pack: Callable[[int], str] | None = None,
) -> InlineKeyboardMarkup:
    """Quick picks counted as :func:`quick_pick` does: working days on ``calendar``, from today once
    the deadline has passed. ``pack``: the callback data of a pick (the control's deadline change has
    its own)."""
    labels = pick_labels()

    def when(days: int) -> str:
        return ctx.format_dt(quick_pick(a.deadline, days, now=now, calendar=calendar))

    row = [
        InlineKeyboardButton(
            text=_("%(pick)s (till %(when)s)") % {"pick": labels[days], "when": when(days)},
            callback_data=pack(days) if pack else ExtensionPickCallback(id=a.id, days=days).pack(),
        )
        for days in EXTENSION_PICKS
    ]
    return InlineKeyboardMarkup(inline_keyboard=[[b] for b in row])
