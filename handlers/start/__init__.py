"""Getting started and one's own account: /start (invites), /help, profile, phone number, language.

Each module is its own router with its own menu items; ``handlers/__init__.py`` orders them.
"""
