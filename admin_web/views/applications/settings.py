"""Application types (managers): name, criteria with maximum scores, council and registry flags, the
reviewers picked from the staff (the registry of approved objects is the council's page)."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select

from admin_web.forms import Form
from admin_web.i18n import N_, gettext
from admin_web.keys import DB_KEY
from admin_web.render import flash, render
from admin_web.security import requires_role
from admin_web.views.applications.common import id_of
from admin_web.views.common import acting_user
from models import ApplicationType, User
from models.enums import Role
from services.applications import types
from services.errors import DomainError

manager_only = requires_role(Role.MANAGER)


def _form_of(kind: ApplicationType, reviewer_ids: list[int]) -> Form:
    return Form(
        values={
            "name_ru": kind.name_ru,
            "name_en": kind.name_en,
            "criteria": types.criteria_text(kind),
            "score_max": str(kind.score_max),
            "needs_council": kind.needs_council,
            "to_registry": kind.to_registry,
            "is_active": kind.is_active,
            "reviewers": [str(i) for i in reviewer_ids],
        }
    )


def _read(form: Form, people: set[str]) -> types.TypeInput | None:
    name_ru = form.text("name_ru", required=True)
    name_en = form.text("name_en")
    criteria_raw = form.text("criteria", max_length=4000) or ""
    score_raw = form.text("score_max") or "10"
    if not score_raw.isdigit() or len(score_raw) > 3:
        form.fail("score_max", N_("Enter a whole number."))
    reviewers = form.choices("reviewers", people)
    flags = {name: form.flag(name) for name in ("needs_council", "to_registry", "is_active")}
    try:
        criteria = types.parse_criteria(criteria_raw)
    except DomainError as exc:
        form.fail_domain(exc)
        criteria = []
    if not form.ok or not name_ru:
        return None
    return types.TypeInput(
        name_ru=name_ru,
        name_en=name_en or "",
        criteria=criteria,
        score_max=int(score_raw),
        reviewer_ids=[int(r) for r in reviewers],
        **flags,
    )


async def _people(request: web.Request) -> list[User]:
    rows = await request[DB_KEY].scalars(select(User).where(User.is_active).order_by(User.full_name, User.id))
    return list(rows)


async def _edit(request: web.Request, kind: ApplicationType | None) -> web.StreamResponse:
    db = request[DB_KEY]
    people = await _people(request)
    if kind is None:
        form = Form(values={"is_active": True, "score_max": "10", "reviewers": []})
    else:
        form = _form_of(kind, await types.reviewer_ids(db, kind.id))
    if request.method == "POST":
        form = Form.posted(await request.post(), multi=("reviewers",))
        data = _read(form, {str(u.id) for u in people})
        if data is not None:
            user = await acting_user(request)
            try:
                if kind is None:
                    kind = await types.create_type(db, data, actor=user)
                else:
                    kind = await types.update_type(db, kind.id, data, actor=user)
            except DomainError as exc:
                await db.rollback()
                form.fail_domain(exc)
            else:
                await flash(request, gettext("The application type is saved."))
                raise web.HTTPSeeOther(request.app.router["application_types"].url_for())
    return await render(
        request,
        "applications/type.html",
        {"section": "applications", "form": form, "kind": kind, "people": people},
        status=200 if form.ok else 422,
    )


@manager_only
async def type_list(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    kinds = await types.list_types(db)
    counts = {k.id: len(await types.reviewer_ids(db, k.id)) for k in kinds}
    return await render(
        request, "applications/types.html", {"section": "applications", "kinds": kinds, "counts": counts}
    )


@manager_only
async def type_new(request: web.Request) -> web.StreamResponse:
    return await _edit(request, None)


@manager_only
async def type_edit(request: web.Request) -> web.StreamResponse:
    kind = await request[DB_KEY].get(ApplicationType, id_of(request, "type_id"))
    if kind is None:
        raise web.HTTPNotFound()
    return await _edit(request, kind)
