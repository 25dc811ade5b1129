"""The expert council: meetings, agenda of applications, members present, votes, decisions, the
protocol (DOCX/PDF) and the public registry of approved objects.

Modules: ``meetings`` (create, edit, cancel, who organises), ``agenda`` (applications on it, order),
``voting`` (attendance, quorum, votes, deciding an item, closing), ``outcome`` (the one door to the
applications' decision), ``protocol`` / ``protocol_docx`` / ``protocol_pdf`` (the document),
``registry`` (the public list and its staff side), ``notices`` (members told of a meeting).
"""
