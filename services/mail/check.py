"""``porucheno check`` for the e-mail channel: can we log in to IMAP and SMTP with these settings?"""

from __future__ import annotations

import aiosmtplib

from services.mail.imap_client import ImapConfig, ImapMailbox
from services.mail.smtp_sender import SmtpConfig


async def check_imap(config: ImapConfig) -> str:
    """A line describing the mailbox; raises ``ImapError`` when it cannot be used."""
    async with ImapMailbox(config) as box:
        waiting = await box.uids_after(0)
    return f"{config.cursor_key}: {len(waiting)} letters, UIDVALIDITY {box.uidvalidity}"


async def check_smtp(config: SmtpConfig) -> str:
    """Connects and logs in without sending anything; raises ``aiosmtplib.SMTPException``/``OSError``."""
    client = aiosmtplib.SMTP(
        hostname=config.host,
        port=config.port,
        use_tls=config.ssl,
        start_tls=config.starttls,
        timeout=config.timeout,
    )
    async with client:
        if config.user:
            await client.login(config.user, config.password)
    return f"{config.host}:{config.port} as {config.user or 'anonymous'}, from {config.mail_from or '-'}"
