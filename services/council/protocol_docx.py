"""The protocol as a Word document (python-docx). Synchronous: callers run it in a thread."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from services.council.protocol import ProtocolData

FONT = "Times New Roman"
SIGN_LINE = "________________"


def _paragraph(doc, text: str, *, bold: bool = False, size: int = 12, align=None, after: int = 2):  # type: ignore[no-untyped-def]
    p = doc.add_paragraph()
    run = p.add_run(text)
    run.bold, run.font.size, run.font.name = bold, Pt(size), FONT
    p.paragraph_format.space_after = Pt(after)
    if align is not None:
        p.alignment = align
    return p


def render_docx(data: ProtocolData) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin, section.right_margin = Cm(2.5), Cm(1.5)
    _paragraph(doc, data.title, bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
    for line in data.header:
        _paragraph(doc, line)
    for part in data.sections:
        _paragraph(doc, "", after=4)
        _paragraph(doc, part.heading, bold=True, after=4)
        for line in part.lines:
            _paragraph(doc, line, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _paragraph(doc, "", after=18)
    table = doc.add_table(rows=len(data.signatures), cols=3)
    for row, (role, name) in zip(table.rows, data.signatures, strict=True):
        row.cells[0].paragraphs[0].add_run(role)
        row.cells[1].paragraphs[0].add_run(SIGN_LINE)
        row.cells[2].paragraphs[0].add_run(name)
    doc.core_properties.title = data.title
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
