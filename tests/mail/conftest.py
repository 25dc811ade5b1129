"""Real mail servers for the e-mail channel tests.

IMAP: Debian's Dovecot started in the foreground with a throw-away configuration (127.0.0.1, a
free port, plain-text login, one passwd-file user, maildir in a temporary folder). Dovecot refuses
to run its login processes as root, so under root they run as the package's ``dovenull`` and
``dovecot`` users and the mailbox belongs to ``dovecot``; otherwise everything runs as the current
user. Each test reads its own folder, so one server serves the whole session.

SMTP: an aiosmtpd server collecting what it receives; it can answer chosen commands with errors.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import imaplib
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.header import Header
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from services.mail.imap_client import ImapConfig, encode_mailbox
from services.mail.smtp_sender import SmtpConfig
from tests.prerequisites import missing

DOVECOT = "/usr/sbin/dovecot"
IMAP_USER, IMAP_PASSWORD = "appeals", "imap-test-password"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ImapServer:
    port: int  # plain text, STARTTLS offered
    ssl_port: int  # implicit TLS (what port 993 is in production)
    root: Path

    @property
    def cert(self) -> Path:
        """The server's self-signed certificate (for 127.0.0.1), to trust in TLS tests."""
        return self.root / "cert.pem"

    def config(self, mailbox: str, **overrides: Any) -> ImapConfig:
        base = ImapConfig(
            host="127.0.0.1",
            port=self.port,
            ssl=False,
            user=IMAP_USER,
            password=IMAP_PASSWORD,
            mailbox=mailbox,
            timeout=20,
        )
        return dataclasses.replace(base, **overrides)

    @contextlib.contextmanager
    def client(self) -> Iterator[imaplib.IMAP4]:
        conn = imaplib.IMAP4("127.0.0.1", self.port, timeout=20)
        conn.login(IMAP_USER, IMAP_PASSWORD)
        try:
            yield conn
        finally:
            conn.logout()

    def append(self, mailbox: str, *letters: bytes | EmailMessage) -> None:
        with self.client() as conn:
            for letter in letters:
                raw = letter if isinstance(letter, bytes) else as_raw(letter)
                status, data = conn.append(encode_mailbox(mailbox), None, None, raw)
                assert status == "OK", data

    def recreate(self, mailbox: str) -> None:
        """Delete and create the folder again: the server gives it a new UIDVALIDITY."""
        with self.client() as conn:
            assert conn.delete(encode_mailbox(mailbox))[0] == "OK"
            assert conn.create(encode_mailbox(mailbox))[0] == "OK"

    def flags(self, mailbox: str) -> list[str]:
        with self.client() as conn:
            conn.select(encode_mailbox(mailbox), readonly=True)
            _, data = conn.fetch("1:*", "(FLAGS)")
            return [item.decode() for item in data if item]


def _dovecot_users() -> tuple[str, str, int, int]:
    """(login user, internal user, mail uid, mail gid) Dovecot can run as here."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid())
        return me.pw_name, me.pw_name, me.pw_uid, me.pw_gid
    try:
        pwd.getpwnam("dovenull")
        internal = pwd.getpwnam("dovecot")
    except KeyError:
        missing("dovecot runs as root only with its own dovenull/dovecot users, which are missing")
    return "dovenull", "dovecot", internal.pw_uid, internal.pw_gid


def _config(root: Path, port: int, ssl_port: int, login_user: str, internal_user: str) -> str:
    return f"""
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
instance_name = porucheno-test-{port}
log_path = {root}/dovecot.log
default_internal_user = {internal_user}
default_internal_group = {internal_user}
default_login_user = {login_user}
first_valid_uid = 1
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
# No slow-down after a deliberate wrong password (with the anvil-auth-penalty socket closed below).
auth_failure_delay = 0
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {root}/users
}}
userdb {{
  driver = passwd-file
  args = {root}/users
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {ssl_port}
  }}
}}
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""


