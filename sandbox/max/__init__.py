"""A fake MAX Bot API (platform-api.max.ru subset) with a control API, a test client and a chat page."""
