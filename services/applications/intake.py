"""An application from a form answer."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from models import Application, Form, FormSubmission
from services.audit import Actor


async def from_submission(
    session: AsyncSession, *, form: Form, submission: FormSubmission, actor: Actor
) -> Application:
    """Register an application of ``form.application_type_id`` from ``submission`` (numbered,
    reviewers appointed and told). The title is the answer of the field keyed ``title`` (else the
    form's title), the applicant organisation the one keyed ``organisation``.

    Contract used by ``services.forms`` for forms of purpose ``application``.
    """
    raise NotImplementedError  # the applications helper builds it
