"""Service-desk settings (administrators): the topics and the SLA targets in working hours and minutes.

The default row (no topic) applies to topics without their own; with nothing configured the page
shows ``sla.DEFAULT_TARGETS``, which is what requests get then.
"""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select

from admin_web.forms import Form
from admin_web.i18n import N_, gettext
from admin_web.keys import DB_KEY
from admin_web.render import flash, render
from admin_web.security import requires_role
from admin_web.views.common import acting_user
from admin_web.views.service_desk.common import URGENCIES, duration, labels, urgency_label
from models import ServiceTopic, User
from models.enums import Role
from services.directory import active_departments
from services.errors import DomainError, NotFound
from services.service_desk import panel, sla, topics

admin_only = requires_role(Role.ADMIN)
TOPIC_FIELDS = ("code", "name_ru", "name_en", "department_id", "lead_id", "position")


def _topic_form(topic: ServiceTopic | None) -> Form:
    if topic is None:
        return Form(values={"is_active": True, "position": "0"})
    return Form(
        values={
            "code": topic.code,
            "name_ru": topic.name_ru,
            "name_en": topic.name_en,
            "department_id": str(topic.department_id or ""),
            "lead_id": str(topic.lead_id or ""),
            "is_active": topic.is_active,
            "position": str(topic.position),
        }
    )


