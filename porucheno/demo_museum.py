"""The demo town's museum (issue #16): events with a waiting list, the «памятник науки и техники»
applications and the expert council with its registry, forms on the site and in the bot, volunteers,
saved segments and mailings. Each area seeds itself through its own services (``demo_<area>.py``);
this module only orders them, because later areas refer to what earlier ones made."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from porucheno.demo_applications import seed_application_type, seed_applications
from porucheno.demo_council import seed_council
from porucheno.demo_events import seed_events
from porucheno.demo_forms import seed_forms
from porucheno.demo_mailings import seed_mailings
from porucheno.demo_segments import seed_segments
from porucheno.demo_volunteers import seed_volunteers
from services.audit import Actor


async def seed_museum(session: AsyncSession, actor: Actor, tz: ZoneInfo, now: datetime) -> None:
    event_ids = await seed_events(session, actor, tz, now)
    type_id = await seed_application_type(session, actor, tz, now)
    # The council's applications came in weeks ago: numbered before this week's.
    await seed_council(session, actor, tz, now, type_id=type_id)
    await seed_applications(session, actor, tz, now, type_id=type_id)
    await seed_forms(
        session, actor, tz, now, event_id=event_ids[0] if event_ids else None, application_type_id=type_id
    )
    await seed_volunteers(session, actor, tz, now, event_ids=event_ids)
    segment_ids = await seed_segments(session, actor, tz, now)
    # «Подписчики новостей» when the segments seeded; the mailing stays a draft otherwise.
    news = segment_ids[1] if len(segment_ids) > 1 else (segment_ids[0] if segment_ids else None)
    await seed_mailings(session, actor, tz, now, segment_id=news)
