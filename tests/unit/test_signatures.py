from __future__ import annotations

import random

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incident_nb.analysis.grouping_accuracy import grouping_accuracy
from incident_nb.analysis.signature_tables import SIGNATURE_COLUMNS, signatures_frame
from incident_nb.analysis.signatures import group_messages, signature_id
from incident_nb.analysis.stacktraces import trace_template


def _kinds(messages: list[str]) -> list[str]:
    return group_messages(messages).templates()


def test_values_inside_one_kind_never_split_it() -> None:
    users = ["alice", "bob", "carol", "dave", "erin", "frank"]
    messages = [
        f"Invalid user {u} from 10.0.{i}.{i + 1} port {4000 + i}" for i, u in enumerate(users)
    ]
    assert set(_kinds(messages)) == {"Invalid user <*> from <*> port <*>"}


def test_two_kinds_differing_in_one_word_are_never_merged() -> None:
    messages = [
        f'10.0.0.{i} "{verb} /v2/servers/{i} HTTP/1.1" status: 200 len: {100 + i}'
        for i, verb in enumerate(["GET", "POST", "DELETE"] * 4)
    ]
    groups = _kinds(messages)
    assert len(set(groups)) == 3
    assert grouping_accuracy(groups, [m.split('"')[1].split()[0] for m in messages]) == 1.0


def test_an_empty_variable_does_not_split_a_kind() -> None:
    messages = [
        "connection from 1.2.3.4 () at Sat Jun 18 02:08:11 2005",
        "connection from 5.6.7.8 (host8.topspot.net) at Sun Jul 24 02:38:22 2005",
        "connection from 9.9.9.9 () at Fri Jul  1 07:57:30 2005",
    ]
    assert len(set(_kinds(messages))) == 1


def test_a_position_holding_numbers_is_a_variable() -> None:
    messages = [
        "Failed none for invalid user 0 from 1.1.1.1 port 1 ssh2",
        "Failed none for invalid user admin from 1.1.1.2 port 2 ssh2",
    ]
    assert _kinds(messages)[0] == _kinds(messages)[1]


def test_different_messages_are_different_kinds() -> None:
    messages = ["Connection reset by peer", "Connection refused by peer", "disk full on /data"]
    assert len(set(_kinds(messages))) == 3


def test_lists_of_values_of_any_length_are_one_kind() -> None:
    messages = [
        "ask 10.0.0.1:50010 to delete blk_1 blk_2",
        "ask 10.0.0.2:50010 to delete blk_-3",
        "ask 10.0.0.3:50010 to delete blk_4 blk_5 blk_6 blk_7",
    ]
    assert set(_kinds(messages)) == {"ask <*> to delete <*>"}


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([0, 1, 2]),
            st.integers(0, 10**9),
            st.ip_addresses(v=4),
            st.uuids(),
        ),
        min_size=1,
        max_size=60,
    )
)
def test_generated_logs_group_by_kind(rows: list[tuple[int, int, object, object]]) -> None:
    kinds = (
        "payment {n} for order {u} declined by gateway at {ip}",
        "cache miss for key {u} took {n}ms",
        "worker {n} lost connection to {ip}:{n}",
    )
    messages = [kinds[k].format(n=n, ip=ip, u=u) for k, n, ip, u in rows]
    truth = [k for k, *_ in rows]
    assert grouping_accuracy(_kinds(messages), truth) == 1.0


JAVA = """java.lang.IllegalStateException: pool {n} closed
\tat com.acme.db.Pool.borrow(Pool.java:{line})
\tat com.acme.api.Orders.create(Orders.java:88)
Caused by: java.net.SocketException: Connection reset
\tat java.net.SocketInputStream.read(SocketInputStream.java:210)
\t... {more} more"""

PYTHON = """Traceback (most recent call last):
  File "/srv/app/api.py", line {line}, in create_order
    raise KeyError(user)
KeyError: '{user}'"""