@pytest.fixture(scope="session")
def imap_server() -> Iterator[ImapServer]:
    if not os.access(DOVECOT, os.X_OK):
        missing(
            "Dovecot is not installed and could not be (needs root or sudo): "
            "`make test` installs Debian's dovecot-imapd"
        )
    login_user, internal_user, uid, gid = _dovecot_users()
    root = Path(tempfile.mkdtemp(prefix="porucheno-dovecot-"))
    root.chmod(0o755)  # login processes (another user under root) reach their sockets in run/
    home = root / "mail" / IMAP_USER
    home.mkdir(parents=True)
    if os.geteuid() == 0:
        os.chown(home, uid, gid)
    port, ssl_port = free_port(), free_port()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(root / "key.pem"), "-out", str(root / "cert.pem"), "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    (root / "users").write_text(f"{IMAP_USER}:{{PLAIN}}{IMAP_PASSWORD}:{uid}:{gid}::{home}\n")
    (root / "dovecot.conf").write_text(_config(root, port, ssl_port, login_user, internal_user))
    proc = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(root / "dovecot.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    server = ImapServer(port=port, ssl_port=ssl_port, root=root)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with server.client():
                    break
            except (OSError, imaplib.IMAP4.error):
                if proc.poll() is not None or time.monotonic() > deadline:
                    log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
                    err = proc.stderr.read().decode() if proc.poll() is not None and proc.stderr else ""
                    pytest.fail(f"dovecot did not start: {err}{log[-2000:]}")
                time.sleep(0.1)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def mailbox(imap_server: ImapServer) -> str:
    """A fresh folder (non-ASCII, as Russian mail setups have) for this test only."""
    name = f"Обращения-{uuid.uuid4().hex[:8]}"
    with imap_server.client() as conn:
        assert conn.create(encode_mailbox(name))[0] == "OK"
    return name


@dataclass
class SmtpSink:
    """What the SMTP server received; ``answers`` maps a command (``RCPT``/``DATA``) to codes
    to send instead of success, used up one per attempt."""

    port: int
    received: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    answers: dict[str, list[str]] = field(default_factory=dict)
    refuse_rcpt: dict[str, str] = field(default_factory=dict)

    def config(self, **overrides: Any) -> SmtpConfig:
        base = SmtpConfig(
            host="127.0.0.1",
            port=self.port,
            ssl=False,
            starttls=False,
            mail_from="Администрация города <appeals@city.example>",
            timeout=10,
        )
        return dataclasses.replace(base, **overrides)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        if address in self.refuse_rcpt:
            return self.refuse_rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        queued = self.answers.get("DATA")
        if queued:
            return queued.pop(0)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.received.append(BytesParser(policy=policy.default).parsebytes(envelope.original_content))
        return "250 Message accepted"


@pytest.fixture
def smtp_server() -> Iterator[SmtpSink]:
    sink = SmtpSink(port=free_port())
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


def letter(
    *,
    subject: str = "Обращение",
    body: str | None = "Текст обращения",
    sender: str = "Иван Петров <ivan.petrov@example.ru>",
    message_id: str | None = None,
    html: str | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "appeals@city.example"
    msg["Subject"] = subject
    msg["Message-ID"] = message_id or f"<{uuid.uuid4().hex}@example.ru>"
    for name, value in (headers or {}).items():
        msg[name] = value
    if body is not None:
        msg.set_content(body)
        if html is not None:
            msg.add_alternative(html, subtype="html")
    elif html is not None:
        msg.set_content(html, subtype="html")
    return msg


def as_raw(msg: EmailMessage) -> bytes:
    """The letter as a mail client sends it. The subject is encoded with the legacy ``Header``
    (as Thunderbird or Outlook do): Python 3.11's modern folder drops the space between two
    folded encoded words, which would test our parser against a malformed subject."""
    msg = copy.deepcopy(msg)
    subject = str(msg["Subject"] or "")
    del msg["Subject"]
    encoded = Header(subject, "utf-8").encode(linesep="\r\n").encode("ascii")
    return b"Subject: " + encoded + b"\r\n" + msg.as_bytes(policy=policy.SMTP)


def message_id_of(msg: EmailMessage) -> str:
    return re.sub(r"\s+", "", str(msg["Message-ID"]))
