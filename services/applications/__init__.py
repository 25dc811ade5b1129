"""Applications decided by reviewers (and an expert council): intake, reviews, decisions sent back
to the applicant in the channel it came from, and the registry of approved objects."""
