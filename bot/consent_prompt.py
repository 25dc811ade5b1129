"""The consent to the processing of personal data as a bot message (152-FZ: a separate document
with a version). Features that collect personal data show it before their first personal question
with their own «I agree» / «I decline» buttons; the text and its link are the same everywhere."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from bot.turn import Turn
from models import ConsentText
from services.html_cut import cut_plain
from services.privacy import consent

# The consent text's share of a message: the header, the purpose and the link fit in the rest of 4096.
TEXT_LIMIT = 3300


def prompt_text(turn: Turn, text: ConsentText, purpose: str) -> str:
    """``purpose``: why this conversation needs personal data, already translated."""
    lines = [
        _("<b>Consent to the processing of personal data</b> (version %(v)d)") % {"v": text.version},
        "",
        purpose,
        "",
        cut_plain(consent.text_in(text, turn.locale), TEXT_LIMIT),
    ]
    link = turn.notice_ctx.panel_link("/consent")
    if link:
        lines += ["", _("The full text: %(link)s") % {"link": link}]
    return "\n".join(lines)
