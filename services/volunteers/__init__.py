"""Volunteers: the base built from the questionnaire, availability, shifts at events, hours."""
