"""Staff: list with filters, create, edit, the messengers and one-time invite links (Telegram, MAX)."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from admin_web.exports import table_response
from admin_web.forms import EMAIL_RE, LOGIN_RE, PHONE_RE, Form
from admin_web.i18n import N_, gettext
from admin_web.keys import DB_KEY, SETTINGS_KEY, USER_KEY
from admin_web.labels import ROLE_LABELS
from admin_web.render import flash, render
from admin_web.security import requires_role
from admin_web.views import messenger_channel
from admin_web.views.listing_params import ListState, Sort, chip_text, read_search, read_sort
from models import User
from models.enums import Role
from services import messenger_accounts, org_admin
from services.errors import DomainError, NotFound
from services.invites import INVITE_PREFIX, create_invite
from services.messengers import Messenger
from services.staff import get_user, list_departments

ROLE_VALUES = [r.value for r in Role]


FILTER_FIELDS = ("department", "role", "active", "telegram", "q")
DEFAULT_SORT = Sort("name")


def _staff_query(request: web.Request) -> org_admin.StaffQuery:
    role_value = request.query.get("role") or ""
    sort = read_sort(request.query, org_admin.STAFF_SORT_KEYS, DEFAULT_SORT)
    return org_admin.StaffQuery(
        department_id=_int_or_none(request.query.get("department")),
        role=Role(role_value) if role_value in ROLE_VALUES else None,
        text=read_search(request.query),
        active_only=request.query.get("active") == "1",
        telegram_only=request.query.get("telegram") == "1",
        sort=sort.key,
        desc=sort.desc,
    )


@requires_role(Role.ADMIN)
async def staff_list(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    departments = await list_departments(db)
    query = _staff_query(request)
    users = await org_admin.list_staff(db, query=query)
    state = ListState(request, FILTER_FIELDS, Sort(query.sort, query.desc), DEFAULT_SORT)
    names = {d.id: d.name for d in departments}
    described = {
        "department": chip_text(gettext("Department"), names.get(query.department_id or 0, "—")),
        "role": chip_text(
            gettext("Role"), gettext(ROLE_LABELS.get(query.role.value, "")) if query.role else "—"
        ),
        "active": gettext("Active only"),
        "telegram": gettext("Linked to Telegram"),
        "q": chip_text(gettext("Search"), query.text or ""),
    }
    return await render(
        request,
        "staff/list.html",
        {
            "users": users,
            "channels": await messenger_accounts.messengers_of_users(db, users),
            "departments": departments,
            "filter_department": query.department_id,
            "filter_role": query.role.value if query.role else "",
            "q": query.text or "",
            "filters": state.filters,
            "roles": ROLE_LABELS,
            "section": "staff",
            "state": state,
            "chips": state.chips(described),
            "export_query": state.query(),
        },
    )


STAFF_EXPORT_HEADER = (
    N_("Full name"),
    N_("Position"),
    N_("Department"),
    N_("Roles"),
    N_("Phone"),
    N_("E-mail"),
    N_("Linked to Telegram"),
    N_("Active"),
)


@requires_role(Role.ADMIN)
async def staff_export(request: web.Request) -> web.StreamResponse:
    """The staff list with its filters, as XLSX or CSV."""
    users = await org_admin.list_staff(request[DB_KEY], query=_staff_query(request))
    yes, no = gettext("yes"), gettext("no")
    rows = [
        [
            u.full_name,
            u.position or "",
            u.department.name if u.department else "",
            ", ".join(gettext(ROLE_LABELS.get(r.value, r.value)) for r in sorted(u.roles)),
            u.phone or "",
            u.email or "",
            yes if u.telegram_id else no,
            yes if u.is_active else no,
        ]
        for u in users
    ]
    header = [gettext(h) for h in STAFF_EXPORT_HEADER]
    widths = (34, 26, 30, 30, 18, 28, 10, 8)
    return await table_response(
        request, request.match_info["fmt"], "staff", header, rows, sheet=gettext("Staff"), widths=widths
    )


@requires_role(Role.ADMIN)
async def staff_new(request: web.Request) -> web.StreamResponse:
    return await _edit(request, None)


@requires_role(Role.ADMIN)
async def staff_edit(request: web.Request) -> web.StreamResponse:
    return await _edit(request, int(request.match_info["user_id"]))


async def _load(request: web.Request, user_id: int) -> User:
    try:
        return await get_user(request[DB_KEY], user_id)
    except NotFound:
        raise web.HTTPNotFound() from None


async def _edit(request: web.Request, user_id: int | None) -> web.StreamResponse:
    db = request[DB_KEY]
    user = await _load(request, user_id) if user_id is not None else None
    if request.method == "POST":
        form = Form.posted(await request.post(), multi={"roles"})
        password = str(form.values.pop("password", "") or "")  # never echoed back into the page
        form.values["login"] = str(form.values.get("login") or "").strip().lower()
        departments = await list_departments(db)
        fields = org_admin.StaffRecord(
            full_name=form.text("full_name", required=True) or "",
            position=form.text("position"),
            department_id=form.choice("department_id", {d.id for d in departments}),
            email=form.matching("email", EMAIL_RE, N_("Enter a valid e-mail address.")),
            phone=form.matching("phone", PHONE_RE, N_("Enter a valid phone number."), max_length=32),
            login=form.matching(
                "login",
                LOGIN_RE,
                N_("3–64 characters: Latin letters, digits, dot, dash, underscore."),
                max_length=64,
            ),
            password=password or None,
            roles=form.choices("roles", ROLE_VALUES, required=True),
            is_active=form.flag("is_active"),
        )
        if form.ok:
            actor = request[USER_KEY].actor
            try:
                if user_id is None:
                    saved = await org_admin.create_staff(db, actor, fields)
                else:
                    saved = await org_admin.update_staff(db, actor, user_id, fields)
            except DomainError as exc:
                await db.rollback()
                form.fail_domain(exc)
            else:
                message = (
                    N_("Staff member “%(name)s” saved.")
                    if user_id
                    else N_("Staff member “%(name)s” created.")
                )
                await flash(request, gettext(message, name=saved.full_name))
                raise web.HTTPSeeOther(request.app.router["staff_edit"].url_for(user_id=str(saved.id)))
        if user_id is not None:
            user = await _load(request, user_id)  # the rollback above expired it
    else:
        form = Form(values=_values(user))
    return await _render_edit(request, form, user)


async def _render_edit(request: web.Request, form: Form, user: User | None) -> web.Response:
    db = request[DB_KEY]
    invite = await org_admin.open_invite(db, user.id) if user is not None else None
    departments = await list_departments(db)
    messengers = None
    if user is not None:
        messengers = messenger_channel.block(
            await messenger_accounts.accounts_of_user(db, user.id),
            user.preferred_messenger,
            str(request.app.router["staff_messenger"].url_for(user_id=str(user.id))),
            may_edit=request[USER_KEY].has_role(Role.ADMIN),
        )
    return await render(
        request,
        "staff/edit.html",
        {
            "form": form,
            "staff": user,
            "open_invite": invite,
            "messengers": messengers,
            "max_enabled": messenger_accounts.max_enabled(request.config_dict[SETTINGS_KEY]),
            "department_options": [(d.id, d.name) for d in departments],
            "roles": ROLE_LABELS,
            "section": "staff",
        },
    )


@requires_role(Role.ADMIN)
async def staff_invite(request: web.Request) -> web.StreamResponse:
    """Make a one-time link and show it once: only its hash is stored, so it cannot be shown again."""
    db = request[DB_KEY]
    settings = request.config_dict[SETTINGS_KEY]
    user = await _load(request, int(request.match_info["user_id"]))
    if not user.is_active:
        await flash(request, gettext("Activate the staff member before inviting them."))
        raise web.HTTPSeeOther(request.app.router["staff_edit"].url_for(user_id=str(user.id)))
    invite, token = await create_invite(
        db, request[USER_KEY].actor, user.id, ttl=timedelta(hours=settings.invite_ttl_hours)
    )
    links = dict(messenger_accounts.invite_links(settings, token))
    return await render(
        request,
        "staff/invite.html",
        {
            "staff": user,
            "link": links[Messenger.TELEGRAM],
            "max_link": links.get(Messenger.MAX),
            "start_command": f"/start {INVITE_PREFIX}{token}",
            "expires_at": invite.expires_at,
            "section": "staff",
        },
    )


@requires_role(Role.ADMIN)
async def staff_messenger(request: web.Request) -> web.StreamResponse:
    """Where the staff member's notices go: the same right as editing them (the service re-checks)."""
    user_id = (await _load(request, int(request.match_info["user_id"]))).id  # a refusal expires the row
    await messenger_channel.save(request, user_id=user_id)
    raise web.HTTPSeeOther(
        str(request.app.router["staff_edit"].url_for(user_id=str(user_id))) + "#messengers"
    )


def _values(user: User | None) -> dict[str, object]:
    if user is None:
        return {"roles": [Role.EXECUTOR.value], "is_active": True}
    return {
        "full_name": user.full_name,
        "position": user.position or "",
        "department_id": str(user.department_id or ""),
        "email": user.email or "",
        "phone": user.phone or "",
        "login": user.login or "",
        "roles": sorted(r.value for r in user.roles),
        "is_active": user.is_active,
    }


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None
