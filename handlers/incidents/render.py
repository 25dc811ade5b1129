"""Texts of the incident flows: the draft's preview, a logged incident's card, the open list.

Drawn from reloaded rows (a draft from its FSM data's ids); user text is escaped and cut, and each
whole message is cut to Telegram's 4096 characters.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.incidents.common import as_str, from_iso
from models import Building, DispatchUpdate, Incident, Organisation
from models.enums import UpdateKind, UpdatePublish
from services.html_cut import MESSAGE_LIMIT, cut_html, cut_plain
from services.incidents import journal
from services.incidents.kinds import informant_name, kind_label, status_name
from services.notify import NoticeContext, Translator, html_escape
from services.outages.notices import address

JOURNAL_SHOWN = 15  # the latest entries of a long journal; the panel shows it all
ENTRY_LIMIT = 300


async def org_name(session: AsyncSession, org_id: object) -> str | None:
    org = await session.get(Organisation, org_id) if isinstance(org_id, int) else None
    return (org.short_name or org.name) if org is not None else None


def place_text(
    building: Building | None, address_text: str | None, lat: object, lon: object, t: Translator
) -> str:
    if building is not None:
        return html_escape(address(building))
    parts = []
    if address_text:
        parts.append(cut_plain(address_text, 500))
    if isinstance(lat, float) and isinstance(lon, float):
        parts.append(t("map point %(lat).5f, %(lon).5f", lat=lat, lon=lon))
    return "; ".join(parts) or "—"


def informant_text(
    kind: str | None, name: str | None, phone: str | None, org: str | None, t: Translator
) -> str:
    parts = [informant_name(kind, t)]
    parts += [html_escape(v) for v in (org, name, phone) if v]
    return ", ".join(parts)


async def draft_text(
    session: AsyncSession, data: dict[str, object], t: Translator, ctx: NoticeContext
) -> str:
    """The preview before logging: every field the dispatcher gave."""
    building = (
        await session.get(Building, data["building"]) if isinstance(data.get("building"), int) else None
    )
    received = from_iso(data.get("received_at"))
    lines = [
        t("<b>New incident — check before logging</b>"),
        "",
        t("Kind: %(kind)s", kind=kind_label(str(data.get("kind") or ""), t)),
        t("Received: %(when)s", when=ctx.format_dt(received) if received else "—"),
        t(
            "Place: %(place)s",
            place=place_text(building, as_str(data.get("address_text")), data.get("lat"), data.get("lon"), t),
        ),
        t(
            "Informant: %(who)s",
            who=informant_text(
                as_str(data.get("informant_kind")),
                as_str(data.get("informant_name")),
                as_str(data.get("informant_phone")),
                await org_name(session, data.get("informant_org")),
                t,
            ),
        ),
        t(
            "Responsible: %(org)s",
            org=html_escape(await org_name(session, data.get("responsible")) or t("none")),
        ),
    ]
    if (end := from_iso(data.get("expected_end_at"))) is not None:
        lines.append(t("Expected end: %(when)s", when=ctx.format_dt(end)))
    lines += [
        "",
        cut_plain(as_str(data.get("description")), 2000),
    ]
    signals = data.get("signal_ids")
    if isinstance(signals, list) and signals:
        lines += ["", t("Residents' reports to link: %(n)s", n=len(signals))]
    return cut_html("\n".join(lines))


def entry_text(update: DispatchUpdate, orgs: dict[int, str], t: Translator, ctx: NoticeContext) -> str:
    when = ctx.format_dt(update.occurred_at)
    org = orgs.get(update.organisation_id or 0)
    if update.kind == UpdateKind.ASSIGNED:
        what = t("handed to %(org)s", org=html_escape(org)) if org else t("taken back from the organisation")
    elif update.kind == UpdateKind.ACKNOWLEDGED:
        what = t("accepted by %(org)s", org=html_escape(org or "—"))
    elif update.kind == UpdateKind.CLOSED:
        what = t("closed: %(text)s", text=cut_plain(update.text, ENTRY_LIMIT))
    elif update.kind == UpdateKind.REOPENED:
        what = t("reopened: %(text)s", text=cut_plain(update.text, ENTRY_LIMIT))
    else:
        what = cut_plain(update.text, ENTRY_LIMIT)
        if org:
            what = f"{html_escape(org)}: {what}"
        if update.publish == UpdatePublish.PUBLISHED:
            what += " 📢"
        elif update.publish == UpdatePublish.PENDING:
            what += " " + t("(waiting for approval)")
    return f"• {when} — {what}"


async def card_text(
    session: AsyncSession, incident: Incident, t: Translator, ctx: NoticeContext, *, note: str = ""
) -> str:
    building = await session.get(Building, incident.building_id) if incident.building_id else None
    entries = await journal.journal_of(session, incident.id)
    org_ids = {e.organisation_id for e in entries if e.organisation_id} | {
        i for i in (incident.responsible_organisation_id, incident.informant_organisation_id) if i
    }
    orgs = {i: name for i in org_ids if (name := await org_name(session, i)) is not None}
    responsible = orgs.get(incident.responsible_organisation_id or 0)
    if responsible and incident.acknowledged_at is not None:
        responsible += " ✅"
    lines = [
        f"<b>{html_escape(t('Incident № %(number)s', number=incident.journal_number))}</b>",
        kind_label(incident.kind, t),
        t("Status: %(status)s", status=status_name(incident.status, t)),
        t("Received: %(when)s", when=ctx.format_dt(incident.received_at)),
        t(
            "Informant: %(who)s",
            who=informant_text(
                incident.informant_kind,
                incident.informant_name,
                incident.informant_phone,
                orgs.get(incident.informant_organisation_id or 0),
                t,
            ),
        ),
        t(
            "Place: %(place)s",
            place=place_text(building, incident.address_text, incident.latitude, incident.longitude, t),
        ),
        t(
            "Cause: %(cause)s",
            cause=cut_plain(incident.cause, 1000) if incident.cause else t("not established"),
        ),
        t("Responsible: %(org)s", org=html_escape(responsible) if responsible else t("none")),
    ]
    if incident.expected_end_at is not None:
        lines.append(t("Expected end: %(when)s", when=ctx.format_dt(incident.expected_end_at)))
    if incident.closed_at is not None:
        lines.append(t("Closed: %(when)s", when=ctx.format_dt(incident.closed_at)))
    lines += ["", cut_plain(incident.description, 1500)]
    journal_lines = [entry_text(e, orgs, t, ctx) for e in entries[-JOURNAL_SHOWN:]]
    tail = ["", note] if note else []

    def joined() -> str:
        shown = []
        if journal_lines:
            shown = ["", t("<b>Journal</b>")]
            if len(entries) > len(journal_lines):
                shown.append(t("…%(n)s earlier entries", n=len(entries) - len(journal_lines)))
        return "\n".join([*lines, *shown, *journal_lines, *tail])

    text = joined()
    # The latest entries and the note matter most: the oldest shown entries give way first.
    while len(text) > MESSAGE_LIMIT and len(journal_lines) > 1:
        journal_lines.pop(0)
        text = joined()
    return cut_html(text)


def list_line(incident: Incident, t: Translator, ctx: NoticeContext) -> str:
    return t(
        "№ %(number)s %(kind)s — %(status)s, since %(when)s",
        number=incident.journal_number,
        kind=kind_label(incident.kind, t),
        status=status_name(incident.status, t),
        when=ctx.format_dt(incident.received_at),
    )


def list_text(
    incidents: Sequence[Incident], total: int, waiting: int, t: Translator, ctx: NoticeContext
) -> str:
    lines = [t("<b>Open incidents</b>: %(n)s", n=total)]
    if waiting:
        lines.append(t("Residents' reports waiting: %(n)s", n=waiting))
    lines.append("")
    if not incidents:
        lines.append(t("There are no open incidents."))
    lines += [list_line(i, t, ctx) for i in incidents]
    return cut_html("\n".join(lines))
