"""Application factory for the admin panel."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp_session import session_middleware
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from admin_web.csrf import csrf_middleware
from admin_web.db import db_middleware
from admin_web.errors import error_middleware
from admin_web.i18n import (
    LOCALE_COOKIE,
    count,
    current_locale,
    days,
    format_dt,
    jinja_gettext,
    jinja_ngettext,
    month_name,
    number,
    pick_locale,
    share,
)
from admin_web.input_guard import input_guard_middleware
from admin_web.keys import (
    HEALTH_CHECKS_KEY,
    JINJA_ENV_KEY,
    LOCALE_KEY,
    LOGIN_ACCOUNT_LIMITER_KEY,
    LOGIN_LIMITER_KEY,
    MAX_SANDBOX_CHAT_URL_KEY,
    OFFLOAD_KEY,
    RENDER_HOOKS_KEY,
    SANDBOX_CHAT_URL_KEY,
    SANDBOX_PERSONAS_URL_KEY,
    SESSION_FACTORY_KEY,
    SETTINGS_KEY,
    USER_KEY,
    HealthCheck,
)
from admin_web.labels import (
    ACTION_LABELS,
    EVENT_LABELS,
    PRIORITY_LABELS,
    REPORT_LABELS,
    ROLE_LABELS,
    STATUS_LABELS,
    audit_label,
    label_options,
    state_label,
)
from admin_web.org_name import ORG_NAME_KEY
from admin_web.ratelimit import SlidingWindowLimiter
from admin_web.security import (
    Handler,
    Middleware,
    auth_middleware,
    make_session_storage,
    owns,
    security_headers,
)
from admin_web.views import (
    analytics,
    appeals,
    applications,
    assignments,
    auth,
    council,
    dashboard,
    departments,
    events,
    files,
    forms,
    health,
    imports,
    incidents,
    mailings,
    outages,
    partners,
    privacy,
    public,
    segments,
    service_desk,
    sstu,
    staff,
    task_tools,
    volunteers,
    work_calendar,
)
from admin_web.views import (
    settings as settings_views,
)
from admin_web.views.common import filesize
from admin_web.views.metrics import metrics_handler
from admin_web.views.service_desk.compliance import setup_compliance_routes
from admin_web.views.task_tools import checklists as task_checklists
from porucheno.settings import Settings
from services.appeals.categories import name_in as category_name
from services.metrics import Metrics
from services.offload import Offload

HERE = Path(__file__).parent

# aiohttp-session keeps its per-request state under plain string keys; the advice is not ours to act on.
warnings.filterwarnings("ignore", category=web.NotAppKeyWarning, module="aiohttp_session")
LOGIN_FAILURE_LIMIT = 5  # attempts of one address at one login
LOGIN_FAILURE_WINDOW = 15 * 60
# Attempts at one login from all addresses together (a spray from many addresses). The window is
# short on purpose: whoever floods a login keeps its owner out for minutes, never for good.
LOGIN_ACCOUNT_LIMIT = 10
LOGIN_ACCOUNT_WINDOW = 5 * 60
# Forms with file uploads may send more than the default 1 MB, once the user is signed in.
UPLOAD_ROUTES = {
    assignments.NEW_ROUTE: assignments.MAX_REQUEST_BYTES,
    appeals.UPLOAD_ROUTE: appeals.MAX_REQUEST_BYTES,
    appeals.ANSWER_ROUTE: appeals.MAX_REQUEST_BYTES,
    outages.IMPORT_ROUTE: outages.MAX_IMPORT_BYTES,
    imports.UPLOAD_ROUTE: imports.MAX_UPLOAD_BYTES,
    **service_desk.UPLOAD_ROUTES,
    **mailings.UPLOAD_ROUTES,
    settings_views.CLASSIFIER_ROUTE: settings_views.MAX_CLASSIFIER_BYTES,
    **public.PUBLIC_UPLOAD_ROUTES,  # the public appeal form: anonymous, with its own cap
    **forms.PUBLIC_UPLOAD_ROUTES,  # a form's public page (/f/<slug>) with files: likewise
}


def create_admin_app(
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    *,
    health_checks: Mapping[str, HealthCheck] | None = None,
    sandbox_app: web.Application | None = None,
    max_sandbox_app: web.Application | None = None,
    sandbox_personas_url: str | None = None,
    metrics: Metrics | None = None,
    offload: Offload | None = None,
) -> web.Application:
    """Build the panel.

    ``health_checks`` add named liveness probes to ``/healthz`` (the database one is built in).
    ``sandbox_app`` (the demo Telegram chat) is mounted under ``/sandbox/`` and linked from the menu,
    ``max_sandbox_app`` (the demo MAX) likewise under ``/max-sandbox/``;
    ``sandbox_personas_url``, when given, is linked from the invite page next to the ``/start`` hint.
    ``metrics``, when given, is served at ``/metrics`` (admin_web/views/metrics.py).
    ``offload`` renders charts and spreadsheets in a process pool (the running service gives one).
    """
    storage = make_session_storage(settings)  # fails fast on a missing or short secret key
    app = web.Application(client_max_size=1024**2)
    app[SETTINGS_KEY] = settings
    app[SESSION_FACTORY_KEY] = session_factory
    app[ORG_NAME_KEY] = {}
    app[HEALTH_CHECKS_KEY] = dict(health_checks or {})
    app[LOGIN_LIMITER_KEY] = SlidingWindowLimiter(LOGIN_FAILURE_LIMIT, LOGIN_FAILURE_WINDOW)
    app[LOGIN_ACCOUNT_LIMITER_KEY] = SlidingWindowLimiter(LOGIN_ACCOUNT_LIMIT, LOGIN_ACCOUNT_WINDOW)

    # Outermost first: the session wraps everything so error pages can still use it.
    app.middlewares.extend(
        [
            session_middleware(storage),
            _locale_middleware(settings),
            error_middleware(app),
            db_middleware(app),
            auth_middleware(app),
            _upload_limit_middleware(app),
            input_guard_middleware(app),  # after the per-route body cap is set, before anything reads
            csrf_middleware(app),
        ]
    )
    app.on_response_prepare.append(security_headers(settings))
    app[JINJA_ENV_KEY] = _setup_jinja(app, settings)
    app[RENDER_HOOKS_KEY] = [task_checklists.checklist_context]
    _add_routes(app)
    public.add_routes(app)
    if metrics is not None:
        token = settings.metrics_token.get_secret_value()
        app.router.add_get("/metrics", metrics_handler(metrics, session_factory, token), name="metrics")
    if sandbox_app is not None:
        app.add_subapp("/sandbox/", sandbox_app)
        app[SANDBOX_CHAT_URL_KEY] = "/sandbox/chat"
    if max_sandbox_app is not None:
        app.add_subapp("/max-sandbox/", max_sandbox_app)
        app[MAX_SANDBOX_CHAT_URL_KEY] = "/max-sandbox/chat"
    if sandbox_personas_url:
        app[SANDBOX_PERSONAS_URL_KEY] = sandbox_personas_url
    if offload is not None:
        app[OFFLOAD_KEY] = offload
    return app


def _setup_jinja(app: web.Application, settings: Settings) -> jinja2.Environment:
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(jinja_gettext, jinja_ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["dt"] = lambda value: format_dt(value, settings.tz)
    env.filters["role_label"] = lambda role: jinja_gettext(ROLE_LABELS.get(str(role), str(role)))
    for name, labels in (
        ("status_label", STATUS_LABELS),
        ("priority_label", PRIORITY_LABELS),
        ("event_label", EVENT_LABELS),
        ("action_label", ACTION_LABELS),
        ("report_label", REPORT_LABELS),
    ):
        env.filters[name] = _label_filter(labels)
    env.filters.update(number=number, count=count, share=share, days=days)
    env.filters["audit_label"] = audit_label
    env.filters["state_label"] = state_label
    env.filters["label_options"] = label_options
    env.filters["filesize"] = filesize
    env.filters["month"] = month_name
    env.filters["category_name"] = category_name
    return env


def _label_filter(labels: Mapping[str, str]) -> Callable[[object], str]:
    def label(code: object) -> str:
        return jinja_gettext(labels.get(str(code), str(code)))

    return label


def _upload_limit_middleware(app: web.Application) -> Middleware:
    """Raise the body size limit for the upload forms (signed-in users only; CSRF still applies)."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        name = request.match_info.route.name or ""
        limit = UPLOAD_ROUTES.get(name)
        if (
            limit
            and owns(request, app)
            and (
                USER_KEY in request
                or name in public.PUBLIC_UPLOAD_ROUTES
                or name in forms.PUBLIC_UPLOAD_ROUTES
            )
        ):
            request = request.clone(client_max_size=limit)
        return await handler(request)

    return middleware


