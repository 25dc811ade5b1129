"""The e-mail channel is configured by PORUCHENO_* settings and runs only when configured."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import async_sessionmaker

from porucheno.cli import _check_mail
from porucheno.settings import Settings, SettingsError, load_settings
from scheduler import jobs
from scheduler.factory import SchedulerHealth, create_scheduler
from services.mail.imap_client import ImapConfig, ImapError, ImapMailbox
from services.mail.intake import MailPoller
from services.mail.parse import parse_letter
from services.mail.smtp_sender import SmtpConfig
from tests.mail.conftest import IMAP_PASSWORD, IMAP_USER, ImapServer, SmtpSink, free_port, letter


def _settings(**values: object) -> Settings:
    return load_settings(_env_file=None, **values)


def test_mail_jobs_run_only_when_configured() -> None:
    off = create_scheduler(_settings(), async_sessionmaker(), SchedulerHealth())
    assert {"imap_poll", "mail_outbox"}.isdisjoint(job.id for job in off.get_jobs())

    on = _settings(
        imap_host="imap.city.example",
        imap_user="appeals@city.example",
        imap_password="pw-Zx9q",
        imap_poll_seconds=120,
        smtp_host="smtp.city.example",
    )
    jobs = {job.id: job for job in create_scheduler(on, async_sessionmaker(), SchedulerHealth()).get_jobs()}
    assert jobs["imap_poll"].trigger.interval.total_seconds() == 120
    assert jobs["mail_outbox"].trigger.interval.total_seconds() == 15
    imap = ImapConfig.from_settings(on)
    assert (imap.port, imap.ssl, imap.mailbox, imap.password) == (993, True, "INBOX", "pw-Zx9q")
    assert imap.cursor_key == "appeals@city.example@imap.city.example/INBOX"
    smtp = SmtpConfig.from_settings(on)
    assert (smtp.port, smtp.starttls, smtp.mail_from) == (587, True, "appeals@city.example")
    assert "pw-Zx9q" not in repr(on)  # a SecretStr is never printed


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"imap_starttls": True},
            "Bad setting PORUCHENO_IMAP_STARTTLS: STARTTLS needs PORUCHENO_IMAP_SSL=false",
        ),
        ({"imap_port": 0}, "Bad setting PORUCHENO_IMAP_PORT: Input should be greater than or equal to 1"),
        ({"mail_from": "appeals"}, "Bad setting PORUCHENO_MAIL_FROM: must be an e-mail address"),
    ],
)
def test_bad_mail_setting_is_one_line(values: dict[str, object], message: str) -> None:
    with pytest.raises(SettingsError) as err:
        _settings(**values)
    assert str(err.value).startswith(message) and "\n" not in str(err.value)
    assert _settings(imap_ssl=False, imap_starttls=True).imap_starttls


async def test_check_reports_mail_logins(
    imap_server: ImapServer, smtp_server: SmtpSink, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = _settings(
        imap_host="127.0.0.1",
        imap_port=imap_server.port,
        imap_ssl=False,
        imap_user=IMAP_USER,
        imap_password=IMAP_PASSWORD,
        smtp_host="127.0.0.1",
        smtp_port=smtp_server.port,
        smtp_starttls=False,
    )
    assert await _check_mail(settings) == 0
    out = capsys.readouterr().out
    assert f"imap: ok ({IMAP_USER}@127.0.0.1/INBOX: 0 letters" in out
    assert f"smtp: ok (127.0.0.1:{smtp_server.port}" in out

    wrong = settings.model_copy(update={"imap_password": SecretStr("wrong"), "smtp_port": 1})
    assert await _check_mail(wrong) == 2
    out = capsys.readouterr().out
    assert "imap: FAILED (ImapError: LOGIN: NO" in out and "smtp: FAILED" in out


async def test_imap_over_tls_and_starttls(
    imap_server: ImapServer, mailbox: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    imap_server.append(mailbox, letter(subject="По защищённому каналу"))
    implicit = imap_server.config(mailbox, ssl=True, port=imap_server.ssl_port)
    upgraded = imap_server.config(mailbox, starttls=True)
    with pytest.raises(ImapError):  # an untrusted certificate is refused at connection
        async with ImapMailbox(implicit) as box:
            await box.uids_after(0)
    monkeypatch.setenv("SSL_CERT_FILE", str(imap_server.cert))
    for config in (implicit, upgraded):
        async with ImapMailbox(config) as box:
            assert await box.uids_after(0) == [1]
            [raw] = (await box.fetch([1])).values()
            assert "По защищённому каналу" in str(parse_letter(raw).subject)


async def test_unreachable_imap_server_is_a_log_line_not_a_crash(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    config = ImapConfig(host="127.0.0.1", port=free_port(), ssl=False, user="appeals", timeout=5)
    poller = MailPoller(async_sessionmaker(), config, files_dir=tmp_path)
    with caplog.at_level(logging.WARNING):
        assert await jobs.imap_poll(poller) is None
    assert "Connect" in caplog.text and config.cursor_key in caplog.text
