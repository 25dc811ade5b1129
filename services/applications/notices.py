"""Notices of applications queued through the outbox (the bot) and the mail outbox (e-mail).

Reviewers get a card with «Оценить»; the applicant is told in the channel the application came from:
its Telegram chat, else the e-mail it gave, else (a paper application entered in the panel) nothing.
Callback data: ``ap:<action>:<application id>`` (the bot's ``AppCallback`` packs the same strings).
Dedup keys name the application, the event and the recipient, so a retried step queues nothing twice.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Application, ApplicationReview, ApplicationType, FormSubmission, User
from models.enums import ApplicationDecision, ApplicationStatus, Role
from services import outbox
from services.applications.types import type_name
from services.html_cut import cut_plain
from services.mail_outbox import enqueue_mail
from services.notify import N_, NoticeContext, Translator, html_escape, inline_keyboard
from services.telegram_accounts import staff_chats

CB_PREFIX = "ap"
RATE = "rate"  # a reviewer scores the application
OPEN = "open"  # a reviewer (or the applicant) opens its card
MORE = "more"  # the applicant adds information asked for
MINE = "mine"  # the applicant's list of applications
SUMMARY_SHOWN = 1500

STATUS_NAMES = {
    ApplicationStatus.SUBMITTED: N_("submitted"),
    ApplicationStatus.IN_REVIEW: N_("in review"),
    ApplicationStatus.REVIEWED: N_("reviewed, awaiting a decision"),
    ApplicationStatus.ON_COUNCIL: N_("on the expert council's agenda"),
    ApplicationStatus.NEEDS_MORE: N_("more information needed"),
    ApplicationStatus.APPROVED: N_("approved"),
    ApplicationStatus.REJECTED: N_("rejected"),
}
DECISION_NAMES = {
    ApplicationDecision.APPROVED: N_("approved"),
    ApplicationDecision.REJECTED: N_("rejected"),
    ApplicationDecision.NEEDS_MORE: N_("more information needed"),
}


def cb(action: str, application_id: int) -> str:
    return f"{CB_PREFIX}:{action}:{application_id}"


def status_name(status: str, t: Translator) -> str:
    try:
        return t(STATUS_NAMES[ApplicationStatus(status)])
    except ValueError:
        return status


def headline(application: Application, kind: ApplicationType, t: Translator) -> str:
    lines = [
        t("Application № %(number)s", number=application.number)
        + f": <b>{html_escape(application.title)}</b>",
        t("Type: %(type)s", type=html_escape(type_name(kind, t.locale))),
    ]
    if application.applicant_org:
        lines.append(t("Applicant: %(org)s", org=html_escape(application.applicant_org)))
    return "\n".join(lines)


async def _locale_of_applicant(session: AsyncSession, application: Application, ctx: NoticeContext) -> str:
    if application.submission_id is not None:
        submission = await session.get(FormSubmission, application.submission_id)
        if submission is not None and submission.locale in ("ru", "en"):
            return submission.locale
    return ctx.default_locale


async def tell_reviewers(
    session: AsyncSession,
    ctx: NoticeContext,
    application: Application,
    kind: ApplicationType,
    *,
    event: str,
    head: str,
    only_pending: bool = False,
) -> int:
    """A card with «Оценить» to each appointed reviewer who has a chat with the bot."""
    query = select(ApplicationReview.reviewer_id).where(ApplicationReview.application_id == application.id)
    if only_pending:
        query = query.where(ApplicationReview.submitted_at.is_(None))
    ids = list(await session.scalars(query))
    if not ids:
        return 0
    messages = []
    for user, chat_id in await staff_chats(session, User.id.in_(ids)):
        t = Translator(ctx.locale_of(user))
        text = f"<b>{t(head)}</b>\n\n{headline(application, kind, t)}"
        if application.summary:
            text += "\n\n" + cut_plain(application.summary, SUMMARY_SHOWN)
        link = ctx.panel_link(f"/applications/{application.id}")
        if link:
            text += "\n\n" + t("In the panel: %(link)s", link=link)
        rows = [[(t("⭐ Review"), cb(RATE, application.id))]]
        messages.append(
            outbox.text_message(
                chat_id,
                text,
                reply_markup=inline_keyboard(rows),
                dedup_key=f"ap:{application.id}:{event}:{user.id}",
            )
        )
    return await outbox.enqueue_many(session, messages) if messages else 0


async def tell_deciders(
    session: AsyncSession, ctx: NoticeContext, application: Application, kind: ApplicationType, *, event: str
) -> None:
    """Every review is in: the managers may decide (a council type waits for the council instead)."""
    head = N_("All reviews are in") if kind.needs_council else N_("All reviews are in: a decision is due")
    messages = []
    for user, chat_id in await staff_chats(session, role=Role.MANAGER):
        t = Translator(ctx.locale_of(user))
        text = f"<b>{t(head)}</b>\n\n{headline(application, kind, t)}"
        link = ctx.panel_link(f"/applications/{application.id}")
        if link:
            text += "\n\n" + t("In the panel: %(link)s", link=link)
        messages.append(
            outbox.text_message(chat_id, text, dedup_key=f"ap:{application.id}:{event}:{user.id}")
        )
    if messages:
        await outbox.enqueue_many(session, messages)


async def tell_applicant(
    session: AsyncSession,
    ctx: NoticeContext,
    application: Application,
    kind: ApplicationType,
    *,
    event: str,
    head: str,
    body: str = "",
    note: str | None = None,
    more_button: bool = False,
    params: dict[str, object] | None = None,
) -> str | None:
    """Tell the applicant in its channel. Returns where it went: telegram | email | None."""
    t = Translator(await _locale_of_applicant(session, application, ctx))
    if application.telegram_id is not None:
        text = f"<b>{t(head)}</b>\n\n{headline(application, kind, t)}"
        if body:
            text += "\n\n" + html_escape(body)
        if note:
            text += "\n\n" + t(note, **(params or {}))
        rows = [[(t("✍️ Add to the application"), cb(MORE, application.id))]] if more_button else []
        rows.append([(t("📨 My applications"), f"{CB_PREFIX}:{MINE}:0")])
        await outbox.enqueue(
            session,
            outbox.text_message(
                application.telegram_id,
                text,
                reply_markup=inline_keyboard(rows),
                dedup_key=f"ap:{application.id}:{event}:tg",
            ),
        )
        return "telegram"
    if application.email:
        lines = [
            t(head),
            "",
            t("Application № %(number)s", number=application.number) + f": {application.title}",
            t("Type: %(type)s", type=type_name(kind, t.locale)),
        ]
        if body:
            lines += ["", body]
        if note:
            lines += ["", t(note, **(params or {}))]
        if more_button:
            lines += [
                "",
                t("Please send us the information asked for, quoting the number of the application."),
            ]
        await enqueue_mail(
            session,
            appeal_id=None,
            to=application.email,
            subject=t("Application № %(number)s", number=application.number) + " — " + t(head),
            body="\n".join(lines),
            in_reply_to=None,
            dedup_key=f"ap:{application.id}:{event}:mail",
        )
        return "email"
    return None
