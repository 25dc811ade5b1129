"""The duty dispatcher's side of outages in Telegram: states, button payloads, keyboards, texts."""
