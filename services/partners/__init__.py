"""Outside organisations (УК, РСО, contractors, services): the directory, their people, their work."""
