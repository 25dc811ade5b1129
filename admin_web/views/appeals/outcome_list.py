"""The appeal list's share of the article 11 section: filters (repeated, collective, outcome), their
chips and the export's columns. Kept here so the list module only calls into it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from admin_web.i18n import N_, gettext
from admin_web.views.listing_params import chip_text
from models import Appeal
from models.enums import AppealOutcome
from services.streamed import rows_by_ids

OUTCOME_LABELS: dict[str, str] = {
    AppealOutcome.REDIRECTED: N_("Redirected by competence"),
    AppealOutcome.ANONYMOUS: N_("Anonymous: left without an answer"),
    AppealOutcome.ABUSIVE: N_("Obscene or abusive: left without an answer on the merits"),
    AppealOutcome.UNREADABLE: N_("Unreadable: left without an answer"),
    AppealOutcome.CORRESPONDENCE_STOPPED: N_("Repeated without new arguments: correspondence stopped"),
}
FILTER_FIELDS = ("repeated", "collective", "outcome")
EXPORT_HEADER = (N_("Repeat of"), N_("Signatories of a collective appeal"), N_("Outcome"))
EXPORT_WIDTHS = (14, 12, 30)


def filters(params: Mapping[str, str]) -> dict[str, Any]:
    """The ``queries.AppealFilters`` fields of this section from the query string."""
    outcome = params.get("outcome") or None
    return {
        "repeated": params.get("repeated") == "1",
        "collective": params.get("collective") == "1",
        "outcome": outcome if outcome in OUTCOME_LABELS else None,
    }


def chips(f: Mapping[str, str]) -> dict[str, str]:
    outcome = f.get("outcome")
    return {
        "repeated": gettext("Repeated only"),
        "collective": gettext("Collective only"),
        "outcome": chip_text(
            gettext("Outcome"), gettext(OUTCOME_LABELS[outcome]) if outcome in OUTCOME_LABELS else "—"
        ),
    }


async def repeat_numbers(session: AsyncSession, appeals: Sequence[Appeal]) -> dict[int, str]:
    """The numbers of the earlier appeals the listed ones repeat, by id."""
    ids = [a.repeat_of_id for a in appeals if a.repeat_of_id]
    rows = await rows_by_ids(
        session, ids, lambda chunk: select(Appeal.id, Appeal.reg_number).where(Appeal.id.in_(chunk))
    )
    return {r.id: r.reg_number for r in rows}


def export_cells(appeal: Appeal, repeated: Mapping[int, str]) -> list[Any]:
    return [
        repeated.get(appeal.repeat_of_id or 0, ""),
        appeal.signatories if appeal.is_collective else None,
        gettext(OUTCOME_LABELS[appeal.outcome]) if appeal.outcome in OUTCOME_LABELS else "",
    ]
