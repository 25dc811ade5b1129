"""The consent to the processing of personal data as a bot message (152-FZ: a separate document
with a version, specific to its purpose). Features that collect personal data show their purpose's
text (``consent.current(session, purpose)``) before their first personal question with their own
«I agree» / «I decline» buttons; the document names the messenger the person is in (Telegram or
MAX) and links to its full text on the public page."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from bot.turn import Turn
from models import ConsentText
from services.html_cut import cut_plain
from services.privacy import consent

# The consent text's share of a message: the header, the purpose and the link fit in the rest of 4096.
TEXT_LIMIT = 3300


def channel(turn: Turn) -> str:
    """``max`` or ``telegram``: the messenger this conversation is in, as the consent log names it."""
    return consent.channel_of(turn.account.id if turn.account is not None else turn.chat_id)


def public_path(text: ConsentText, via: str) -> str:
    """The public page of this purpose's current text as seen from ``via``."""
    base = "/consent" if text.purpose == consent.APPEALS else f"/consent/{text.purpose}"
    return f"{base}?via={via}"


def prompt_text(turn: Turn, text: ConsentText, purpose: str) -> str:
    """``purpose``: why this conversation needs personal data, already translated."""
    via = channel(turn)
    lines = [
        _("<b>Consent to the processing of personal data</b> (version %(v)d)") % {"v": text.version},
        "",
        purpose,
        "",
        cut_plain(consent.text_in(text, turn.locale, via), TEXT_LIMIT),
    ]
    link = turn.notice_ctx.panel_link(public_path(text, via))
    if link:
        lines += ["", _("The full text: %(link)s") % {"link": link}]
    return "\n".join(lines)
