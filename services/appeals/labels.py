"""How an appeal's state and channel read to people: the panel's pages, lists and exports, and a
person's own data archive (services/privacy/export.py) say the same words."""

from __future__ import annotations

from models.enums import AppealChannel, AppealStatus
from services.notify import N_

APPEAL_STATUS_LABELS: dict[str, str] = {
    AppealStatus.RECEIVED: N_("Waiting for registration"),
    AppealStatus.REGISTERED: N_("Registered"),
    AppealStatus.IN_WORK: N_("In work"),
    AppealStatus.ANSWERED: N_("Answer given"),
    AppealStatus.CLOSED: N_("Closed"),
    AppealStatus.REJECTED: N_("Rejected"),
    AppealStatus.REDIRECTED: N_("Redirected by competence"),
}
APPEAL_CHANNEL_LABELS: dict[str, str] = {
    AppealChannel.TELEGRAM: N_("Telegram"),
    AppealChannel.EMAIL: N_("E-mail"),
    AppealChannel.WEB: N_("Website"),
    AppealChannel.OPEN311: N_("Open311 app"),
    AppealChannel.PAPER: N_("Paper letter"),
    AppealChannel.PHONE: N_("Phone"),
    AppealChannel.EPGU: N_("Gosuslugi (EPGU)"),
}
