"""The panel's forms (issue #16): the editor, the answers, the CRM card block, and each form's
public page ``/f/<slug>``."""

from __future__ import annotations

from aiohttp import web

from admin_web.security import Handler
from admin_web.views.forms import answers, card, editor, public

_FORM = r"/forms/{form_id:\d+}"
_FIELD = _FORM + r"/fields/{field_id:\d+}"
# Anonymous posts with files: their body cap (app.py raises the 1 MB default for these routes).
PUBLIC_UPLOAD_ROUTES = {"form_public": public.MAX_REQUEST_BYTES}


def _get_post(router: web.UrlDispatcher, path: str, handler: Handler, name: str) -> None:
    resource = router.add_resource(path, name=name)
    resource.add_route("GET", handler)
    resource.add_route("POST", handler)


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/forms", editor.form_list, name="forms")
    _get_post(router, "/forms/new", editor.form_new, "form_new")
    _get_post(router, _FORM, editor.form_edit, "form_edit")
    router.add_post(_FORM + "/active", editor.form_active, name="form_active")
    router.add_post(_FORM + "/fields", editor.field_add, name="form_field_add")
    _get_post(router, _FIELD, editor.field_edit, "form_field_edit")
    router.add_post(_FIELD + "/delete", editor.field_delete, name="form_field_delete")
    router.add_post(_FIELD + "/{direction:(up|down)}", editor.field_move, name="form_field_move")
    router.add_get(_FORM + "/answers", answers.answer_list, name="form_answers")
    router.add_get(_FORM + "/answers.xlsx", answers.answer_export, name="form_answers_export")
    router.add_get(r"/forms/answers/{submission_id:\d+}", answers.answer_page, name="form_answer")
    answer_file = r"/forms/answers/{submission_id:\d+}/files/{file_id:\d+}"
    router.add_get(answer_file, answers.answer_file, name="form_answer_file")
    router.add_post(
        r"/correspondents/{correspondent_id:\d+}/tags", card.tag_add, name="correspondent_tag_add"
    )
    router.add_post(
        r"/correspondents/{correspondent_id:\d+}/tags/remove",
        card.tag_remove,
        name="correspondent_tag_remove",
    )
    public.add_routes(router)
