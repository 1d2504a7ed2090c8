"""The foundation every layer stands on; it imports nothing above it.

- :mod:`.models`: domain values (``Alert``, ``TimeWindow``, ``Severity``) and UTC time helpers;
- :mod:`.errors`: the exception tree;
- :mod:`.workflow` and :mod:`.severity`: the workflow's checklists, SEV table and cadences;
- :mod:`.record` and :mod:`.store`: the incident record ``incident.json`` and its locked store;
- :mod:`.folder`: the names of every file inside an incident's folder;
- :mod:`.summary`: the typed analysis summary that the evidence makes and documents read;
- :mod:`.secrets`: reading tokens and passwords from files or the environment;
- :mod:`.durable`: writes that never leave a half-written file;
- :mod:`.text`: escaping of people's and logs' text for Markdown, and validation messages;
- :mod:`.templates`: where the notebook and export templates are.
"""
