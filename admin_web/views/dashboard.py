"""The home page: the day at a glance, one block per role of the signed-in user (an administrator
sees them all). Every figure is a link to a list filtered to exactly its rows: the figure is counted
by parsing that very link with the list's own parser and counting with the list's own query, so the
number and the rows cannot drift apart, and nobody counts rows they could not open."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from aiohttp import web
from yarl import URL

from admin_web.i18n import gettext
from admin_web.keys import DB_KEY
from admin_web.render import render
from admin_web.views.appeals.listing import appeal_filters
from admin_web.views.assignments.listing import list_query
from admin_web.views.common import acting_user
from models import User, utcnow
from models.enums import AppealStatus, AssignmentStatus, OutageStatus, Role
from services.appeals import queries as appeal_queries
from services.assignments import panel
from services.dashboard import dashboard_counts, overdue_by_department
from services.outages import queries as outage_queries
from services.outages.summary import current_summary


@dataclass(frozen=True, slots=True)
class Figure:
    id: str
    label: str
    count: int | None  # None: a pointer without a figure
    url: str | None  # the list showing exactly these rows (None: there is no such list)
    alarm: bool = False  # shown in red when not zero


@dataclass(slots=True)
class Block:
    id: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    rows: list[Figure] = field(default_factory=list)  # a breakdown under the figures


class Home:
    """What the blocks need from the request: the user, the moment, and the lists' URLs."""

    def __init__(self, request: web.Request, user: User, now: datetime) -> None:
        self.request = request
        self.db = request[DB_KEY]
        self.user = user
        self.now = now

    def url(self, route: str, params: Mapping[str, str] | None = None) -> str:
        base: URL = self.request.app.router[route].url_for()
        return str(base.with_query(dict(params))) if params else str(base)

    async def assignments(self, fid: str, label: str, params: dict[str, str], alarm: bool = False) -> Figure:
        query = list_query(params, self.request, now=self.now)
        n = await panel.count(self.db, self.user, query, now=self.now)
        return Figure(fid, label, n, self.url("assignments", params), alarm)

    async def appeals(self, fid: str, label: str, params: dict[str, str], alarm: bool = False) -> Figure:
        filters = appeal_filters(params, self.request, now=self.now)
        n = await appeal_queries.count_appeals(self.db, filters, viewer=self.user)
        return Figure(fid, label, n, self.url("appeals", params), alarm)


async def _executor(h: Home) -> Block:
    me = str(h.user.id)
    return Block(
        "executor",
        gettext("My assignments"),
        [
            await h.assignments(
                "my-overdue", gettext("Overdue"), {"status": "overdue", "executor": me}, True
            ),
            await h.assignments("my-week", gettext("Due this week"), {"executor": me, "due": "week"}),
        ],
    )


async def _control(h: Home) -> Block:
    me = str(h.user.id)
    return Block(
        "control",
        gettext("Under my control"),
        [
            await h.assignments(
                "control-overdue", gettext("Overdue"), {"status": "overdue", "control": me}, True
            ),
            await h.assignments(
                "control-review",
                gettext("Reports waiting for my review"),
                {"status": AssignmentStatus.ON_REVIEW.value, "control": me},
            ),
        ],
    )


async def _clerk(h: Home) -> Block:
    return Block(
        "clerk",
        gettext("Appeals"),
        [
            await h.appeals(
                "appeals-received",
                gettext("Waiting for registration"),
                {"status": AppealStatus.RECEIVED.value},
            ),
            await h.appeals(
                "appeals-registration-overdue",
                gettext("Not registered within 3 days"),
                {"registration": "overdue"},
                True,
            ),
            await h.appeals("appeals-new", gettext("New"), {"status": AppealStatus.REGISTERED.value}),
            await h.appeals("appeals-unassigned", gettext("Not assigned yet"), {"unassigned": "1"}),
            await h.appeals("appeals-soon", gettext("Answer due within 3 days"), {"due": "soon"}),
            await h.appeals("appeals-overdue", gettext("Past the legal deadline"), {"overdue": "1"}, True),
        ],
    )


async def _dispatcher(h: Home) -> Block:
    params = {"status": OutageStatus.ACTIVE.value}
    active = await outage_queries.outages_page(
        h.db, outage_queries.OutageFilter(status=OutageStatus.ACTIVE.value), number=1, size=1
    )
    summary = await current_summary(h.db)
    where = h.url("outage_summary")
    return Block(
        "dispatcher",
        gettext("Outages"),
        [
            Figure("outages-active", gettext("Active outages"), active.total, h.url("outages", params), True),
            Figure("outages-houses", gettext("Houses without supply"), summary.houses, where),
            Figure("outages-social", gettext("Social objects affected"), sum(summary.social.values()), where),
        ],
    )


async def _manager(h: Home) -> Block:
    block = Block(
        "manager",
        gettext("Organisation"),
        [
            await h.assignments("org-overdue", gettext("Overdue assignments"), {"status": "overdue"}, True),
            await h.assignments("org-open", gettext("Open assignments"), {"status": "open"}),
            await h.appeals("org-appeals-overdue", gettext("Overdue appeals"), {"overdue": "1"}, True),
            Figure("org-kpi", gettext("KPI for this month"), None, h.url("analytics")),
        ],
    )
    for d in await overdue_by_department(h.db, h.now):
        params = {"status": "overdue", "department": str(d.department_id)}
        block.rows.append(Figure(f"dept-{d.department_id}", d.name, d.overdue, h.url("assignments", params)))
    return block


async def _admin(h: Home) -> Block:
    counts = await dashboard_counts(h.db)
    return Block(
        "admin",
        gettext("Administration"),
        [
            Figure(
                "stat-departments",
                gettext("Departments"),
                counts.departments,
                h.url("departments", {"active": "1"}),
            ),
            Figure("stat-staff", gettext("Active staff"), counts.staff, h.url("staff", {"active": "1"})),
            Figure(
                "stat-telegram",
                gettext("Linked to Telegram"),
                counts.staff_with_telegram,
                h.url("staff", {"active": "1", "telegram": "1"}),
            ),
            Figure("stat-invites", gettext("Open invites"), counts.open_invites, None),
        ],
    )


# (role, block): has_role admits administrators to every block.
BLOCKS = (
    (Role.EXECUTOR, _executor),
    (Role.CONTROLLER, _control),
    (Role.CLERK, _clerk),
    (Role.DISPATCHER, _dispatcher),
    (Role.MANAGER, _manager),
    (Role.ADMIN, _admin),
)


async def dashboard(request: web.Request) -> web.StreamResponse:
    user = await acting_user(request)
    home = Home(request, user, utcnow())
    blocks = [await make(home) for role, make in BLOCKS if user.has_role(role)]
    return await render(request, "dashboard.html", {"blocks": blocks, "section": "dashboard"})
