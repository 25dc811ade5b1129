"""The new-incident conversation's prompts, shared by its step handlers.

Each ``ask_*`` sets its state and sends its prompt, so a handler finishing one step calls the next.
The draft in FSM data holds only ids and plain values; rows are reloaded whenever shown or used.
"""

from __future__ import annotations

from bot.turn import Turn
from handlers.incidents import keyboards
from handlers.incidents.common import as_int
from handlers.incidents.render import draft_text
from handlers.incidents.states import IncidentForm
from models import Organisation
from services.notify import Translator
from services.partners.areas import offered_organisations
from services.partners.members import active_organisations

PLACE_EXAMPLES = "«Ленина 5», «км 12 трассы Р-255», «перекрёсток Ленина и Мира»"
TIME_EXAMPLES = "«14:30», «24.11 9:00», «24.11.2026 09:00»"


async def ask_kind(turn: Turn, title: str) -> None:
    t = turn.t
    await turn.fsm.set_state(IncidentForm.kind)
    await turn.bot.send_message(turn.chat_id, title, reply_markup=keyboards.cancel_keyboard(t))
    await turn.bot.send_message(turn.chat_id, t("What happened?"), reply_markup=keyboards.kinds_markup(t))


async def ask_place(turn: Turn) -> None:
    t = turn.t
    await turn.fsm.set_state(IncidentForm.place)
    await turn.fsm.update_data(free_place=False)
    await turn.bot.send_message(
        turn.chat_id,
        t(
            "Where? Type the address (street and house) or share a location. A place off the register "
            "(a road, a crossing) can be described in words: %(examples)s.",
            examples=PLACE_EXAMPLES,
        ),
        reply_markup=keyboards.place_markup(t),
    )


async def ask_informant(turn: Turn) -> None:
    t = turn.t
    await turn.fsm.set_state(IncidentForm.informant)
    await turn.bot.send_message(
        turn.chat_id, t("Who reported it?"), reply_markup=keyboards.informants_markup(t)
    )


def informant_org_missing(t: Translator) -> str:
    """The way on when the organisation that called is not in the directory: its name is typed."""
    return t("Not in the directory — type its name")


async def ask_informant_org(turn: Turn) -> None:
    t = turn.t
    orgs = await active_organisations(turn.session)
    if not orgs:
        # Nothing to pick: the organisation's name is typed with the informant's name instead.
        await turn.bot.send_message(turn.chat_id, t("There are no organisations in the directory yet."))
        await ask_informant_name(turn)
        return
    await turn.fsm.set_state(IncidentForm.informant_org)
    await turn.bot.send_message(
        turn.chat_id,
        t("Which organisation reported it?"),
        reply_markup=keyboards.step_orgs_markup(orgs, 0, t, none_label=informant_org_missing(t)),
    )


async def ask_informant_name(turn: Turn) -> None:
    t = turn.t
    await turn.fsm.set_state(IncidentForm.informant_name)
    await turn.bot.send_message(
        turn.chat_id,
        t("The informant's name and phone, if known: «Иванова Анна, +7 900 123-45-67». Or tap «Skip»."),
        reply_markup=keyboards.skip_markup(t, t("Skip")),
    )


async def ask_description(turn: Turn) -> None:
    t = turn.t
    await turn.fsm.set_state(IncidentForm.description)
    data = await turn.fsm.get_data()
    await turn.bot.send_message(
        turn.chat_id,
        t("Describe what happened: what is damaged, what is affected, what is known so far."),
        reply_markup=keyboards.description_markup(t, from_signals=bool(data.get("signal_text"))),
    )


async def offered_for_draft(turn: Turn) -> tuple[list[Organisation], set[int]]:
    """The organisations to pick from, those responsible for the chosen house first (⭐)."""
    building = as_int((await turn.fsm.get_data()).get("building"))
    return await offered_organisations(turn.session, [building] if building else [])


async def ask_responsible(turn: Turn) -> None:
    t = turn.t
    await turn.fsm.set_state(IncidentForm.responsible)
    orgs, marked = await offered_for_draft(turn)
    await turn.bot.send_message(
        turn.chat_id,
        t(
            "Which organisation is responsible for dealing with it? Its people get the incident in the "
            "bot. You can also hand it over later from the card."
        ),
        reply_markup=keyboards.step_orgs_markup(
            orgs, 0, t, none_label=t("Without an organisation"), marked=marked
        ),
    )


async def show_preview(turn: Turn) -> None:
    t = turn.t
    await turn.fsm.set_state(IncidentForm.preview)
    text = await draft_text(turn.session, await turn.fsm.get_data(), t, turn.notice_ctx)
    await turn.bot.send_message(turn.chat_id, text, reply_markup=keyboards.preview_markup(t))


async def ask_expected_end(turn: Turn) -> None:
    t = turn.t
    await turn.fsm.set_state(IncidentForm.expected_end)
    await turn.bot.send_message(
        turn.chat_id,
        t("When is it expected to be dealt with? Type the time: %(examples)s.", examples=TIME_EXAMPLES),
    )


async def ask_received_at(turn: Turn) -> None:
    t = turn.t
    await turn.fsm.set_state(IncidentForm.received_at)
    await turn.bot.send_message(
        turn.chat_id, t("When was it received? Type the time: %(examples)s.", examples=TIME_EXAMPLES)
    )
