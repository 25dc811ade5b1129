"""The legal regime of each intake channel (547-FZ, in force since 30.03.2025).

Since 547-FZ an electronic appeal is a 59-FZ appeal only when it comes through ЕПГУ (Госуслуги) or
the body's own site or information system that identifies the person (59-FZ art. 4 p. 1, art. 7
p. 3). Letters by plain e-mail or a messenger may still be taken as appeals, or handled as
«сообщения» by a simplified procedure (no ССТУ.РФ report, no 59-FZ answer letter). The
administrator decides per channel; the appeal keeps the regime it arrived under.

A second switch per channel, ``manual_registration``: the appeal waits in «received» until a clerk
registers it (59-FZ art. 8 p. 2, within 3 days; see ``registration``). Without a stored row the
defaults below apply: every channel an appeal, registered on arrival, as before the setting existed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import ChannelRegime, utcnow
from models.enums import AppealChannel, AppealRegime
from services.audit import Actor, record
from services.config.access import require_admin
from services.errors import InvalidInput

# Channels where 547-FZ leaves the choice to the body (plain e-mail, a messenger): the settings page
# asks the administrator to decide. Until then they behave as appeals, as they always did.
UNDECIDED_BY_LAW = frozenset({AppealChannel.TELEGRAM.value, AppealChannel.EMAIL.value})
# Electronic channels that count as 59-FZ only if they identify the person (ESIA sign-in).
IDENTIFICATION_NEEDED = frozenset({AppealChannel.WEB.value, AppealChannel.OPEN311.value})
CHANNELS = tuple(c.value for c in AppealChannel)
REGIMES = tuple(r.value for r in AppealRegime)


@dataclass(frozen=True, slots=True)
class ChannelSetting:
    channel: str
    regime: str
    manual_registration: bool
    stored: bool  # False: the default applies (never chosen by an administrator)
    updated_at: datetime | None = None

    @property
    def needs_decision(self) -> bool:
        return not self.stored and self.channel in UNDECIDED_BY_LAW


def _default(channel: str) -> ChannelSetting:
    return ChannelSetting(channel, AppealRegime.APPEAL.value, False, stored=False)


def _of(row: ChannelRegime) -> ChannelSetting:
    return ChannelSetting(row.channel, row.regime, bool(row.manual_registration), True, row.updated_at)


async def setting_for(session: AsyncSession, channel: str) -> ChannelSetting:
    row = await session.get(ChannelRegime, channel)
    return _of(row) if row is not None else _default(channel)


async def all_settings(session: AsyncSession) -> list[ChannelSetting]:
    """Every channel in the enum's order, stored or default."""
    rows = {r.channel: r for r in (await session.scalars(select(ChannelRegime))).all()}
    return [_of(rows[c]) if c in rows else _default(c) for c in CHANNELS]


async def update(
    session: AsyncSession,
    actor: Actor,
    channel: str,
    *,
    regime: str,
    manual_registration: bool,
    now: datetime | None = None,
) -> ChannelSetting:
    """An administrator's choice for one channel; appeals already in keep the regime they came with."""
    await require_admin(session, actor)
    if channel not in CHANNELS:
        raise InvalidInput("Unknown appeal channel.")
    if regime not in REGIMES:
        raise InvalidInput("Choose a value from the list.", field="regime")
    row = await session.get(ChannelRegime, channel)
    old = _of(row) if row is not None else _default(channel)
    if row is None:
        row = ChannelRegime(channel=channel)
        session.add(row)
    row.regime = regime
    row.manual_registration = bool(manual_registration)
    row.updated_at = now or utcnow()
    record(
        session,
        actor,
        "channel_regime",
        None,
        "changed",
        old_state=old.regime,
        new_state=regime,
        data={
            "channel": channel,
            "manual_registration": bool(manual_registration),
            "old_manual_registration": old.manual_registration,
        },
    )
    await session.flush()
    return _of(row)
