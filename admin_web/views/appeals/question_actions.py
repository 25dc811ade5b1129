"""The question forms on the appeal page: add, edit, remove, decide (``questions`` has the section's
context). A refusal shows the page again with what was typed and the message next to the form."""

from __future__ import annotations

from aiohttp import web

from admin_web.forms import Form
from admin_web.i18n import N_
from admin_web.keys import DB_KEY
from admin_web.security import requires_role
from admin_web.views.appeals.common import STAFF_ROLES, appeal_id_of, load_appeal
from admin_web.views.appeals.form_actions import run_form
from admin_web.views.appeals.questions import add_form_name, edit_form_name, result_form_name
from admin_web.views.common import acting_user
from models import AppealQuestion
from services.appeals import questions


async def _question_of(request: web.Request) -> AppealQuestion:
    """The question of the URL, on the appeal of the URL (404 otherwise, or out of scope)."""
    await load_appeal(request)
    question = await request[DB_KEY].get(AppealQuestion, int(request.match_info["question_id"]))
    if question is None or question.appeal_id != appeal_id_of(request):
        raise web.HTTPNotFound()
    return question


def _code(raw: str | None) -> str | None:
    """The code from the picker's value (a chosen option is the bare code; a pasted line may carry
    its name after it)."""
    raw = (raw or "").strip()
    return raw.split()[0] if raw else None


@requires_role(*STAFF_ROLES)
async def question_add(request: web.Request) -> web.StreamResponse:
    await load_appeal(request)

    async def act(form: Form) -> str | None:
        text = form.text("text", required=True, max_length=questions.TEXT_LIMIT)
        code = _code(form.text("classifier_code", max_length=200))
        if not form.ok or text is None:
            return None
        await questions.add_question(
            request[DB_KEY],
            appeal_id_of(request),
            questions.QuestionInput(text=text, classifier_code=code),
            actor=await acting_user(request),
        )
        return N_("The question is added.")

    return await run_form(request, add_form_name(), act, anchor="#questions")


@requires_role(*STAFF_ROLES)
async def question_change(request: web.Request) -> web.StreamResponse:
    question = await _question_of(request)
    question_id = question.id

    async def act(form: Form) -> str | None:
        text = form.text("text", required=True, max_length=questions.TEXT_LIMIT)
        code = _code(form.text("classifier_code", max_length=200))
        if not form.ok or text is None:
            return None
        await questions.change_question(
            request[DB_KEY],
            question_id,
            questions.QuestionInput(text=text, classifier_code=code),
            actor=await acting_user(request),
        )
        return N_("The question is saved.")

    return await run_form(request, edit_form_name(question_id), act, anchor="#questions")


@requires_role(*STAFF_ROLES)
async def question_result(request: web.Request) -> web.StreamResponse:
    question = await _question_of(request)
    question_id = question.id

    async def act(form: Form) -> str | None:
        result = form.text("result", max_length=32)
        if result and result not in {r.value for r in questions.CHOOSABLE_RESULTS}:
            form.fail("result", N_("Choose a value from the list."))
        measures = form.text("measures", max_length=questions.MEASURES_LIMIT)
        if not form.ok:
            return None
        await questions.set_result(
            request[DB_KEY],
            question_id,
            questions.ResultInput(
                result=result, measures_taken=form.flag("measures_taken"), measures=measures
            ),
            actor=await acting_user(request),
        )
        return N_("The question's result is saved.")

    return await run_form(request, result_form_name(question_id), act, anchor="#questions")


@requires_role(*STAFF_ROLES)
async def question_remove(request: web.Request) -> web.StreamResponse:
    question = await _question_of(request)
    question_id = question.id

    async def act(form: Form) -> str | None:
        await questions.remove_question(request[DB_KEY], question_id, actor=await acting_user(request))
        return N_("The question is removed.")

    return await run_form(request, edit_form_name(question_id), act, anchor="#questions")


def add_routes(router: web.UrlDispatcher) -> None:
    base = r"/appeals/{appeal_id:\d+}/questions"
    one = base + r"/{question_id:\d+}"
    router.add_post(base, question_add, name="appeal_question_add")
    router.add_post(one, question_change, name="appeal_question_change")
    router.add_post(one + "/result", question_result, name="appeal_question_result")
    router.add_post(one + "/remove", question_remove, name="appeal_question_remove")
