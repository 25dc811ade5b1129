"""Utility outages for the duty dispatcher: lifecycle, resident subscriptions and signals,
planned-outage notices, summaries and the XLSX log. Plain async functions over an AsyncSession."""
