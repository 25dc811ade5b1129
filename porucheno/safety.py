"""Start-up refusals and warnings: a production run must not carry demo credentials, and the demo
(fixed password, sandbox) must never be reachable from another machine."""

from __future__ import annotations

import asyncio
import ipaddress

from sqlalchemy import select

from models import User, UserRole
from models.db import create_engine, create_session_factory
from models.enums import Role
from porucheno.demo_seed import DEMO_ADMIN_PASSWORD
from porucheno.settings import Settings
from services.passwords import verify_password


def is_loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


async def demo_password_admins(settings: Settings) -> list[str]:
    """Logins of active administrators whose password is still the demo one (published in the README)."""
    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine)() as session:
            admins = (
                await session.scalars(
                    select(User)
                    .join(UserRole, UserRole.user_id == User.id)
                    .where(
                        UserRole.role == Role.ADMIN.value,
                        User.is_active.is_(True),
                        User.password_hash.is_not(None),
                    )
                )
            ).all()
            found = []
            for user in admins:
                if await asyncio.to_thread(verify_password, user.password_hash, DEMO_ADMIN_PASSWORD):
                    found.append(user.login or str(user.id))
            return found
    finally:
        await engine.dispose()


def public_url_warning(settings: Settings) -> str | None:
    url = (settings.public_url or "").strip()
    if url.lower().startswith("https://"):
        return None
    if not url:
        return (
            "PORUCHENO_PUBLIC_URL is not set: session cookies are sent without the Secure flag. "
            "Serve the panel over HTTPS and set PORUCHENO_PUBLIC_URL=https://..."
        )
    return (
        f"PORUCHENO_PUBLIC_URL {url!r} is not https: passwords and session cookies cross the network "
        "in clear text. Serve the panel over HTTPS."
    )
