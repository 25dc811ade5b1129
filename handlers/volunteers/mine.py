"""«🙋 Volunteering»: a volunteer's upcoming shifts (with the answer buttons still open) and hours.

The menu cannot ask the database, so the item is shown to every resident; the CRM card decides here:
someone who is not a volunteer is told how to apply."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.i18n import N_
from bot.menu import MenuItem
from bot.turn import Turn
from handlers.volunteers.callbacks import ShiftCallback
from models import utcnow
from models.enums import VolunteerShiftStatus, VolunteerStatus
from porucheno.settings import Settings
from services.forms import links
from services.notify import html_escape
from services.volunteers import base, hours, shifts
from services.volunteers.notices import CONFIRM, DECLINE, shift_lines
from services.volunteers.vocabulary import describe

VOLUNTEERING = MenuItem(
    "volunteering",
    N_("🙋 Volunteering"),
    residents=True,
    hint=N_("your shifts at the museum's events and the hours you volunteered"),
    order=46,
)
STATUS = {
    VolunteerStatus.CANDIDATE: N_("your questionnaire is being reviewed"),
    VolunteerStatus.ACTIVE: N_("active"),
    VolunteerStatus.PAUSED: N_("paused"),
    VolunteerStatus.LEFT: N_("volunteering finished"),
}


def fmt_hours(value: float) -> str:
    return format(value, "g")


def questionnaire_link(turn: Turn, settings: Settings, slug: str) -> str | None:
    """The person's own web link to the questionnaire: signed with their Telegram id, so the answer
    lands on their card (a bare ``/f/<slug>`` would make a stranger's card, and the bot would go on
    saying they are not a volunteer)."""
    if not turn.notice_ctx.panel_url:
        return None
    account = turn.account
    token = (
        links.sign(settings.secret_key, account.id)
        if account is not None and len(settings.secret_key) >= 16
        else None
    )
    return links.web_url(turn.notice_ctx.panel_url, slug, token)


async def how_to_apply(turn: Turn, settings: Settings) -> str:
    t = turn.t
    forms = await base.questionnaires(turn.session)
    lines = [t("You are not a museum volunteer yet.")]
    if forms:
        # The questionnaire is filled in right here in the chat, from the forms menu item (its name is
        # the same msgid as the button's, so it reads exactly as the button), or on the site by link.
        item = t("📝 Forms and applications")
        titles = [
            (form.title_en if turn.locale == "en" and form.title_en else form.title_ru, form.slug)
            for form in forms
        ]
        found = [(title, questionnaire_link(turn, settings, slug)) for title, slug in titles]
        if any(link for _title, link in found):
            lines.append(
                t(
                    "To become one, fill in the questionnaire: press «%(item)s» in the menu below and "
                    "choose it, or open it on the site:",
                    item=item,
                )
            )
        else:
            lines.append(
                t(
                    "To become one, press «%(item)s» in the menu below and fill in the questionnaire:",
                    item=item,
                )
            )
        for title, link in found:
            lines.append(
                f'• <a href="{link}">{html_escape(title)}</a>' if link else f"• {html_escape(title)}"
            )
    else:
        lines.append(t("Ask the museum's staff how to join the volunteers."))
    return "\n".join(lines)


async def show(message: Message, turn: Turn, settings: Settings) -> None:
    t, session = turn.t, turn.session
    volunteer = await base.of_telegram(session, message.from_user.id) if message.from_user else None
    if volunteer is None:
        await message.answer(await how_to_apply(turn, settings))
        return
    now = utcnow()
    worked = await hours.of_volunteer(session, volunteer.id, turn.notice_ctx.tz, now)
    lines = [
        t("<b>🙋 Volunteering</b>"),
        t("Status: %(status)s", status=t(STATUS[VolunteerStatus(volunteer.status)])),
        t(
            "Hours: %(total)s in all, %(year)s this year",
            total=fmt_hours(worked.total),
            year=fmt_hours(worked.this_year),
        ),
    ]
    if volunteer.skills:
        lines.append(t("Skills: %(skills)s", skills=html_escape(", ".join(volunteer.skills))))
    when = describe(volunteer.availability, t)
    if when:
        lines.append(t("Available: %(when)s", when=when))
    upcoming = await shifts.upcoming_of(session, volunteer, now)
    rows: list[list[InlineKeyboardButton]] = []
    lines += ["", t("<b>Upcoming shifts</b>") if upcoming else t("No upcoming shifts.")]
    for shift, event in upcoming:
        lines += ["", *shift_lines(shift, event, t, turn.notice_ctx)]
        if shift.status == VolunteerShiftStatus.CONFIRMED:
            lines.append(t("✅ You confirmed"))
        else:
            lines.append(t("⏳ Waiting for your answer"))
            label = event.title if len(event.title) <= 24 else event.title[:23] + "…"
            rows.append(
                [
                    InlineKeyboardButton(
                        text=t("✅ I will come: %(event)s", event=label),
                        callback_data=ShiftCallback(action=CONFIRM, id=shift.id).pack(),
                    ),
                    InlineKeyboardButton(
                        text=t("✖ I can't"), callback_data=ShiftCallback(action=DECLINE, id=shift.id).pack()
                    ),
                ]
            )
    await message.answer(
        "\n".join(lines), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows) if rows else None
    )