def _locale_middleware(settings: Settings) -> Middleware:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        locale = pick_locale(request.cookies.get(LOCALE_COOKIE), settings.locale)
        request[LOCALE_KEY] = locale
        current_locale.set(locale)
        return await handler(request)

    return middleware


def _add_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/", dashboard.dashboard, name="dashboard")
    task_checklists.add_routes(r)
    r.add_get("/login", auth.login_page, name="login")
    r.add_post("/login", auth.login_submit)
    r.add_post("/logout", auth.logout, name="logout")
    r.add_post("/locale", auth.set_locale, name="locale")
    r.add_get("/departments", departments.department_list, name="departments")
    r.add_get(
        r"/departments/export.{fmt:(xlsx|csv)}", departments.department_export, name="departments_export"
    )
    _get_post(r, "/departments/new", departments.department_new, "department_new")
    _get_post(r, r"/departments/{dept_id:\d+}", departments.department_edit, "department_edit")
    r.add_get("/staff", staff.staff_list, name="staff")
    r.add_get(r"/staff/export.{fmt:(xlsx|csv)}", staff.staff_export, name="staff_export")
    _get_post(r, "/staff/new", staff.staff_new, "staff_new")
    _get_post(r, r"/staff/{user_id:\d+}", staff.staff_edit, "staff_edit")
    r.add_post(r"/staff/{user_id:\d+}/invite", staff.staff_invite, name="staff_invite")
    r.add_post(r"/staff/{user_id:\d+}/messenger", staff.staff_messenger, name="staff_messenger")
    assignments.add_routes(r)
    analytics.add_routes(r)
    r.add_get(r"/files/{file_id:\d+}", files.file_download, name="file")
    outages.add_routes(r)
    partners.add_routes(r)
    incidents.add_routes(r)
    imports.add_routes(r)
    appeals.add_routes(r)
    settings_views.add_routes(r)
    sstu.add_routes(r)
    service_desk.add_routes(r)
    privacy.add_routes(r)
    task_tools.add_routes(r)
    work_calendar.add_routes(r)
    forms.add_routes(r)
    events.add_routes(r)
    volunteers.add_routes(r)
    segments.add_routes(r)
    mailings.add_routes(r)
    applications.add_routes(r)
    council.add_routes(r)
    setup_compliance_routes(app)
    r.add_get("/healthz", health.healthz, name="healthz")
    r.add_static("/static/", HERE / "static", name="static", append_version=True)


def _get_post(router: web.UrlDispatcher, path: str, handler: Handler, name: str) -> None:
    """A form page: GET shows it, POST submits it; other methods get 405."""
    resource = router.add_resource(path, name=name)
    resource.add_route("GET", handler)
    resource.add_route("POST", handler)
