"""The personal data access log for administrators: who opened or exported whose data, filtered by
staff member, correspondent and dates (local days)."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select

from admin_web.i18n import N_
from admin_web.keys import DB_KEY, SETTINGS_KEY
from admin_web.render import render
from admin_web.views.common import acting_user, int_or_none, parse_local_date
from admin_web.views.settings.common import admin_only
from models import Correspondent, User
from services.privacy import access_log

ACTION_LABELS = {
    access_log.VIEW_CARD: N_("card opened"),
    access_log.EXPORT: N_("data exported"),
    access_log.ERASE: N_("data erased"),
    access_log.LIST_EXPORT: N_("list exported"),
}


@admin_only
async def access_log_page(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    tz = request.config_dict[SETTINGS_KEY].tz
    q = request.query
    since_raw, until_raw = (q.get("since") or "").strip(), (q.get("until") or "").strip()
    f = access_log.LogFilter(
        user_id=int_or_none(q.get("user")),
        correspondent_id=int_or_none(q.get("correspondent")),
        since=parse_local_date(since_raw, tz) if since_raw else None,
        until=parse_local_date(until_raw, tz, next_day=True) if until_raw else None,
        action=q.get("action") or None,
    )
    rows = await access_log.entries(db, await acting_user(request), f)
    user_ids = {r.user_id for r in rows if r.user_id} | ({f.user_id} if f.user_id else set())
    people_ids = {r.correspondent_id for r in rows if r.correspondent_id}
    named_users = select(User.id, User.full_name).where(User.id.in_(user_ids))
    users = {uid: name for uid, name in await db.execute(named_users)}
    named_people = select(Correspondent.id, Correspondent.name).where(Correspondent.id.in_(people_ids))
    people = {cid: name for cid, name in await db.execute(named_people)}
    staff = [
        (uid, name)
        for uid, name in await db.execute(select(User.id, User.full_name).order_by(User.full_name))
    ]
    return await render(
        request,
        "privacy/access_log.html",
        {
            "rows": rows,
            "users": users,
            "people": people,
            "staff": staff,
            "filters": {
                "user": str(f.user_id or ""),
                "correspondent": str(f.correspondent_id or ""),
                "since": since_raw,
                "until": until_raw,
                "action": f.action or "",
            },
            "actions": ACTION_LABELS,
            "limit": access_log.PAGE_LIMIT,
            "section": "privacy_log",
        },
    )
