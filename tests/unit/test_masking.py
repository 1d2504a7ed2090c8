from __future__ import annotations

import pytest

from incident_nb.analysis.masking import MASKS, mask_message, mask_messages, tokens


@pytest.mark.parametrize(
    ("message", "masked"),
    [
        ("retry 3 of 5", "retry <*> of <*>"),
        ("balance -42.50 left", "balance <*> left"),
        ("fault at 0x7ffd3a2b in worker", "fault at <*> in worker"),
        ("commit 9f2c4e1ab3d0 deployed", "commit <*> deployed"),
        ("peer 10.0.12.7:5432 gone", "peer <*> gone"),
        ("peers 10.11.21.123,10.11.10.1 seen", "peers <*> seen"),
        ("from fe80::1ff:fe23:4567:890a now", "from <*> now"),
        ("req 123e4567-e89b-12d3-a456-426614174000 failed", "req <*> failed"),
        ("cannot open /var/lib/app/data.db: denied", "cannot open <*>: denied"),
        ("config at C:\\app\\conf.ini missing", "config at <*> missing"),
        ("GET https://api.example.com/v1/users?id=4 failed", "GET <*> failed"),
        ("timed out after 1500ms", "timed out after <*>"),
        ("took 2.5s then 3 seconds", "took <*> then <*>"),
        ("resolved db.internal.example.com slowly", "resolved <*> slowly"),
        ("rhost=biblioteka.wsi.edu.pl user=root", "rhost=<*> user=root"),
        ("at 2024-05-01T10:00:00.123Z ok", "at <*> ok"),
        ("connection at Sat Jun 18 02:08:11 2005", "connection at <*>"),
        ("blk_-5140072410813878235 and blk_904", "<*> and <*>"),
        ("container api-7d9f8b6c5-x2x9z killed", "container <*> killed"),
        ("quota of alice.b+x@mail.example.co.uk hit", "quota of <*> hit"),
        ("login via ssh2 as uid=0", "login via ssh2 as uid=<*>"),
        ("Link Up on awdl0 from node-246 as worker_12", "Link Up on awdl0 from <*> as <*>"),
        ("IPV6 Addr via eth1 in x86_64 pod a1b2c3", "IPV6 Addr via eth1 in <*> pod <*>"),
        ("lifetime <1 sec via #node7# at #gw#", "lifetime <<*> via <*> at <*>"),
        ("loaded [/opt/a.jar, /opt/b.jar, /opt/c.jar] ok", "loaded [<*>] ok"),
    ],
)
def test_masks_variable_parts(message: str, masked: str) -> None:
    assert mask_message(message) == masked


@pytest.mark.parametrize(
    "message",
    [
        "Connection reset by peer",
        "com.jcraft.jsch.JSchException: Auth fail",
        "java.io.IOException: stream closed",
        "user=guest denied",
        "read meta_data.json",
        "state LOOKING (my state)",
    ],
)
def test_keeps_messages_without_variable_parts(message: str) -> None:
    assert mask_message(message) == message


def test_masks_a_column_in_order_and_keeps_empty() -> None:
    assert mask_messages(["a 1", "", "b 0x1f"]) == ["a <*>", "", "b <*>"]
    assert mask_messages([]) == []


def test_rules_have_unique_names() -> None:
    names = [rule.name for rule in MASKS]
    assert len(names) == len(set(names))


def test_tokens_collapse_repeated_masked_tokens_only() -> None:
    assert tokens("delete blk_<*> blk_<*> blk_<*> now") == ("delete", "blk_<*>", "now")
    assert tokens("a <*> <*> b") == ("a", "<*>", "b")
    assert tokens("no no no") == ("no", "no", "no")


def test_masking_in_threads_gives_the_same_result() -> None:
    import pyarrow as pa

    from incident_nb.analysis.masking import mask_array

    messages = pa.array(
        [f"user {i} from 10.0.{i % 256}.1 took {i % 97}ms /srv/{i}" for i in range(25_000)],
        type=pa.large_string(),
    )
    assert mask_array(messages, workers=3).equals(mask_array(messages, workers=1))
    assert mask_array(pa.chunked_array([messages[:10], messages[10:20]]), workers=1).equals(
        mask_array(messages[:20], workers=1)
    )
