"""Letters issued on an appeal as documents: DOCX and PDF on the organisation's letterhead.

``issue.issue_letter`` numbers, renders (off the event loop), stores both files with the appeal
and records an :class:`models.AppealLetter`; ``content`` is the layout-free description a letter
is rendered from; ``render_docx`` / ``render_pdf`` lay it out.
"""
