"""Personal data (152-FZ): consent versions and log, export on request, erasure, retention, access log."""
