"""Settings and the command line: bad settings stop start-up with one line naming them."""

from __future__ import annotations

import subprocess
import sys

import pytest

from porucheno.settings import Settings, SettingsError, load_settings


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    full_env = {k: v for k, v in os.environ.items() if not k.startswith("PORUCHENO_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "porucheno", *args], capture_output=True, text=True, env=full_env, timeout=60
    )


def test_defaults_are_embedded() -> None:
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert s.database_url.startswith("sqlite+aiosqlite:///")
    assert s.timezone == "Europe/Moscow" and s.locale == "ru"
    assert (s.admin_host, s.admin_port) == ("127.0.0.1", 8080)


def test_postgres_url_gets_the_async_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORUCHENO_DATABASE_URL", "postgresql://u@db/x")
    assert load_settings().database_url == "postgresql+asyncpg://u@db/x"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PORUCHENO_TIMEZONE", "Mars/Olympus"),
        ("PORUCHENO_LOCALE", "de"),
        ("PORUCHENO_ADMIN_PORT", "99999"),
        ("PORUCHENO_TRUSTED_PROXIES", "127.0.0.1, nginx.local"),
    ],
)
def test_bad_setting_is_one_clear_line(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as err:
        load_settings()
    assert str(err.value).startswith(f"Bad setting {name}:")
    assert "\n" not in str(err.value)


def test_cli_reports_bad_setting_without_traceback() -> None:
    result = _run("check", env={"PORUCHENO_TIMEZONE": "Nowhere/Town"})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Bad setting PORUCHENO_TIMEZONE: unknown time zone 'Nowhere/Town'"
    ]


def test_cli_help_lists_every_command() -> None:
    result = _run("--help")
    assert result.returncode == 0
    for command in ("demo", "run", "db", "create-admin", "seed-demo", "check"):
        assert command in result.stdout
    assert "upgrade" in _run("db", "--help").stdout


def test_run_refuses_without_a_real_token(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = _run("run", env={"PORUCHENO_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert result.returncode == 2
    assert "PORUCHENO_BOT_TOKEN" in result.stderr


def test_db_upgrade_create_admin_and_check(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {
        "PORUCHENO_DATABASE_URL": f"sqlite:///{tmp_path}/cli.db",
        "PORUCHENO_BOT_TOKEN": "123:abc",
        "PORUCHENO_BOT_API_URL": "http://127.0.0.1:9",  # nothing listens there
    }
    assert _run("db", "upgrade", env=env).returncode == 0
    created = _run("create-admin", "--login", "Boss", "--password", "long-enough-pw", env=env)
    assert created.returncode == 0, created.stderr
    assert "'boss'" in created.stdout
    again = _run("create-admin", "--login", "boss", "--password", "long-enough-pw", env=env)
    assert again.returncode == 2 and "already taken" in again.stderr
    check = _run("check", env=env)
    assert check.returncode == 1
    assert "database: ok" in check.stdout
    assert "bot api: FAILED" in check.stdout


def test_passwords_short_or_common_are_refused_by_create_admin(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {"PORUCHENO_DATABASE_URL": f"sqlite:///{tmp_path}/pw.db"}
    assert _run("db", "upgrade", env=env).returncode == 0
    short = _run("create-admin", "--login", "boss", "--password", "Zq7-x!p", env=env)
    assert short.returncode == 2 and "at least 10 characters" in short.stderr
    common = _run("create-admin", "--login", "boss", "--password", "password123", env=env)
    assert common.returncode == 2 and "too common" in common.stderr
    own_login = _run("create-admin", "--login", "mariya.petrova", "--password", "mariya.petrova1", env=env)
    assert own_login.returncode == 2 and "too common" in own_login.stderr


def test_run_refuses_the_demo_admin_password_and_warns_about_plain_http(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {
        "PORUCHENO_DATABASE_URL": f"sqlite:///{tmp_path}/run.db",
        "PORUCHENO_BOT_TOKEN": "123456:" + "A" * 35,
        "PORUCHENO_BOT_API_URL": "http://127.0.0.1:9",  # never reached: start-up stops before the bot
        "PORUCHENO_SECRET_KEY": "s" * 40,
        "PORUCHENO_PUBLIC_URL": "http://panel.example.ru",
    }
    assert _run("db", "upgrade", env=env).returncode == 0
    assert _run("create-admin", "--login", "admin", "--password", "porucheno-demo", env=env).returncode == 0
    refused = _run("run", env=env)
    assert refused.returncode == 2
    assert "'admin'" in refused.stderr and "demo password" in refused.stderr
    assert "PORUCHENO_PUBLIC_URL 'http://panel.example.ru' is not https" in refused.stderr
    reset = _run(
        "create-admin",
        "--login",
        "admin",
        "--reset-password",
        "--password",
        "Vokzal-tulpan-7-sinica",
        env=env,
    )
    assert reset.returncode == 0 and "new password" in reset.stdout
    again = _run("create-admin", "--login", "admin", "--reset-password", "--password", "porucheno", env=env)
    assert again.returncode == 2  # the reset obeys the same rules


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::"])
def test_demo_refuses_a_non_loopback_admin_host(host: str) -> None:
    result = _run("demo", env={"PORUCHENO_ADMIN_HOST": host})
    assert result.returncode == 2
    assert result.stderr.strip().startswith("Bad setting PORUCHENO_ADMIN_HOST:")


def test_run_with_an_unreachable_database_stops_with_one_clear_line() -> None:
    env = {
        "PORUCHENO_DATABASE_URL": "postgresql://porucheno@127.0.0.1:1/porucheno",  # nothing listens
        "PORUCHENO_BOT_TOKEN": "123456:" + "A" * 35,
        "PORUCHENO_BOT_API_URL": "http://127.0.0.1:9",
        "PORUCHENO_SECRET_KEY": "s" * 40,
    }
    stopped = _run("run", env=env)
    assert stopped.returncode == 1
    assert "Migration error: ConnectionRefusedError" in stopped.stderr
    assert "Porucheno did not start: the database migration failed" in stopped.stderr
    assert "Traceback" not in stopped.stderr


def test_the_service_keeps_alembic_out_of_its_memory() -> None:
    # Migrations run in a child process (porucheno/migrate.py); the service never imports Alembic.
    probe = (
        "import sys, porucheno.cli, porucheno.runtime; print(sorted({m.split('.')[0] for m in sys.modules}))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert loaded.returncode == 0, loaded.stderr
    assert "'aiogram'" in loaded.stdout and "'alembic'" not in loaded.stdout and "'mako'" not in loaded.stdout
