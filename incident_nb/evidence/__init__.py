"""The evidence pipeline: an incident's logs, traces, metrics and changes, analysed.

One path from the evidence to the analysis, used by ``incident-nb analyze`` (and the other
evidence commands) and by the notebook alike.

- :mod:`.request`: :class:`~.request.AnalyzeRequest`, what to analyse, and
  :class:`~.request.ImpactInputs`, what a person recorded that the severity needs;
- :mod:`.engine`: the one place the log engine is picked (DuckDB files, a Parquet snapshot, or
  Spark) and the snapshot is written or fallen back on;
- :mod:`.logs`: the log analysis of an open store, :class:`~.logs.LogEvidence`, and its
  typed summary (:class:`~incident_nb.core.summary.AnalysisSummary`);
- :mod:`.analysis`: a request's logs opened and analysed (the analysis imported while they
  parse), and logs and traces of one request as the ``analyze --json`` document;
- :mod:`.traces`, :mod:`.metrics`, :mod:`.changes`: the other kinds of evidence.

Each kind reads through :mod:`incident_nb.sources` and analyses with the pure
:mod:`incident_nb.analysis`; a problem with one kind is an
:class:`~incident_nb.core.errors.EvidenceError` naming it, so the notebook shows it in that
section and the rest of the investigation still runs. Nothing is imported here, so the command
line starts without loading the analysis libraries.
"""
