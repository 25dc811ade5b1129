"""Benchmark: a month of the ЕДДС — the dispatcher's screens, and a 200-house notice at the outbox's rate.

The town (bench/_dispatch_seed.py): 5,000 houses (some social objects), 20,000 residents' Telegram
accounts with skewed subscriptions, 10 outside organisations, and a month of 500 ЕДДС messages
(300 incidents with their actions, 200 residents' signals) plus 30 outages of 1–200 houses, all made
through the services. Then:

* Screens: each entry of ``SCREENS`` is timed ``--runs`` times after one warm-up run (median, p95,
  max in ms; target 100 ms). Panel pages go through the real panel app over HTTP, signed in as the
  dispatcher; bot screens are the handlers' own view functions (text + keyboard), service entries the
  queries behind them. An entry whose route or module is not there yet prints
  ``{"skipped": "not present"}``, so later features only need to be merged to be measured.
* Notices: the 200-house draft outage whose houses have ``--notice-subscribers`` subscribers is
  published (``queue_ms``: the publish command with its commit), then the real outbox sender with the
  process pacer drains it against the sandbox Bot API server (Telegram's limits, 30 msg/s per bot, 1/s
  per chat). The sandbox runs in a process of its own (Telegram is elsewhere); the sender runs in the
  panel's process and event loop, as ``porucheno/runtime.py`` runs them, while the outage's panel page
  and its progress JSON are polled every second, as the dispatcher's browser does (``*_during_drain``;
  the same pages idle afterwards: ``*_after_drain``). Reported: achieved msgs/s against the configured
  outbox rate, 429s, and whether every subscriber got exactly one message; a notice to every account
  in town is extrapolated from the achieved rate, not measured.

Usage: python bench/dispatch_month.py [--backend sqlite|postgresql|both] [--runs K]
       [--notice-subscribers N (0: no drain)] [--scale S (both rates × S, to shorten the drain)]
Prints one JSON object per backend. Targets (issue #14): every screen's median and p95 under 100 ms;
the drain at ≥ 0.9 of the configured rate with every subscriber notified exactly once; queueing the
notices is held to 1 s (our working target: the dispatcher waits for it after pressing «Publish»).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import inspect
import json
import math
import re
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp
from aiohttp.test_utils import TestClient, TestServer, make_mocked_request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from admin_web.app import create_admin_app
from bench._common import run_backends
from bench._dispatch_seed import CTX, LOGIN, PASSWORD, TZ, Town, seed
from bot.factory import create_bot, create_pacer
from bot.outbox_sender import OutboxSender
from models import Outage, User, utcnow
from models.db import create_engine, create_session_factory
from porucheno.settings import Settings
from sandbox.client import SandboxClient
from services.incidents import journal
from services.incidents.queries import IncidentFilter
from services.incidents.updates import Target
from services.notify import Translator
from services.outages import lifecycle

TARGET_MS = 100.0
QUEUE_TARGET_MS = 1000.0
RATE_SHARE_TARGET = 0.9  # of the configured outbox rate (bench/broadcast.py's target)
TELEGRAM_BOT_LIMIT = 30.0
TOKEN = "5555:BENCH-dispatch-token"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


# -- the screens ----------------------------------------------------------------------------------


@dataclass
class Ctx:
    """What one timed run of a service or bot screen gets: a fresh session, as a request does."""

    session: AsyncSession
    town: Town
    t: Translator

    async def dispatcher(self) -> User:
        query = select(User).where(User.id == self.town.dispatcher_id).options(selectinload(User.role_rows))
        return (await self.session.scalars(query)).one()

    async def outage(self, outage_id: int) -> Outage:
        return await lifecycle.get_outage(self.session, outage_id)


Call = Callable[[Any, Ctx], Awaitable[object]]


@dataclass(frozen=True)
class Page:
    """A panel page; ``{field}`` in the path is filled from the seeded ``Town``."""

    name: str
    path: str


@dataclass(frozen=True)
class Service:
    """A function of ``module`` (the first of ``names`` present), called by ``call`` or, when that
    is None, with arguments picked by parameter name (see ``_auto_args``)."""

    name: str
    module: str
    names: tuple[str, ...]
    call: Call | None = None


SCREENS: list[Page | Service] = [
    # The panel (admin_web): what the dispatcher keeps open on the desk.
    Page("panel_outages_list", "/outages"),
    Page("panel_outage_card_200_houses", "/outages/{big_outage_id}"),
    Page("panel_outage_log", "/outages/log"),
    Page("panel_outage_summary", "/outages/summary"),
    Page("panel_incidents_list", "/incidents"),
    Page("panel_incident_card", "/incidents/{busiest_incident_id}"),
    Page("panel_shift_report", "/shift"),
    Page("public_map_json", "/public/map.json"),
    Page("public_map_page", "/public/map"),
    # The bot's dispatcher screens, rendered by the handlers' view functions.
    Service(
        "bot_outage_list", "handlers.dispatch.cards", ("list_view",), lambda f, c: f(c.session, 0, c.t, CTX)
    ),
    Service(
        "bot_outage_card_200_houses",
        "handlers.dispatch.cards",
        ("card_view",),
        lambda f, c: _then(c.outage(c.town.big_outage_id), lambda o: f(c.session, o, c.t, CTX)),
    ),
    Service(
        "bot_signal_queue", "handlers.dispatch.signals", ("queue_view",), lambda f, c: f(c.session, 0, c.t)
    ),
    Service(
        "bot_incident_list",
        "handlers.incidents.cards",
        ("list_view",),
        lambda f, c: f(c.session, 0, c.t, CTX),
    ),
    Service(
        "bot_incident_card",
        "handlers.incidents.render",
        ("card_text",),
        lambda f, c: _then(
            journal.get_incident(c.session, c.town.busiest_incident_id), lambda i: f(c.session, i, c.t, CTX)
        ),
    ),
    # The queries behind the bot's and the panel's screens.
    Service("signal_queue", "services.outages.signals", ("signal_queue",), lambda f, c: f(c.session)),
    Service(
        "preview_200_houses",
        "services.outages.lifecycle",
        ("preview",),
        lambda f, c: _then(c.outage(c.town.notice_outage_id), lambda o: f(c.session, o)),
    ),
    Service("open_incidents", "services.incidents.journal", ("open_incidents",), lambda f, c: f(c.session)),
    Service(
        "incident_journal",
        "services.incidents.journal",
        ("journal_of",),
        lambda f, c: f(c.session, c.town.busiest_incident_id),
    ),
    Service(
        "outage_updates",
        "services.incidents.updates",
        ("updates_of",),
        lambda f, c: f(c.session, Target("outage", c.town.big_outage_id)),
    ),
    Service("pending_updates", "services.incidents.updates", ("pending_updates",), lambda f, c: f(c.session)),
    # The journal's list, the shift report and the public picture (arguments picked by name).
    Service(
        "incident_list_query",
        "services.incidents.queries",
        ("incidents_page",),
        lambda f, c: f(c.session, IncidentFilter(), number=1, size=50),
    ),
    Service(
        "incident_card_query",
        "services.incidents.queries",
        ("incident_card",),
        lambda f, c: f(c.session, c.town.busiest_incident_id),
    ),
    Service(
        "shift_report",
        "services.incidents.shift",
        ("shift_report",),
    ),
    Service("public_map", "services.incidents.public", ("current_picture",)),
    Service(
        "incident_signal_queue",
        "services.incidents.signals",
        ("incident_signal_queue",),
        lambda f, c: f(c.session),
    ),
]


# The outage just broadcast, once its notices are out: the same pages as during the drain, idle.
AFTER_DRAIN: list[Page] = [
    Page("panel_outage_page_after_drain", "/outages/{notice_outage_id}"),
    Page("panel_progress_after_drain", "/outages/{notice_outage_id}/progress"),
]


async def _then(first: Awaitable[Any], then: Callable[[Any], Awaitable[object]]) -> object:
    return await then(await first)


async def _auto_args(fn: Callable[..., Any], c: Ctx) -> tuple[list[object], dict[str, object]] | str:
    """Arguments for a function we only know by name: the session first, the rest by parameter name
    (now, tz, t, ctx, the dispatcher, a 12-hour shift window, a page…); a reason string when a
    required parameter has no known value."""
    now = utcnow()
    known: dict[str, Callable[[], Awaitable[object]] | object] = {
        "now": now,
        "tz": TZ,
        "t": c.t,
        "ctx": CTX,
        "locale": "ru",
        "user": c.dispatcher,
        "dispatcher": c.dispatcher,
        "viewer": c.dispatcher,
        "incident_id": c.town.busiest_incident_id,
        "outage_id": c.town.big_outage_id,
        "start": now - timedelta(hours=12),
        "since": now - timedelta(hours=12),
        "period_start": now - timedelta(hours=12),
        "end": now,
        "until": now,
        "period_end": now,
        "number": 1,
        "page": 1,
        "size": 50,
        "limit": 200,
    }
    args: list[object] = []
    kwargs: dict[str, object] = {}
    in_order = True  # positional until a parameter is left to its default
    for n, p in enumerate(inspect.signature(fn).parameters.values()):
        if n == 0 and p.name in ("session", "db"):
            args.append(c.session)
            continue
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if p.name in known:
            value = known[p.name]
            value = await value() if inspect.iscoroutinefunction(value) else value
            if p.kind == p.POSITIONAL_ONLY or (p.kind == p.POSITIONAL_OR_KEYWORD and in_order):
                args.append(value)
            else:
                kwargs[p.name] = value
        elif p.default is p.empty:
            return f"cannot fill parameter {p.name!r} of {fn.__name__}"
        else:
            in_order = False
    return args, kwargs


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _summary(samples: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(_percentile(samples, 0.95), 2),
        "max_ms": round(max(samples), 2),
        "runs": len(samples),
    }


async def _timed(fn: Callable[[], Awaitable[None]], runs: int) -> dict[str, float]:
    """One warm-up run (template compilation, first statement preparation), then ``runs`` timed."""
    await fn()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        await fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return _summary(samples)


async def _route_present(client: TestClient, path: str) -> bool:
    request = make_mocked_request("GET", path, app=client.app)
    match = await client.app.router.resolve(request)  # type: ignore[union-attr]
    return match.http_exception is None


async def _page_run(client: TestClient, path: str) -> None:
    async with client.get(path, allow_redirects=False) as response:
        await response.read()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status} on {path}")


async def time_page(client: TestClient, page: Page, town: Town, runs: int) -> dict[str, object]:
    path = page.path.format(**town.__dict__)
    if not await _route_present(client, path):
        return {"skipped": "not present"}
    try:
        return await _timed(lambda: _page_run(client, path), runs)
    except Exception as exc:  # a broken page is a finding, not the end of the run
        return {"error": str(exc)[:300]}


async def time_service(
    factory: async_sessionmaker[AsyncSession], screen: Service, town: Town, runs: int
) -> dict[str, object]:
    try:
        module = importlib.import_module(screen.module)
    except ModuleNotFoundError:
        return {"skipped": "not present"}
    fn = next((getattr(module, n) for n in screen.names if callable(getattr(module, n, None))), None)
    if fn is None:
        return {"skipped": f"not present: none of {', '.join(screen.names)} in {screen.module}"}
    t = Translator("ru")

    async def run() -> None:
        async with factory() as session:
            c = Ctx(session, town, t)
            if screen.call is not None:
                await screen.call(fn, c)
                return
            prepared = await _auto_args(fn, c)
            if isinstance(prepared, str):
                raise LookupError(prepared)
            result = fn(*prepared[0], **prepared[1])
            if inspect.isawaitable(result):
                await result

    try:
        return await _timed(run, runs)
    except LookupError as exc:
        return {"skipped": str(exc)}
    except Exception as exc:
        return {"error": f"{type(exc).__name__}: {exc}"[:300]}


# -- the panel ------------------------------------------------------------------------------------


def panel_settings(url: str, files: Path, sandbox_url: str | None = None) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=url,
        bot_token=TOKEN,
        bot_api_url=sandbox_url or "https://api.telegram.org",
        files_dir=files,
        secret_key="bench-secret-key-0123456789abcdef0123456789",
        timezone="Europe/Moscow",
        locale="ru",
    )


async def sign_in(client: TestClient) -> None:
    async with client.get("/login") as response:
        match = CSRF_RE.search(await response.text())
    assert match, "no CSRF token on the login page"
    form = {"login": LOGIN, "password": PASSWORD, "csrf_token": match.group(1)}
    async with client.post("/login", data=form, allow_redirects=False) as response:
        assert response.status == 303, await response.text()


# -- the notices ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def sandbox_process(bot_limit: float) -> AsyncIterator[str]:
    """The sandbox Bot API server in a process of its own, as Telegram is elsewhere: its request
    handling does not share the panel's event loop. Yields its base URL."""
    port = _free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sandbox",
        "--port",
        str(port),
        cwd=str(ROOT),
        stdout=asyncio.subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        async with SandboxClient(url) as api:
            for _ in range(100):
                try:
                    await api.set_limits(bot_rate_per_sec=bot_limit, bot_burst=int(bot_limit))
                    break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            else:
                raise RuntimeError("the sandbox did not start")
        yield url
    finally:
        proc.terminate()
        await proc.wait()


