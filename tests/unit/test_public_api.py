import json
import subprocess
import sys

import incident_nb


def test_exact_public_api():
    assert incident_nb.__all__ == [
        "Alert",
        "IncidentNbError",
        "IncidentRecord",
        "Severity",
        "TimeWindow",
        "alert_from_fields",
        "create_incident",
        "execute_incident",
        "parse_alert",
        "read_record",
        "suggest_severity",
        "write_record",
    ]
    for name in incident_nb.__all__:
        assert getattr(incident_nb, name).__name__ == name


def test_notebook_session_does_not_import_notebook_machinery():
    code = "import sys, incident_nb.notebook.session; print('papermill' in sys.modules, 'nbformat' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "False"]


def test_all_matches_the_lazy_table():
    from incident_nb import _EXPORTS

    assert sorted(_EXPORTS) == incident_nb.__all__


def test_command_line_starts_without_the_heavy_libraries():
    # `analyze` starts parsing before pandas loads; no command pays for another's imports.
    heavy = ("pandas", "pydantic", "httpx", "scipy", "papermill", "ipywidgets", "pyspark")
    heavy += ("numpy", "pyarrow", "duckdb", "ssl")
    code = (
        "import sys, incident_nb.cli; incident_nb.cli._parser([]); "
        f"print([m for m in {heavy!r} if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
    # A command line naming its subcommand imports that subcommand's module only.
    code = (
        "import sys, incident_nb.cli; incident_nb.cli._parser(['analyze']); "
        "print(sorted(m for m in sys.modules if m.startswith('incident_nb.cli.')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert (
        out.strip()
        == "['incident_nb.cli.analyze', 'incident_nb.cli.args', 'incident_nb.cli.suggest']"
    )


def test_alert_sources_of_the_command_line_are_the_parsers():
    from incident_nb.alerts import NOTIFICATION_PARSERS
    from incident_nb.cli.new import ALERT_SOURCES

    assert sorted(ALERT_SOURCES) == sorted(NOTIFICATION_PARSERS)


def test_analyze_starts_parsing_before_the_analysis_libraries_load(tmp_path):
    # The analysis (pandas, SciPy) is imported while DuckDB parses, beside it: at the moment
    # the parse begins, none of it may have been imported yet.
    log = tmp_path / "service.jsonl"
    log.write_text(
        '{"ts": "2026-11-20T12:00:00Z", "status": 200, "endpoint": "/a"}\n'
        '{"ts": "2026-11-20T12:01:00Z", "status": 500, "endpoint": "/a"}\n'
    )
    code = f"""
import sys
import incident_nb.sources.logs.loader as loader
parse = loader.load_events
def spy(*args, **kwargs):
    print(sorted(m for m in ("pandas", "scipy", "incident_nb.analysis") if m in sys.modules))
    return parse(*args, **kwargs)
loader.load_events = spy
from incident_nb.cli import main
main(["analyze", "--logs", {str(log)!r}, "--json"])
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    first, document = out.split("\n", 1)
    assert first == "[]"
    assert json.loads(document)["lines"]["parsed"] == 2
