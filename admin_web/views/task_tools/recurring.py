"""Recurring assignments in the panel: the list, a rule's form with presets and the next dates, its
runs, pause and resume. The service re-checks the rights and the rule on every save."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiohttp import web

from admin_web.forms import Form
from admin_web.i18n import N_, gettext, translate_error
from admin_web.keys import DB_KEY, USER_KEY
from admin_web.labels import PRIORITY_LABELS
from admin_web.render import flash, render
from admin_web.security import requires_role
from admin_web.views.common import staff_choices, zone
from models import RecurringAssignment, utcnow
from models.enums import HolidayPolicy, Priority, Role
from services.assignments import panel
from services.directory import active_departments
from services.errors import DomainError, NotFound
from services.recurring import manage, rules
from services.work_calendar import store as calendar_store

creators = requires_role(Role.CONTROLLER, Role.MANAGER, Role.CLERK)
LIST_ROUTE = "recurring"
PREVIEW_COUNT = 6
WEEKDAY_LABELS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)


def _describe(rule: str) -> str:
    return rules.describe(rule, gettext)


@creators
async def recurring_list(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    items = await manage.all_rules(db)
    calendar = await calendar_store.load(db, zone(request))
    today = utcnow().astimezone(zone(request)).date()
    rows = []
    for rule in items:
        upcoming = rules.preview(
            rule.rrule, rule.starts_on, rule.until, rule.holiday_policy, calendar, today, 1
        )
        rows.append((rule, _describe(rule.rrule), upcoming[0] if upcoming else None))
    return await render(
        request,
        "task_tools/recurring_list.html",
        {
            "rows": rows,
            "policy_names": {k: gettext(v) for k, v in rules.POLICY_NAMES.items()},
            "section": "recurring",
        },
    )


@creators
async def recurring_new(request: web.Request) -> web.StreamResponse:
    return await _edit(request, None)


@creators
async def recurring_edit(request: web.Request) -> web.StreamResponse:
    return await _edit(request, int(request.match_info["item_id"]))


@creators
async def recurring_active(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    active = (await request.post()).get("active") == "1"
    item_id = int(request.match_info["item_id"])
    try:
        rule = await manage.set_active(db, request[USER_KEY].id, item_id, active)
        title = rule.title
    except NotFound:
        raise web.HTTPNotFound() from None
    except DomainError as exc:
        await db.rollback()
        raise web.HTTPForbidden(text=translate_error(exc.message, exc.params)) from None
    message = N_("“%(name)s” resumed.") if active else N_("“%(name)s” paused.")
    await flash(request, gettext(message, name=title))
    raise web.HTTPSeeOther(request.app.router["recurring_edit"].url_for(item_id=str(item_id)))


def _values(rule: RecurringAssignment | None, user_id: int, today: date) -> dict[str, Any]:
    if rule is None:
        return {
            "preset": "monthly",
            "day": "1",
            "weekday": "MO",
            "starts_on": today.isoformat(),
            "create_at": "09:00",
            "term_days": "1",
            "term_working": True,
            "holiday_policy": HolidayPolicy.PREVIOUS.value,
            "priority": Priority.NORMAL.value,
            "controller_id": str(user_id),
        }
    return {
        "title": rule.title,
        "text": rule.text,
        "checklist": "\n".join(str(i) for i in rule.checklist or []),
        "checklist_required": rule.checklist_required,
        "executor_id": str(rule.executor_id or ""),
        "department_id": str(rule.department_id or ""),
        "controller_id": str(rule.controller_id or ""),
        "priority": rule.priority,
        "preset": "custom",
        "rrule": rule.rrule,
        "starts_on": rule.starts_on.isoformat(),
        "until": rule.until.isoformat() if rule.until else "",
        "create_at": rule.create_at,
        "term_days": str(rule.term_days),
        "term_working": rule.term_working,
        "holiday_policy": rule.holiday_policy,
    }


def _date(form: Form, name: str, *, required: bool = False) -> date | None:
    raw = form.text(name, required=required, max_length=10)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        form.fail(name, N_("Enter a date."))
        return None


def _read(form: Form, people: set[int], departments: set[int]) -> manage.RuleInput | None:
    title = form.text("title", required=True, max_length=500) or ""
    text = form.text("text", max_length=10_000) or ""
    checklist = tuple(str(form.values.get("checklist") or "").splitlines())
    preset = str(form.values.get("preset") or "custom")
    policy = str(form.values.get("holiday_policy") or HolidayPolicy.PREVIOUS.value)
    rrule = str(form.values.get("rrule") or "")
    if preset != "custom":
        day_raw = str(form.values.get("day") or "1").strip()
        try:
            rrule, implied = rules.preset_rule(
                preset, day=int(day_raw) if day_raw.isdigit() else 0, weekday=str(form.values.get("weekday"))
            )
        except DomainError as exc:
            form.fail_domain(exc)
            return None
        policy = implied or policy
    starts_on = _date(form, "starts_on", required=True)
    until = _date(form, "until")
    term_raw = str(form.values.get("term_days") or "0").strip()
    if not term_raw.isdigit():
        form.fail("term_days", N_("Enter a whole number."))
    if starts_on is None or not form.ok:
        return None
    return manage.RuleInput(
        title=title,
        text=text,
        checklist=checklist,
        checklist_required=form.flag("checklist_required"),
        executor_id=form.choice("executor_id", people),
        department_id=form.choice("department_id", departments),
        controller_id=form.choice("controller_id", people),
        priority=str(form.values.get("priority") or Priority.NORMAL.value),
        rrule=rrule,
        starts_on=starts_on,
        until=until,
        create_at=str(form.values.get("create_at") or "09:00").strip(),
        term_days=int(term_raw),
        term_working=form.flag("term_working"),
        holiday_policy=policy,
    )


async def _edit(request: web.Request, item_id: int | None) -> web.StreamResponse:
    db = request[DB_KEY]
    user_id = request[USER_KEY].id
    rule: RecurringAssignment | None = None
    if item_id is not None:
        try:
            rule = await manage.load(db, item_id)
        except NotFound:
            raise web.HTTPNotFound() from None
    staff = [s for s in await panel.staff_options(db) if s.is_active]
    departments = list(await active_departments(db))
    tz = zone(request)
    calendar = await calendar_store.load(db, tz)
    today = utcnow().astimezone(tz).date()
    preview: list[rules.Planned] = []
    data: manage.RuleInput | None = None
    if request.method == "POST":
        posted = await request.post()
        form = Form.posted(posted)
        data = _read(form, {s.id for s in staff}, {d.id for d in departments})
        if data is not None and "preview" not in posted:
            try:
                if item_id is None:
                    saved = await manage.create(db, user_id, data)
                else:
                    saved = await manage.update(db, user_id, item_id, data)
            except DomainError as exc:
                await db.rollback()
                form.fail_domain(exc)
            else:
                await flash(request, gettext("“%(name)s” saved.", name=saved.title))
                raise web.HTTPSeeOther(request.app.router["recurring_edit"].url_for(item_id=str(saved.id)))
    else:
        # Today where the administration is: after 21:00 UTC it is already tomorrow in Moscow.
        form = Form(values=_values(rule, user_id, utcnow().astimezone(zone(request)).date()))
    if data is not None:
        source = (data.rrule, data.starts_on, data.until, data.holiday_policy)
    elif rule is not None:
        source = (rule.rrule, rule.starts_on, rule.until, rule.holiday_policy)
    else:
        source = None
    description = ""
    if source is not None:
        try:
            normalized = rules.normalize(source[0])
            preview = rules.preview(
                normalized, source[1], source[2], source[3], calendar, today, PREVIEW_COUNT
            )
            description = _describe(normalized)
        except DomainError as exc:
            form.fail_domain(exc)
    runs = await manage.runs(db, item_id) if item_id is not None else []
    return await render(
        request,
        "task_tools/recurring_edit.html",
        {
            "form": form,
            "item_id": item_id,
            "rule": rule,
            "description": description,
            "preview": preview,
            "runs": runs,
            "executor_options": staff_choices(staff),
            "staff": staff_choices(staff),
            "department_options": [(d.id, d.name) for d in departments],
            "priority_options": [(code, gettext(label)) for code, label in PRIORITY_LABELS.items()],
            "preset_options": [(k, gettext(v)) for k, v in rules.PRESETS.items()]
            + [("custom", gettext("Own rule (RRULE)"))],
            "weekday_options": [
                (code, gettext(label)) for code, label in zip(rules.WEEKDAYS, WEEKDAY_LABELS, strict=True)
            ],
            "policy_options": [(k, gettext(v)) for k, v in rules.POLICY_NAMES.items()],
            "policy_names": {k: gettext(v) for k, v in rules.POLICY_NAMES.items()},
            "section": "recurring",
        },
        status=200 if form.ok else 400,
    )


def add_routes(router: web.UrlDispatcher) -> None:
    base = "/recurring"
    router.add_get(base, recurring_list, name=LIST_ROUTE)
    for path, handler, name in (
        (base + "/new", recurring_new, "recurring_new"),
        (base + r"/{item_id:\d{1,18}}", recurring_edit, "recurring_edit"),
    ):
        resource = router.add_resource(path, name=name)
        resource.add_route("GET", handler)
        resource.add_route("POST", handler)
    router.add_post(base + r"/{item_id:\d{1,18}}/active", recurring_active, name="recurring_active")