def test_stack_traces_group_by_exception_type_and_frames() -> None:
    traces = [
        JAVA.format(n=1, line=10, more=3),
        JAVA.format(n=2, line=12, more=4),
        PYTHON.format(line=5, user="u1"),
        PYTHON.format(line=6, user="totally different text"),
        PYTHON.format(line=6, user="x").replace("create_order", "cancel_order"),
        JAVA.format(n=1, line=10, more=3).replace(
            "IllegalStateException", "IllegalArgumentException"
        ),
    ]
    assert grouping_accuracy(_kinds(traces), [0, 0, 1, 1, 2, 3]) == 1.0


def test_trace_template_names_the_chain_and_frames() -> None:
    template = trace_template(JAVA.format(n=1, line=10, more=3))
    assert template is not None
    head, *frames = template.split("\n")
    assert head == ("java.lang.IllegalStateException caused by java.net.SocketException: <*>")
    assert frames[0] == "  at com.acme.db.Pool.borrow(Pool.java:<*>)"
    assert len(frames) == 3
    python = trace_template(PYTHON.format(line=5, user="u1"))
    assert python == 'KeyError: <*>\n  File "/srv/app/api.py", line <*>, in create_order'
    assert trace_template("two lines\nof plain text") is None


def test_ids_are_stable_and_follow_the_template() -> None:
    messages = [f"job {i} failed on node-{i % 3}" for i in range(20)] + ["disk full"] * 5
    first = group_messages(messages)
    shuffled = messages[:]
    random.Random(7).shuffle(shuffled)
    second = group_messages(shuffled)
    assert [s.id for s in first.signatures] == [s.id for s in second.signatures]
    assert first.signatures[0].id == signature_id(first.signatures[0].template)
    assert [s.count for s in first.signatures] == [20, 5]


def test_every_message_gets_a_signature_including_empty_ones() -> None:
    grouping = group_messages(["a 1", None, "", "a 2"])  # type: ignore[list-item]
    assert len(grouping.labels) == 4
    assert sum(s.count for s in grouping.signatures) == 4
    assert grouping.templates() == ["a <*>", "", "", "a <*>"]
    assert group_messages([]).signatures == ()


def test_signatures_frame_counts_and_times() -> None:
    messages = pd.Series(["db timeout after 30s", "user 5 not found", "db timeout after 2s"])
    times = pd.Series(
        pd.to_datetime(["2024-05-01T10:02Z", "2024-05-01T10:00Z", "2024-05-01T10:01Z"])
    )
    frame = signatures_frame(messages, times)
    assert tuple(frame.columns) == SIGNATURE_COLUMNS
    top = frame.iloc[0]
    assert (top["template"], top["count"], top["example"]) == (
        "db timeout after <*>",
        2,
        "db timeout after 30s",
    )
    assert top["first_seen"] == pd.Timestamp("2024-05-01T10:01Z")
    assert top["last_seen"] == pd.Timestamp("2024-05-01T10:02Z")
    untimed = signatures_frame(messages)
    assert untimed["first_seen"].isna().all()
    with pytest.raises(ValueError, match="one per message"):
        signatures_frame(messages, times.iloc[:2])


def test_error_signatures_count_tenants_and_endpoints() -> None:
    from incident_nb.analysis.signature_tables import ERROR_SIGNATURE_COLUMNS, error_signatures

    events = pd.DataFrame(
        {
            "ts": pd.to_datetime(
                ["2024-05-01T10:00Z", "2024-05-01T10:01Z", "2024-05-01T10:02Z", "2024-05-01T10:03Z"]
            ),
            "message": [
                "upstream 10.0.0.1 timed out",
                "upstream 10.0.0.2 timed out",
                "upstream 10.0.0.3 timed out",
                "disk full",
            ],
            "tenant": ["acme", "globex", "acme", None],
            "endpoint": ["/pay", "/checkout", "/pay", None],
        },
        index=[10, 11, 12, 13],
    )
    table = error_signatures(events)
    assert tuple(table.columns) == ERROR_SIGNATURE_COLUMNS
    top, other = table.iloc[0], table.iloc[1]
    assert (top["template"], top["count"], top["tenants"]) == ("upstream <*> timed out", 3, 2)
    assert top["endpoints"] == "/checkout, /pay"
    assert top["last_seen"] == pd.Timestamp("2024-05-01T10:02Z")
    assert (other["template"], other["tenants"]) == ("disk full", 0)
    assert pd.isna(other["endpoints"])
