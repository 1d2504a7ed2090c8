"""The built-in demo incident: generated evidence with a known ground truth."""
