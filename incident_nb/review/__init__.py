"""The incident review across incidents: frames from records, aggregates, charts, the report."""
