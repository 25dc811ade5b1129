"""Inline keyboards of the incident flows."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from bot.texts import CANCEL
from handlers.incidents.callbacks import CardAct, CardCallback, QueueAct, QueueCallback, StepAct, StepCallback
from models import Building, Incident, Organisation
from models.enums import IncidentKind, IncidentStatus, InformantKind
from services.incidents.kinds import informant_name, kind_label
from services.notify import Translator
from services.outages.notices import address

LIST_PAGE = 8
ORG_PAGE = 8
LABEL_LIMIT = 60

Rows = list[list[InlineKeyboardButton]]


def short(text: str, limit: int = LABEL_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def step(text: str, act: str, value: str = "") -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=StepCallback(act=act, value=value).pack())


def card(text: str, act: str, id: int = 0, oid: int = 0, page: int = 0) -> InlineKeyboardButton:
    data = CardCallback(act=act, id=id, oid=oid, page=page).pack()
    return InlineKeyboardButton(text=text, callback_data=data)


def queue(text: str, act: str, sid: int = 0, page: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=QueueCallback(act=act, sid=sid, page=page).pack())


def markup(rows: Rows) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[row for row in rows if row])


def page_bounds(total: int, page: int, size: int) -> tuple[int, int]:
    """(clamped page, pages): a stale page number still shows something sensible."""
    pages = max((total + size - 1) // size, 1)
    return min(max(page, 0), pages - 1), pages


def nav(
    make: Callable[[str, int], InlineKeyboardButton], page: int, pages: int
) -> list[InlineKeyboardButton]:
    if pages <= 1:
        return []
    return [
        make("‹", page - 1) if page > 0 else make(" ", page),
        make(f"{page + 1}/{pages}", page),
        make("›", page + 1) if page < pages - 1 else make(" ", page),
    ]


def cancel_keyboard(t: Translator) -> ReplyKeyboardMarkup:
    # Replaces the main menu for the conversation, so menu labels are not taken as answers.
    return ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text=t(CANCEL))]], resize_keyboard=True)


def kinds_markup(t: Translator) -> InlineKeyboardMarkup:
    buttons = [step(kind_label(k, t), StepAct.KIND, k.value) for k in IncidentKind]
    return markup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


def place_markup(t: Translator) -> InlineKeyboardMarkup:
    return markup([[step(t("📝 Not in the register — describe in words"), StepAct.FREE_PLACE)]])


def buildings_markup(buildings: Sequence[Building], t: Translator, *, raw: bool) -> InlineKeyboardMarkup:
    rows: Rows = [[step(short(address(b)), StepAct.BUILDING, str(b.id))] for b in buildings]
    if raw:
        rows.append([step(t("📝 Record the place as typed"), StepAct.RAW_PLACE)])
    return markup(rows)


def nearest_markup(building: Building, t: Translator) -> InlineKeyboardMarkup:
    return markup(
        [
            [step(t("✅ Yes, this building"), StepAct.BUILDING, str(building.id))],
            [step(t("📍 Only the map point"), StepAct.POINT_ONLY)],
        ]
    )


def informants_markup(t: Translator) -> InlineKeyboardMarkup:
    return markup([[step(informant_name(k, t), StepAct.INFORMANT, k.value)] for k in InformantKind])


def skip_markup(t: Translator, label: str) -> InlineKeyboardMarkup:
    return markup([[step(label, StepAct.SKIP)]])


def orgs_markup(
    orgs: Sequence[Organisation],
    page: int,
    t: Translator,
    *,
    pick: Callable[[Organisation], InlineKeyboardButton],
    turn_page: Callable[[str, int], InlineKeyboardButton],
    extra: Sequence[InlineKeyboardButton] = (),
) -> InlineKeyboardMarkup:
    """Active organisations, paged; ``pick`` makes a choice button, ``extra`` rows follow."""
    page, pages = page_bounds(len(orgs), page, ORG_PAGE)
    rows: Rows = [[pick(o)] for o in orgs[page * ORG_PAGE : (page + 1) * ORG_PAGE]]
    rows.append(nav(turn_page, page, pages))
    rows += [[b] for b in extra]
    return markup(rows)


def _org_label(o: Organisation, marked: Collection[int]) -> str:
    """⭐ marks an organisation responsible for the place by its areas (offered first)."""
    return ("⭐ " if o.id in marked else "") + short(o.name)


def step_orgs_markup(
    orgs: Sequence[Organisation],
    page: int,
    t: Translator,
    *,
    none_label: str | None,
    marked: Collection[int] = frozenset(),
) -> InlineKeyboardMarkup:
    extra = [step(none_label, StepAct.NO_ORG)] if none_label else []
    return orgs_markup(
        orgs,
        page,
        t,
        pick=lambda o: step(_org_label(o, marked), StepAct.ORG, str(o.id)),
        turn_page=lambda text, p: step(text, StepAct.ORG_PAGE, str(p)),
        extra=extra,
    )


def description_markup(t: Translator, *, from_signals: bool) -> InlineKeyboardMarkup | None:
    if not from_signals:
        return None
    return markup([[step(t("📨 Take the residents' text"), StepAct.SIGNAL_TEXT)]])


def preview_markup(t: Translator) -> InlineKeyboardMarkup:
    return markup(
        [
            [step(t("📒 Log in the journal"), StepAct.LOG)],
            [
                step(t("🕑 Change the time received"), StepAct.EDIT_TIME),
                step(t("⏳ Expected end"), StepAct.EDIT_END),
            ],
            [step(t("✖ Cancel"), StepAct.CANCEL)],
        ]
    )


# -- logged incidents ----------------------------------------------------------------------------


def list_markup(
    incidents: Sequence[Incident], labels: dict[int, str], page: int, pages: int, waiting: int, t: Translator
) -> InlineKeyboardMarkup:
    rows: Rows = [[card(short(labels[i.id]), CardAct.OPEN, i.id, page=page)] for i in incidents]
    rows.append(nav(lambda text, p: card(text, CardAct.LIST, page=p), page, pages))
    if waiting:
        rows.append([card(t("📨 Residents' reports (%(n)s)", n=waiting), CardAct.SIGNALS)])
    return markup(rows)


def card_markup(incident: Incident, t: Translator) -> InlineKeyboardMarkup:
    rows: Rows = []
    if incident.status != IncidentStatus.CLOSED:
        rows.append([card(t("🛠 Action taken"), CardAct.ACTION, incident.id)])
        rows.append(
            [
                card(t("🏢 Hand to an organisation"), CardAct.HAND, incident.id),
                card(t("🔎 Cause"), CardAct.CAUSE, incident.id),
            ]
        )
        rows.append(
            [
                card(t("⏳ Expected end"), CardAct.EXPECTED, incident.id),
                card(t("✅ Close"), CardAct.CLOSE, incident.id),
            ]
        )
    else:
        rows.append([card(t("↩️ Reopen"), CardAct.REOPEN, incident.id)])
    rows.append([card(t("‹ To the list"), CardAct.LIST)])
    return markup(rows)


def hand_markup(
    incident: Incident,
    orgs: Sequence[Organisation],
    page: int,
    t: Translator,
    marked: Collection[int] = frozenset(),
) -> InlineKeyboardMarkup:
    extra = [card(t("‹ Back"), CardAct.OPEN, incident.id)]
    if incident.responsible_organisation_id is not None:
        extra.insert(0, card(t("↩️ Take back from the organisation"), CardAct.HAND_TO, incident.id, 0))
    return orgs_markup(
        [o for o in orgs if o.id != incident.responsible_organisation_id],
        page,
        t,
        pick=lambda o: card(_org_label(o, marked), CardAct.HAND_TO, incident.id, o.id),
        turn_page=lambda text, p: card(text, CardAct.HAND, incident.id, page=p),
        extra=extra,
    )


def public_markup(incident_id: int, t: Translator) -> InlineKeyboardMarkup:
    return markup(
        [
            [card(t("📢 Yes, tell the residents"), CardAct.PUBLIC, incident_id)],
            [card(t("🗄 Only in the journal"), CardAct.INTERNAL, incident_id)],
        ]
    )


# -- residents' reports --------------------------------------------------------------------------


def queue_markup(
    labels: Sequence[tuple[int, str]], page: int, pages: int, t: Translator
) -> InlineKeyboardMarkup:
    rows: Rows = [[queue(short(label), QueueAct.OPEN, sid, page)] for sid, label in labels]
    rows.append(nav(lambda text, p: queue(text, QueueAct.LIST, page=p), page, pages))
    rows.append([card(t("‹ To the incidents"), CardAct.LIST)])
    return markup(rows)


def group_markup(sid: int, t: Translator) -> InlineKeyboardMarkup:
    return markup(
        [
            [queue(t("📒 Log an incident"), QueueAct.LOG, sid)],
            [queue(t("🗑 Dismiss"), QueueAct.DISMISS, sid)],
            [queue(t("‹ To the reports"), QueueAct.LIST)],
        ]
    )


def dismiss_markup(sid: int, t: Translator) -> InlineKeyboardMarkup:
    return markup(
        [[queue(t("Yes, dismiss"), QueueAct.DISMISS_YES, sid), queue(t("‹ Back"), QueueAct.OPEN, sid)]]
    )
