"""Assembles and runs the whole service in one process: bot, outbox sender, scheduler, web panel.

In demo mode the fake Telegram (sandbox) is mounted into the panel's server at ``/sandbox/`` and
the bot talks to it over real HTTP, exactly as it would talk to api.telegram.org.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiogram import Bot, Dispatcher
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from admin_web.app import create_admin_app
from bot.factory import create_bot, create_dispatcher, create_pacer, set_bot_commands
from bot.outbox_sender import OutboxSender
from bot.runner import create_webhook_app, run_polling
from models.db import create_engine, create_session_factory
from porucheno.demo_seed import PERSONA_LABELS, demo_max_personas, demo_personas, seed_demo
from porucheno.i18n import gettext
from porucheno.migrate import upgrade_async
from porucheno.settings import Settings
from scheduler.factory import SchedulerHealth, create_scheduler
from services.config import org_card, outage_catalogs
from services.messengers import Messenger
from services.offload import Offload

log = logging.getLogger(__name__)

DEMO_BOT_TOKEN = "1000000001:DEMO-sandbox-token"
DEMO_MAX_TOKEN = "demo-max-sandbox-token"


@dataclass
class Service:
    """Everything one running instance owns; built by :func:`build_service`."""

    settings: Settings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    # Telegram, when PORUCHENO_BOT_TOKEN is set (an organisation may use MAX alone).
    bot: Bot | None
    dispatcher: Dispatcher | None
    sender: OutboxSender | None
    scheduler: AsyncIOScheduler
    scheduler_health: SchedulerHealth
    admin_app: web.Application
    # Charts and spreadsheets are rendered in its process pool (started on first use), never on the loop.
    offload: Offload
    # The same bot in MAX (bot/max/), when PORUCHENO_MAX_TOKEN is set: its own session, dispatcher
    # (the same handlers) and outbox sender paced by MAX's limits.
    max_bot: Bot | None = None
    max_dispatcher: Dispatcher | None = None
    max_sender: OutboxSender | None = None
    stop_event: asyncio.Event = field(default_factory=asyncio.Event)
    bot_alive: bool = False


def _health_checks(service_ref: list[Service]) -> dict[str, Callable[[], Awaitable[bool]]]:
    async def db() -> bool:
        async with service_ref[0].session_factory() as session:
            await session.execute(text("select 1"))
        return True

    async def bot() -> bool:
        return service_ref[0].bot_alive

    async def scheduler() -> bool:
        svc = service_ref[0]
        return svc.scheduler.running and svc.scheduler_health.alive()

    return {"db": db, "bot": bot, "scheduler": scheduler}


async def apply_configuration(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> Settings:
    """What the administrator configured in the panel and the process needs from the start: the
    outage catalogues (into their registry) and the organisation's time zone, which wins over
    PORUCHENO_TIMEZONE. A zone changed in the panel applies after a restart: the scheduler, the
    bot and the panel all took theirs from these settings."""
    async with session_factory() as session:
        if await outage_catalogs.ensure_defaults(session):
            await session.commit()
        await outage_catalogs.load(session)
        zone = await org_card.effective_timezone(session, settings.timezone)
    if zone != settings.timezone:
        log.info("time zone %s (from the organisation's card)", zone)
        return settings.model_copy(update={"timezone": zone})
    return settings


async def build_service(settings: Settings, *, demo: bool = False) -> Service:
    engine = create_engine(settings.database_url)
    session_factory = create_session_factory(engine)
    settings = await apply_configuration(settings, session_factory)
    sandbox_app = max_sandbox_app = None
    if demo:
        sandbox_app, max_sandbox_app = _demo_sandboxes(settings)
    offload = Offload()
    bot = dispatcher = sender = None
    if settings.bot_token:
        # One pacer per messenger and process: replies and the outbox draw from the same buckets.
        pacer = create_pacer(settings)
        bot = create_bot(settings, pacer=pacer)
        dispatcher = create_dispatcher(settings, session_factory, offload=offload)
        sender = OutboxSender(
            bot,
            session_factory,
            global_rate=settings.outbox_global_rate,
            chat_interval=settings.outbox_chat_interval,
            files_dir=settings.files_dir,
            pacer=pacer,
            messenger=Messenger.TELEGRAM,
        )
    max_bot = max_dispatcher = max_sender = None
    if settings.max_token:
        from bot.max.factory import create_max_bot, create_max_pacer

        max_pacer = create_max_pacer(settings)
        max_bot = create_max_bot(settings, session_factory, pacer=max_pacer)
        max_dispatcher = create_dispatcher(settings, session_factory, offload=offload)
        max_sender = OutboxSender(
            max_bot,
            session_factory,
            global_rate=settings.max_send_rate,
            chat_interval=1.0 / settings.max_send_chat_rate,
            files_dir=settings.files_dir,
            pacer=max_pacer,
            messenger=Messenger.MAX,
        )
    health = SchedulerHealth()
    scheduler = create_scheduler(settings, session_factory, health, offload)
    ref: list[Service] = []
    admin_app = create_admin_app(
        settings,
        session_factory,
        health_checks=_health_checks(ref),
        sandbox_app=sandbox_app,
        max_sandbox_app=max_sandbox_app,
        offload=offload,
    )
    service = Service(
        settings=settings,
        engine=engine,
        session_factory=session_factory,
        bot=bot,
        dispatcher=dispatcher,
        sender=sender,
        scheduler=scheduler,
        scheduler_health=health,
        admin_app=admin_app,
        offload=offload,
        max_bot=max_bot,
        max_dispatcher=max_dispatcher,
        max_sender=max_sender,
    )
    ref.append(service)
    return service


def _demo_sandboxes(settings: Settings) -> tuple[web.Application, web.Application]:
    """The fake Telegram and the fake MAX, mounted in the panel's server (demo only)."""
    from sandbox.app import create_sandbox_app
    from sandbox.config import Persona, SandboxConfig
    from sandbox.max.app import create_max_sandbox_app
    from sandbox.max.config import MaxSandboxConfig

    def label(role: str) -> str:
        return gettext(settings.locale, PERSONA_LABELS[role])

    personas = [Persona(p.telegram_id, p.name, label(p.role), p.username) for p in demo_personas()]
    telegram = create_sandbox_app(SandboxConfig(personas=personas, lang=settings.locale))
    max_personas = [Persona(p.max_id, p.name, label(p.role), p.username) for p in demo_max_personas()]
    max_app = create_max_sandbox_app(
        MaxSandboxConfig(
            token=DEMO_MAX_TOKEN,
            bot_username=settings.max_bot_username,
            personas=max_personas,
            lang=settings.locale,
        )
    )
    return telegram, max_app