async def _targets_form(request: web.Request, topic_id: int | None) -> Form:
    rows = await topics.targets(request[DB_KEY])
    values: dict[str, object] = {}
    for u in URGENCIES:
        row = rows.get((topic_id, u.value))
        if row is None:
            continue
        for kind, minutes in (("reaction", row.reaction_minutes), ("resolution", row.resolution_minutes)):
            values[f"{u.value}_{kind}_h"] = str(minutes // 60)
            values[f"{u.value}_{kind}_m"] = str(minutes % 60)
    return Form(values=values)


async def _choices(request: web.Request) -> dict[str, object]:
    db = request[DB_KEY]
    people = (await db.scalars(select(User).where(User.is_active).order_by(User.full_name, User.id))).all()
    return {
        "department_options": [(d.id, d.name) for d in await active_departments(db)],
        "people_options": [(u.id, u.full_name) for u in people],
    }


def _read_topic(form: Form) -> topics.TopicInput | None:
    for name in ("code", "name_ru", "name_en"):
        form.text(name, required=True)
    ids = {}
    for name in ("department_id", "lead_id"):
        raw = str(form.values.get(name) or "").strip()
        if raw and (not raw.isdigit() or len(raw) > 18):
            form.fail(name, N_("Choose a value from the list."))
        ids[name] = int(raw) if raw.isdigit() and len(raw) <= 18 else None
    raw_position = str(form.values.get("position") or "0").strip()
    try:
        position = int(raw_position)
    except ValueError:
        form.fail("position", N_("Enter a whole number."))
        position = 0
    active = form.flag("is_active")
    if not form.ok:
        return None
    return topics.TopicInput(
        code=str(form.values["code"]),
        name_ru=str(form.values["name_ru"]),
        name_en=str(form.values["name_en"]),
        department_id=ids["department_id"],
        lead_id=ids["lead_id"],
        is_active=active,
        position=position,
    )


def _minutes(form: Form, prefix: str) -> int | None:
    """Hours and minutes of one target; both empty: no value."""
    hours = str(form.values.get(prefix + "_h") or "").strip()
    mins = str(form.values.get(prefix + "_m") or "").strip()
    if not hours and not mins:
        return None
    if not (hours or "0").isdigit() or not (mins or "0").isdigit() or len(hours) > 5 or len(mins) > 5:
        form.fail(prefix, N_("Enter whole hours and minutes."))
        return None
    return int(hours or 0) * 60 + int(mins or 0)


async def _save_targets(request: web.Request, topic_id: int | None) -> Form | None:
    """Save the posted targets; the form back with errors, or None when saved."""
    db = request[DB_KEY]
    user = await acting_user(request)
    form = Form.posted(await request.post())
    values = {
        u.value: (_minutes(form, f"{u.value}_reaction"), _minutes(form, f"{u.value}_resolution"))
        for u in URGENCIES
    }
    if not form.ok:
        return form
    try:
        for urgency, (reaction, resolution) in values.items():
            await topics.set_target(db, user, topic_id, urgency, reaction, resolution)
    except NotFound:
        raise web.HTTPNotFound() from None
    except DomainError as exc:
        await db.rollback()
        form.fail_domain(exc)
        return form
    return None


def _defaults() -> list[tuple[str, str, str]]:
    return [
        (urgency_label(u), duration(sla.DEFAULT_TARGETS[u][0]), duration(sla.DEFAULT_TARGETS[u][1]))
        for u in URGENCIES
    ]


async def _render_settings(
    request: web.Request, topic_form: Form | None = None, targets_form: Form | None = None
) -> web.Response:
    db = request[DB_KEY]
    rows = await topics.targets(db)
    return await render(
        request,
        "service_desk/settings.html",
        {
            **labels(),
            **await _choices(request),
            "topics": await panel.topics(db),
            "own_targets": {t for (t, _u) in rows if t is not None},
            "topic_form": topic_form or _topic_form(None),
            "targets_form": targets_form or await _targets_form(request, None),
            "urgencies": [(u.value, urgency_label(u)) for u in URGENCIES],
            "builtin": _defaults(),
            "has_default_row": any(t is None for (t, _u) in rows),
            "section": "service_desk_settings",
        },
        status=200,
    )


@admin_only
async def desk_settings(request: web.Request) -> web.StreamResponse:
    if request.method != "POST":
        return await _render_settings(request)
    form = Form.posted(await request.post())
    data = _read_topic(form)
    if data is not None:
        db = request[DB_KEY]
        try:
            topic = await topics.create_topic(db, await acting_user(request), data)
        except DomainError as exc:
            await db.rollback()
            form.fail_domain(exc)
        else:
            await flash(request, gettext("Topic «%(name)s» is added.", name=topic.name_ru))
            raise web.HTTPSeeOther(request.app.router["service_topic"].url_for(topic_id=str(topic.id)))
    return await _render_settings(request, topic_form=form)


@admin_only
async def default_targets(request: web.Request) -> web.StreamResponse:
    form = await _save_targets(request, None)
    if form is not None:
        return await _render_settings(request, targets_form=form)
    await flash(request, gettext("The SLA targets are saved."))
    raise web.HTTPSeeOther(request.app.router["service_desk_settings"].url_for())


async def _topic_of(request: web.Request) -> ServiceTopic:
    topic = await request[DB_KEY].get(
        ServiceTopic, int(request.match_info["topic_id"]), populate_existing=True
    )
    if topic is None:
        raise web.HTTPNotFound()
    return topic


async def _render_topic(
    request: web.Request,
    topic: ServiceTopic,
    topic_form: Form | None = None,
    targets_form: Form | None = None,
) -> web.Response:
    rows = await topics.targets(request[DB_KEY])
    return await render(
        request,
        "service_desk/topic.html",
        {
            **labels(),
            **await _choices(request),
            "topic": topic,
            "topic_form": topic_form or _topic_form(topic),
            "targets_form": targets_form or await _targets_form(request, topic.id),
            "urgencies": [(u.value, urgency_label(u)) for u in URGENCIES],
            "fallback": {u.value: rows.get((None, u.value)) for u in URGENCIES},
            "builtin": {u.value: sla.DEFAULT_TARGETS[u] for u in URGENCIES},
            "duration": duration,
            "section": "service_desk_settings",
        },
    )


@admin_only
async def topic_page(request: web.Request) -> web.StreamResponse:
    topic = await _topic_of(request)
    if request.method != "POST":
        return await _render_topic(request, topic)
    form = Form.posted(await request.post())
    data = _read_topic(form)
    if data is not None:
        db = request[DB_KEY]
        try:
            await topics.update_topic(db, await acting_user(request), topic.id, data)
        except DomainError as exc:
            await db.rollback()
            form.fail_domain(exc)
        else:
            await flash(request, gettext("The topic is saved."))
            raise web.HTTPSeeOther(request.path)
    return await _render_topic(request, await _topic_of(request), topic_form=form)


@admin_only
async def topic_targets(request: web.Request) -> web.StreamResponse:
    topic = await _topic_of(request)
    form = await _save_targets(request, topic.id)
    if form is not None:
        return await _render_topic(request, await _topic_of(request), targets_form=form)
    await flash(request, gettext("The SLA targets are saved."))
    raise web.HTTPSeeOther(request.app.router["service_topic"].url_for(topic_id=str(topic.id)))
