"""Assignment notices queued in the outbox: cards with buttons for the executor and the control.

Each notice's dedup key names the audit event that caused it, so a retried handler or job cannot
queue it twice, while two real events always produce two notices.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Assignment, AssignmentComment, ExtensionRequest, StoredFile, User
from models.enums import AssignmentStatus as S
from services import outbox
from services.assignments import checklist_gate
from services.assignments.field import FieldView, field_lines, field_view
from services.assignments.queries import latest_report
from services.files import IMAGE_TYPES, outbox_file
from services.html_cut import cut_plain
from services.notify import N_, NoticeContext, Translator, html_escape, inline_keyboard

CB_PREFIX = "asg"
EXT_PREFIX = "ext"

STATUS_NAMES = {
    S.NEW: N_("new"),
    S.ACKNOWLEDGED: N_("acknowledged"),
    S.IN_PROGRESS: N_("in progress"),
    S.ON_REVIEW: N_("on review"),
    S.RETURNED: N_("returned for rework"),
    S.DONE: N_("done"),
    S.DECLINED: N_("declined"),
    S.CANCELLED: N_("cancelled"),
}
TEXT_SHOWN = 1500  # of the assignment's text on a card; the report text gets the same room
PRIORITY_NAMES = {"low": N_("low"), "normal": N_("normal"), "high": N_("high"), "urgent": N_("urgent")}


def cb(action: str, assignment_id: int) -> str:
    return f"{CB_PREFIX}:{action}:{assignment_id}"


def ext_cb(decision: str, request_id: int) -> str:
    return f"{EXT_PREFIX}:{decision}:{request_id}"


@dataclass(frozen=True, slots=True)
class Recipient:
    """What a batch of notices needs of a staff member: a scan after an outage addresses hundreds,
    and loading them as ``User`` objects (each with its roles) was a tenth of its time."""

    id: int
    full_name: str
    telegram_id: int | None
    locale: str | None
    is_active: bool


async def recipients(session: AsyncSession, ids: Iterable[int | None]) -> dict[int, Recipient]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = await session.execute(
        select(User.id, User.full_name, User.telegram_id, User.locale, User.is_active).where(
            User.id.in_(wanted)
        )
    )
    return {row.id: Recipient(*row) for row in rows}


async def _users(session: AsyncSession, ids: Iterable[int | None]) -> dict[int, User]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {u.id: u for u in (await session.scalars(select(User).where(User.id.in_(wanted)))).all()}


def card_text(
    a: Assignment,
    t: Translator,
    ctx: NoticeContext,
    people: Mapping[int, User] | Mapping[int, Recipient],
    headline: str,
) -> str:
    executor = people.get(a.executor_id) if a.executor_id else None
    author = people.get(a.author_id) if a.author_id else None
    lines = [
        f"<b>{html_escape(headline)}</b>",
        "",
        t("Assignment №%(id)s", id=a.id) + f": <b>{html_escape(a.title)}</b>",
    ]
    if a.point_no is not None and a.parent_id is not None:
        lines.append(t("Point %(no)s of assignment №%(id)s", no=a.point_no, id=a.parent_id))
    if a.text:
        lines.append(cut_plain(a.text, TEXT_SHOWN))
    lines += [
        "",
        t("Deadline: %(when)s", when=ctx.format_dt(a.deadline)),
        t("Status: %(status)s", status=t(STATUS_NAMES[S(a.status)])),
    ]
    if a.executor_id is not None:  # a multi-point assignment has none of its own: its points have
        lines.append(t("Executor: %(name)s", name=html_escape(executor.full_name if executor else None)))
    lines.append(t("Author: %(name)s", name=html_escape(author.full_name if author else None)))
    if a.priority in ("high", "urgent"):
        lines.append(t("Priority: %(p)s", p=t(PRIORITY_NAMES[a.priority])))
    return "\n".join(lines)


async def full_card_text(
    session: AsyncSession,
    a: Assignment,
    t: Translator,
    ctx: NoticeContext,
    people: Mapping[int, User] | Mapping[int, Recipient],
    headline: str,
    *,
    view: FieldView | None = None,
) -> str:
    """The whole card: the assignment's facts (:func:`card_text`) and its field part (the appeal, the
    address, the files, the returns). Every card variant — opened in the bot, redrawn after a press,
    and each notice (new, returned, accepted, extension approved or rejected…) — is this text, so
    none of them misses a line. ``view``: the field part when the caller has it already."""
    text = card_text(a, t, ctx, people, headline)
    extra = field_lines(view if view is not None else await field_view(session, a), t, ctx)
    if extra:
        text += "\n\n" + "\n".join(extra)
    return text


def _checklist_row(a: Assignment, t: Translator, checklist: tuple[int, int] | None) -> list[tuple[str, str]]:
    """«☑️ Checklist 2/5» when the assignment has items (``checklist``: ticked, total)."""
    if checklist is None or not checklist[1]:
        return []
    label = t("☑️ Checklist %(done)s/%(total)s", done=checklist[0], total=checklist[1])
    return [(label, checklist_gate.open_cb(a.id))]


def executor_buttons(
    a: Assignment, t: Translator, checklist: tuple[int, int] | None = None
) -> dict[str, Any]:
    status = S(a.status)
    rows: list[list[tuple[str, str]]] = [_checklist_row(a, t, checklist)]
    if status is S.NEW:
        rows.append([(t("✅ Acknowledge"), cb("ack", a.id)), (t("↩️ Decline"), cb("decline", a.id))])
    if status in (S.ACKNOWLEDGED, S.IN_PROGRESS, S.RETURNED):
        rows.append([(t("📎 Report"), cb("report", a.id))])
    if status in (S.NEW, S.ACKNOWLEDGED, S.IN_PROGRESS, S.RETURNED, S.ON_REVIEW):
        rows.append([(t("⏳ Ask extension"), cb("ext", a.id)), (t("💬 Comment"), cb("comment", a.id))])
    return inline_keyboard(rows)


def control_buttons(a: Assignment, t: Translator, checklist: tuple[int, int] | None = None) -> dict[str, Any]:
    status = S(a.status)
    rows: list[list[tuple[str, str]]] = [_checklist_row(a, t, checklist)]
    if status is S.ON_REVIEW:
        rows.append([(t("✅ Accept"), cb("accept", a.id)), (t("↩️ Return"), cb("return", a.id))])
    if status is S.DECLINED:
        rows.append([(t("👤 Reassign"), cb("reassign", a.id))])
    if status not in (S.DONE, S.CANCELLED):
        rows.append([(t("💬 Comment"), cb("comment", a.id))])
    return inline_keyboard(rows)


async def _send_card(
    session: AsyncSession,
    ctx: NoticeContext,
    a: Assignment,
    recipient: User | None,
    headline: str,
    *,
    event_key: str,
    for_control: bool,
    extra: str | None = None,
    people: dict[int, User],
) -> bool:
    if recipient is None or recipient.telegram_id is None or not recipient.is_active:
        return False
    t = Translator(ctx.locale_of(recipient))
    view = await field_view(session, a)
    text = await full_card_text(session, a, t, ctx, people, t(headline), view=view)
    if extra:
        text += "\n\n" + extra
    checklist = await checklist_gate.counts(session, a.id)
    buttons = control_buttons(a, t, checklist) if for_control else executor_buttons(a, t, checklist)
    if view.has_materials:
        # The appeal's photos, documents and map pin, sent when pressed (handlers/assignments/field.py).
        buttons["inline_keyboard"].insert(
            0, [{"text": t("📂 Files and location"), "callback_data": cb("files", a.id)}]
        )
    return await outbox.enqueue(
        session,
        outbox.text_message(
            recipient.telegram_id,
            text,
            reply_markup=buttons if buttons["inline_keyboard"] else None,
            dedup_key=f"asg:{a.id}:{event_key}:{recipient.id}",
        ),
    )


async def notify_created(session: AsyncSession, ctx: NoticeContext, a: Assignment, event_id: int) -> None:
    people = await _users(session, [a.executor_id, a.author_id, a.controller_id])
    await _send_card(
        session,
        ctx,
        a,
        people.get(a.executor_id or 0),
        N_("New assignment"),
        event_key=f"e{event_id}",
        for_control=False,
        people=people,
    )


_TO_CONTROL = {
    "acknowledge": N_("The executor has acknowledged the assignment"),
    "decline": N_("The executor has declined the assignment"),
    "submit": N_("A report has arrived for review"),
}
_TO_EXECUTOR = {
    "accept": N_("Your report is accepted: the assignment is done"),
    "return": N_("The assignment is returned for rework"),
    "cancel": N_("The assignment is cancelled"),
    "reassign": N_("New assignment"),
    "deadline_changed": N_("The deadline of the assignment is changed"),
}


async def notify_transition(
    session: AsyncSession,
    ctx: NoticeContext,
    a: Assignment,
    action: str,
    event_id: int,
    *,
    actor: User,
    reason: str | None = None,
) -> None:
    people = await _users(session, [a.executor_id, a.author_id, a.controller_id, actor.id])
    key = f"e{event_id}"
    if action in _TO_CONTROL:
        control = {a.controller_id, a.author_id} - {None, actor.id}
        for uid in control:
            recipient = people.get(uid)  # type: ignore[arg-type]
            t = Translator(ctx.locale_of(recipient))
            extra = t("Reason: %(reason)s", reason=html_escape(reason)) if reason else None
            if action == "submit" and recipient is not None:
                extra = await _report_summary(session, ctx, a, recipient, key)
            await _send_card(
                session,
                ctx,
                a,
                recipient,
                _TO_CONTROL[action],
                event_key=key,
                for_control=True,
                extra=extra,
                people=people,
            )
    if action in _TO_EXECUTOR and a.executor_id != actor.id:
        recipient = people.get(a.executor_id or 0)
        t = Translator(ctx.locale_of(recipient))
        extra = t("Reason: %(reason)s", reason=html_escape(reason)) if reason else None
        await _send_card(
            session,
            ctx,
            a,
            recipient,
            _TO_EXECUTOR[action],
            event_key=key,
            for_control=False,
            extra=extra,
            people=people,
        )


async def _report_summary(
    session: AsyncSession, ctx: NoticeContext, a: Assignment, recipient: User, key: str
) -> str:
    """The report text for the card, and its files queued just before it (photos as an album)."""
    t = Translator(ctx.locale_of(recipient))
    report = await latest_report(session, a.id)
    if report is None:
        return ""
    files = (
        await session.scalars(
            select(StoredFile).where(StoredFile.report_id == report.id).order_by(StoredFile.id)
        )
    ).all()
    if files and recipient.telegram_id is not None:
        await queue_files(
            session, recipient.telegram_id, files, dedup_prefix=f"asg:{a.id}:{key}:{recipient.id}"
        )
    lines = [t("Report: %(text)s", text=cut_plain(report.text or None, TEXT_SHOWN))]
    if files:
        lines.append(t("Files attached: %(n)s", n=len(files)))
    return "\n".join(lines)


async def queue_files(
    session: AsyncSession, chat_id: int, files: list[StoredFile] | Any, *, dedup_prefix: str
) -> None:
    """Photos go as albums (up to 10 per message), other files as documents, by Telegram file id
    when we have one (no re-upload) or from disk otherwise."""
    photos = [f for f in files if f.mime_type in IMAGE_TYPES]
    docs = [f for f in files if f.mime_type not in IMAGE_TYPES]

    def media(f: StoredFile) -> Any:
        return outbox_file(f)

    messages: list[outbox.OutgoingMessage] = []
    for start in range(0, len(photos), 10):
        chunk = photos[start : start + 10]
        if len(chunk) == 1:
            payload = {"chat_id": chat_id, "photo": media(chunk[0])}
            messages.append(
                outbox.OutgoingMessage(chat_id, payload, "sendPhoto", f"{dedup_prefix}:p{chunk[0].id}")
            )
        else:
            payload = {"chat_id": chat_id, "media": [{"type": "photo", "media": media(f)} for f in chunk]}
            messages.append(
                outbox.OutgoingMessage(chat_id, payload, "sendMediaGroup", f"{dedup_prefix}:g{chunk[0].id}")
            )
    for f in docs:
        payload = {"chat_id": chat_id, "document": media(f)}
        messages.append(outbox.OutgoingMessage(chat_id, payload, "sendDocument", f"{dedup_prefix}:d{f.id}"))
    # Files first, card last: the card with the buttons ends up at the bottom of the chat.
    await outbox.enqueue_many(session, messages, priority=50)


async def notify_extension(
    session: AsyncSession,
    ctx: NoticeContext,
    request: ExtensionRequest,
    a: Assignment,
    event_id: int,
    *,
    reason: str | None = None,
) -> None:
    people = await _users(session, [a.executor_id, a.author_id, a.controller_id, request.requested_by_id])
    if request.status == "pending":
        for uid in {a.controller_id, a.author_id} - {None}:
            recipient = people.get(uid)  # type: ignore[arg-type]
            if recipient is None or recipient.telegram_id is None:
                continue
            t = Translator(ctx.locale_of(recipient))
            requester = people.get(request.requested_by_id or 0)
            headline = t("Extension requested")
            text = "\n".join(
                [
                    f"<b>{headline}</b>",
                    t("Assignment №%(id)s", id=a.id) + f": <b>{html_escape(a.title)}</b>",
                    t("Requested by: %(name)s", name=html_escape(requester.full_name if requester else None)),
                    t("Current deadline: %(when)s", when=ctx.format_dt(request.old_deadline)),
                    t("Requested deadline: %(when)s", when=ctx.format_dt(request.new_deadline)),
                    t("Reason: %(reason)s", reason=html_escape(request.reason)),
                ]
            )
            buttons = inline_keyboard(
                [
                    [
                        (t("✅ Approve"), ext_cb("approve", request.id)),
                        (t("❌ Reject"), ext_cb("reject", request.id)),
                    ]
                ]
            )
            await outbox.enqueue(
                session,
                outbox.text_message(
                    recipient.telegram_id,
                    text,
                    reply_markup=buttons,
                    dedup_key=f"ext:{request.id}:e{event_id}:{recipient.id}",
                ),
            )
        return
    recipient = people.get(request.requested_by_id or 0)
    headline = N_("Extension approved") if request.status == "approved" else N_("Extension rejected")
    t = Translator(ctx.locale_of(recipient))
    await _send_card(
        session,
        ctx,
        a,
        recipient,
        headline,
        event_key=f"e{event_id}",
        for_control=False,
        extra=t("Reason: %(reason)s", reason=cut_plain(reason, TEXT_SHOWN)) if reason else None,
        people=people,
    )


async def notify_comment(
    session: AsyncSession, ctx: NoticeContext, comment: AssignmentComment, a: Assignment, *, actor: User
) -> None:
    """The executor, the author and the controller read a new comment, except the one who wrote it."""
    people = await _users(session, [a.executor_id, a.author_id, a.controller_id, actor.id])
    for uid in dict.fromkeys([a.executor_id, a.author_id, a.controller_id]):
        recipient = people.get(uid or 0)
        if recipient is None or recipient.id == actor.id or recipient.telegram_id is None:
            continue
        if not recipient.is_active:
            continue
        t = Translator(ctx.locale_of(recipient))
        text = "\n".join(
            [
                "<b>" + t("New comment") + "</b>",
                t("Assignment №%(id)s", id=a.id) + f": <b>{html_escape(a.title)}</b>",
                t("From: %(name)s", name=html_escape(actor.full_name)),
                "",
                html_escape(comment.text),
            ]
        )
        buttons = inline_keyboard(
            [[(t("💬 Reply"), cb("comment", a.id)), (t("Open №%(id)s", id=a.id), cb("open", a.id))]]
        )
        await outbox.enqueue(
            session,
            outbox.text_message(
                recipient.telegram_id,
                text,
                reply_markup=buttons,
                dedup_key=f"cmt:{comment.id}:{recipient.id}",
            ),
        )
