"""``porucheno`` command line: demo, run, db upgrade, create-admin, seed-demo, check, backup, import."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from porucheno import lazy_aiogram
from porucheno.migrate import MigrationFailed
from porucheno.settings import Settings, SettingsError, load_settings

TOKEN_RE = re.compile(r"^\d{5,}:[A-Za-z0-9_-]{30,}$")


def _setup_logging(settings: Settings) -> None:
    from porucheno.logs import setup_logging

    setup_logging(settings.log_level, settings.log_format)


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    from porucheno import runtime
    from porucheno.demo_seed import DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD
    from porucheno.safety import is_loopback

    if not is_loopback(settings.admin_host):
        # The demo has a published admin password and an open sandbox: never on a network.
        print(
            f"Bad setting PORUCHENO_ADMIN_HOST: the demo listens only on a loopback address "
            f"(127.0.0.1, ::1 or localhost), not {settings.admin_host!r}",
            file=sys.stderr,
        )
        return 2
    settings = runtime.demo_settings(settings)
    _setup_logging(settings)

    async def main() -> None:
        try:
            await runtime.prepare_database(settings, demo=True)
        except MigrationFailed as exc:
            sys.exit(f"The demo did not start: {exc}")
        service = await runtime.build_service(settings, demo=True)
        base = settings.admin_base_url

        def ready() -> None:
            print(
                "\n".join(
                    [
                        "",
                        "Porucheno demo is running / демо запущено:",
                        f"  Admin panel / панель:        {base}/",
                        f"  Telegram sandbox chat / чат: {base}/sandbox/chat",
                        f"  MAX sandbox chat / чат MAX:  {base}/max-sandbox/chat",
                        f"  Health / состояние:          {base}/healthz",
                        f"  Admin login / вход:          {DEMO_ADMIN_LOGIN} / {DEMO_ADMIN_PASSWORD}",
                        f"  Database / база:             {settings.database_url}",
                        "  Stop / остановить:           Ctrl+C",
                        "",
                    ]
                ),
                flush=True,
            )

        await runtime.serve(service, on_ready=ready)

    asyncio.run(main())
    return 0


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.bot_token and not settings.max_token:
        print(
            "Bad setting PORUCHENO_BOT_TOKEN: a token from @BotFather (or PORUCHENO_MAX_TOKEN for MAX) "
            "is required",
            file=sys.stderr,
        )
        return 2
    if settings.bot_token and not TOKEN_RE.match(settings.bot_token):
        print("Bad setting PORUCHENO_BOT_TOKEN: a real token from @BotFather is required", file=sys.stderr)
        return 2
    if len(settings.secret_key) < 32:
        print("Bad setting PORUCHENO_SECRET_KEY: at least 32 characters are required", file=sys.stderr)
        return 2
    if settings.webhook_url and not settings.webhook_secret:
        print("Bad setting PORUCHENO_WEBHOOK_SECRET: required with PORUCHENO_WEBHOOK_URL", file=sys.stderr)
        return 2
    if settings.max_webhook_url and not settings.max_webhook_secret:
        print(
            "Bad setting PORUCHENO_MAX_WEBHOOK_SECRET: required with PORUCHENO_MAX_WEBHOOK_URL",
            file=sys.stderr,
        )
        return 2
    if settings.max_token and not settings.max_bot_username:
        print(
            "Bad setting PORUCHENO_MAX_BOT_USERNAME: the MAX bot's name is required for invite links",
            file=sys.stderr,
        )
        return 2
    from porucheno.workers import worker_from_env, worker_problems

    worker = worker_from_env()
    workers = getattr(args, "workers", 1)
    if workers < 1:
        print("--workers: at least 1", file=sys.stderr)
        return 2
    if workers > 1 and worker is None:
        problems = worker_problems(settings)
        if problems:
            print("Bad setting " + "\nBad setting ".join(problems), file=sys.stderr)
            return 2
    _setup_logging(settings)
    from porucheno import runtime
    from porucheno.safety import demo_password_admins, public_url_warning

    if worker is not None:  # started by the supervisor below, which already migrated the database
        return asyncio.run(_run_worker(settings, runtime.WorkerRole(*worker)))

    warning = public_url_warning(settings)
    if warning:
        logging.getLogger("porucheno").warning(warning)

    async def main() -> int:
        try:
            await runtime.prepare_database(settings, demo=False)
        except MigrationFailed as exc:
            print(f"Porucheno did not start: {exc}", file=sys.stderr)
            return 1
        demo_admins = await demo_password_admins(settings)
        if demo_admins:
            print(
                "Refusing to start: the administrator(s) "
                + ", ".join(repr(login) for login in demo_admins)
                + " still have the demo password. Set a new one first: "
                "porucheno create-admin --login LOGIN --reset-password",
                file=sys.stderr,
            )
            return 2
        if workers > 1:
            from porucheno.workers import Supervisor, connection_budget_problem

            budget = await connection_budget_problem(settings, workers)
            if budget:
                logging.getLogger("porucheno").warning(budget)

            print(f"Porucheno: starting {workers} workers; panel at {settings.admin_base_url}/", flush=True)
            return await Supervisor(workers).run()
        service = await runtime.build_service(settings, demo=False)
        mode = "webhook " + settings.webhook_url if settings.webhook_url else "long polling"
        await runtime.serve(
            service,
            on_ready=lambda: print(f"Porucheno is running ({mode}); panel at {settings.admin_base_url}/"),
        )
        return 0

    return asyncio.run(main())


async def _run_worker(settings: Settings, role: object) -> int:
    from porucheno import runtime

    assert isinstance(role, runtime.WorkerRole)
    service = await runtime.build_service(settings, demo=False)
    service.role = role
    await runtime.serve(
        service, on_ready=lambda: print(f"Porucheno worker {role.index} is running", flush=True)
    )
    return 0


def cmd_db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    from porucheno.migrate import upgrade

    upgrade(settings.database_url, args.revision)
    print(f"Database is at revision {args.revision}: {settings.database_url}")
    return 0


def cmd_seed_demo(settings: Settings, args: argparse.Namespace) -> int:
    from models.db import create_engine, create_session_factory
    from porucheno.demo_seed import seed_demo
    from porucheno.migrate import upgrade

    upgrade(settings.database_url)

    async def main() -> bool:
        engine = create_engine(settings.database_url)
        try:
            async with create_session_factory(engine)() as session:
                seeded = await seed_demo(session)
                await session.commit()
                return seeded
        finally:
            await engine.dispose()

    print("Demo town seeded." if asyncio.run(main()) else "The database already has data; nothing seeded.")
    return 0


def cmd_create_admin(settings: Settings, args: argparse.Namespace) -> int:
    from models.db import create_engine, create_session_factory
    from models.enums import Role
    from services import staff
    from services.audit import Actor
    from services.errors import DomainError

    password = args.password
    if password is None:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Repeat password: "):
            print("Passwords do not match.", file=sys.stderr)
            return 2

    async def main() -> int:
        engine = create_engine(settings.database_url)
        try:
            async with create_session_factory(engine)() as session:
                try:
                    if args.reset_password:
                        user = await staff.reset_password(session, Actor.system("cli"), args.login, password)
                    else:
                        user = await staff.create_user(
                            session,
                            Actor.system("cli"),
                            full_name=args.name,
                            login=args.login,
                            password=password,
                            roles=[Role.ADMIN],
                        )
                except DomainError as exc:
                    print(exc.message % exc.params if exc.params else exc.message, file=sys.stderr)
                    return 2
                await session.commit()
                done = "has a new password" if args.reset_password else "created"
                print(f"Administrator {user.login!r} {done} (id {user.id}).")
                return 0
        finally:
            await engine.dispose()

    return asyncio.run(main())


def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    from services.backup import DEFAULT_DIR, BackupError, create_backup

    dest = args.to or settings.backup_dir or DEFAULT_DIR
    try:
        path = asyncio.run(create_backup(settings.database_url, settings.files_dir, dest))
    except (BackupError, OSError) as exc:  # OSError: e.g. the backup directory is not writable
        print(exc, file=sys.stderr)
        return 1
    print(f"Backup written to {path}")
    return 0


def cmd_restore(settings: Settings, args: argparse.Namespace) -> int:
    from services.backup import BackupError, restore_backup

    try:
        data = asyncio.run(
            restore_backup(args.backup, settings.database_url, settings.files_dir, force=args.force)
        )
    except (BackupError, OSError) as exc:  # OSError: e.g. the files directory is not writable
        print(exc, file=sys.stderr)
        return 1
    # Not the database URL: it may hold a password.
    print(f"Restored the backup of {data['created_at']} into the database and {settings.files_dir}")
    return 0


def cmd_check(settings: Settings, args: argparse.Namespace) -> int:
    from aiohttp import ClientError
    from sqlalchemy import text

    from bot.factory import create_bot
    from models.db import create_engine

    async def main() -> int:
        failures = 0
        print("config: ok")
        engine = create_engine(settings.database_url)
        try:
            async with engine.connect() as conn:
                await conn.execute(text("select 1"))
                try:
                    version = (await conn.exec_driver_sql("select version_num from alembic_version")).scalar()
                except Exception:
                    version = None
            print(f"database: ok ({settings.database_url}; revision {version or 'none: run db upgrade'})")
        except Exception as exc:
            failures += 1
            print(f"database: FAILED ({exc.__class__.__name__}: {exc})")
        finally:
            await engine.dispose()
        if not settings.bot_token:
            failures += 1
            print("bot api: FAILED (PORUCHENO_BOT_TOKEN is not set)")
        else:
            bot = create_bot(settings)
            try:
                me = await bot.get_me()
                print(f"bot api: ok (@{me.username} at {settings.bot_api_url})")
            except (ClientError, OSError, Exception) as exc:
                failures += 1
                print(f"bot api: FAILED ({exc.__class__.__name__}: {exc})")
            finally:
                await bot.session.close()
        failures += await _check_mail(settings)
        return 1 if failures else 0

    return asyncio.run(main())


async def _check_mail(settings: Settings) -> int:
    """IMAP and SMTP logins, when the e-mail channel is configured; returns the failure count."""
    from services.mail.check import check_imap, check_smtp
    from services.mail.imap_client import ImapConfig
    from services.mail.smtp_sender import SmtpConfig

    failures = 0
    checks = [("imap", settings.imap_host, check_imap, ImapConfig.from_settings)]
    checks.append(("smtp", settings.smtp_host, check_smtp, SmtpConfig.from_settings))
    for name, host, check, config in checks:
        if not host:
            print(f"{name}: off (PORUCHENO_{name.upper()}_HOST is not set)")
            continue
        try:
            print(f"{name}: ok ({await check(config(settings))})")  # type: ignore[operator]
        except Exception as exc:
            failures += 1
            print(f"{name}: FAILED ({exc.__class__.__name__}: {exc})")
    return failures


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    from porucheno.cli_import import run

    return run(settings, args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="porucheno",
        description="Porucheno: Telegram-first work management. Settings come from PORUCHENO_* variables.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser(
        "demo", help="run everything on embedded defaults: SQLite, Telegram sandbox, demo town"
    ).set_defaults(func=cmd_demo)
    run = sub.add_parser("run", help="run in production (real bot token; polling or webhook)")
    run.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="N worker processes on one port (needs PostgreSQL, Redis and webhook mode)",
    )
    run.set_defaults(func=cmd_run)
    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="DB_COMMAND")
    up = db_sub.add_parser("upgrade", help="apply migrations")
    up.add_argument("revision", nargs="?", default="head", help="target revision (default: head)")
    up.set_defaults(func=cmd_db_upgrade)
    admin = sub.add_parser("create-admin", help="create an administrator for the web panel")
    admin.add_argument("--login", required=True)
    admin.add_argument("--name", default="Администратор")
    admin.add_argument("--password", help="omit to be asked interactively")
    admin.add_argument(
        "--reset-password", action="store_true", help="give an existing login a new password instead"
    )
    admin.set_defaults(func=cmd_create_admin)
    sub.add_parser("seed-demo", help="fill an empty database with the demo town").set_defaults(
        func=cmd_seed_demo
    )
    sub.add_parser("check", help="check configuration, database and Bot API reachability").set_defaults(
        func=cmd_check
    )
    backup = sub.add_parser("backup", help="back up the database and the files directory")
    backup.add_argument(
        "--to", type=Path, help="directory for the backup (default: PORUCHENO_BACKUP_DIR or var/backups)"
    )
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser("restore", help="restore a backup into an empty database and files directory")
    restore.add_argument("backup", type=Path, help="the backup directory (porucheno-backup-...)")
    restore.add_argument("--force", action="store_true", help="replace a target that is not empty")
    restore.set_defaults(func=cmd_restore)
    from services.imports import KIND_NAMES

    imp = sub.add_parser(
        "import",
        help="import departments, staff, correspondents, appeals, assignments (CSV/XLSX) or buildings (ГАР)",
        description="Exit code 0: every row taken; 1: some rows rejected (listed), the rest imported; "
        "2: the file or the arguments cannot be used.",
    )
    kinds = (*KIND_NAMES, "classifier")  # the classifier of appeals: porucheno/cli_classifier.py
    imp.add_argument("kind", choices=kinds, metavar="KIND", help=", ".join(kinds))
    imp.add_argument("file", type=Path, help="CSV or XLSX file (ГАР: a region's folder or a .zip)")
    imp.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    imp.add_argument("--oktmo", help="municipality OKTMO code (buildings-gar only)")
    imp.add_argument(
        "--invites",
        type=Path,
        metavar="FILE",
        help="staff only: write one-time invite links for the new staff to FILE (.csv or .xlsx)",
    )
    imp.set_defaults(func=cmd_import)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    lazy_aiogram.install()  # before anything imports aiogram: ~110 MB and ~2 s less per process
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    return int(args.func(settings, args) or 0)


if __name__ == "__main__":
    sys.exit(main())
