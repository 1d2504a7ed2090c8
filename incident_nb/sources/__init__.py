"""The only layer that reads the outside world.

Log files in any format, local or remote (:mod:`.logs`, queried by :mod:`.logsql`), traces
(:mod:`.traces`), git history and deploys (:mod:`.changes`, :mod:`.deploys`), Prometheus and
metric files (:mod:`.prometheus`, :mod:`.metrics_file`), incident records for the review
(:mod:`.records`), messages for signatures (:mod:`.messages`) and the update webhook
(:mod:`.webhook`). Each reader raises :class:`~incident_nb.core.errors.EvidenceError` naming
what it could not read and how to fix it.
"""
