"""Intake channels by the law (547-FZ): per channel, a 59-FZ appeal or a «сообщение», and whether a
clerk registers what arrives (59-FZ art. 8 p. 2). The service re-checks the admin role."""

from __future__ import annotations

from aiohttp import web

from admin_web.forms import Form
from admin_web.i18n import N_, gettext
from admin_web.keys import DB_KEY, USER_KEY
from admin_web.labels import APPEAL_REGIME_HINTS, APPEAL_REGIME_LABELS
from admin_web.render import flash, render
from admin_web.views.settings.common import admin_only
from services.appeals import regime
from services.appeals.labels import APPEAL_CHANNEL_LABELS
from services.errors import DomainError


def _values(settings: list[regime.ChannelSetting]) -> dict[str, object]:
    values: dict[str, object] = {}
    for s in settings:
        values[f"regime_{s.channel}"] = s.regime
        values[f"manual_{s.channel}"] = s.manual_registration
    return values


@admin_only
async def channel_settings(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    current = await regime.all_settings(db)
    if request.method == "POST":
        form = Form.posted(await request.post())
        chosen: dict[str, tuple[str, bool]] = {}
        for s in current:
            value = str(form.values.get(f"regime_{s.channel}") or "")
            if value not in regime.REGIMES:
                form.fail(f"regime_{s.channel}", N_("Choose a value from the list."))
            chosen[s.channel] = (value, form.flag(f"manual_{s.channel}"))
        if form.ok:
            try:
                for s in current:
                    value, manual = chosen[s.channel]
                    # Saving the page is the administrator's decision for the channels still on
                    # their default; unchanged decided ones are left alone (no empty audit rows).
                    if s.stored and (s.regime, s.manual_registration) == (value, manual):
                        continue
                    await regime.update(
                        db, request[USER_KEY].actor, s.channel, regime=value, manual_registration=manual
                    )
                await db.commit()
            except DomainError as exc:
                await db.rollback()
                form.fail_domain(exc)
            else:
                await flash(request, gettext("The channels' regimes are saved."))
                raise web.HTTPSeeOther(request.app.router["settings_channels"].url_for())
    else:
        form = Form(values=_values(current))
    return await render(
        request,
        "settings/channels.html",
        {
            "form": form,
            "channels": current,
            "channel_labels": APPEAL_CHANNEL_LABELS,
            "regime_labels": APPEAL_REGIME_LABELS,
            "regime_hints": APPEAL_REGIME_HINTS,
            "identification_needed": regime.IDENTIFICATION_NEEDED,
            "section": "settings",
            "tab": "channels",
        },
    )
