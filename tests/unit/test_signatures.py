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


def test_stack_traces_group_by_exception_type_message_and_frames() -> None:
    traces = [
        JAVA.format(n=1, line=10, more=3),
        JAVA.format(n=2, line=12, more=4),
        PYTHON.format(line=5, user="u1"),
        PYTHON.format(line=6, user="alice"),
        PYTHON.format(line=6, user="x").replace("create_order", "cancel_order"),
        JAVA.format(n=1, line=10, more=3).replace(
            "IllegalStateException", "IllegalArgumentException"
        ),
    ]
    assert grouping_accuracy(_kinds(traces), [0, 0, 1, 1, 2, 3]) == 1.0
    assert _kinds(traces)[2] == (
        "KeyError: '<*>'\n  File \"/srv/app/api.py\", line <*>, in create_order"
    )


def test_trace_template_names_the_chain_and_application_frames() -> None:
    template = trace_template(JAVA.format(n=1, line=10, more=3))
    assert template is not None
    head, *frames = template.split("\n")
    assert head == ("java.lang.IllegalStateException caused by java.net.SocketException: <*>")
    # The JDK frame is a library frame: the application's frames name the failure.
    assert frames == [
        "  at com.acme.db.Pool.borrow(Pool.java:<*>)",
        "  at com.acme.api.Orders.create(Orders.java:<*>)",
    ]
    python = trace_template(PYTHON.format(line=5, user="u1"))
    assert python == 'KeyError: <*>\n  File "/srv/app/api.py", line <*>, in create_order'
    assert trace_template("two lines\nof plain text") is None


def test_different_messages_of_one_exception_are_different_signatures() -> None:
    traces = [JAVA.format(n=n, line=10, more=3) for n in (1, 2)] + [
        JAVA.format(n=1, line=10, more=3).replace("pool 1 closed", "driver missing")
    ]
    assert grouping_accuracy(_kinds(traces), [0, 0, 1]) == 1.0


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


def _groups(messages: list[str]) -> list[int]:
    """Each message's group as the index of its template's first appearance."""
    templates = _kinds(messages)
    first: dict[str, int] = {}
    return [first.setdefault(t, len(first)) for t in templates]


def test_an_optional_parenthesised_part_does_not_split_a_kind() -> None:
    rng = random.Random(3)

    def size() -> str:
        n = rng.choice([rng.randrange(1, 1024), rng.randrange(1024, 5_000_000)])
        return f"{n} bytes" if n < 1024 else f"{n} bytes ({n / 1024:.2f} KB)"

    closes = [
        f"www{rng.randrange(9)}.example.com:443 close, {size()} sent, {size()} received, "
        f"lifetime {rng.choice(['<1 sec', '00:02', '01:12:30'])}"
        for _ in range(40)
    ]
    opens = ["proxy.example.com:5070 open through proxy proxy.example.com:5070 HTTPS"] * 3
    groups = _groups(closes + opens)
    assert grouping_accuracy(groups, [0] * 40 + [1] * 3) == 1.0
    assert (
        _kinds(closes)[0] == "<*> close, <*> bytes <*> sent, <*> bytes <*> received, lifetime <*>"
    )


def test_values_spanning_several_tokens_or_marked_by_hashes_are_one_value() -> None:
    messages = [f"connection from node{i}.example.com (10.0.0.{i}) at gateway" for i in range(8)]
    messages += ["connection from #edge# at gateway", "connection from 10.0.0.9 at gateway"]
    messages += [
        f"loading [{', '.join(f'/opt/lib/a{j}.jar' for j in range(k))}] done" for k in (1, 2, 5)
    ]
    messages += [f"loading {' '.join(f'/opt/lib/a{j}.jar' for j in range(k))} now" for k in (1, 3)]
    assert grouping_accuracy(_groups(messages), [0] * 10 + [1] * 3 + [2] * 2) == 1.0


def test_frequent_short_names_at_one_position_are_different_events() -> None:
    rng = random.Random(5)
    messages = [f"AirPort: Link Up on {'awdl0' if i % 3 else 'en0'}" for i in range(30)]
    messages += [
        f"ARPT: {rng.random() * 1e6:.6f}: wl0: MDNS: IPV{4 if i % 2 else 6} Addr: 10.0.0.{i}"
        for i in range(20)
    ]
    messages += [f"VM {state} (Lifecycle Event)" for state in ["Started", "Paused", "Resumed"] * 5]
    truth = [0 if i % 3 else 1 for i in range(30)] + [2 if i % 2 else 3 for i in range(20)]
    truth += [4, 5, 6] * 5
    assert grouping_accuracy(_groups(messages), truth) == 1.0


def test_names_of_an_open_set_are_one_variable_even_when_few() -> None:
    users = ["root"] * 30 + ["ganglia"] * 4 + ["admin", "backup"]
    messages = [f"session opened for user {u} by (uid=0)" for u in users]
    messages += ["Too many authentication failures for root [preauth]"] * 2
    messages += ["Too many authentication failures for admin [preauth]"]
    assert grouping_accuracy(_groups(messages), [0] * 36 + [1] * 3) == 1.0
    assert _kinds(messages)[0] == "session opened for user <*> by (uid=<*>)"


def test_states_in_capitals_stay_constants_even_when_rare() -> None:
    states = ["LOOKING"] * 20 + ["FOLLOWING"] * 3 + ["LEADING"]
    messages = [
        f"Notification: {i} (n.leader), {s} (n.state), {i} (n.sid)" for i, s in enumerate(states)
    ]
    assert grouping_accuracy(_groups(messages), [0] * 20 + [1] * 3 + [2]) == 1.0


def test_words_changing_together_are_a_different_message() -> None:
    messages = [f"Received disconnect from 10.0.0.{i}: 11: Bye Bye [preauth]" for i in range(20)]
    messages += ["Received disconnect from 10.0.0.99: 11: disconnected by user"]
    assert grouping_accuracy(_groups(messages), [0] * 20 + [1]) == 1.0


def test_a_key_stays_in_the_template_of_its_values() -> None:
    users = ["root"] * 20 + ["ftp", "git", "git", "mysql"]
    messages = [f"authentication failure; rhost=10.0.0.{i} user={u}" for i, u in enumerate(users)]
    messages += [f"authentication failure; rhost=10.0.1.{i}" for i in range(5)]
    assert set(_kinds(messages)) == {
        "authentication failure; rhost=<*> user=<*>",
        "authentication failure; rhost=<*>",
    }


_WORDS = st.text(alphabet="abcXYZ019 :=/._-()[]#'\"\n\t", max_size=40)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(_WORDS, st.sampled_from([JAVA, PYTHON, "", " ", "\n"])), max_size=40))
def test_grouping_never_fails_and_gives_every_message_one_signature(messages: list[str]) -> None:
    grouping = group_messages(messages)
    assert len(grouping.labels) == len(messages)
    assert all(0 <= label < len(grouping.signatures) for label in grouping.labels)
    assert sum(s.count for s in grouping.signatures) == len(messages)
    same = group_messages(list(messages))
    assert [s.id for s in same.signatures] == [s.id for s in grouping.signatures]
