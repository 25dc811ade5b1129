"""The MAX messenger through aiogram: a session translating Bot API methods to MAX (session.py,
methods.py: calls.py, sending.py, bot_calls.py), MAX updates to aiogram updates (updates.py), and
the webhook (webhook.py)."""
