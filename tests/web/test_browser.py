"""The panel in headless Chromium: the admin's first day, and a password guesser being stopped."""

from __future__ import annotations

import hashlib
import re
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime
from playwright.async_api import Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import AuditEvent, Department, Invite, User
from porucheno.settings import Settings
from tests.web.conftest import ADMIN_LOGIN, ADMIN_PASSWORD, IGNORE_SESSION_KEY_WARNING
from tests.web.layout_support import open_nav

pytestmark = [
    pytest.mark.browser,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.filterwarnings(IGNORE_SESSION_KEY_WARNING),
]

INVITE_LINK_RE = re.compile(r"https://t\.me/porucheno_bot\?start=inv_([A-Za-z0-9_-]{32})")


async def sign_in(page: Page, login: str = ADMIN_LOGIN, password: str = ADMIN_PASSWORD) -> None:
    await page.goto("/login")
    await page.fill("#f-login", login)
    await page.fill("#f-password", password)
    await page.get_by_role("button", name="Войти").click()


async def test_admin_creates_department_staff_and_invite(
    page: Page, admin: User, settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await sign_in(page)
    await expect(page.locator("h1")).to_have_text("Обзор")
    await expect(page.locator("#stat-staff .num")).to_have_text("1")

    await open_nav(page, "Администрирование", "Подразделения")
    await page.click("#new-department")
    await page.fill("#f-name", "Отдел ЖКХ")
    await page.fill("#f-short_name", "ЖКХ")
    await page.select_option("#f-head_id", label="Анна Админова")
    await page.get_by_role("button", name="Сохранить").click()
    await expect(page.locator(".flash")).to_have_text("Подразделение «Отдел ЖКХ» создано.")
    await expect(page.locator("table")).to_contain_text("Анна Админова")

    await open_nav(page, "Администрирование", "Сотрудники")
    await page.click("#new-staff")
    await page.fill("#f-full_name", "Иван Петров")
    await page.fill("#f-position", "Инженер")
    await page.select_option("#f-department_id", label="Отдел ЖКХ")
    await page.fill("#f-email", "Ivan@Example.ru")
    await page.fill("#f-phone", "+7 900 123-45-67")
    await page.check("input[name=roles][value=controller]")
    await page.check("input[name=roles][value=dispatcher]")
    await page.uncheck("input[name=roles][value=executor]")
    await page.get_by_role("button", name="Сохранить").click()
    await expect(page.locator(".flash")).to_have_text("Сотрудник «Иван Петров» создан.")
    await expect(page.locator("#telegram-status")).to_have_text("Не привязан")

    async with session_factory() as session:
        ivan = await session.scalar(select(User).where(User.full_name == "Иван Петров"))
        dept = await session.scalar(select(Department).where(Department.name == "Отдел ЖКХ"))
        assert ivan is not None and dept is not None
        assert ivan.department_id == dept.id and dept.head_id == admin.id
        assert {r.value for r in ivan.roles} == {"controller", "dispatcher"}
        assert ivan.email == "ivan@example.ru"

    await page.click("#make-invite")
    link = await page.input_value("#invite-link")
    match = INVITE_LINK_RE.fullmatch(link)
    assert match, link
    token = match.group(1)
    async with session_factory() as session:
        invites = (await session.scalars(select(Invite).where(Invite.user_id == ivan.id))).all()
    assert len(invites) == 1
    invite = invites[0]
    assert invite.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in invite.token_hash
    assert invite.created_by_id == admin.id
    expires = format_datetime(
        invite.expires_at, "d MMMM y, HH:mm", tzinfo=ZoneInfo("Europe/Moscow"), locale="ru"
    )
    await expect(page.locator("main")).to_contain_text(f"Действует до {expires} (Europe/Moscow).")
    assert (invite.expires_at - invite.created_at).total_seconds() == settings.invite_ttl_hours * 3600

    await open_nav(page, "Администрирование", "Сотрудники")
    await page.select_option("#filter-department", label="Отдел ЖКХ")
    await page.get_by_role("button", name="Показать").click()
    await expect(page.locator("tbody tr")).to_have_count(1)
    await expect(page.locator("tbody")).to_contain_text("Контролёр")
    await page.select_option("#filter-role", value="clerk")
    await page.get_by_role("button", name="Показать").click()
    await expect(page.locator(".empty")).to_be_visible()

    await page.get_by_role("link", name="Обзор").click()
    await expect(page.locator("#stat-departments .num")).to_have_text("1")
    await expect(page.locator("#stat-staff .num")).to_have_text("2")
    await expect(page.locator("#stat-invites .num")).to_have_text("1")

    await page.click("#logout")
    await expect(page).to_have_url(re.compile(r"/login$"))
    await page.goto("/staff")
    await expect(page).to_have_url(re.compile(r"/login\?next=/staff$"))


async def test_wrong_password_then_rate_limit(
    page: Page, admin: User, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await sign_in(page, password="wrong-password")
    await expect(page.locator("#login-error")).to_have_text("Неверный логин или пароль.")
    await expect(page.locator("#f-login")).to_have_value(ADMIN_LOGIN)  # the login is kept, the password not
    await expect(page.locator("#f-password")).to_have_value("")
    for attempt in range(2, 6):
        await page.fill("#f-password", f"wrong-password-{attempt}")
        await page.get_by_role("button", name="Войти").click()
        await expect(page.locator("#login-error")).to_have_text("Неверный логин или пароль.")
    async with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/login")
    ) as info:
        await page.fill("#f-password", ADMIN_PASSWORD)  # the right password no longer helps
        await page.get_by_role("button", name="Войти").click()
    response = await info.value
    assert response.status == 429
    await expect(page.locator("#login-error")).to_have_text(
        "Слишком много неудачных попыток. Повторите через 15 мин."
    )
    async with session_factory() as session:
        actions = (await session.scalars(select(AuditEvent.action).order_by(AuditEvent.id))).all()
    assert actions.count("login_failed") == 5 and actions[-1] == "login_blocked"
