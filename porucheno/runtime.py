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
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from admin_web.app import create_admin_app
from admin_web.views.metrics import metrics_handler
from bot.factory import create_bot, create_dispatcher, create_pacer, set_bot_commands
from bot.outbox_sender import OutboxSender
from bot.pacing import BULK_CHAT_RESERVE, BULK_GLOBAL_RESERVE, Pacer
from bot.runner import create_webhook_app, run_polling
from bot.shared_rate import SharedRate
from models.db import create_engine, create_session_factory, on_commit
from porucheno.collector import serving_collector
from porucheno.demo_seed import PERSONA_LABELS, demo_max_personas, demo_personas, seed_demo
from porucheno.i18n import gettext
from porucheno.migrate import upgrade_in_child
from porucheno.settings import Settings
from scheduler.factory import SchedulerHealth, create_scheduler
from scheduler.leader import Leadership, create_leader_lock, scheduler_switch
from scheduler.running import RunningJobs
from services.config import org_card, outage_catalogs
from services.messengers import Messenger
from services.metrics import Metrics
from services.offload import Offload
from services.outbox import OUTBOX_SIGNAL

log = logging.getLogger(__name__)


DEMO_BOT_TOKEN = "1000000001:DEMO-sandbox-token"
DEMO_MAX_TOKEN = "demo-max-sandbox-token"
# The names the demo's bots answer getMe with: the Telegram sandbox names a bot after its token's id.
DEMO_BOT_USERNAME = "sandbox_1000000001_bot"
DEMO_MAX_BOT_USERNAME = "porucheno_demo_bot"


@dataclass(frozen=True)
class WorkerRole:
    """Which of ``porucheno run --workers N``'s processes this is (docs: README, "Several workers").

    Every worker serves the webhook (one port, SO_REUSEPORT: the kernel spreads connections), sends
    the outbox and stands for scheduler leader. Worker 0 alone serves the panel (its sandbox and
    in-memory login throttling are per process) and registers the webhook and the command list."""

    index: int = 0
    count: int = 1

    @property
    def first(self) -> bool:
        return self.index == 0

    @property
    def reuse_port(self) -> bool:
        return self.count > 1


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
    running_jobs: RunningJobs
    admin_app: web.Application
    # The process's Prometheus metrics, served at /metrics by the panel and the webhook servers.
    metrics: Metrics = field(default_factory=Metrics)
    # Charts and spreadsheets are rendered in its process pool (started on first use), never on the loop.
    offload: Offload = field(default_factory=Offload)
    # The same bot in MAX (bot/max/), when PORUCHENO_MAX_TOKEN is set: its own session, dispatcher
    # (the same handlers) and outbox sender paced by MAX's limits.
    max_bot: Bot | None = None
    max_dispatcher: Dispatcher | None = None
    max_sender: OutboxSender | None = None
    stop_event: asyncio.Event = field(default_factory=asyncio.Event)
    bot_alive: bool = False
    role: WorkerRole = field(default_factory=WorkerRole)
    leadership: Leadership | None = None


def _health_checks(service_ref: list[Service]) -> dict[str, Callable[[], Awaitable[bool]]]:
    async def db() -> bool:
        async with service_ref[0].session_factory() as session:
            await session.execute(text("select 1"))
        return True

    async def bot() -> bool:
        return service_ref[0].bot_alive

    async def scheduler() -> bool:
        svc = service_ref[0]
        if svc.leadership is not None and not svc.leadership.leader:
            return svc.scheduler.running  # standing by: another worker runs the jobs
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
    # The pool holds what update_concurrency needs: past a smaller pool, a burst kept opening and
    # closing PostgreSQL connections (a server process each).
    engine = create_engine(
        settings.database_url, pool_size=settings.pool_size, max_overflow=settings.database_max_overflow
    )
    session_factory = create_session_factory(engine)
    settings = await apply_configuration(settings, session_factory)
    sandbox_app = max_sandbox_app = None
    if demo:
        sandbox_app, max_sandbox_app = _demo_sandboxes(settings)
    metrics = Metrics()
    offload = Offload()
    bot = dispatcher = sender = None
    if settings.bot_token:
        # One pacer per messenger and process: replies and the outbox draw from the same buckets.
        pacer = create_pacer(settings)
        pacer.shared = _shared_rate(settings, pacer, "tg:" + settings.bot_token.split(":")[0])
        bot = create_bot(settings, pacer=pacer)
        dispatcher = create_dispatcher(
            settings,
            session_factory,
            metrics=metrics,
            offload=offload,
        )
        sender = OutboxSender(
            bot,
            session_factory,
            global_rate=settings.outbox_global_rate,
            chat_interval=settings.outbox_chat_interval,
            files_dir=settings.files_dir,
            pacer=pacer,
            messenger=Messenger.TELEGRAM,
            metrics=metrics,
        )
    max_bot = max_dispatcher = max_sender = None
    if settings.max_token:
        from bot.max.factory import create_max_bot, create_max_pacer

        max_pacer = create_max_pacer(settings)
        max_pacer.shared = _shared_rate(settings, max_pacer, "max")
        max_bot = create_max_bot(settings, session_factory, pacer=max_pacer)
        max_dispatcher = create_dispatcher(
            settings, session_factory, metrics=metrics, messenger=Messenger.MAX, offload=offload
        )
        max_sender = OutboxSender(
            max_bot,
            session_factory,
            global_rate=settings.max_send_rate,
            chat_interval=1.0 / settings.max_send_chat_rate,
            files_dir=settings.files_dir,
            pacer=max_pacer,
            messenger=Messenger.MAX,
            metrics=metrics,
        )
    for outbox_sender in (sender, max_sender):
        if outbox_sender is not None:  # a notice queued in this process leaves at once
            on_commit(session_factory, OUTBOX_SIGNAL, outbox_sender.notify)
    health = SchedulerHealth()
    scheduler = create_scheduler(settings, session_factory, health, metrics=metrics, offload=offload)
    ref: list[Service] = []
    admin_app = create_admin_app(
        settings,
        session_factory,
        health_checks=_health_checks(ref),
        sandbox_app=sandbox_app,
        max_sandbox_app=max_sandbox_app,
        metrics=metrics,
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
        running_jobs=RunningJobs(scheduler),
        admin_app=admin_app,
        metrics=metrics,
        offload=offload,
        max_bot=max_bot,
        max_dispatcher=max_dispatcher,
        max_sender=max_sender,
    )
    ref.append(service)
    return service


