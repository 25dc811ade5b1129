"""Assignments (поручения): the lifecycle state machine, rights, queries, reports and comments."""
