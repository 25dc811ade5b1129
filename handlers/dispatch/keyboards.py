"""Inline keyboards of the dispatch flows."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from bot.texts import CANCEL
from handlers.dispatch.callbacks import (
    HouseAct,
    HouseCallback,
    OrgCallback,
    OutageAct,
    OutageCallback,
    SignalAct,
    SignalCallback,
    StepAct,
    StepCallback,
)
from handlers.dispatch.picks import picks
from models import Building, Organisation, Outage
from models.enums import InformantKind, OutageKind, OutageStatus
from services.incidents.kinds import informant_name
from services.notify import Translator
from services.outages.card import kind_name, resource_label
from services.outages.resources import Resource

HOUSE_COLUMNS = 4
HOUSES_PER_PAGE = 24
LIST_PAGE = 8
LABEL_LIMIT = 40

Rows = list[list[InlineKeyboardButton]]


def short(text: str, limit: int = LABEL_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _step(text: str, act: str, value: str = "") -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=StepCallback(act=act, value=value).pack())


def _house(text: str, act: str, id: int = 0, page: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=HouseCallback(act=act, id=id, page=page).pack())


def _outage(text: str, act: str, id: int = 0, page: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=OutageCallback(act=act, id=id, page=page).pack())


def _signal(text: str, act: str, sid: int = 0, oid: int = 0, page: int = 0) -> InlineKeyboardButton:
    data = SignalCallback(act=act, sid=sid, oid=oid, page=page).pack()
    return InlineKeyboardButton(text=text, callback_data=data)


def cancel_keyboard(t: Translator) -> ReplyKeyboardMarkup:
    # Replaces the main menu for the conversation, so menu labels are not taken as answers.
    return ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text=t(CANCEL))]], resize_keyboard=True)


def kinds_markup(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                _step("⚠️ " + kind_name(OutageKind.ACCIDENT, t), StepAct.KIND, OutageKind.ACCIDENT),
                _step("🛠 " + kind_name(OutageKind.PLANNED, t), StepAct.KIND, OutageKind.PLANNED),
            ]
        ]
    )


def resources_markup(resources: Sequence[Resource], t: Translator) -> InlineKeyboardMarkup:
    buttons = [_step(resource_label(r.code, t), StepAct.RESOURCE, r.code) for r in resources]
    return InlineKeyboardMarkup(inline_keyboard=[buttons[i : i + 2] for i in range(0, len(buttons), 2)])


def streets_markup(streets: Sequence[Building]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[_step(short(b.street), StepAct.STREET, str(b.id))] for b in streets]
    )


def page_bounds(total: int, page: int, size: int) -> tuple[int, int]:
    """(clamped page, pages): a stale page number still shows something sensible."""
    pages = max((total + size - 1) // size, 1)
    return min(max(page, 0), pages - 1), pages


def _nav(make, act: str, page: int, pages: int, **ids: int) -> list[InlineKeyboardButton]:  # type: ignore[no-untyped-def]
    if pages <= 1:
        return []
    row = []
    row.append(make("‹", act, page=page - 1, **ids) if page > 0 else make(" ", act, page=page, **ids))
    row.append(make(f"{page + 1}/{pages}", act, page=page, **ids))
    row.append(make("›", act, page=page + 1, **ids) if page < pages - 1 else make(" ", act, page=page, **ids))
    return row


def houses_markup(
    houses: Sequence[Building], chosen: set[int], page: int, t: Translator, *, done_label: str
) -> InlineKeyboardMarkup:
    """The street's houses (chosen ones ticked), paged; «whole street», «none» and «done»."""
    page, pages = page_bounds(len(houses), page, HOUSES_PER_PAGE)
    start = page * HOUSES_PER_PAGE
    cells = [
        _house(("✅ " if h.id in chosen else "") + h.house, HouseAct.TOGGLE, h.id, page)
        for h in houses[start : start + HOUSES_PER_PAGE]
    ]
    rows: Rows = [cells[i : i + HOUSE_COLUMNS] for i in range(0, len(cells), HOUSE_COLUMNS)]
    anchor = houses[0].id if houses else 0
    if nav := _nav(
        lambda text, act, page, id: _house(text, act, id, page), HouseAct.PAGE, page, pages, id=anchor
    ):
        rows.append(nav)
    rows.append(
        [
            _house(t("☑️ Whole street"), HouseAct.ALL, anchor, page),
            _house(t("✖ None on this street"), HouseAct.NONE, anchor, page),
        ]
    )
    rows.append([_house(done_label, HouseAct.DONE)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def done_markup(done_label: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[_house(done_label, HouseAct.DONE)]])


def times_markup(
    which: str, t: Translator, *, base: datetime | None = None, skip: bool = False
) -> InlineKeyboardMarkup:
    buttons = [_step(p.label, StepAct.TIME, p.code) for p in picks(which, t, base)]
    rows: Rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    if skip:
        rows.append([_step(t("Not known yet"), StepAct.SKIP_END)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def description_markup(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[_step(t("No description"), StepAct.NO_TEXT)]])


def preview_markup(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_step(t("📢 Publish"), StepAct.PUBLISH)],
            [
                _step(t("✏️ Addresses"), StepAct.EDIT, "addresses"),
                _step(t("🕑 Times"), StepAct.EDIT, "times"),
                _step(t("📝 Description"), StepAct.EDIT, "text"),
            ],
            [_step(t("🧾 Cause / informant / organisation"), StepAct.RECORD)],
            [_step(t("✖ Cancel"), StepAct.CANCEL)],
        ]
    )


