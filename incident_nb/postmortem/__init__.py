"""The post-mortem: Markdown sections from the record, the document, checks and exports.

:mod:`.sections` and :mod:`.document` render the workflow's template from the record and the
analysis summary (pure), :mod:`.check` is the blameless and completeness check,
:mod:`.redact` removes secrets, and :mod:`.export`/:mod:`.exporter` write the HTML, Markdown and
PDF through nbconvert. It imports no widgets: forms render through it, not the other way.
"""
