"""The organisation's buttons read exactly what the service packs; quick picks and typed times;
the menu item only an organisation's people see."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.menu import Menu, mark_partner
from handlers.partners import MENU_ITEMS, times
from handlers.partners.callbacks import DecideCallback, OrgAction, OrgCallback
from models import User, UserRole
from models.enums import Role
from services.incidents import update_notices
from services.incidents.updates import Target
from services.notify import Translator

MSK = ZoneInfo("Europe/Moscow")
T = Translator("ru")


@pytest.mark.parametrize("target", [Target("incident", 7), Target("outage", 123456789012)])
def test_callbacks_match_what_the_cards_carry(target: Target) -> None:
    ack, rep = OrgCallback.of(OrgAction.ACK, target), OrgCallback.of(OrgAction.REPORT, target)
    assert ack.pack() == update_notices.ack_cb(target)
    assert rep.pack() == update_notices.report_cb(target)
    unpacked = OrgCallback.unpack(update_notices.report_cb(target))
    assert (unpacked.action, Target.parse(unpacked.kind, unpacked.id)) == ("rep", target)
    for approve, action in ((True, "ok"), (False, "no")):
        assert DecideCallback(action=action, id=42).pack() == update_notices.decide_cb(42, approve)
    assert len(update_notices.report_cb(target).encode()) <= 64


def test_quick_picks_resolve_at_press_time() -> None:
    morning = datetime(2026, 12, 5, 10, 17, 33, tzinfo=MSK)
    assert times.pick_codes(morning) == ["h1", "h2", "h4", "t18"]
    assert times.resolve("h2", morning) == datetime(2026, 12, 5, 12, 17, tzinfo=MSK)
    assert times.resolve("t18", morning) == datetime(2026, 12, 5, 18, 0, tzinfo=MSK)
    evening = datetime(2026, 12, 5, 19, 5, tzinfo=MSK)
    assert times.pick_codes(evening)[-1] == "n9"
    assert times.resolve("t18", evening) is None  # an old «today by 18:00» pressed at night
    assert times.resolve("n9", evening) == datetime(2026, 12, 6, 9, 0, tzinfo=MSK)
    assert times.resolve("h3", morning) is None  # no button carries it
    assert [times.pick_label(c, T) for c in times.pick_codes(morning)] == [
        "+1 ч",
        "+2 ч",
        "+4 ч",
        "Сегодня до 18:00",
    ]


def test_typed_moments() -> None:
    now = datetime(2026, 12, 31, 20, 0, tzinfo=MSK)
    assert times.parse_moment("22:30", now) == datetime(2026, 12, 31, 22, 30, tzinfo=MSK)
    assert times.parse_moment("14:30", now) == datetime(2027, 1, 1, 14, 30, tzinfo=MSK)  # the next one
    assert times.parse_moment("завтра 9:00", now) == datetime(2027, 1, 1, 9, 0, tzinfo=MSK)
    assert times.parse_moment("05.01 14:30", now) == datetime(2027, 1, 5, 14, 30, tzinfo=MSK)
    assert times.parse_moment("31.12.2026 23:15", now) == datetime(2026, 12, 31, 23, 15, tzinfo=MSK)
    for bad in ("25:00", "вчера 9:00", "скоро", "31.02 10:00", ""):
        assert times.parse_moment(bad, now) is None, bad
    assert times.problem(datetime(2026, 12, 31, 19, 0, tzinfo=MSK), now, T) is not None
    assert times.problem(datetime(2028, 6, 1, 9, 0, tzinfo=MSK), now, T) is not None
    assert times.problem(datetime(2027, 1, 1, 9, 0, tzinfo=MSK), now, T) is None


def _user(*roles: Role) -> User:
    user = User(full_name="Тест", is_active=True)
    user.role_rows = [UserRole(role=r) for r in roles]
    return user


def test_the_work_item_is_shown_to_an_organisation_s_people_only() -> None:
    menu = Menu(MENU_ITEMS)
    member, staff_executor, admin = _user(Role.EXECUTOR), _user(Role.EXECUTOR), _user(Role.ADMIN)
    mark_partner(member, True)
    assert [i.key for i in menu.items_for(member)] == ["partners_work"]
    assert menu.items_for(staff_executor) == [] and menu.items_for(admin) == []
    assert menu.items_for(None) == []
    mark_partner(member, False)  # left the organisation
    assert menu.items_for(member) == []
