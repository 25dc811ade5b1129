"""The field part of an assignment card as text: the appeal's place, its files, the returns."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from bot.texts import quote
from services.assignments.field import FieldView
from services.html_cut import cut_plain
from services.notify import NoticeContext

REASON_SHOWN = 300  # of each return reason on the card


def field_lines(view: FieldView, ctx: NoticeContext) -> list[str]:
    """The card's lines about the appeal's place and the returns (already HTML)."""
    lines: list[str] = []
    if view.appeal_number:
        lines.append(_("Appeal: %(number)s") % {"number": quote(view.appeal_number)})
        if view.appeal_subject:
            lines.append(_("Subject: %(text)s") % {"text": cut_plain(view.appeal_subject, REASON_SHOWN)})
    if view.place and view.place.address:
        lines.append(_("Address: %(address)s") % {"address": quote(view.place.address)})
    files = len(view.photos) + len(view.documents)
    if files:
        lines.append(
            _("Files: photos %(photos)s, documents %(docs)s")
            % {
                "photos": len(view.photos),
                "docs": len(view.documents),
            }
        )
    if view.returns:
        latest = view.returns[0]
        lines += [
            "",
            _("<b>Latest return reason:</b> %(reason)s") % {"reason": cut_plain(latest.reason, REASON_SHOWN)},
        ]
        lines.append(_("Returns for rework: %(n)s") % {"n": view.returns_total})
        for entry in view.returns:
            # Only punctuation around the values: nothing to translate.
            who, reason = quote(entry.by), cut_plain(entry.reason, REASON_SHOWN)
            lines.append(f"• {ctx.format_dt(entry.at)}, {who}: {reason}")
    return lines
