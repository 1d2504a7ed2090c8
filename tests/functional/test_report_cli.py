"""``incident-nb report`` on a generated corpus whose figures are known by construction."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from incident_nb.cli import main
from incident_nb.postmortem.check import check_postmortem
from incident_nb.review.report import build_review
from incident_nb.sources.records import load_records
from tests.review_corpus import AS_OF, NPE, TIMEOUT, Expected, N, write_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Expected]:
    root = tmp_path_factory.mktemp("review")
    return root, write_corpus(root)


def test_the_corpus_is_what_the_tests_need(corpus):
    root, exp = corpus
    items, problems = load_records(root)
    assert problems == [] and len(items) == N >= 50
    assert len(exp.month) == 6 and exp.v1 == 6 and len(exp.severity) == 5
    for item in items:  # the generator's "complete" post-mortems pass the real check
        assert (check_postmortem(item.record) == []) == (item.record.id in exp.complete)
    assert len(exp.complete) == 11


def test_review_figures_match_the_corpus(corpus):
    root, exp = corpus
    items, _ = load_records(root)
    review = build_review(items, AS_OF)
    assert dict(zip(review.per_severity["severity"], review.per_severity["incidents"], strict=True)) == {
        "SEV-1": exp.severity["SEV-1"], "SEV-2": exp.severity["SEV-2"],
        "SEV-3": exp.severity["SEV-3"], "SEV-4": exp.severity["SEV-4"],
        "undecided": exp.severity["undecided"],
    }  # fmt: skip
    assert exp.severity == Counter(
        {"SEV-2": 23, "SEV-1": 12, "SEV-3": 12, "SEV-4": 12, "undecided": 1}
    )
    assert dict(zip(review.per_month["month"], review.per_month["total"], strict=True)) == dict(
        exp.month
    )
    by_month = Counter(
        (exp.months_of[i], s)
        for i, s in zip(review.incidents["id"], review.incidents["severity"], strict=True)
    )
    for row in review.per_month.to_dict("records"):
        for level in ("SEV-1", "SEV-2", "SEV-3", "SEV-4"):
            assert row[level] == by_month[(row["month"], level)]
    assert dict(
        zip(review.categories["category"], review.categories["incidents"], strict=True)
    ) == dict(exp.category)
    for measure, values in (
        ("time to detect", exp.ttd),
        ("time to mitigate", exp.ttm),
        ("time to resolve", exp.ttr),
    ):
        row = review.timings.set_index("measure").loc[measure]
        assert row["incidents"] == len(values)
        assert row["median_min"] == pytest.approx(np.percentile(values, 50), abs=1e-9)
        assert row["p90_min"] == pytest.approx(np.percentile(values, 90), abs=1e-9)
    assert (len(exp.ttd), len(exp.ttm), len(exp.ttr)) == (60, 59, 58)
    sla = {
        r["severity"]: [r["kept"], r["missed"], r["missed_gaps"]]
        for r in review.update_sla.to_dict("records")
    }
    assert sla == exp.sla
    owners = {
        r["owner"]: [r["open"], r["overdue"], r["done"]] for r in review.owners.to_dict("records")
    }
    assert owners == exp.actions
    assert sum(v[1] for v in owners.values()) == 15 and sum(v[2] for v in owners.values()) == 30
    # don't heroize: shares counted from the generator's responder sets
    counts = Counter(p for people in exp.responder_sets for p in people)
    ranked = sorted(counts, key=lambda p: (-counts[p], p))
    c = review.concentration
    assert (c.incidents, c.responders) == (N, len(counts)) == (60, 6)
    assert c.top_share == counts[ranked[0]] / N == 0.5
    top3 = set(ranked[:3])
    assert c.top3_share == sum(1 for s in exp.responder_sets if s & top3) / N
    assert list(c.shares["incidents"]) == [counts[p] for p in ranked]
    # recurring causes are matched whatever the case and punctuation
    recurring = {r["incidents"]: set(r["ids"]) for r in review.recurring.to_dict("records")}
    assert recurring == {
        3: {"2026-04-01-incident-03", "2026-06-03-incident-17", "2026-02-06-incident-31"},
        2: {"2026-06-01-incident-05", "2026-05-07-incident-40"},
    }
    signatures = {r["signature"]: r["ids"] for r in review.signatures.to_dict("records")}
    assert signatures == {  # only signatures new since the onset count; oldest incident first
        TIMEOUT: ["2026-02-02-incident-07", "2026-03-08-incident-44", "2026-04-04-incident-21"],
        NPE: ["2026-01-03-incident-12", "2026-03-09-incident-50"],
    }
    assert set(review.postmortem_gaps["id"]) == exp.postmortem_gaps
    assert len(exp.postmortem_gaps) == 58 - 11


def test_cli_prints_the_summary_and_writes_the_html(corpus, tmp_path, capsys):
    root, exp = corpus
    html = tmp_path / "out" / "review.html"
    assert (
        main(["report", "--root", str(root), "--as-of", AS_OF.isoformat(), "--html", str(html)])
        == 0
    )
    out, err = capsys.readouterr()
    p50, p90 = np.percentile(exp.ttd, 50), np.percentile(exp.ttd, 90)
    assert f"  time to detect                      {p50:>4.1f} min {p90:>4.1f} min   60" in out
    assert "60 incidents (58 resolved, 2 open)" in out
    assert "6 record(s) of schema version 1 read (migrated in memory)" in out
    assert "Per severity: SEV-1 12, SEV-2 23, SEV-3 12, SEV-4 12, undecided 1" in out
    kept, missed, gaps = exp.sla["SEV-2"]
    assert (
        f"  SEV-2: kept {kept} of {kept + missed}, missed {missed} ({gaps} late update(s))" in out
    )
    assert "Action items: 66: 36 open (15 overdue), 30 done" in out
    assert "The most involved responder worked on 50% of the 60 incidents" in out
    assert "ana" not in out.lower().replace("anal", "")  # no names in the concentration finding
    assert f"Post-mortems missing or incomplete: {len(exp.postmortem_gaps)}" in out
    assert (
        f"  3x {TIMEOUT} (2026-02-02-incident-07, 2026-03-08-incident-44, 2026-04-04-incident-21)"
        in out
    )
    assert f"HTML report: {html}" in err
    page = html.read_text()
    assert page.count("<script") == 2 + 6  # config, plotly.js once, six charts
    assert "<code>TimeoutError: connection to &lt;*&gt; timed out after &lt;*&gt; ms</code>" in page
    from plotly.offline import get_plotlyjs

    assert page.count(get_plotlyjs()[-300:]) == 1  # plotly.js inlined once
    for ident in exp.postmortem_gaps:  # links to the incident: its post-mortem, else its record
        folder = root / "incidents" / ident
        target = folder / "postmortem.html"
        target = target if target.is_file() else folder / "incident.json"
        assert f'href="{os.path.relpath(target, html.parent)}"' in page


def test_since_keeps_later_incidents_and_their_actions(corpus, capsys):
    root, exp = corpus
    assert (
        main(["report", "--root", str(root), "--since", "2026-04-01", "--as-of", "2026-07-01"]) == 0
    )
    out = capsys.readouterr().out
    later = [i for i in exp.ids if exp.months_of[i] >= "2026-04"]
    assert f"{len(later)} incidents" in out and len(later) == 30
    assert "Per month:    2026-04 10, 2026-05 10, 2026-06 10" in out
    assert "incidents since 2026-04-01" in out


def test_unreadable_records_are_reported_with_their_path_and_skipped(corpus, tmp_path, capsys):
    root, _ = corpus
    bad_root = tmp_path / "bad"
    (bad_root / "incidents").mkdir(parents=True)
    for folder in (root / "incidents").iterdir():
        (bad_root / "incidents" / folder.name).symlink_to(folder)
    broken = bad_root / "incidents" / "2026-03-15-broken" / "incident.json"
    broken.parent.mkdir()
    broken.write_text('{"schema_version": 2, "id": ')
    future = bad_root / "incidents" / "2026-03-16-future" / "incident.json"
    future.parent.mkdir()
    future.write_text(json.dumps({"schema_version": 7, "id": "x"}))
    invalid = bad_root / "incidents" / "2026-03-17-invalid" / "incident.json"
    invalid.parent.mkdir()
    invalid.write_text(json.dumps({"schema_version": 2, "id": "x", "title": "t"}))
    html = tmp_path / "review.html"
    assert (
        main(["report", "--root", str(bad_root), "--as-of", "2026-07-01", "--html", str(html)]) == 0
    )
    out, err = capsys.readouterr()
    assert f"skipped {broken}: {broken} is not valid JSON (line 1" in err
    assert (
        f"skipped {future}: {future} has schema_version 7" in err and "upgrade incident-nb" in err
    )
    assert f"skipped {invalid}: {invalid} is invalid" in err
    assert "60 incidents (58 resolved, 2 open)" in out  # the rest is still reported
    assert f"skipped {broken}" in out
    page = html.read_text()
    assert page.count('class="problem"') == 3 and str(future) in page


def test_no_records_is_an_error_naming_the_folder(tmp_path, capsys):
    assert main(["report", "--root", str(tmp_path)]) == 1
    assert f"no readable incident records under {tmp_path / 'incidents'}" in capsys.readouterr().err


def test_recorded_text_is_escaped_in_the_html(corpus, tmp_path):
    root, _ = corpus
    from incident_nb.core.record import read_record, write_record

    folder = tmp_path / "x" / "incidents"
    folder.mkdir(parents=True)
    source = sorted((root / "incidents").iterdir())[1]
    record = read_record(source)
    record.five_whys.root_cause = "<script>alert(1)</script>"
    record.action_items[0].action = "<img src=x onerror=alert(2)>" if record.action_items else ""
    for name in ("a", "b"):
        (folder / name).mkdir()
        write_record(folder / name, record.model_copy(update={"id": name}))
    html = tmp_path / "r.html"
    assert main(["report", "--root", str(tmp_path / "x"), "--html", str(html)]) == 0
    page = html.read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
