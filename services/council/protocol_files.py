"""The protocol as a file: the data built here, the DOCX or PDF rendered in a thread (CPU work)."""

from __future__ import annotations

import asyncio
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from models import CouncilMeeting
from services.council.protocol import build


async def protocol_file(
    session: AsyncSession, meeting_id: int, fmt: str, *, locale: str, tz: ZoneInfo
) -> tuple[bytes, str]:
    """The protocol as ``docx`` or ``pdf``: (bytes, file name)."""
    data = await build(session, meeting_id, locale=locale, tz=tz)
    meeting = await session.get(CouncilMeeting, meeting_id)
    assert meeting is not None
    # Imported lazily: python-docx and fpdf stay out of the bot process until a document is made.
    from services.council.protocol_docx import render_docx
    from services.council.protocol_pdf import render_pdf

    render = render_docx if fmt == "docx" else render_pdf
    content = await asyncio.to_thread(render, data)
    return content, f"protocol-{meeting.number}.{fmt}"
