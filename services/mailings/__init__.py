"""Mailings to segments through the outbox, and the consent to mailings (double opt-in)."""
