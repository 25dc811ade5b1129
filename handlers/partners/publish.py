"""The report's last step: for residents or for the dispatcher only; then it is posted.

Posting goes through ``updates.post_report``, which re-checks the person and the target and decides
by the organisation's setting whether a report for residents is published at once or waits for
the dispatcher. A published one is broadcast; a pending one goes to the dispatchers for approval.
"""

from __future__ import annotations

from datetime import datetime

from aiogram.types import CallbackQuery

from bot.messages import settle
from bot.texts import domain_error_text
from bot.turn import Turn
from handlers.partners.callbacks import StepAct, StepCallback
from handlers.partners.files import fetch_all
from handlers.partners.prompts import ask_eta
from models import utcnow
from models.enums import UpdatePublish
from porucheno.settings import Settings
from services.errors import DomainError
from services.incidents import update_notices, updates
from services.incidents.updates import FieldReport, Target
from services.partners import work


async def audience_chosen(
    query: CallbackQuery, callback_data: StepCallback, turn: Turn, settings: Settings
) -> None:
    t, session, user = turn.t, turn.session, turn.user
    data = await turn.fsm.get_data()
    eta = datetime.fromisoformat(data["eta"]) if data.get("eta") else None
    if eta is not None and eta <= utcnow():
        # The chosen time has passed while the report waited here: ask again rather than lose the text.
        await query.answer()
        await settle(query, t("The expected restoration time you chose has already passed."))
        await ask_eta(turn)
        return
    await turn.fsm.clear()
    if user is None:  # bound staff only start a report; an unbinding meanwhile ends it here
        await settle(
            query, t("These buttons are for the people of the organisation the work is addressed to.")
        )
        await query.answer()
        return
    target = Target.parse(str(data["kind"]), int(data["id"]))
    for_residents = callback_data.act == StepAct.RESIDENTS
    report = FieldReport(str(data.get("text") or ""), expected_end_at=eta, for_residents=for_residents)
    await query.answer()
    try:
        update = await updates.post_report(session, user, target, report)
    except DomainError as exc:
        await settle(query, t("The report is not sent: %(reason)s", reason=domain_error_text(exc)))
        return
    found, lost = await fetch_all(turn.bot, list(data.get("files") or []))
    try:
        await work.attach_files(session, user, update.id, settings.files_dir, found)
    except DomainError:  # checked on arrival; a file that fails now is counted with the lost ones
        found, lost = [], lost + len(found)
    if update.publish == UpdatePublish.PUBLISHED:
        result = await update_notices.broadcast_update(session, turn.notice_ctx, update)
        done = t("📢 Published to residents. Notices queued: %(n)s.", n=result.queued)
    elif update.publish == UpdatePublish.PENDING:
        await update_notices.ask_dispatchers(session, turn.notice_ctx, update)
        done = t("📨 Sent to the dispatcher for review: residents will hear of it once it is approved.")
    else:
        done = t("🔒 Saved in the journal for the dispatcher; residents do not see it.")
    lines = [t("✅ The report is sent."), done]
    if found:
        lines.append(t("Files attached: %(n)s.", n=len(found)))
    if lost:
        lines.append(t("Files Telegram no longer gives and so not attached: %(n)s.", n=lost))
    await settle(query, "\n".join(lines))
