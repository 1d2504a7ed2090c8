"""A full or read-only disk never costs the last good notebook, record, snapshot or export.

A real tmpfs of a few megabytes, mounted in a private mount namespace (we run as root in CI), is
filled up while an executed incident, its export and an evidence snapshot live on it; then
``retry``, ``export``, ``analyze --snapshot``, a record write and ``new`` are tried again.
Every one of them must fail cleanly, naming the cause, and leave every file as it was; then
the same with a read-only docs root and a read-only disk.
"""

import shutil

import pytest

from tests.conftest import need
from tests.full_disk import mount_works, run_on_small_disk

pytestmark = pytest.mark.integration


@pytest.fixture
def unshare(tmp_path):
    path = shutil.which("unshare")
    need(path is not None, "unshare (util-linux) is not installed")
    assert path is not None
    ok, why = mount_works(path, tmp_path)
    need(ok, f"this kernel refuses a tmpfs in a private mount namespace: {why}")
    return path


def test_a_full_disk_keeps_every_last_good_file(tmp_path, unshare):
    disk = tmp_path / "small-disk"
    disk.mkdir()
    seen = run_on_small_disk(unshare, disk, tmp_path / "outside", "4m")

    assert seen["setup"] == [0, 0]  # the incident, its export and a snapshot fit at first
    for step in ("retry", "export", "analyze", "new"):
        status, err = seen[step]
        assert status == 1, (step, err)
        assert "the disk is full" in err and "free some space" in err, (step, err)
        assert "Traceback" not in err, (step, err)
    assert "kept" in seen["retry"][1] and "kept" in seen["export"][1]
    assert "investigation.ipynb" in seen["retry"][1]
    assert "the disk is full" in seen["record_error"]
    assert "previous version was kept" in seen["record_error"]
    # Nothing changed and nothing half-written appeared: no partial notebook, no temporary
    # file, no staging folder, no second incident.
    assert seen["changed"] == []
    assert seen["appeared"] == []
    assert len(seen["incidents"]) == 1
    assert seen["notebook_reads"] == "x"  # the executed notebook still reads, with its output

    # Read-only: the Markdown's folder first (the HTML beside the notebook is not written
    # either: all or nothing), then the whole disk.
    status, err = seen["export_read_only_docs"]
    assert status == 1 and "the file system is read-only" in err and "Traceback" not in err
    for step, (status, err) in seen["read_only"].items():
        assert status == 1, (step, err)
        assert "read-only" in err and "Traceback" not in err, (step, err)
    assert seen["changed_read_only"] == []
