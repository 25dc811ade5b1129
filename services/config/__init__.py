"""What an administration configures in the panel: its card, appeal categories and routing, and the
outage catalogues. Every change is re-checked for the admin role here and audited."""
