"""Recurring assignments: RFC 5545 rules, the working-day calendar, exactly-once creation."""
