"""Segments: saved filters over CRM cards (tags, forms, events, programmes, appeal topics,
subscribed addresses, channel, activity) with live counts."""