async def prepare_database(settings: Settings, *, demo: bool) -> None:
    await upgrade_async(settings.database_url)
    if demo:
        engine = create_engine(settings.database_url)
        try:
            async with create_session_factory(engine)() as session:
                if await seed_demo(session):
                    await session.commit()
                    log.info("demo town seeded")
        finally:
            await engine.dispose()


async def _site(app: web.Application, host: str, port: int) -> web.AppRunner:
    # Long polls (the sandbox's getUpdates, the chat page) would otherwise hold shutdown for a minute.
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=3.0)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner


async def serve(service: Service, *, on_ready: Callable[[], None] | None = None) -> None:
    """Run until SIGINT/SIGTERM (or ``service.stop_event``), then stop everything in order."""
    settings = service.settings
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, service.stop_event.set)

    runners = [await _site(service.admin_app, settings.admin_host, settings.admin_port)]
    service.scheduler.start()
    tasks: list[asyncio.Task[None]] = []
    for sender, name in ((service.sender, "outbox"), (service.max_sender, "outbox-max")):
        if sender is not None:
            tasks.append(asyncio.create_task(sender.run(service.stop_event), name=name))
    tasks += await _start_max(service, runners)
    if service.bot is None or service.dispatcher is None:
        pass  # MAX alone
    elif settings.webhook_url:
        runners.append(
            await _site(
                create_webhook_app(service.bot, service.dispatcher, settings),
                settings.webhook_host,
                settings.webhook_port,
            )
        )
        service.bot_alive = True
    else:
        tasks.append(
            asyncio.create_task(
                run_polling(service.bot, service.dispatcher, stop_event=service.stop_event), name="polling"
            )
        )
    tasks.append(asyncio.create_task(_watch_bot(service), name="bot-watch"))
    if on_ready:
        on_ready()
    try:
        await service.stop_event.wait()
    finally:
        log.info("stopping...")
        service.scheduler.shutdown(wait=False)
        for dispatcher in (service.dispatcher, service.max_dispatcher):
            if dispatcher is not None:
                with contextlib.suppress(Exception):
                    await dispatcher.stop_polling()
        for task in tasks:
            if task.get_name() == "bot-watch":
                task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for runner in runners:
            await runner.cleanup()
        for bot in (service.bot, service.max_bot):
            if bot is not None:
                await bot.session.close()
        service.offload.close()
        await service.engine.dispose()


