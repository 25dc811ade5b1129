"""Reviews: only an appointed reviewer, each score within its criterion's maximum, a comment and a
recommendation; editable until the application is decided. The last review in moves the application
to REVIEWED and tells the managers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Application, ApplicationReview, User, utcnow
from models.enums import ApplicationDecision, ApplicationStatus
from services.applications import notices
from services.applications.access import review_of, type_of
from services.applications.types import criteria_of
from services.audit import Actor, record
from services.errors import InvalidInput, NotFound, PermissionDenied
from services.notify import NoticeContext

COMMENT_MAX = 4000
# A review may be written or changed while the application waits for its decision.
REVIEWABLE = (ApplicationStatus.IN_REVIEW, ApplicationStatus.REVIEWED, ApplicationStatus.ON_COUNCIL)


@dataclass(slots=True)
class ReviewInput:
    scores: Mapping[str, object]
    comment: str = ""
    recommendation: str | None = None


def _score(raw: object) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    text = str(raw).strip() if raw is not None else ""
    return int(text) if text.isdigit() and len(text) <= 4 else None


def check_score(criterion: dict[str, object], raw: object) -> int:
    """A score of one criterion: a whole number from 0 to its maximum (the bot checks each as typed,
    ``submit_review`` all of them again)."""
    value = _score(raw)
    top = int(str(criterion["max"]))
    if value is None or not 0 <= value <= top:
        raise InvalidInput("Each score is a whole number from 0 to its maximum (%(max)s).", max=top)
    return value


async def load_for_review(session: AsyncSession, reviewer: User | None, application_id: int) -> Application:
    """The application if ``reviewer`` is appointed to it; a stranger is refused."""
    application = await session.get(Application, application_id)
    if application is None or reviewer is None or not reviewer.is_active:
        raise NotFound("Application not found.")
    if await review_of(session, application.id, reviewer.id) is None:
        raise PermissionDenied("You are not a reviewer of this application.")
    return application


async def submit_review(
    session: AsyncSession,
    application_id: int,
    data: ReviewInput,
    *,
    reviewer: User,
    ctx: NoticeContext | None = None,
) -> ApplicationReview:
    application = await load_for_review(session, reviewer, application_id)
    if application.status not in REVIEWABLE:
        raise InvalidInput("The application is not in review now; reviews cannot be changed.")
    kind = await type_of(session, application)
    scores: dict[str, int] = {}
    for criterion in criteria_of(kind):
        scores[criterion["key"]] = check_score(criterion, data.scores.get(criterion["key"]))
    comment = (data.comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise InvalidInput("The comment is too long (at most %(limit)s characters).", limit=COMMENT_MAX)
    recommendation = data.recommendation or None
    if recommendation is not None and recommendation not in set(ApplicationDecision):
        raise InvalidInput("Choose a recommendation from the list.")
    review = await review_of(session, application.id, reviewer.id)
    assert review is not None  # load_for_review checked it
    before = {"scores": review.scores, "comment": review.comment, "recommendation": review.recommendation}
    edited = review.submitted_at is not None
    review.scores, review.total, review.comment = scores, sum(scores.values()), comment
    review.recommendation, review.submitted_at = recommendation, utcnow()
    application.updated_at = utcnow()
    record(
        session,
        Actor(user_id=reviewer.id),
        "application",
        application.id,
        "review_edited" if edited else "reviewed",
        data={
            "review_id": review.id,
            "before": before if edited else None,
            "scores": scores,
            "total": review.total,
            "recommendation": recommendation,
        },
    )
    await session.flush()
    await _maybe_reviewed(session, application, kind, reviewer, ctx or NoticeContext())
    return review


async def _maybe_reviewed(session, application, kind, reviewer, ctx) -> None:  # type: ignore[no-untyped-def]
    if application.status != ApplicationStatus.IN_REVIEW:
        return
    pending = await session.scalar(
        select(ApplicationReview.id).where(
            ApplicationReview.application_id == application.id, ApplicationReview.submitted_at.is_(None)
        )
    )
    if pending is not None:
        return
    application.status = ApplicationStatus.REVIEWED
    event = record(
        session,
        Actor(user_id=reviewer.id),
        "application",
        application.id,
        "all_reviewed",
        old_state=ApplicationStatus.IN_REVIEW,
        new_state=ApplicationStatus.REVIEWED,
    )
    await session.flush()
    await notices.tell_deciders(session, ctx, application, kind, event=f"reviewed{event.id}")


async def reviews_of(session: AsyncSession, application_id: int) -> list[tuple[ApplicationReview, User]]:
    rows = await session.execute(
        select(ApplicationReview, User)
        .join(User, User.id == ApplicationReview.reviewer_id)
        .where(ApplicationReview.application_id == application_id)
        .order_by(ApplicationReview.id)
    )
    return [(r, u) for r, u in rows.all()]


def average(reviews: list[ApplicationReview]) -> float | None:
    totals = [r.total for r in reviews if r.submitted_at is not None and r.total is not None]
    return round(sum(totals) / len(totals), 1) if totals else None
