"""Residents' appeals in the bot: callback data, conversation states and rendering (handlers/appeals)."""
