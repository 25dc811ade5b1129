"""Fast checks without Telegram: phone numbers, the menu registry, the catalogs."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiogram.fsm.storage.redis import RedisStorage
from babel.messages.extract import extract_from_dir, extract_from_file
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.factory import create_dispatcher
from bot.i18n import CatalogI18n
from bot.menu import ALL_STAFF, Menu, MenuItem
from bot.redis_fsm import TurnIsolation
from models import User, UserRole
from porucheno.i18n import load_translations
from porucheno.settings import Settings
from services.errors import InvalidInput
from services.profile import normalize_phone

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {k: None for k in ("_", "__", "N_", "InviteError", "InvalidInput", "NotFound", "PermissionDenied")}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+7 900 123-45-67", "+79001234567"),
        ("8 (900) 1234567", "+79001234567"),
        ("89001234567", "+79001234567"),
        ("79001234567", "+79001234567"),
        ("900 123 45 67", "+79001234567"),
        ("+7 (495) 123-45-67", "+74951234567"),
        ("8-800-555-35-35", "+78005553535"),
    ],
)
def test_russian_numbers_are_normalised(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "позвоните", "12345", "+8 900 123 45 67", "+1 202 555 0100", "8 900 123 45 678", "0001234567"]
)
def test_other_input_is_refused(raw: str) -> None:
    with pytest.raises(InvalidInput):
        normalize_phone(raw)


def test_contacts_may_carry_foreign_numbers() -> None:
    assert normalize_phone("+375 29 123-45-67", allow_foreign=True) == "+375291234567"
    assert normalize_phone("79001234567", allow_foreign=True) == "+79001234567"


def _staff(*roles: str) -> User:
    return User(full_name="X", role_rows=[UserRole(role=r) for r in roles])


def test_menu_visibility_by_role() -> None:
    menu = Menu(
        [
            MenuItem("all", "All", roles=ALL_STAFF, residents=True, order=1),
            MenuItem("residents", "Residents", residents=True, order=2),
            MenuItem("dispatch", "Dispatch", roles=frozenset({"dispatcher"}), order=3),  # type: ignore[arg-type]
        ]
    )
    keys = lambda user: [i.key for i in menu.items_for(user)]  # noqa: E731
    assert keys(None) == ["all", "residents"]
    assert keys(_staff("executor")) == ["all"]
    assert keys(_staff("dispatcher")) == ["all", "dispatch"]
    assert keys(_staff("admin")) == ["all", "dispatch"]  # admins see every staff item
    with pytest.raises(ValueError, match="twice"):
        menu.register(MenuItem("all", "Again"))


def test_menu_labels_match_in_every_language() -> None:
    menu = Menu([MenuItem("profile", "Profile", residents=True)])
    i18n = CatalogI18n(default_locale="ru")
    assert menu.match("Профиль", i18n) is not None
    assert menu.match("Profile", i18n) is not None
    assert menu.match("Профиль!", i18n) is None


def _msgids() -> set[str]:
    found: set[str] = set()
    for folder in ("bot", "handlers"):
        for _file, _line, message, *_ in extract_from_dir(ROOT / folder, keywords=KEYWORDS):
            found.update(message if isinstance(message, tuple) else (message,))
    for path in ("services/invites.py", "services/profile.py"):
        for _line, message, *_ in extract_from_file("python", ROOT / path, keywords=KEYWORDS):
            found.update(message if isinstance(message, tuple) else (message,))
    return {m for m in found if m}


def test_every_bot_msgid_has_a_russian_translation() -> None:
    ru = load_translations()["ru"]
    msgids = _msgids()
    assert len(msgids) > 40
    # The only msgid whose Russian text is the same as the English one.
    same = {"«%(button)s» — %(hint)s"}
    missing = sorted(m for m in msgids if ru.gettext(m) == m and m not in same)
    assert not missing, f"msgids without a Russian translation (update bot.po): {missing}"


async def test_redis_storage_keeps_preferences_apart() -> None:
    cfg = Settings(_env_file=None, redis_url="redis://127.0.0.1:6399/0")  # type: ignore[call-arg]
    dp = create_dispatcher(cfg, async_sessionmaker())
    try:
        assert isinstance(dp.storage, RedisStorage)
        assert dp.storage.key_builder.with_destiny  # type: ignore[attr-defined]  # see bot/prefs.py
        # One chat's updates one at a time across workers; the lock reads the chat's state with it.
        assert isinstance(dp.fsm.events_isolation, TurnIsolation)
    finally:
        await dp.storage.close()
