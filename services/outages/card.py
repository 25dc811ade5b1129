"""The outage card's text, rendered with a :class:`services.notify.Translator` so the scheduler
(progress edits, services/outages/progress.py) and the dispatch handlers draw the same card in the
reader's language. Plain text and HTML only: no messenger types here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from models import Building, Outage
from models.enums import OutageKind, OutageStatus
from services.html_cut import cut_plain
from services.notify import N_, NoticeContext, Translator, html_escape
from services.outages.lifecycle import Preview
from services.outages.resources import get_resource, resource_name, social_type_name
from services.outbox import BatchProgress

HOUSES_PER_STREET = 30
STREETS_SHOWN = 10
DESCRIPTION_LIMIT = 1500

KIND_NAMES = {OutageKind.ACCIDENT: N_("Emergency outage"), OutageKind.PLANNED: N_("Planned outage")}
STATUS_NAMES = {
    OutageStatus.DRAFT: N_("draft"),
    OutageStatus.PLANNED: N_("planned, not started yet"),
    OutageStatus.ACTIVE: N_("in effect"),
    OutageStatus.RESOLVED: N_("supply restored"),
    OutageStatus.CANCELLED: N_("cancelled"),
}


def number(n: int, locale: str) -> str:
    """«10 000» in Russian (a no-break space groups thousands), «10,000» in English."""
    grouped = f"{n:,}"
    return grouped.replace(",", "\u00a0") if locale == "ru" else grouped


def resource_label(code: str, t: Translator) -> str:
    return f"{get_resource(code).emoji} {resource_name(code, t)}"


def kind_name(kind: str, t: Translator) -> str:
    return t(KIND_NAMES.get(kind, KIND_NAMES[OutageKind.ACCIDENT]))


def streets_summary(buildings: Sequence[Building], t: Translator) -> list[str]:
    """One line per street: «ул. Ленина: 1, 3, 5к1», long lists cut with «…and N more»."""
    by_street: dict[str, list[Building]] = {}
    for b in buildings:
        by_street.setdefault(b.street, []).append(b)
    lines = []
    for street, houses in list(by_street.items())[:STREETS_SHOWN]:
        names = [h.house for h in houses[:HOUSES_PER_STREET]]
        more = len(houses) - len(names)
        tail = " " + t("…and %(n)s more", n=more) if more > 0 else ""
        lines.append(f"• {html_escape(street)}: {html_escape(', '.join(names))}{tail}")
    if len(by_street) > STREETS_SHOWN:
        lines.append(t("…and %(n)s more streets", n=len(by_street) - STREETS_SHOWN))
    return lines


@dataclass(frozen=True, slots=True)
class OutageView:
    """What a card shows, for a draft (from the conversation) and a stored outage alike."""

    kind: str
    resource: str
    buildings: Sequence[Building]
    starts_at: datetime | None
    expected_end_at: datetime | None
    description: str
    status: str | None = None
    outage_id: int | None = None
    ended_at: datetime | None = None

    @classmethod
    def of(cls, outage: Outage, buildings: Sequence[Building]) -> OutageView:
        return cls(
            outage.kind,
            outage.resource,
            buildings,
            outage.starts_at,
            outage.expected_end_at,
            outage.description,
            outage.status,
            outage.id,
            outage.ended_at,
        )


def preview_lines(preview: Preview, t: Translator) -> list[str]:
    lines = [t("Houses: %(n)s", n=number(preview.houses, t.locale))]
    for code, n in preview.social.items():
        lines.append(t("  incl. %(type)s: %(n)s", type=social_type_name(code, t), n=n))
    lines.append(t("Subscribers to notify: %(n)s", n=number(preview.subscribers, t.locale)))
    return lines


def outage_text(
    view: OutageView, t: Translator, ctx: NoticeContext, *, title: str, preview: Preview | None = None
) -> str:
    lines = [f"<b>{html_escape(title)}</b>", ""]
    lines.append(t("Type: %(kind)s", kind=kind_name(view.kind, t)))
    lines.append(t("Resource: %(name)s", name=resource_label(view.resource, t)))
    if view.status is not None:
        lines.append(t("Status: %(status)s", status=t(STATUS_NAMES.get(view.status, view.status))))
    if view.starts_at is not None:
        lines.append(t("Start: %(when)s", when=ctx.format_dt(view.starts_at)))
    if view.expected_end_at is not None:
        lines.append(t("Expected end: %(when)s", when=ctx.format_dt(view.expected_end_at)))
    elif view.starts_at is not None:
        lines.append(t("Expected end: not yet known"))
    if view.ended_at is not None:
        lines.append(t("Restored at: %(when)s", when=ctx.format_dt(view.ended_at)))
    if view.description:
        lines += ["", cut_plain(view.description, DESCRIPTION_LIMIT)]
    if view.buildings:
        lines += ["", t("Addresses:"), *streets_summary(view.buildings, t)]
    if preview is not None:
        lines += ["", *preview_lines(preview, t)]
    elif view.buildings:
        lines.append(t("Houses: %(n)s", n=number(len(view.buildings), t.locale)))
    return "\n".join(lines)


def card_title(outage: Outage, t: Translator) -> str:
    return t("Outage №%(id)s", id=outage.id)


def progress_line(progress: BatchProgress, t: Translator) -> str:
    """The last line of the published preview while the notices go out, and once they have."""
    n = t.locale
    if progress.total == 0:
        return t("📭 Nobody follows these addresses: there is no one to notify.")
    if progress.pending > 0:
        done = progress.total - progress.pending
        return t(
            "📤 Notifying residents: sent %(done)s of %(total)s",
            done=number(done, n),
            total=number(progress.total, n),
        )
    return t(
        "📬 Residents notified: delivered %(sent)s, not delivered %(failed)s",
        sent=number(progress.sent, n),
        failed=number(progress.dropped + progress.failed, n),
    )


def published_text(
    outage: Outage, buildings: Sequence[Building], progress: BatchProgress, t: Translator, ctx: NoticeContext
) -> str:
    title = t("Outage №%(id)s published", id=outage.id)
    body = outage_text(OutageView.of(outage, buildings), t, ctx, title=title)
    return body + "\n\n" + progress_line(progress, t)