async def _watch(client: TestClient, outage_id: int, done: asyncio.Event) -> dict[str, list[float]]:
    """The dispatcher's browser during the broadcast: the page, and its progress JSON every second."""
    samples: dict[str, list[float]] = {
        "panel_outage_page_during_drain": [],
        "panel_progress_during_drain": [],
    }
    paths = {
        "panel_outage_page_during_drain": f"/outages/{outage_id}",
        "panel_progress_during_drain": f"/outages/{outage_id}/progress",
    }
    while not done.is_set():
        for name, path in paths.items():
            t0 = time.perf_counter()
            try:
                await _page_run(client, path)
            except Exception:  # counted, not fatal: the drain's figures still matter
                samples.setdefault(name + "_errors", []).append(0.0)
                continue
            samples[name].append((time.perf_counter() - t0) * 1000)
        try:
            await asyncio.wait_for(done.wait(), timeout=1.0)
        except TimeoutError:
            pass
    return samples


def _sender(settings: Settings, factory: async_sessionmaker[AsyncSession]) -> OutboxSender:
    """The sender as porucheno/runtime.py builds it: one pacer for the bot's requests and the outbox."""
    pacer = create_pacer(settings)
    return OutboxSender(
        create_bot(settings, pacer=pacer),
        factory,
        global_rate=settings.outbox_global_rate,
        chat_interval=settings.outbox_chat_interval,
        pacer=pacer,
    )