def _shared_rate(settings: Settings, pacer: Pacer, bot_key: str) -> SharedRate | None:
    """With Redis, all workers draw from one budget per bot (bot/shared_rate.py)."""
    if not settings.redis_url:
        return None
    from redis.asyncio import Redis

    return SharedRate(
        Redis.from_url(settings.redis_url),
        pacer.limits,
        prefix=f"porucheno:rate:{bot_key}",
        global_reserve=BULK_GLOBAL_RESERVE,
        chat_reserve=BULK_CHAT_RESERVE,
    )


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
    await upgrade_in_child(settings.database_url)  # Alembic never loads into the service
    if demo:
        engine = create_engine(settings.database_url)
        try:
            async with create_session_factory(engine)() as session:
                if await seed_demo(session):
                    await session.commit()
                    log.info("demo town seeded")
        finally:
            await engine.dispose()


async def _site(app: web.Application, host: str, port: int, *, reuse_port: bool = False) -> web.AppRunner:
    # Long polls (the sandbox's getUpdates, the chat page) would otherwise hold shutdown for a minute.
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=3.0)
    await runner.setup()
    await web.TCPSite(runner, host, port, reuse_port=reuse_port or None).start()
    return runner


async def serve(service: Service, *, on_ready: Callable[[], None] | None = None) -> None:
    """Run until SIGINT/SIGTERM (or ``service.stop_event``), then stop everything in order."""
    settings = service.settings
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, service.stop_event.set)

    role = service.role
    runners = []
    if role.first:
        runners.append(await _site(service.admin_app, settings.admin_host, settings.admin_port))
    # Started paused: it runs jobs only while this process holds the leader lock (scheduler/leader.py).
    service.scheduler.start(paused=True)
    service.leadership = Leadership(
        create_leader_lock(settings.redis_url, service.engine), scheduler_switch(service.scheduler)
    )
    tasks: list[asyncio.Task[None]] = [
        asyncio.create_task(service.leadership.run(service.stop_event), name="scheduler-leader")
    ]
    for sender, name in ((service.sender, "outbox"), (service.max_sender, "outbox-max")):
        if sender is not None:
            tasks.append(asyncio.create_task(sender.run(service.stop_event), name=name))
    tasks += await _start_max(service, runners)
    if service.bot is None or service.dispatcher is None:
        pass  # MAX alone
    elif settings.webhook_url:
        webhook_app = _with_metrics(
            service,
            create_webhook_app(service.bot, service.dispatcher, settings, set_webhook=role.first),
        )
        runners.append(
            await _site(webhook_app, settings.webhook_host, settings.webhook_port, reuse_port=role.reuse_port)
        )
        service.bot_alive = True
    else:
        tasks.append(
            asyncio.create_task(
                run_polling(
                    service.bot,
                    service.dispatcher,
                    stop_event=service.stop_event,
                    concurrency=settings.update_concurrency,
                ),
                name="polling",
            )
        )
    tasks.append(asyncio.create_task(_watch_bot(service), name="bot-watch"))
    with serving_collector():
        await _serve_until_stopped(service, tasks, runners, on_ready)


