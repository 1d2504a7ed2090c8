"""The readers localization needs: span tables by their column names, wide metric tables (Go
time strings, epoch seconds, units in column names), container log tables with Docker
envelopes, and Kubernetes pod names."""

from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from incident_nb.core.errors import EvidenceError
from incident_nb.sources.container_logs import parse_lines, read_container_logs
from incident_nb.sources.kubernetes import service_of_pod
from incident_nb.sources.metrics_file import (
    entity_metrics,
    metric_unit,
    parse_times,
    read_metrics_frame,
    rows_overlapping,
)
from incident_nb.sources.traces import SPAN_COLUMNS, read_traces

NEZHA_SPANS = """TraceID,SpanID,ParentID,PodName,OperationName,StartTimeUnixNano,EndTimeUnixNano,Duration
65b3af7cd0587ce2950a88dc1f25bd7c,5f8bc997f73f7ae4,root,ts-gateway-service-6f6cfc45b-h5m2n,/*,1674981892825000000,1674981892946989347,121989
65b3af7cd0587ce2950a88dc1f25bd7c,dffea153f3e906fb,5f8bc997f73f7ae4,ts-gateway-service-6f6cfc45b-h5m2n,HTTP GET,1674981892826340044,1674981892946647364,120307
65b3af7cd0587ce2950a88dc1f25bd7c,0a0a153f3e906fb1,dffea153f3e906fb,ts-contacts-service-866bd68c97-xcqfx,/api/v1/contacts,1674981892830000000,1674981892940000000,110000
"""


@pytest.mark.parametrize("compress", [False, True])
def test_the_nezha_span_table_is_recognised_by_its_columns(tmp_path: Path, compress: bool) -> None:
    path = tmp_path / ("spans.csv.gz" if compress else "spans.csv")
    data = (NEZHA_SPANS + NEZHA_SPANS.splitlines()[2] + "\n").encode()  # one repeated span
    path.write_bytes(gzip.compress(data) if compress else data)
    spans, report = read_traces([path])
    assert tuple(spans.columns) == SPAN_COLUMNS
    assert (report.spans, report.duplicates, report.malformed) == (4, 1, 0)
    assert report.files[0][1] == "span-table"
    first = spans.iloc[0]
    assert first["service"] == "ts-gateway-service"
    assert pd.isna(first["parent_span_id"])
    assert first["start"] == pd.Timestamp(1674981892825000000, unit="ns", tz="UTC")
    # end - start, to the nanosecond (Duration, in microseconds, agrees)
    assert first["duration_ms"] == pytest.approx(121.989347)
    assert spans.iloc[2]["service"] == "ts-contacts-service"
    assert spans.iloc[2]["parent_span_id"] == "dffea153f3e906fb"


def test_an_opentelemetry_style_parquet_table_is_recognised_too(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "trace_id": ["AB" * 16, "ab" * 16],
            "span_id": ["01" * 8, "02" * 8],
            "parent_span_id": ["", "01" * 8],
            "service.name": ["checkout", "payments"],
            "name": ["POST /checkout", "POST /pay"],
            "start_time": ["2026-03-02T11:00:00.000Z", "2026-03-02T11:00:00.010Z"],
            "end_time": ["2026-03-02T11:00:00.250Z", "2026-03-02T11:00:00.200Z"],
            "duration_ms": [250.0, 190.0],
            "status_code": ["OK", "ERROR"],
            "kind": ["SPAN_KIND_SERVER", "SPAN_KIND_SERVER"],
        }
    )
    frame.to_parquet(tmp_path / "spans.parquet")
    spans, report = read_traces([tmp_path / "spans.parquet"])
    assert report.spans == 2
    assert list(spans["trace_id"]) == ["ab" * 16] * 2
    assert list(spans["service"]) == ["checkout", "payments"]
    assert list(spans["duration_ms"]) == pytest.approx([250.0, 190.0])
    assert list(spans["is_error"]) == [False, True]
    assert list(spans["kind"]) == ["server", "server"]


