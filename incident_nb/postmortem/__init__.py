"""The post-mortem: Markdown sections from the record, the document, checks and exports.

:mod:`.sections` and :mod:`.document` render the workflow's template from the record and the
analysis summary (pure), :mod:`.story` drafts what the evidence says in sentences (the headline,
the Summary and Impact drafts), :mod:`.check` is the blameless and completeness check,
:mod:`.redact` removes secrets, :mod:`.images` draws the charts as PNG without a browser, and
:mod:`.export`/:mod:`.exporter` write the HTML, Markdown and PDF through nbconvert. It imports
no widgets: forms render through it, not the other way.
"""
