"""The ЕДДС journal: incidents beyond utility outages, updates of incidents and outages, shift hand-overs."""