def test_a_duration_only_table_and_map_for_other_names(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text(
        "tid,sid,psid,svc,what,ts,elapsed\n"
        "aa,01,,web,GET /,1700000000.5,12.5\n"
        "aa,02,01,db,SELECT,1700000000.501,10\n"
        ",03,01,db,SELECT,1700000000.502,1\n"
    )
    with pytest.raises(EvidenceError, match=r"not a span table I recognise.*--map"):
        read_traces([path])
    mapping = (
        ("trace_id", "tid"),
        ("span_id", "sid"),
        ("parent_span_id", "psid"),
        ("service", "svc"),
        ("operation", "what"),
        ("start", "ts"),
        ("duration_ms", "elapsed"),
    )
    spans, report = read_traces([path], mapping)
    assert report.spans == 2 and report.malformed == 1
    assert report.examples[0].reason == "no trace id"
    assert spans.iloc[0]["start"] == pd.Timestamp("2023-11-14T22:13:20.5Z")
    assert list(spans["duration_ms"]) == [12.5, 10.0]
    with pytest.raises(EvidenceError, match="no column 'nope'"):
        read_traces([path], (("trace_id", "nope"),))


def test_kubernetes_pods_belong_to_their_service() -> None:
    assert service_of_pod("ts-contacts-service-866bd68c97-xcqfx") == "ts-contacts-service"
    assert service_of_pod("ts-ui-dashboard-5477b965f-2chkr") == "ts-ui-dashboard"
    assert service_of_pod("mysql-0") == "mysql"
    assert service_of_pod("redis-cart-12") == "redis-cart"
    assert service_of_pod("ts-contacts-service") == "ts-contacts-service"
    assert service_of_pod("Frontend") == "Frontend"
    assert service_of_pod("payment-service-alpha-beta") == "payment-service-alpha-beta"


POD_METRICS = """Time,TimeStamp,PodName,CpuUsage(m),MemoryUsage(Mi),PodServerLatencyP90(s),PodSuccessRate(%)
2023-01-29 08:41:09.043078357 +0000 UTC m=+0.119240217,1674981669,ts-contacts-service-866bd68c97-xcqfx,15.7,424.6,0.0235,100
2023-01-29 08:42:09.018658981 +0000 UTC m=+60.094820869,1674981729,ts-contacts-service-866bd68c97-xcqfx,16.1,425.0,NaN,100
2023-01-29 08:43:09.458900382 +0000 UTC m=+120.5,1674981789,ts-contacts-service-866bd68c97-xcqfx,480.2,426.1,0.41,97.5
"""


def test_go_time_strings_and_epoch_seconds_read_the_same() -> None:
    go = parse_times(
        pd.Series(
            [
                "2023-01-29 08:41:09.04 +0000 UTC m=+0.11",
                "2023-01-29 08:41:09.043078357 +0000 UTC m=+0.119240217",
            ]
        )
    )
    assert go[0] == pd.Timestamp("2023-01-29T08:41:09.04Z")
    assert go[1] == pd.Timestamp("2023-01-29T08:41:09.043078357Z")
    epoch = parse_times(pd.Series([1674981669, 1674981729]))
    assert list(epoch) == [
        pd.Timestamp("2023-01-29T08:41:09Z"),
        pd.Timestamp("2023-01-29T08:42:09Z"),
    ]
    assert parse_times(pd.Series([1674981669000]))[0] == pd.Timestamp("2023-01-29T08:41:09Z")


def test_a_wide_pod_metric_table_becomes_rows_per_service_metric_and_unit(tmp_path: Path) -> None:
    path = tmp_path / "pod_metric.csv.gz"
    path.write_bytes(gzip.compress(POD_METRICS.encode()))
    rows = entity_metrics(read_metrics_frame(path), service_of_pod)
    assert set(rows["service"]) == {"ts-contacts-service"}
    units = rows.drop_duplicates("metric").set_index("metric")["unit"].to_dict()
    assert units == {
        "CpuUsage": "millicores",
        "MemoryUsage": "MiB",
        "PodServerLatencyP90": "s",
        "PodSuccessRate": "%",
    }
    assert len(rows[rows["metric"] == "PodServerLatencyP90"]) == 2  # NaN is no value
    assert rows["interval_s"].iloc[0] == 60.0
    # A row stamped T covers (T - 60 s, T]: the window 08:42:30-08:42:50 overlaps 08:43:09's row
    window = rows_overlapping(
        rows,
        datetime(2023, 1, 29, 8, 42, 30, tzinfo=UTC),
        datetime(2023, 1, 29, 8, 42, 50, tzinfo=UTC),
    )
    assert set(window["time"]) == {pd.Timestamp("2023-01-29T08:43:09Z")}
    assert metric_unit("NodeNetworkReceiveBytes") == ("NodeNetworkReceiveBytes", "")


def _envelope(line: str, time: str) -> str:
    return json.dumps({"log": line + "\n", "stream": "stdout", "time": time})


def test_container_logs_with_docker_envelopes_a_bad_line_and_a_bogus_clock(tmp_path: Path) -> None:
    header = "Timestamp,TimeUnixNano,Node,PodName,Container,TraceID,SpanID,Log"
    rows = [
        [
            "2023-01-29T08:44:20.851455124Z",
            "1674981860851455124",
            "n1",
            "ts-execute-service-775f544d9-zqvjb",
            "server",
            "4a5c",
            "5059",
            _envelope(
                "16:44:20.851 INFO  e.s.ExecuteServiceImpl#178 TraceID: 4a5c SpanID: 5059 "
                "[getOrderById][Execute Service, Get Order]",
                "2023-01-29T08:44:20.851455124Z",
            ),
        ],
        [
            "2023-01-29T09:20:29.295",
            "-6795364578871345152",
            "n1",
            "ts-travel-service-64469b5b48-25zj6",
            "server",
            "77aa",
            "88bb",
            _envelope(
                "17:20:29.299 ERROR t.s.TravelServiceImpl#91 TraceID: 77aa SpanID: 88bb "
                '[getRoute][500 response: {"status":500}]',
                "2023-01-29T09:20:29.299583319Z",
            ),
        ],
        [
            "2023-01-29T09:20:30.000000000Z",
            "1674984030000000000",
            "n1",
            "ts-travel-service-64469b5b48-25zj6",
            "server",
            "",
            "",
            "plain text, no envelope",
        ],
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header.split(","))
    writer.writerows(rows)
    writer.writerow([*list("123456789"), "10"])  # a spliced line: 10 fields instead of 8
    writer.writerow(rows[0])  # the same record again, from an overlapping file
    text = out.getvalue()
    path = tmp_path / "08_44_log.csv.gz"
    path.write_bytes(gzip.compress(text.encode()))
    logs, report = read_container_logs([path])
    assert (report.rows, report.malformed, report.duplicates) == (3, 1, 1)
    assert (report.examples[0].where, report.examples[0].reason) == (
        "line 5",
        "10 fields instead of 8",
    )
    first, second, third = (logs.iloc[i] for i in range(3))
    assert first["time"] == pd.Timestamp("2023-01-29T08:44:20.851455124Z")
    assert (first["service"], first["level"], first["source"]) == (
        "ts-execute-service",
        "info",
        "e.s.ExecuteServiceImpl#178",
    )
    assert first["message"] == "[getOrderById][Execute Service, Get Order]"
    assert (first["trace_id"], first["span_id"]) == ("4a5c", "5059")
    # the envelope's time, not the bogus TimeUnixNano nor the quoted body's clock
    assert second["time"] == pd.Timestamp("2023-01-29T09:20:29.299583319Z")
    assert second["level"] == "error"
    assert third["message"] == "plain text, no envelope"
    assert third["time"] == pd.Timestamp("2023-01-29T09:20:30Z")


def test_line_layouts_give_level_source_and_message() -> None:
    parsed = parse_lines(
        pd.Series(
            [
                "16:44:20.851 WARN  v.s.i.VerifyCodeServiceImpl#114 [verifyCode][Verify code start]",
                "2023-01-29 08:44:20.851  ERROR 1 --- [nio-8080-exec-1] c.e.Controller : boom",
                "08:44:20.851 [main] INFO c.e.App - started",
                "2023-01-29T08:44:20Z [error] something failed",
                "just words, nothing else",
            ]
        )
    )
    assert list(parsed["level"]) == ["warning", "error", "info", "error", ""]
    assert list(parsed["source"]) == [
        "v.s.i.VerifyCodeServiceImpl#114",
        "c.e.Controller",
        "c.e.App",
        "",
        "",
    ]
    assert parsed["message"].iloc[1] == "boom"


def test_a_log_table_without_a_line_column_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    with pytest.raises(EvidenceError, match=r"no log line column.*--map line=COLUMN"):
        read_container_logs([tmp_path / "x.csv"])
    with pytest.raises(EvidenceError, match="log file not found"):
        read_container_logs([tmp_path / "missing.csv"])
