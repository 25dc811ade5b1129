"""Templates: ready assignments (text, checklist, executor, term) and answer texts for requests."""
