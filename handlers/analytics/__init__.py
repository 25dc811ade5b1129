"""Analytics in Telegram: the on-demand digest with its on-time chart (``stats``)."""
