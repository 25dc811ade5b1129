"""One appeal: registration data, correspondent, files, due date, linked assignments, history, actions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiohttp import web
from sqlalchemy import select

from admin_web.forms import Form
from admin_web.keys import DB_KEY, USER_KEY
from admin_web.render import render
from admin_web.security import requires_role
from admin_web.views import uploads
from admin_web.views.appeals import sections
from admin_web.views.appeals.common import (
    ANSWERABLE,
    CLOSABLE,
    OPEN_STATUSES,
    STAFF_ROLES,
    STATUS_LABELS,
    answer_route,
    delivery,
    load_appeal,
)
from admin_web.views.files import INLINE_TYPES
from models import Appeal, Assignment, AuditEvent, Category, Correspondent, StoredFile, utcnow
from services.appeals import attachments, queries, workflow
from services.appeals.labels import APPEAL_CHANNEL_LABELS
from services.assignments import panel
from services.files import MAX_FILE_BYTES
from services.letters import issue

MAX_EXTENSION_DAYS = workflow.MAX_EXTENSION_DAYS


async def _all(request: web.Request, query: Any) -> Sequence[Any]:
    return (await request[DB_KEY].scalars(query)).all()


async def render_page(
    request: web.Request,
    appeal: Appeal,
    forms: dict[str, Form] | None = None,
    *,
    status: int = 200,
    extra: dict[str, Any] | None = None,
) -> web.Response:
    """The page; ``forms`` carry what was typed into an action form that a service refused;
    ``extra``: the answer form's warning about open assignments and its upload refusals."""
    db = request[DB_KEY]
    now = utcnow()
    correspondent = await db.get(Correspondent, appeal.correspondent_id) if appeal.correspondent_id else None
    category = await db.get(Category, appeal.category_id) if appeal.category_id else None
    all_files = await _all(
        request, select(StoredFile).where(StoredFile.appeal_id == appeal.id).order_by(StoredFile.id)
    )
    letter_files = await issue.letter_file_ids(db, appeal.id)
    # The answer's own files are listed with it, letters in their own section.
    files = [f for f in all_files if not f.for_answer and f.id not in letter_files]
    assignments = await _all(
        request, select(Assignment).where(Assignment.appeal_id == appeal.id).order_by(Assignment.id)
    )
    events = await _all(
        request,
        select(AuditEvent)
        .where(AuditEvent.entity_type == "appeal", AuditEvent.entity_id == appeal.id)
        .order_by(AuditEvent.at, AuditEvent.id),
    )
    people = {e.actor_user_id for e in events} | {a.executor_id for a in assignments}
    people |= {appeal.answered_by_id, appeal.created_by_id}
    is_open = appeal.status in OPEN_STATUSES
    available = {
        "extend": is_open and appeal.extended_at is None,
        "answer": appeal.status in ANSWERABLE,
        "reject": is_open,
        "close": appeal.status in CLOSABLE,
    }
    forms = forms or {}
    extra = extra or {}
    answer_form = forms.get("answer") or Form()
    kept = answer_form.values.get("answer_file_ids") or []
    user_id = request[USER_KEY].id
    # A refusal of an action the page no longer offers (e.g. a second extension) shows on top.
    stray = [m for name, f in forms.items() if available.get(name) is False for m in f.errors.values()]
    context = await sections.page_context(request, appeal, forms)
    return await render(
        request,
        "appeals/page.html",
        context
        | {
            "a": appeal,
            "correspondent": correspondent,
            "category": category,
            "files": files,
            "previewable": INLINE_TYPES,
            "assignments": assignments,
            "events": events,
            "names": await panel.user_names(db, people),
            "statuses": STATUS_LABELS,
            "channels": APPEAL_CHANNEL_LABELS,
            "overdue": queries.is_overdue(appeal, now),
            "ready": await queries.ready_to_answer(db, appeal.id),
            "delivery": await delivery(request, appeal),
            "by_hand": (await answer_route(request, appeal)).by_hand,
            "answer_files": [f for f in all_files if f.for_answer and f.id not in letter_files],
            "answer_uploads": await uploads.pending_uploads(
                request, user_id, kept, limit=attachments.MAX_ANSWER_FILES
            ),
            "answer_warning": extra.get("answer_warning") or [],
            "upload_errors": extra.get("upload_errors") or [],
            "max_answer_files": attachments.MAX_ANSWER_FILES,
            "max_mb": MAX_FILE_BYTES // (1024 * 1024),
            "can_assign": is_open,
            "can_extend": available["extend"],
            "can_answer": available["answer"],
            "can_reject": available["reject"],
            "can_close": available["close"],
            "stray_errors": stray,
            "max_days": MAX_EXTENSION_DAYS,
            # Every action form by name; the sections' own forms (redirect, outcomes, ...) too.
            "forms": {name: Form() for name in ("extend", "answer", "reject", "close")} | forms,
            "section": "appeals",
        },
        status=status,
    )


@requires_role(*STAFF_ROLES)
async def appeal_page(request: web.Request) -> web.StreamResponse:
    return await render_page(request, await load_appeal(request))
