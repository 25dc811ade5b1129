"""Analytics: KPI over assignments, appeals and outages for dashboards and digests."""
