"""A full disk never costs the last good notebook, record, snapshot or export.

A real tmpfs of a few megabytes, mounted in a private mount namespace (we run as root in CI), is
filled up while an executed incident, its export and an evidence snapshot live on it; then
``retry``, ``export``, ``analyze --snapshot``, a record write and ``new`` are tried again.
Every one of them must fail cleanly, naming the cause, and leave every file as it was.
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