def record_markup(t: Translator, *, has_informant: bool = False) -> InlineKeyboardMarkup:
    """The optional screen off the preview: the cause is typed, the rest picked here."""
    kinds = [_step(informant_name(k, t), StepAct.INFORMANT, k) for k in InformantKind]
    rows: Rows = [kinds[i : i + 2] for i in range(0, len(kinds), 2)]
    if has_informant:  # a name or phone makes sense once the kind is known
        rows.append([_step(t("✍️ Who exactly: name, phone"), StepAct.INFORMANT_TEXT)])
    rows.append([_step(t("🏢 Responsible organisation"), StepAct.ORGS)])
    rows.append([_step(t("‹ Back to the preview"), StepAct.BACK)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _org_label(o: Organisation, marked: Collection[int]) -> str:
    """⭐ marks an organisation responsible for the houses by its areas (offered first)."""
    return ("⭐ " if o.id in marked else "") + short(o.short_name or o.name, 60)


def draft_orgs_markup(
    orgs: Sequence[Organisation], t: Translator, marked: Collection[int] = frozenset()
) -> InlineKeyboardMarkup:
    rows: Rows = [[_step(_org_label(o, marked), StepAct.ORG, str(o.id))] for o in orgs]
    rows.append([_step(t("✖ No organisation"), StepAct.ORG, "0"), _step(t("‹ Back"), StepAct.RECORD)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def card_orgs_markup(
    outage_id: int, orgs: Sequence[Organisation], t: Translator, marked: Collection[int] = frozenset()
) -> InlineKeyboardMarkup:
    def pick(text: str, org: int) -> InlineKeyboardButton:
        return InlineKeyboardButton(text=text, callback_data=OrgCallback(oid=outage_id, org=org).pack())

    rows: Rows = [[pick(_org_label(o, marked), o.id)] for o in orgs]
    rows.append([pick(t("✖ No organisation"), 0), _outage(t("‹ Back"), OutageAct.OPEN, outage_id)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def news_time_markup(t: Translator, base: datetime) -> InlineKeyboardMarkup:
    buttons = [_step(p.label, StepAct.TIME, p.code) for p in picks("extend", t, base)]
    rows: Rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    rows.append([_step(t("Keep the expected end as it is"), StepAct.KEEP_END)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def remove_confirm_markup(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_step(t("Yes, remove them"), StepAct.REMOVE_YES), _step(t("✖ Cancel"), StepAct.CANCEL)]
        ]
    )


# -- published outages ---------------------------------------------------------------------------


def outage_list_markup(
    outages: Sequence[Outage], labels: dict[int, str], page: int, pages: int
) -> InlineKeyboardMarkup:
    rows: Rows = [[_outage(short(labels[o.id], 60), OutageAct.OPEN, o.id, page)] for o in outages]
    if nav := _nav(lambda text, act, page: _outage(text, act, 0, page), OutageAct.LIST, page, pages):
        rows.append(nav)
    return InlineKeyboardMarkup(inline_keyboard=rows)


def card_markup(outage: Outage, t: Translator, page: int = 0) -> InlineKeyboardMarkup:
    rows: Rows = []
    if outage.status in (OutageStatus.PLANNED, OutageStatus.ACTIVE):
        rows.append([_outage(t("📢 News for residents"), OutageAct.NEWS, outage.id)])
        rows.append(
            [
                _outage(t("⏳ Change the expected end"), OutageAct.EXTEND, outage.id),
                _outage(t("🏢 Organisation"), OutageAct.ORGS, outage.id),
            ]
        )
        rows.append(
            [
                _outage(t("➕ Add houses"), OutageAct.ADD, outage.id),
                _outage(t("➖ Remove houses"), OutageAct.REMOVE, outage.id),
            ]
        )
        closing = []
        if outage.status == OutageStatus.ACTIVE:
            closing.append(_outage(t("✅ Supply restored"), OutageAct.RESOLVE, outage.id))
        closing.append(_outage(t("❎ Cancel the outage"), OutageAct.CANCEL, outage.id))
        rows.append(closing)
    rows.append([_outage(t("‹ To the list"), OutageAct.LIST, 0, page)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def resolve_confirm_markup(outage_id: int, t: Translator) -> InlineKeyboardMarkup:
    """«Restored now», or earlier (the actual time typed), or back."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_outage(t("✅ Yes, restored"), OutageAct.RESOLVE_YES, outage_id)],
            [_outage(t("🕑 Restored earlier: enter the time"), OutageAct.RESOLVE_AT, outage_id)],
            [_outage(t("‹ Back"), OutageAct.OPEN, outage_id)],
        ]
    )


def confirm_markup(outage_id: int, yes_act: str, yes_label: str, t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_outage(yes_label, yes_act, outage_id), _outage(t("‹ Back"), OutageAct.OPEN, outage_id)]
        ]
    )


# -- residents' reports --------------------------------------------------------------------------


def signal_list_markup(labels: Sequence[tuple[int, str]], page: int, pages: int) -> InlineKeyboardMarkup:
    rows: Rows = [[_signal(short(label, 60), SignalAct.OPEN, sid, page=page)] for sid, label in labels]
    if nav := _nav(lambda text, act, page: _signal(text, act, page=page), SignalAct.LIST, page, pages):
        rows.append(nav)
    return InlineKeyboardMarkup(inline_keyboard=rows)


def signal_card_markup(sid: int, t: Translator, *, can_create: bool) -> InlineKeyboardMarkup:
    rows: Rows = [[_signal(t("🔗 Link to an outage"), SignalAct.LINK, sid)]]
    if can_create:
        rows.append([_signal(t("➕ Create an outage"), SignalAct.CREATE, sid)])
    rows.append([_signal(t("🗑 Dismiss"), SignalAct.DISMISS, sid)])
    rows.append([_signal(t("‹ To the queue"), SignalAct.LIST)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def link_choices_markup(sid: int, choices: Sequence[tuple[int, str]], t: Translator) -> InlineKeyboardMarkup:
    rows: Rows = [[_signal(short(label, 60), SignalAct.LINK_TO, sid, oid)] for oid, label in choices]
    rows.append([_signal(t("‹ Back"), SignalAct.OPEN, sid)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def dismiss_confirm_markup(sid: int, t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                _signal(t("Yes, dismiss"), SignalAct.DISMISS_YES, sid),
                _signal(t("‹ Back"), SignalAct.OPEN, sid),
            ]
        ]
    )
