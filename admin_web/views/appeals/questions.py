"""The questions of an appeal on its page: each with its classifier code, wording, result and
measures taken; add, edit, remove (never the last) and decide each one.

The services (``services.appeals.questions``) re-check the role, the clerk's scope and the appeal's
state; a refusal shows the page again with the typed values and the message next to the form.
The code picker is an ``<input list>``: a datalist of the classifier's questions when they are few,
filled as one types from ``/classifier/search`` (JSON) otherwise — nothing loaded from outside.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin_web.forms import Form
from admin_web.i18n import N_, gettext
from admin_web.keys import DB_KEY
from admin_web.security import requires_role
from admin_web.views.appeals.common import STAFF_ROLES
from models import Appeal, AppealQuestion
from models.enums import QuestionResult
from services.appeals import classifier, questions

# The whole list of the classifier's questions goes into the page only when it is short (the demo
# subset); the official classifier is searched as one types.
DATALIST_LIMIT = 400
SEARCH_LIMIT = 30
QUERY_LIMIT = 100

RESULT_LABELS: dict[str, str] = {
    QuestionResult.SUPPORTED: N_("Supported"),
    QuestionResult.NOT_SUPPORTED: N_("Not supported"),
    QuestionResult.EXPLAINED: N_("Explained"),
    QuestionResult.ANSWERED: N_("Answered"),
    QuestionResult.LEFT_WITHOUT_ANSWER: N_("Left without an answer"),
    QuestionResult.TRANSFERRED: N_("Transferred"),
}


def add_form_name() -> str:
    return "question_add"


def edit_form_name(question_id: int) -> str:
    return f"question_edit_{question_id}"


def result_form_name(question_id: int) -> str:
    return f"question_result_{question_id}"


async def page_context(request: web.Request, appeal: Appeal, forms: dict[str, Form]) -> dict[str, Any]:
    db = request[DB_KEY]
    items = await questions.of_appeal(db, appeal.id)
    names = await classifier.names(db, {q.classifier_code for q in items if q.classifier_code})
    decidable = appeal.status in questions.DECIDABLE_STATES
    editable = appeal.status not in questions.FINAL_STATES
    picker = await classifier.all_questions(db, at_most=DATALIST_LIMIT) if editable else []
    return {
        "questions_items": items,
        "questions_names": names,
        "questions_can_edit": editable,
        "questions_can_decide": decidable,
        "questions_results": [(r.value, gettext(RESULT_LABELS[r])) for r in questions.CHOOSABLE_RESULTS],
        "questions_labels": RESULT_LABELS,
        "questions_picker": picker,
        # Each question's forms: what was typed into a refused one (shown open), else its values.
        "questions_forms": {
            "add": forms.get(add_form_name()) or Form(),
            "edit": {q.id: forms.get(edit_form_name(q.id)) or _edit_values(q) for q in items},
            "result": {q.id: forms.get(result_form_name(q.id)) or _result_values(q) for q in items},
            "open": {name for name in forms if name.startswith("question_")},
        },
    }


def _edit_values(q: AppealQuestion) -> Form:
    return Form(values={"classifier_code": q.classifier_code or "", "text": q.text})


def _result_values(q: AppealQuestion) -> Form:
    values = {
        "result": q.result or "",
        "measures_taken": "1" if q.measures_taken else "",
        "measures": q.measures or "",
    }
    return Form(values=values)


@requires_role(*STAFF_ROLES)
async def classifier_search(request: web.Request) -> web.StreamResponse:
    """JSON for the code picker: ``{"items": [{code, name}]}``, the classifier's active questions
    whose code starts with ``q`` or whose name contains it."""
    q = (request.query.get("q") or "").strip()[:QUERY_LIMIT]
    found = await classifier.search(request[DB_KEY], q, questions_only=True, limit=SEARCH_LIMIT) if q else []
    items = [{"code": e.code, "name": e.name} for e in found]
    return web.json_response({"items": items}, headers={"Cache-Control": "no-store"})


def add_routes(router: web.UrlDispatcher) -> None:
    """The picker's search; the forms' POST routes are ``question_actions`` (they re-render the
    page, which imports this module: registered by the package, not here, so nothing cycles)."""
    router.add_get("/classifier/search", classifier_search, name="classifier_search")
