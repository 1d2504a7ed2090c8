"""Pure analysis of the evidence: DataFrames in, DataFrames and values out, no I/O."""
