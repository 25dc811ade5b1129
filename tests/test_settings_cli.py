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
    [("PORUCHENO_TIMEZONE", "Mars/Olympus"), ("PORUCHENO_LOCALE", "de"), ("PORUCHENO_ADMIN_PORT", "99999")],
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
