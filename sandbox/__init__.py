"""A fake Telegram Bot API server over real HTTP, with a control API and a browser chat page."""