async def _send_here(settings: Settings, factory: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    sender = _sender(settings, factory)
    try:
        await sender.run(asyncio.Event(), until_empty=True)
    finally:
        await sender.bot.session.close()
    return sender.stats


CHILD = """
import asyncio, json, sys
sys.path.insert(0, {root!r})
from bench.dispatch_month import _send_here
from models.db import create_engine, create_session_factory
from porucheno.settings import Settings

async def main():
    settings = Settings.model_validate_json({settings!r})
    engine = create_engine(settings.database_url)
    print(json.dumps(await _send_here(settings, create_session_factory(engine))), flush=True)
    await engine.dispose()

asyncio.run(main())
"""


async def _send_in_child(settings: Settings) -> dict[str, int]:
    """The same sender in a process of its own (``--sender child``): what the panel's pages cost
    during a broadcast when they do not share the sender's event loop."""
    script = CHILD.format(root=str(ROOT), settings=settings.model_dump_json())
    proc = await asyncio.create_subprocess_exec(sys.executable, "-c", script, stdout=asyncio.subprocess.PIPE)
    out, _ = await proc.communicate()
    if proc.returncode:
        raise RuntimeError(f"the sender exited with {proc.returncode}")
    return json.loads(out.decode().strip().splitlines()[-1])  # type: ignore[no-any-return]


async def drain(
    url: str,
    factory: async_sessionmaker[AsyncSession],
    client: TestClient,
    files: Path,
    town: Town,
    rate: float,
    scale: float,
    in_child: bool,
) -> tuple[dict[str, object], dict[str, dict[str, float]]]:
    bot_limit = TELEGRAM_BOT_LIMIT * scale
    configured = rate * scale
    expected = set(town.notice_chat_ids)
    async with sandbox_process(bot_limit) as sandbox_url, SandboxClient(sandbox_url) as api:
        chats = sorted(expected)
        for start in range(0, len(chats), 250):
            await asyncio.gather(
                *(api.register_user(user_id=c, first_name=f"Житель {c}") for c in chats[start : start + 250])
            )
        async with factory() as session:
            dispatcher = (
                await session.scalars(
                    select(User).where(User.id == town.dispatcher_id).options(selectinload(User.role_rows))
                )
            ).one()
            t0 = time.perf_counter()
            broadcast = await lifecycle.publish(session, CTX, dispatcher, town.notice_outage_id)
            await session.commit()
            queue_ms = (time.perf_counter() - t0) * 1000
        settings = panel_settings(url, files, sandbox_url).model_copy(
            update={"send_rate": configured, "outbox_global_rate": configured}
        )
        done = asyncio.Event()
        watcher = asyncio.create_task(_watch(client, town.notice_outage_id, done))
        started = time.monotonic()
        try:
            sender_stats = await (_send_in_child(settings) if in_child else _send_here(settings, factory))
        finally:
            wall = time.monotonic() - started
            done.set()
        watched = await watcher
        stats = await api.stats()
    per_chat = {int(k): v["sent"] for k, v in stats.get("chats", {}).items()}
    once = sum(1 for c in expected if per_chat.get(c) == 1)
    totals = stats["totals"]
    achieved = totals.get("achieved_rate") or (totals["sent"] / wall if wall else 0.0)
    notices: dict[str, object] = {
        "subscribers": len(expected),
        "queued": broadcast.queued,
        "queue_ms": round(queue_ms, 1),
        "queue_target_ms": QUEUE_TARGET_MS,
        "queue_to_target": round(queue_ms / QUEUE_TARGET_MS, 3),
        "sandbox_limit_per_s": bot_limit,
        "configured_rate_per_s": configured,
        "achieved_rate_per_s": round(achieved, 2),
        "rate_to_configured": round(achieved / configured, 3),
        "rate_target_share": RATE_SHARE_TARGET,
        "rate_to_limit": round(achieved / bot_limit, 3),
        "wall_seconds": round(wall, 1),
        "delivered": totals["sent"],
        "delivered_exactly_once": once,
        "missing": sum(1 for c in expected if c not in per_chat),
        "more_than_once": sum(1 for c in expected if per_chat.get(c, 0) > 1),
        "to_non_subscribers": sum(1 for c in per_chat if c not in expected),
        "duplicates": stats["duplicates"],
        "http_429": totals["rate_limited"],
        "sender": sender_stats,
        "sender_process": "child" if in_child else "panel",
        "every_subscriber_exactly_once": once == len(expected) and totals["sent"] == len(expected),
        # Not measured: what the same pace means for a notice to every account in town.
        "extrapolated_minutes_for_all_accounts": round(town.accounts / achieved / 60, 1)
        if achieved
        else None,
    }
    during: dict[str, dict[str, float]] = {
        name: {"errors": len(s)} if name.endswith("_errors") else _summary(s)
        for name, s in watched.items()
        if s
    }
    return notices, during


# -- one backend ----------------------------------------------------------------------------------


async def bench(url: str, backend: str, args: argparse.Namespace) -> dict[str, object]:
    engine = create_engine(url)
    factory = create_session_factory(engine)
    started = time.perf_counter()
    town = await seed(
        engine, factory, accounts=args.accounts, notice_subscribers=args.notice_subscribers or 5_000
    )
    load_s = time.perf_counter() - started
    results: dict[str, dict[str, object]] = {}
    notices: dict[str, object] = {"skipped": "--notice-subscribers 0"}
    with tempfile.TemporaryDirectory() as files:
        app = create_admin_app(panel_settings(url, Path(files)), factory)
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            await sign_in(client)
            for screen in SCREENS:
                if isinstance(screen, Page):
                    results[screen.name] = await time_page(client, screen, town, args.runs)
                else:
                    results[screen.name] = await time_service(factory, screen, town, args.runs)
            if args.notice_subscribers:
                notices, during = await drain(
                    url, factory, client, Path(files), town, args.rate, args.scale, args.sender == "child"
                )
                results |= during
                for page in AFTER_DRAIN:
                    results[page.name] = await time_page(client, page, town, args.runs)
    await engine.dispose()
    timed = {k: v for k, v in results.items() if "median_ms" in v}
    return {
        "benchmark": "dispatch_month",
        "backend": backend,
        "town": {
            "buildings": town.buildings,
            "accounts": town.accounts,
            "subscriptions": town.subscriptions,
            "organisations": town.organisations,
            "incidents": town.incidents,
            "signals": town.signals,
            "edds_messages": town.incidents + town.signals,
            "signals_waiting": town.waiting_signals,
            "outages": town.outages,
            "dispatch_updates": town.dispatch_updates,
            "outbox_history": town.outbox_history,
        },
        "load_seconds": round(load_s, 1),
        "results": results,
        "target_ms": TARGET_MS,
        "median_to_target": {k: round(float(v["median_ms"]) / TARGET_MS, 3) for k, v in timed.items()},  # type: ignore[arg-type]
        "p95_to_target": {k: round(float(v["p95_ms"]) / TARGET_MS, 3) for k, v in timed.items()},  # type: ignore[arg-type]
        "over_target": sorted(k for k, v in timed.items() if float(v["p95_ms"]) > TARGET_MS),  # type: ignore[arg-type]
        "notices": notices,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--notice-subscribers", type=int, default=5_000, help="0: skip the drain")
    parser.add_argument("--rate", type=float, default=28.0, help="the outbox's configured rate (Settings)")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="the sandbox's and the outbox's rates × this"
    )
    parser.add_argument(
        "--sender",
        choices=["panel", "child"],
        default="panel",
        help="run the outbox sender in the panel's process (as in production) or in a child process",
    )
    args = parser.parse_args()
    await run_backends("dispatch_month", args.backend, lambda url, backend: bench(url, backend, args))


if __name__ == "__main__":
    asyncio.run(main())
