"""The protocol as a Word document (python-docx). Synchronous: callers run it in a thread."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm

from services.council.protocol import ProtocolData
from services.documents import docx_paragraph

SIGN_LINE = "________________"
GAP = 2  # points after an ordinary line of the protocol


def render_docx(data: ProtocolData) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin, section.right_margin = Cm(2.5), Cm(1.5)
    docx_paragraph(doc, data.title, bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)
    for line in data.header:
        docx_paragraph(doc, line, space_after=GAP)
    for part in data.sections:
        docx_paragraph(doc, "", space_after=4)
        docx_paragraph(doc, part.heading, bold=True, space_after=4)
        for line in part.lines:
            docx_paragraph(doc, line, align=WD_ALIGN_PARAGRAPH.JUSTIFY, space_after=GAP)
    docx_paragraph(doc, "", space_after=18)
    table = doc.add_table(rows=len(data.signatures), cols=3)
    for row, (role, name) in zip(table.rows, data.signatures, strict=True):
        row.cells[0].paragraphs[0].add_run(role)
        row.cells[1].paragraphs[0].add_run(SIGN_LINE)
        row.cells[2].paragraphs[0].add_run(name)
    doc.core_properties.title = data.title
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
