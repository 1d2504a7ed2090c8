"""``incident-nb serve`` refuses to start without what it needs; the durable queue on disk."""

import pytest

from incident_nb.cli import main
from incident_nb.cli import serve as cli_serve
from incident_nb.server.queue import DurableQueue, key_hash, server_lock


def test_serve_needs_a_token_from_a_file_or_the_environment(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("INCIDENT_NB_TOKEN", raising=False)
    assert main(["serve", "--root", str(tmp_path)]) == 1
    assert "--token-file, or set $INCIDENT_NB_TOKEN" in capsys.readouterr().err
    empty = tmp_path / "token"
    empty.write_text("\n")
    assert main(["serve", "--root", str(tmp_path), "--token-file", str(empty)]) == 1
    assert f"the token file {empty} is empty" in capsys.readouterr().err
    # There is no --token, and flags are never abbreviated: a token on the command line is refused.
    with pytest.raises(SystemExit) as usage:
        main(["serve", "--root", str(tmp_path), "--token", "on-the-command-line"])
    assert usage.value.code == 2
    assert "unrecognized arguments: --token" in capsys.readouterr().err


def test_serve_without_the_extra_names_the_pip_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli_serve, "_installed", lambda module: module != "uvicorn")
    monkeypatch.setenv("INCIDENT_NB_TOKEN", "t")
    assert main(["serve", "--root", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "needs uvicorn" in err and "pip install 'incident-nb[serve]'" in err


def test_serve_refuses_a_template_without_the_parameters(tmp_path, monkeypatch, capsys):
    import nbformat

    monkeypatch.setenv("INCIDENT_NB_TOKEN", "t")
    template = tmp_path / "t.ipynb"
    cell = nbformat.v4.new_code_cell("title = ''")
    cell.metadata["tags"] = ["parameters"]
    kernel = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    nbformat.write(nbformat.v4.new_notebook(cells=[cell], metadata=kernel), template)
    assert main(["serve", "--root", str(tmp_path), "--template", str(template)]) == 1
    assert (
        "does not declare the parameters alert_started_at, engine, incident_dir"
        in capsys.readouterr().err
    )


def test_one_server_per_root(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("INCIDENT_NB_TOKEN", "t")
    with server_lock(tmp_path) as mine:
        assert mine
        assert main(["serve", "--root", str(tmp_path), "--port", "1"]) == 1
    assert "another incident-nb serve is using" in capsys.readouterr().err


def test_retry_names_a_folder_that_is_not_an_incident(tmp_path, capsys):
    assert main(["retry", str(tmp_path)]) == 1
    assert "no incident record" in capsys.readouterr().err


def test_queue_keeps_acknowledged_entries_in_order_and_drops_half_written_ones(tmp_path):
    queue = DurableQueue(tmp_path)
    queue.prepare()
    first = queue.enqueue("generic", "k1", "a" * 32, {"n": 1})
    second = queue.enqueue("generic", "k2", "b" * 32, {"n": 2})
    assert second.sequence > first.sequence and first.key_hash == key_hash("k1")
    (queue.pending / ".half-written.json.tmp").write_text("{")
    staging = tmp_path / "incidents" / ".new-abc"
    staging.mkdir(parents=True)
    (queue.pending / "notes.txt").write_text("not an entry")
    # An incident whose record was being replaced when its worker was killed: the record is
    # whole, and its temporary copy is left beside it (and deeper, in its evidence).
    incident = tmp_path / "incidents" / "2026-11-28-db-down"
    (incident / "evidence").mkdir(parents=True)
    (incident / "incident.json").write_text("{}")
    (incident / ".incident.json.k2x9.tmp").write_text("{")
    (incident / "evidence" / ".logs.parquet.a1b2.tmp").write_text("")
    (incident / ".gitignore").write_text("")
    reopened = DurableQueue(tmp_path)
    removed = reopened.prepare()
    assert sorted(p.name for p in removed) == [
        ".half-written.json.tmp",
        ".incident.json.k2x9.tmp",
        ".logs.parquet.a1b2.tmp",
        ".new-abc",
    ]
    assert sorted(p.name for p in incident.rglob("*")) == [
        ".gitignore",
        "evidence",
        "incident.json",
    ]
    assert [e.path for e in reopened.entries()] == [first.path, second.path]
    assert reopened.entries()[1].read()["payload"] == {"n": 2}
    assert reopened.depth() == 2
    third = reopened.enqueue("generic", "k1", "c" * 32, {})
    assert third.sequence > second.sequence
    with reopened.key_lock(first.key_hash, wait=False) as mine:
        assert mine
        with DurableQueue(tmp_path).key_lock(first.key_hash, wait=False) as other:
            assert not other  # flock is per open file: it excludes threads as well
    reopened.remove(first)
    assert [e.delivery for e in reopened.entries()] == ["b" * 32, "c" * 32]
