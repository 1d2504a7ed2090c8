"""Samples of JSON-lines field conventions (second half)."""

from __future__ import annotations

from tests.real_shaped_logs.common import Sample, W, lines

JSON_CONVENTIONS_B = [
    Sample(
        "Google Cloud severities without HTTP: CRITICAL, ALERT, NOTICE, DEFAULT",
        "gcp-sev.json",
        lines(
            '{"severity":"NOTICE","message":"n","timestamp":"2025-03-12T10:00:00Z"}',
            '{"severity":"CRITICAL","message":"c","timestamp":"2025-03-12T10:00:01Z"}',
            '{"severity":"ALERT","message":"a","timestamp":"2025-03-12T10:00:02Z"}',
            '{"severity":"DEFAULT","message":"d","timestamp":"2025-03-12T10:00:03Z"}',
        ),
        "jsonl",
        4,
        2,
        (W, "2025-03-12T10:00:03+00:00"),
    ),
    Sample(
        "journald JSON (journalctl -o json): microseconds and PRIORITY as strings",
        "journal.json",
        lines(
            '{"__REALTIME_TIMESTAMP":"1741773600123456","PRIORITY":"3","MESSAGE":"nginx.service: '
            'Failed with result exit-code","_SYSTEMD_UNIT":"nginx.service","SYSLOG_IDENTIFIER":'
            '"systemd"}',
            '{"__REALTIME_TIMESTAMP":"1741773601000000","PRIORITY":"6","MESSAGE":"Started nginx",'
            '"_SYSTEMD_UNIT":"nginx.service"}',
            '{"__REALTIME_TIMESTAMP":"1741773602000000","PRIORITY":"2","MESSAGE":"critical '
            'temperature","SYSLOG_IDENTIFIER":"kernel"}',
        ),
        "jsonl",
        3,
        2,
        ("2025-03-12T10:00:00.123456+00:00", "2025-03-12T10:00:02+00:00"),
        fields={"level": "PRIORITY", "message": "MESSAGE", "service": "_SYSTEMD_UNIT"},
    ),
    Sample(
        "journald JSON with PRIORITY 4 (warning) and 0 (emerg)",
        "journal2.json",
        lines(
            '{"__REALTIME_TIMESTAMP":"1741773600000000","PRIORITY":"4","MESSAGE":"w"}',
            '{"__REALTIME_TIMESTAMP":"1741773601000000","PRIORITY":"0","MESSAGE":"e"}',
        ),
        "jsonl",
        2,
        1,
        (W, "2025-03-12T10:00:01+00:00"),
    ),
    Sample(
        "Elasticsearch's own JSON logs: comma before the millis, +0100",
        "es_server.json",
        lines(
            '{"type": "server", "timestamp": "2019-01-10T10:46:46,679+0100", "level": "INFO", '
            '"component": "o.e.n.Node", "cluster.name": "docker-cluster", "node.name": "n1", '
            '"message": "started"}',
            '{"type": "server", "timestamp": "2019-01-10T10:46:47,001+0100", "level": "ERROR", '
            '"component": "o.e.b.Bootstrap", "cluster.name": "docker-cluster", "node.name": "n1",'
            ' "message": "node validation exception"}',
        ),
        "jsonl",
        2,
        1,
        ("2019-01-10T09:46:46.679000+00:00", "2019-01-10T09:46:47.001000+00:00"),
        fields={"timestamp": "timestamp"},
    ),
    Sample(
        "Elasticsearch JSON logs with WARN and a stacktrace list",
        "es_deprecation.json",
        lines(
            '{"type": "deprecation", "timestamp": "2019-01-10T10:46:46,679+0000", "level": "WARN",'
            ' "component": "o.e.d.c.ParseField", "message": "deprecated field"}',
            '{"type": "server", "timestamp": "2019-01-10T10:46:48,000+0000", "level": "FATAL", '
            '"component": "o.e.b.Bootstrap", "message": "fatal", "stacktrace": ["a", "b"]}',
        ),
        "jsonl",
        2,
        1,
        ("2019-01-10T10:46:46.679000+00:00", "2019-01-10T10:46:48+00:00"),
    ),
    Sample(
        "GELF: syslog levels, epoch seconds",
        "gelf.json",
        lines(
            '{"version":"1.1","host":"h","short_message":"disk full","timestamp":1741773600.5,'
            '"level":3,"_service":"store"}',
            '{"version":"1.1","host":"h","short_message":"ok","timestamp":1741773601,"level":6}',
        ),
        "jsonl",
        2,
        1,
        ("2025-03-12T10:00:00.500000+00:00", "2025-03-12T10:00:01+00:00"),
    ),
    Sample(
        "GELF with full_message and an emergency",
        "gelf2.json",
        lines(
            '{"version":"1.1","host":"db","short_message":"replication broken","full_message":'
            '"replica lag 900s\\nprimary unreachable","timestamp":1741773600,"level":0}',
            '{"version":"1.1","host":"db","short_message":"lagging","timestamp":1741773660,'
            '"level":4}',
        ),
        "jsonl",
        2,
        1,
        (W, "2025-03-12T10:01:00+00:00"),
    ),
    Sample(
        "logstash @fields: a level nested in an object",
        "logstash.json",
        lines(
            '{"@timestamp":"2025-03-12T10:00:00Z","@fields":{"lvl":"ERROR","msg":"x"}}',
            '{"@timestamp":"2025-03-12T10:00:01Z","@fields":{"lvl":"info","msg":"y"}}',
        ),
        "jsonl",
        2,
        1,
        (W, "2025-03-12T10:00:01+00:00"),
        fields={"level": "@fields.lvl"},
    ),
    Sample(
        "Caddy access log (zap JSON): duration in seconds, request object",
        "caddy.json",
        lines(
            '{"level":"info","ts":1741773600.0,"logger":"http.log.access","msg":"handled request",'
            '"request":{"method":"GET","uri":"/","host":"shop.example"},"status":200,'
            '"duration":0.0021}',
            '{"level":"error","ts":1741773601.0,"logger":"http.log.access","msg":"handled request",'
            '"request":{"method":"GET","uri":"/api?q=1","host":"shop.example"},"status":502,'
            '"duration":1.2}',
        ),
        "jsonl",
        2,
        1,
        (W, "2025-03-12T10:00:01+00:00"),
        ("/", "/api"),
    ),
    Sample(
        "Caddy access log with a 4xx and a 5xx",
        "caddy-access.log",
        lines(
            '{"level":"info","ts":1741773600.5,"logger":"http.log.access.log0","msg":"handled '
            'request","request":{"remote_ip":"192.0.2.1","method":"POST","uri":"/login"},'
            '"status":401,"duration":0.01}',
            '{"level":"error","ts":1741773601.5,"logger":"http.log.access.log0","msg":"handled '
            'request","request":{"remote_ip":"192.0.2.1","method":"POST","uri":"/login"},'
            '"status":500,"duration":0.02}',
        ),
        "jsonl",
        2,
        1,
        ("2025-03-12T10:00:00.500000+00:00", "2025-03-12T10:00:01.500000+00:00"),
        ("/login",),
        fields={"latency": "duration", "endpoint": "request.uri"},
    ),
    Sample(
        "Traefik JSON access log: Duration in nanoseconds",
        "traefik.json",
        lines(
            '{"StartUTC":"2025-03-12T10:00:00Z","RequestMethod":"GET","RequestPath":"/api/x?y=1",'
            '"DownstreamStatus":200,"Duration":1500000,"level":"info","msg":"","time":'
            '"2025-03-12T10:00:00Z"}',
            '{"StartUTC":"2025-03-12T10:00:01Z","RequestMethod":"POST","RequestPath":"/api/y",'
            '"DownstreamStatus":502,"Duration":30000000000,"level":"info","msg":"","time":'
            '"2025-03-12T10:00:01Z"}',
        ),
        "jsonl",
        2,
        1,
        (W, "2025-03-12T10:00:01+00:00"),
        ("/api/x", "/api/y"),
        fields={"status": "DownstreamStatus", "latency": "Duration", "method": "RequestMethod"},
    ),
    Sample(
        "log4j2 JsonLayout: instant, thrown",
        "log4j2.json",
        lines(
            '{"instant":{"epochSecond":1741773600,"nanoOfSecond":120000000},"thread":"main",'
            '"level":"INFO","loggerName":"com.example.App","message":"started"}',
            '{"instant":{"epochSecond":1741773601,"nanoOfSecond":0},"thread":"main",'
            '"level":"ERROR","loggerName":"com.example.Db","message":"query failed",'
            '"thrown":{"name":"java.sql.SQLException","extendedStackTrace":"java.sql.SQLException:'
            ' timeout\\n\\tat com.example.Db.q(Db.java:9)"}}',
        ),
        "jsonl",
        2,
        1,
        (W, "2025-03-12T10:00:01+00:00"),
        fields={"timestamp": "instant.epochSecond"},
    ),
    Sample(
        "an export: one pretty-printed JSON array of records",
        "export.json",
        "[\n"
        '  {"@timestamp": "2025-03-12T10:00:00Z", "log.level": "info", "url.path": "/a"},\n'
        '  {"@timestamp": "2025-03-12T10:00:01Z", "log.level": "error", "url.path": "/b"},\n'
        '  {"@timestamp": "2025-03-12T10:00:02Z", "log.level": "warn", "url.path": "/a"}\n'
        "]\n",
        "jsonl",
        3,
        1,
        (W, "2025-03-12T10:00:02+00:00"),
        ("/a", "/b"),
    ),
    Sample(
        "JSON lines after a comment line",
        "commented.jsonl",
        lines(
            "# exported from the incident channel",
            '{"ts":"2025-03-12T10:00:00Z","level":"info","msg":"a"}',
            '{"ts":"2025-03-12T10:00:01Z","level":"error","msg":"b"}',
        ),
        "jsonl",
        3,
        1,
        (W, "2025-03-12T10:00:01+00:00"),
        malformed=1,
    ),
    Sample(
        "JSON lines after a // comment, named .log",
        "commented.log",
        lines(
            "// generated by the load test",
            '{"time":"2025-03-12T10:00:00Z","lvl":"err","msg":"a"}',
            '{"time":"2025-03-12T10:00:01Z","lvl":"crit","msg":"b"}',
            '{"time":"2025-03-12T10:00:02Z","lvl":"warn","msg":"c"}',
        ),
        "jsonl",
        4,
        2,
        (W, "2025-03-12T10:00:02+00:00"),
        malformed=1,
    ),
]
