"""Samples of container envelopes: Docker json-file, CRI, compose and kubectl prefixes."""

from __future__ import annotations

from tests.real_shaped_logs.common import Sample, W, lines

ENVELOPES = [
    Sample(
        "Docker json-file around pino JSON, and a line split by Docker's 16 KB limit",
        "container-json.log",
        lines(
            '{"log":"{\\"level\\":30,\\"time\\":1741773600000,\\"msg\\":\\"up\\"}\\n",'
            '"stream":"stdout","time":"2025-03-12T10:00:00.000123456Z"}',
            '{"log":"{\\"level\\":50,\\"time\\":1741773601000,","stream":"stderr",'
            '"time":"2025-03-12T10:00:01.000000001Z"}',
            '{"log":"\\"msg\\":\\"db down\\"}\\n","stream":"stderr",'
            '"time":"2025-03-12T10:00:01.000000002Z"}',
        ),
        "jsonl",
        2,
        1,
        (W, "2025-03-12T10:00:01+00:00"),
        envelope="docker",
    ),
    Sample(
        "Docker json-file around plain text lines: the envelope's time",
        "container-text.log",
        lines(
            '{"log":"Listening on :8080\\n","stream":"stdout","time":"2025-03-12T10:00:00Z"}',
            '{"log":"panic: runtime error\\n","stream":"stderr","time":"2025-03-12T10:00:05Z"}',
        ),
        "text",
        2,
        0,
        (W, "2025-03-12T10:00:05+00:00"),
        envelope="docker",
        errors_known=False,
        fields={"timestamp": "docker.time"},
    ),
    Sample(
        "Kubernetes CRI around logfmt, a partial line joined",
        "0.log",
        lines(
            "2025-03-12T10:00:00.100000000Z stdout F level=info ts=2025-03-12T10:00:00Z msg=ready",
            '2025-03-12T10:00:01.100000000Z stderr P level=error ts=2025-03-12T10:00:01Z msg="'
            "upstream",
            '2025-03-12T10:00:01.100000001Z stderr F  closed"',
        ),
        "logfmt",
        2,
        1,
        (W, "2025-03-12T10:00:01+00:00"),
        envelope="cri",
    ),
    Sample(
        "Kubernetes CRI around glog lines: the CRI time has the year",
        "1.log",
        lines(
            "2025-03-12T10:00:00.000000000Z stderr F I0312 10:00:00.000000       1 main.go:1] ok",
            "2025-03-12T10:00:02.000000000Z stderr F E0312 10:00:02.000000       1 main.go:9] bad",
        ),
        "glog",
        2,
        1,
        (W, "2025-03-12T10:00:02+00:00"),
        envelope="cri",
    ),
    Sample(
        "docker compose logs: Caddy JSON and a Python web app, each its own format",
        "compose.log",
        lines(
            'caddy  | {"level":"info","ts":1741773600.0,"logger":"http.log.access","msg":"handled '
            'request","request":{"method":"GET","uri":"/"},"status":200,"duration":0.001}',
            "web-1  | 2025-03-12 10:00:01,000 - web - ERROR - database is locked",
            'caddy  | {"level":"error","ts":1741773602.0,"logger":"http.log.access","msg":"handled '
            'request","request":{"method":"GET","uri":"/api"},"status":502,"duration":0.5}',
            "web-1  | 2025-03-12 10:00:03,000 - web - INFO - recovered",
        ),
        "jsonl",
        4,
        2,
        (W, "2025-03-12T10:00:03+00:00"),
        ("/", "/api"),
        envelope="compose",
        fields={"service": "compose.service"},
    ),
    Sample(
        "docker compose logs of one logfmt service",
        "compose-logfmt.log",
        lines(
            "api-1  | ts=2025-03-12T10:00:00Z level=info msg=start",
            "api-1  | ts=2025-03-12T10:00:01Z level=error msg=crash",
            "api-2  | ts=2025-03-12T10:00:02Z level=warn msg=slow",
        ),
        "logfmt",
        3,
        1,
        (W, "2025-03-12T10:00:02+00:00"),
        envelope="compose",
    ),
    Sample(
        "kubectl logs --prefix around JSON",
        "kubectl.log",
        lines(
            '[pod/checkout-7d9f8b6c5-x2x9k/checkout] {"level":"info","time":"2025-03-12T10:00:00Z",'
            '"msg":"ok","status":200,"path":"/pay"}',
            '[pod/checkout-7d9f8b6c5-x2x9k/checkout] {"level":"error","time":"2025-03-12T10:00:01Z",'
            '"msg":"declined","status":502,"path":"/pay"}',
        ),
        "jsonl",
        2,
        1,
        (W, "2025-03-12T10:00:01+00:00"),
        ("/pay",),
        envelope="kubectl",
        fields={"service": "kubectl.container"},
    ),
    Sample(
        "kubectl logs --prefix around a Java log with a stack trace",
        "kubectl-java.log",
        lines(
            "[pod/api-0/api] 2025-03-12 10:00:00,000 INFO [main] App - started",
            "[pod/api-0/api] 2025-03-12 10:00:01,000 ERROR [main] App - failed",
            "[pod/api-0/api] java.lang.RuntimeException: x",
            "[pod/api-0/api] \tat App.main(App.java:3)",
        ),
        "log4j",
        2,
        1,
        (W, "2025-03-12T10:00:01+00:00"),
        envelope="kubectl",
    ),
]