async def _start_max(service: Service, runners: list[web.AppRunner]) -> list[asyncio.Task[None]]:
    """The MAX bot: a webhook server of its own, or long polling (as for Telegram)."""
    settings, bot, dispatcher = service.settings, service.max_bot, service.max_dispatcher
    if bot is None or dispatcher is None:
        return []
    from bot.max.factory import set_max_commands

    async def commands() -> None:
        try:
            await set_max_commands(bot, default_locale=settings.locale)
        except Exception as exc:  # the bot still works without its command list
            log.warning("MAX commands not set: %s", exc)

    tasks = [asyncio.create_task(commands(), name="max-commands")]
    if settings.max_webhook_url:
        from bot.max.webhook import create_max_webhook_app

        app = create_max_webhook_app(bot, dispatcher, settings)
        runners.append(await _site(app, settings.webhook_host, settings.max_webhook_port))
    else:
        tasks.append(
            asyncio.create_task(
                run_polling(bot, dispatcher, stop_event=service.stop_event), name="polling-max"
            )
        )
    return tasks


async def _watch_bot(service: Service) -> None:
    """Keep /healthz's ``bot`` current: each messenger's Bot API answers getMe."""
    # Give the admin server (which hosts the sandbox in demo mode) a moment to accept connections.
    await asyncio.sleep(0.5)
    first = True
    bots = [b for b in (service.bot, service.max_bot) if b is not None]
    while not service.stop_event.is_set():
        try:
            for bot in bots:
                await bot.get_me()
            if first and service.bot is not None:
                await set_bot_commands(service.bot)
            first = False
            service.bot_alive = True
        except Exception as exc:
            if service.bot_alive or first:
                log.warning("Bot API not reachable: %s", exc)
            service.bot_alive = False
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(service.stop_event.wait(), timeout=30)


def demo_settings(settings: Settings) -> Settings:
    """The sandbox lives inside the panel's server in demo mode."""
    return settings.model_copy(
        update={
            "bot_token": settings.bot_token or DEMO_BOT_TOKEN,
            "bot_api_url": f"http://{settings.admin_host}:{settings.admin_port}/sandbox",
            "secret_key": settings.secret_key or "demo-secret-key-not-for-production-0123456789",
            "max_token": settings.max_token or DEMO_MAX_TOKEN,
            "max_api_url": f"http://{settings.admin_host}:{settings.admin_port}/max-sandbox",
            "max_bot_username": settings.max_bot_username or "porucheno_demo_bot",
        }
    )
