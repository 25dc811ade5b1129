"""Duty dispatch in the panel: outages, their summary and log, and the address registry."""

from __future__ import annotations

from aiohttp import web

from admin_web.views.outages import buildings, outage_pages, reports

IMPORT_ROUTE = "building_import"
MAX_IMPORT_BYTES = buildings.MAX_IMPORT_BYTES


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/outages", outage_pages.outage_list, name="outages")
    router.add_get(r"/outages/export.{fmt:(xlsx|csv)}", outage_pages.outage_export, name="outages_export")
    router.add_get("/outages/summary", reports.outage_summary, name="outage_summary")
    router.add_get("/outages/log", reports.outage_log, name="outage_log")
    router.add_get("/outages/log.xlsx", reports.outage_log_xlsx, name="outage_log_xlsx")
    router.add_get("/outages/log.csv", reports.outage_log_csv, name="outage_log_csv")
    router.add_get(r"/outages/{outage_id:\d{1,18}}", outage_pages.outage_page, name="outage_page")
    router.add_post(r"/outages/{outage_id:\d{1,18}}/record", outage_pages.outage_record, name="outage_record")
    router.add_post(r"/outages/{outage_id:\d{1,18}}/news", outage_pages.outage_news, name="outage_news")
    router.add_get(
        r"/outages/{outage_id:\d{1,18}}/progress", outage_pages.outage_progress, name="outage_progress"
    )
    router.add_get("/buildings", buildings.building_list, name="buildings")
    router.add_get(r"/buildings/export.{fmt:(xlsx|csv)}", buildings.building_export, name="buildings_export")
    router.add_get("/buildings/sample.csv", buildings.building_sample, name="building_sample")
    resource = router.add_resource("/buildings/import", name=IMPORT_ROUTE)
    resource.add_route("GET", buildings.building_import)
    resource.add_route("POST", buildings.building_import)
    router.add_get(r"/buildings/{building_id:\d{1,18}}", buildings.building_page, name="building_page")
