"""Stakeholder status updates: drafted from the record and the evidence, sent, and recorded."""
