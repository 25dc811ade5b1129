"""The shift report as a Telegram message (HTML), and the table layout (:func:`sections`) the panel's
preview and the files (``shift_files``) share, so all of them list the same rows under the same
headings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from models.enums import UpdateKind, UpdatePublish
from services.html_cut import MESSAGE_LIMIT, cut_html, cut_plain
from services.incidents.kinds import kind_label, kind_name, status_name
from services.incidents.shift import IncidentRow, OutageRow, ShiftReport, SignalRow, UpdateRow
from services.notify import N_, NoticeContext, Translator, html_escape
from services.outages.export import STATUS_NAMES as OUTAGE_STATUS_NAMES
from services.outages.resources import get_resource, resource_name

TEXT_ITEMS = 15  # per list in the message; the files have every row

UPDATE_KIND_NAMES: dict[str, str] = {
    UpdateKind.ACTION: N_("Action"),
    UpdateKind.PROGRESS: N_("Update for residents"),
    UpdateKind.ACKNOWLEDGED: N_("Taken by the organisation"),
    UpdateKind.ASSIGNED: N_("Handed to an organisation"),
    UpdateKind.CLOSED: N_("Closed"),
    UpdateKind.REOPENED: N_("Reopened"),
}
PUBLISH_NAMES: dict[str, str] = {
    UpdatePublish.INTERNAL: N_("internal"),
    UpdatePublish.PENDING: N_("awaiting approval"),
    UpdatePublish.PUBLISHED: N_("published"),
    UpdatePublish.REJECTED: N_("kept internal"),
}

Cell = str | int | datetime | None


@dataclass(frozen=True, slots=True)
class Section:
    key: str  # stable id for the panel and the tests
    title: str
    header: list[str]
    rows: list[list[Cell]]
    widths: tuple[int, ...]  # relative column widths (XLSX characters; PDF shares of the page)


def update_kind_name(code: str, t: Translator) -> str:
    return t(UPDATE_KIND_NAMES[code]) if code in UPDATE_KIND_NAMES else code


def publish_name(code: str, t: Translator) -> str:
    return t(PUBLISH_NAMES[code]) if code in PUBLISH_NAMES else code


def _of(row: UpdateRow, t: Translator) -> str:
    if row.incident is not None:
        return t("incident № %(number)s", number=row.incident.journal_number)
    if row.outage is not None:
        return t(
            "outage № %(id)s (%(resource)s)", id=row.outage.id, resource=resource_name(row.outage.resource, t)
        )
    return "—"


def _last(row: IncidentRow, ctx: NoticeContext, t: Translator) -> str:
    u = row.last
    if u is None:
        return "—"
    text = u.text or update_kind_name(u.kind, t)
    return f"{ctx.format_dt(u.occurred_at)} {text}"


def sections(report: ShiftReport, ctx: NoticeContext, t: Translator) -> list[Section]:
    def incident_rows(rows: list[IncidentRow]) -> list[list[Cell]]:
        return [
            [
                r.incident.journal_number,
                kind_name(r.incident.kind, t),
                r.incident.received_at,
                r.place,
                r.organisation or "—",
                status_name(r.incident.status, t),
                _last(r, ctx, t),
            ]
            for r in rows
        ]

    incident_header = [
        t("No."),
        t("Kind"),
        t("Received"),
        t("Place"),
        t("Responsible"),
        t("Status"),
        t("Last entry"),
    ]
    incident_widths = (11, 20, 17, 30, 20, 14, 45)

    def outage_rows(rows: list[OutageRow]) -> list[list[Cell]]:
        return [
            [
                r.outage.id,
                resource_name(r.outage.resource, t),
                t(OUTAGE_STATUS_NAMES.get(r.outage.status, r.outage.status)),
                r.outage.starts_at,
                r.outage.ended_at or r.outage.expected_end_at,
                r.houses,
                r.organisation or "—",
                r.outage.description or "",
            ]
            for r in rows
        ]

    outage_header = [
        t("No."),
        t("Resource"),
        t("Status"),
        t("Start"),
        t("End (expected)"),
        t("Houses"),
        t("Responsible"),
        t("Description"),
    ]
    outage_widths = (7, 18, 12, 17, 17, 8, 20, 40)

    def update_rows(rows: list[UpdateRow]) -> list[list[Cell]]:
        return [
            [
                r.update.occurred_at,
                _of(r, t),
                update_kind_name(r.update.kind, t),
                r.update.text or "",
                r.organisation or "—",
                r.author or "—",
                publish_name(r.update.publish, t),
            ]
            for r in rows
        ]

    update_header = [
        t("Time"),
        t("Of"),
        t("Entry"),
        t("Text"),
        t("Organisation"),
        t("Author"),
        t("For residents"),
    ]
    update_widths = (17, 22, 18, 45, 20, 20, 14)

    def signal_rows(rows: list[SignalRow]) -> list[list[Cell]]:
        return [
            [
                r.signal.created_at,
                kind_name(r.signal.incident_kind, t)
                if r.signal.incident_kind
                else resource_name(r.signal.resource, t),
                r.place,
                r.signal.text or "",
            ]
            for r in rows
        ]

    return [
        Section(
            "open_incidents",
            t("Open incidents"),
            incident_header,
            incident_rows(report.open_incidents),
            incident_widths,
        ),
        Section(
            "logged",
            t("Incidents logged during the shift"),
            incident_header,
            incident_rows(report.logged),
            incident_widths,
        ),
        Section(
            "closed",
            t("Incidents closed during the shift"),
            [t("No."), t("Kind"), t("Received"), t("Closed"), t("Place"), t("Closing note")],
            [
                [
                    r.incident.journal_number,
                    kind_name(r.incident.kind, t),
                    r.incident.received_at,
                    r.incident.closed_at,
                    r.place,
                    r.incident.closing_note or "",
                ]
                for r in report.closed
            ],
            (11, 20, 17, 17, 30, 50),
        ),
        Section(
            "open_outages",
            t("Current outages"),
            outage_header,
            outage_rows(report.open_outages),
            outage_widths,
        ),
        Section(
            "published_outages",
            t("Outages announced during the shift"),
            outage_header,
            outage_rows(report.published_outages),
            outage_widths,
        ),
        Section(
            "resolved_outages",
            t("Outages ended during the shift"),
            outage_header,
            outage_rows(report.resolved_outages),
            outage_widths,
        ),
        Section(
            "updates",
            t("Journal entries of the shift"),
            update_header,
            update_rows(report.updates),
            update_widths,
        ),
        Section(
            "pending",
            t("Reports awaiting the dispatcher's approval"),
            update_header,
            update_rows(report.pending),
            update_widths,
        ),
        Section(
            "signals",
            t("Residents' reports not yet handled"),
            [t("Received"), t("About"), t("Place"), t("Text")],
            signal_rows(report.new_signals),
            (17, 22, 35, 60),
        ),
    ]


def cell_text(value: Cell, ctx: NoticeContext) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return ctx.format_dt(value)
    return str(value)


def period_text(report: ShiftReport, ctx: NoticeContext, t: Translator) -> str:
    return t("%(start)s — %(end)s", start=ctx.format_dt(report.since), end=ctx.format_dt(report.until))


# --- The message --------------------------------------------------------------------------------


def _incident_line(r: IncidentRow, ctx: NoticeContext, t: Translator) -> str:
    i = r.incident
    parts = [f"<b>№ {i.journal_number}</b> {html_escape(kind_label(i.kind, t))}", cut_plain(r.place, 200)]
    if r.organisation:
        parts.append(html_escape(r.organisation))
    parts.append(html_escape(status_name(i.status, t)))
    line = "• " + " — ".join(parts)
    if r.last is not None:
        line += "\n  " + t("Last: %(entry)s", entry=cut_plain(_last(r, ctx, t), 200))
    return line


def _outage_line(r: OutageRow, ctx: NoticeContext, t: Translator) -> str:
    o = r.outage
    res = get_resource(o.resource)
    line = f"• <b>№ {o.id}</b> {res.emoji} {html_escape(resource_name(o.resource, t))} — " + t(
        "houses: %(n)s", n=r.houses
    )
    end = o.ended_at or o.expected_end_at
    if end is not None:
        line += " — " + t("until %(when)s", when=ctx.format_dt(end))
    if r.organisation:
        line += " — " + html_escape(r.organisation)
    return line


def _update_line(r: UpdateRow, ctx: NoticeContext, t: Translator) -> str:
    u = r.update
    who = f" ({html_escape(r.organisation)})" if r.organisation else ""
    text = cut_plain(u.text, 200) if u.text else html_escape(update_kind_name(u.kind, t))
    return f"• {ctx.format_dt(u.occurred_at)} {html_escape(_of(r, t))}: {text}{who}"


def _signal_line(r: SignalRow, ctx: NoticeContext, t: Translator) -> str:
    s = r.signal
    about = kind_name(s.incident_kind, t) if s.incident_kind else resource_name(s.resource, t)
    return f"• {ctx.format_dt(s.created_at)} {html_escape(about)} — {cut_plain(r.place, 150)}"


def _block(title: str, lines: list[str], t: Translator) -> list[str]:
    if not lines:
        return []
    shown = lines[:TEXT_ITEMS]
    if len(lines) > TEXT_ITEMS:
        shown.append(t("…and %(n)s more", n=len(lines) - TEXT_ITEMS))
    return ["", f"<b>{html_escape(title)}: {len(lines)}</b>", *shown]


def report_text(
    report: ShiftReport,
    ctx: NoticeContext,
    t: Translator,
    *,
    note: str | None = None,
    handed_by: str | None = None,
    limit: int = MESSAGE_LIMIT,
) -> str:
    """The report as one Telegram message; a longer one is cut with «…» and points to the files."""
    lines = [
        f"<b>📋 {html_escape(t('Shift hand-over report'))}</b>",
        t("Period: %(period)s", period=period_text(report, ctx, t)),
    ]
    if handed_by:
        lines.append(t("Handed over by: %(name)s", name=html_escape(handed_by)))
    if note:
        lines.append(t("Note: %(note)s", note=cut_plain(note, 1000)))
    lines += _block(t("Open incidents"), [_incident_line(r, ctx, t) for r in report.open_incidents], t)
    lines += _block(
        t("Incidents logged during the shift"), [_incident_line(r, ctx, t) for r in report.logged], t
    )
    lines += _block(
        t("Incidents closed during the shift"), [_incident_line(r, ctx, t) for r in report.closed], t
    )
    lines += _block(t("Current outages"), [_outage_line(r, ctx, t) for r in report.open_outages], t)
    lines += _block(
        t("Outages announced during the shift"),
        [_outage_line(r, ctx, t) for r in report.published_outages],
        t,
    )
    lines += _block(
        t("Outages ended during the shift"), [_outage_line(r, ctx, t) for r in report.resolved_outages], t
    )
    lines += _block(t("Journal entries of the shift"), [_update_line(r, ctx, t) for r in report.updates], t)
    lines += _block(
        t("Reports awaiting the dispatcher's approval"), [_update_line(r, ctx, t) for r in report.pending], t
    )
    lines += _block(
        t("Residents' reports not yet handled"), [_signal_line(r, ctx, t) for r in report.new_signals], t
    )
    if report.is_quiet:
        lines += ["", t("Nothing open and nothing happened during the period.")]
    text = "\n".join(lines)
    if len(text) <= limit:
        return text
    pointer = "\n\n" + t("The full report is in the XLSX and PDF files.")
    return cut_html(text, limit - len(pointer)) + pointer