async def _serve_until_stopped(
    service: Service,
    tasks: list[asyncio.Task[None]],
    runners: list[web.AppRunner],
    on_ready: Callable[[], None] | None,
) -> None:
    if on_ready:
        on_ready()
    try:
        await service.stop_event.wait()
    finally:
        log.info("stopping...")
        if unfinished := await service.running_jobs.settle():
            log.warning("stopping with jobs still running (they run again on the next start): %s", unfinished)
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
        for sender in (service.sender, service.max_sender):
            if sender is not None and sender.pacer is not None and sender.pacer.shared is not None:
                await sender.pacer.shared.close()
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
        from bot.update_dedup import update_claims

        # Claims shared through Redis: a redelivery landing on another worker is not handled twice.
        claims = update_claims(dispatcher.storage)
        app = _with_metrics(service, create_max_webhook_app(bot, dispatcher, settings, claims))
        port = settings.max_webhook_port
        runners.append(await _site(app, settings.webhook_host, port, reuse_port=service.role.reuse_port))
    else:
        caveat = max_polling_caveat(settings.max_api_url)
        if caveat:
            log.warning(caveat)
        tasks.append(
            asyncio.create_task(
                run_polling(
                    bot, dispatcher, stop_event=service.stop_event, concurrency=settings.update_concurrency
                ),
                name="polling-max",
            )
        )
    return tasks


def max_polling_caveat(api_url: str) -> str | None:
    """What to tell an administrator whose MAX bot long-polls the real MAX (not the sandbox).

    MAX documents ``GET /updates`` as a means for development and testing, limited in rate and in
    how long events are kept. Its marker confirms every update before it, and the poller asks again
    (with the newest marker) while updates are still being handled: a process killed then loses
    those. The webhook answers only once an update is handled (bot/max/webhook.py).
    """
    host = urlsplit(api_url).hostname or ""
    if host != "max.ru" and not host.endswith(".max.ru"):
        return None
    return (
        "MAX long polling is meant for development: it is limited in rate and in how long MAX keeps "
        "updates, and updates being handled when the process is killed are lost. In production set "
        "PORUCHENO_MAX_WEBHOOK_URL and PORUCHENO_MAX_WEBHOOK_SECRET."
    )


def _with_metrics(service: Service, app: web.Application) -> web.Application:
    """``/metrics`` on a webhook server too: the port each worker process has of its own."""
    token = service.settings.metrics_token.get_secret_value()
    app.router.add_get("/metrics", metrics_handler(service.metrics, service.session_factory, token))
    return app


async def _watch_bot(service: Service) -> None:
    """Keep /healthz's ``bot`` current: each messenger's Bot API answers getMe."""
    # Give the admin server (which hosts the sandbox in demo mode) a moment to accept connections.
    await asyncio.sleep(0.5)
    first = True
    bots = [b for b in (service.bot, service.max_bot) if b is not None]
    while not service.stop_event.is_set():
        try:
            for bot in bots:
                me = await bot.get_me()
                if first and bot is service.bot:
                    _check_username(service.settings.bot_username, me.username)
            if first and service.bot is not None and service.role.first:
                await set_bot_commands(service.bot)
            first = False
            service.bot_alive = True
        except Exception as exc:
            if service.bot_alive or first:
                log.warning("Bot API not reachable: %s", exc)
            service.bot_alive = False
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(service.stop_event.wait(), timeout=30)


def _check_username(configured: str, actual: str | None) -> None:
    """The panel's links (forms, invites) name ``PORUCHENO_BOT_USERNAME``: say so when the bot the
    token belongs to is another one, or every such link opens the wrong bot."""
    if actual and configured.lstrip("@").casefold() != actual.casefold():
        log.warning(
            "PORUCHENO_BOT_USERNAME is %r but the bot token belongs to @%s: links in the panel "
            "(forms, invitations) would open the wrong bot; set PORUCHENO_BOT_USERNAME=%s",
            configured,
            actual,
            actual,
        )


def demo_settings(settings: Settings) -> Settings:
    """The sandbox lives inside the panel's server in demo mode."""
    return settings.model_copy(
        update={
            "bot_token": settings.bot_token or DEMO_BOT_TOKEN,
            "bot_api_url": f"http://{settings.admin_host}:{settings.admin_port}/sandbox",
            "secret_key": settings.secret_key or "demo-secret-key-not-for-production-0123456789",
            "max_token": settings.max_token or DEMO_MAX_TOKEN,
            "max_api_url": f"http://{settings.admin_host}:{settings.admin_port}/max-sandbox",
            "max_bot_username": settings.max_bot_username or DEMO_MAX_BOT_USERNAME,
            # The links the panel gives (forms, invites) must name the bot the demo runs.
            "bot_username": settings.bot_username
            if "bot_username" in settings.model_fields_set
            else DEMO_BOT_USERNAME,
        }
    )
