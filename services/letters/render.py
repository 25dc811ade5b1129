"""A letter's file by format, for the render pool (services/offload.py).

python-docx and fpdf2 are imported here, inside the call, so they load in the render process (or the
thread that stands in for it) and never in the bot's: the pickled call names only this light module.
"""

from __future__ import annotations

from services.letters.content import LetterContent


def render_letter(fmt: str, content: LetterContent) -> bytes:
    if fmt == "docx":
        from services.letters.render_docx import render_docx

        return render_docx(content)
    from services.letters.render_pdf import render_pdf

    return render_pdf(content)
