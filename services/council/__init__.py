"""The expert council: meetings, agenda of applications, members present, votes, decisions, the
protocol (DOCX/PDF); the public registry page reads ``services.applications.registry``."""
