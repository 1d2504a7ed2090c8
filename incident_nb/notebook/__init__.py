"""Investigation notebooks: parameters, papermill runs, and what their cells work with.

:mod:`.params` validates the parameters on both sides of papermill, :mod:`.runner` creates and
executes notebooks durably, :mod:`.gather` loads each section's evidence through the evidence
pipeline, and :mod:`.session` is the ``Investigation`` object the template's cells call.
"""
