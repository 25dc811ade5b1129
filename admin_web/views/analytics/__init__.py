"""Analytics pages: the KPI dashboard with charts and exports, and list exports (issue #6)."""

from __future__ import annotations

from aiohttp import web

from admin_web.views.analytics import kpi, list_exports, projects


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/analytics", kpi.dashboard, name="analytics")
    router.add_get("/analytics/trend.png", kpi.trend_chart, name="analytics_trend")
    router.add_get("/analytics/breakdown.png", kpi.breakdown_chart, name="analytics_breakdown")
    router.add_get("/analytics/kpi.xlsx", kpi.export_xlsx, name="analytics_xlsx")
    router.add_get("/analytics/kpi.csv", kpi.export_csv, name="analytics_csv")
    router.add_get("/projects", projects.project_list, name="projects")
    router.add_get(r"/projects/export.{fmt:(xlsx|csv)}", projects.project_export, name="projects_export")
    router.add_get("/projects/new", projects.project_new, name="project_new")
    router.add_post("/projects/new", projects.project_new)
    router.add_get(r"/projects/{project_id:\d+}", projects.project_page, name="project_page")
    router.add_post(r"/projects/{project_id:\d+}/act", projects.project_act, name="project_act")
    router.add_get(
        "/assignments/export.{fmt:(xlsx|csv)}", list_exports.assignments_export, name="assignments_export"
    )
