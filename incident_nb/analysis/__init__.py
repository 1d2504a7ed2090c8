"""Pure analysis of the evidence: DataFrames in, DataFrames and values out, no I/O.

Change points and impact (:mod:`.changepoint`, :mod:`.impact`, :mod:`.assessment`,
:mod:`.answers`), error signatures (:mod:`.signatures` and its helpers), traces, metrics,
suspect changes (:mod:`.suspects`, :mod:`.change_kinds`) and fix verification.
"""
