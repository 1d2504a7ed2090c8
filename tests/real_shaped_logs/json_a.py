"""Samples of JSON-lines field conventions (first half)."""

from __future__ import annotations

from tests.real_shaped_logs.common import Sample, W, lines

JSON_CONVENTIONS_A = [
    Sample(
        "ECS, nested objects (a 5xx and a level error elsewhere)",
        "ecs-nested.json",
        lines(
            '{"@timestamp":"2025-03-12T10:00:00.000Z","log":{"level":"info","logger":"web"},'
            '"message":"GET /api/orders 200","http":{"request":{"method":"GET"},"response":'
            '{"status_code":200}},"url":{"path":"/api/orders","domain":"shop.example"},'
            '"event":{"duration":12000000},"organization":{"id":"acme"},"service":{"name":'
            '"orders"},"trace":{"id":"4bf92f3577b34da6a3ce929d0e0e4736"}}',
            '{"@timestamp":"2025-03-12T10:00:01.000Z","log":{"level":"error","logger":"web"},'
            '"message":"GET /error 500","http":{"request":{"method":"GET"},"response":'
            '{"status_code":500}},"url":{"path":"/error","domain":"shop.example"},'
            '"event":{"duration":2500000000},"organization":{"id":"beta"}}',
            '{"@timestamp":"2025-03-12T10:00:02.000Z","log":{"level":"error"},'
            '"message":"cache unreachable","service":{"name":"orders"}}',
        ),
        "jsonl",
        3,
        2,
        (W, "2025-03-12T10:00:02+00:00"),
        ("/api/orders", "/error"),
        fields={
            "status": "http.response.status_code",
            "endpoint": "url.path",
            "method": "http.request.method",
            "tenant": "organization.id",
            "latency": "event.duration",
            "level": "log.level",
            "service": "service.name",
            "trace_id": "trace.id",
        },
    ),
    Sample(
        "ECS as the ecs-logging libraries write it: flat dotted keys",
        "ecs-flat.json",
        lines(
            '{"@timestamp":"2025-03-12T10:00:00.000Z","log.level":"info","message":"ok",'
            '"ecs.version":"1.6.0","service.name":"cart","http.response.status_code":200,'
            '"url.path":"/cart"}',
            '{"@timestamp":"2025-03-12T10:00:01.000Z","log.level":"warn","message":"slow",'
            '"ecs.version":"1.6.0","service.name":"cart","http.response.status_code":404,'
            '"url.path":"/cart/9"}',
            '{"@timestamp":"2025-03-12T10:00:02.000Z","log.level":"error","message":"boom",'
            '"ecs.version":"1.6.0","service.name":"cart","http.response.status_code":503,'
            '"url.path":"/cart"}',
        ),
        "jsonl",
        3,
        1,
        (W, "2025-03-12T10:00:02+00:00"),
        ("/cart", "/cart/{id}"),
        fields={"level": "log.level", "status": "http.response.status_code"},
    ),
    Sample(
        "OpenTelemetry flattened records, severityNumber only",
        "otel-records.json",
        lines(
            '{"timeUnixNano":"1741773600000000000","severityNumber":17,"body":"payment failed",'
            '"attributes":{"http.route":"/pay","http.response.status_code":500},'
            '"resource":{"attributes":{"service.name":"payments"}},"traceId":"5b8efff798038103"}',
            '{"timeUnixNano":"1741773601000000000","severityNumber":21,"body":"worker crashed",'
            '"resource":{"attributes":{"service.name":"payments"}}}',
            '{"timeUnixNano":"1741773602000000000","severityNumber":9,"body":"ok",'
            '"attributes":{"http.route":"/pay","http.response.status_code":200}}',
        ),
        "jsonl",
        3,
        2,
        (W, "2025-03-12T10:00:02+00:00"),
        ("/pay",),
        fields={
            "level": "severityNumber",
            "endpoint": "attributes.http.route",
            "service": "resource.attributes.service.name",
        },
    ),
    Sample(
        "OpenTelemetry records with severityText and severityNumber, url.path",
        "otel-text.json",
        lines(
            '{"timestamp":"2025-03-12T10:00:00Z","severityText":"WARN","severityNumber":13,'
            '"body":"retry","attributes":{"url.path":"/a"}}',
            '{"timestamp":"2025-03-12T10:00:01Z","severityText":"ERROR2","severityNumber":18,'
            '"body":"failed","attributes":{"url.path":"/b"}}',
        ),
        "jsonl",
        2,
        1,
        (W, "2025-03-12T10:00:01+00:00"),
        ("/a", "/b"),
    ),
    Sample(
        "bunyan: numeric levels, req/res serializers",
        "bunyan.log",
        lines(
            '{"name":"shop","hostname":"h1","pid":7,"level":30,"req":{"method":"GET","url":'
            '"/items?page=2"},"res":{"statusCode":200},"msg":"request done",'
            '"time":"2025-03-12T10:00:00.000Z","v":0}',
            '{"name":"shop","hostname":"h1","pid":7,"level":50,"msg":"db timeout",'
            '"time":"2025-03-12T10:00:01.000Z","v":0}',
            '{"name":"shop","hostname":"h1","pid":7,"level":60,"msg":"out of memory",'
            '"time":"2025-03-12T10:00:02.000Z","v":0}',
            '{"name":"shop","hostname":"h1","pid":7,"level":40,"msg":"slow",'
            '"time":"2025-03-12T10:00:03.000Z","v":0}',
        ),
        "jsonl",
        4,
        2,
        (W, "2025-03-12T10:00:03+00:00"),
        ("/items",),
        fields={"service": "name", "status": "res.statusCode", "endpoint": "req.url"},
    ),
    Sample(
        "bunyan: only levels 50 and 60 are errors",
        "bunyan2.log",
        lines(
            '{"name":"a","hostname":"h","pid":1,"level":20,"msg":"d","time":"2025-03-12T10:00:00Z",'
            '"v":0}',
            '{"name":"a","hostname":"h","pid":1,"level":50,"msg":"e","time":"2025-03-12T10:00:01Z",'
            '"v":0}',
        ),
        "jsonl",
        2,
        1,
        (W, "2025-03-12T10:00:01+00:00"),
    ),
    Sample(
        "pino: epoch milliseconds, numeric levels",
        "pino.log",
        lines(
            '{"level":30,"time":1741773600000,"pid":9,"hostname":"h","msg":"listening"}',
            '{"level":50,"time":1741773601500,"pid":9,"hostname":"h","msg":"query failed",'
            '"err":{"type":"Error","message":"ECONNRESET","stack":"Error: ECONNRESET\\n    at x"}}',
            '{"level":60,"time":1741773602000,"pid":9,"hostname":"h","msg":"exiting"}',
        ),
        "jsonl",
        3,
        2,
        (W, "2025-03-12T10:00:02+00:00"),
    ),
    Sample(
        "pino-http: req, res.statusCode and responseTime",
        "pino-http.log",
        lines(
            '{"level":30,"time":1741773600000,"pid":9,"hostname":"h","req":{"id":1,"method":"GET",'
            '"url":"/api/users"},"res":{"statusCode":200},"responseTime":12,"msg":"request '
            'completed"}',
            '{"level":30,"time":1741773601000,"pid":9,"hostname":"h","req":{"id":2,"method":"GET",'
            '"url":"/api/users/7"},"res":{"statusCode":500},"responseTime":340,"msg":"request '
            'errored"}',
        ),
        "jsonl",
        2,
        1,
        (W, "2025-03-12T10:00:01+00:00"),
        ("/api/users", "/api/users/{id}"),
        fields={"latency": "responseTime", "method": "req.method"},
    ),
    Sample(
        "zap production JSON: ts in epoch seconds, caller, stacktrace",
        "zap.json",
        lines(
            '{"level":"info","ts":1741773600.123,"caller":"api/main.go:21","msg":"started"}',
            '{"level":"error","ts":1741773601.5,"caller":"api/db.go:88","msg":"query failed",'
            '"error":"context deadline exceeded","stacktrace":"main.query\\n\\t/app/db.go:88"}',
            '{"level":"dpanic","ts":1741773602,"caller":"api/x.go:1","msg":"bad state"}',
        ),
        "jsonl",
        3,
        2,
        ("2025-03-12T10:00:00.123000+00:00", "2025-03-12T10:00:02+00:00"),
    ),
    Sample(
        "zap JSON with ISO times and a warn",
        "zap-iso.json",
        lines(
            '{"level":"warn","ts":"2025-03-12T10:00:00.000Z","msg":"slow"}',
            '{"level":"fatal","ts":"2025-03-12T10:00:01.000Z","msg":"exit"}',
        ),
        "jsonl",
        2,
        1,
        (W, "2025-03-12T10:00:01+00:00"),
    ),
    Sample(
        "logrus JSON formatter",
        "logrus.json",
        lines(
            '{"level":"info","msg":"A group of walrus emerges","time":"2025-03-12T11:00:00+01:00"}',
            '{"level":"warning","msg":"The group is increasing","time":"2025-03-12T11:00:01+01:00"}',
            '{"level":"error","msg":"It is too big","time":"2025-03-12T11:00:02+01:00"}',
            '{"level":"panic","msg":"The ice breaks","time":"2025-03-12T11:00:03+01:00"}',
        ),
        "jsonl",
        4,
        2,
        (W, "2025-03-12T10:00:03+00:00"),
    ),
    Sample(
        "logrus JSON with fields and a trace level",
        "logrus2.json",
        lines(
            '{"animal":"walrus","level":"trace","msg":"t","time":"2025-03-12T10:00:00Z"}',
            '{"animal":"walrus","level":"fatal","msg":"f","time":"2025-03-12T10:00:05Z"}',
        ),
        "jsonl",
        2,
        1,
        (W, "2025-03-12T10:00:05+00:00"),
    ),
    Sample(
        "Serilog compact JSON: no @l is Information, @x the exception",
        "serilog.clef",
        lines(
            '{"@t":"2025-03-12T10:00:00.1234567Z","@mt":"Started {App}","App":"orders"}',
            '{"@t":"2025-03-12T10:00:01.0000000Z","@l":"Warning","@mt":"Slow {Ms}","Ms":900}',
            '{"@t":"2025-03-12T10:00:02.0000000Z","@l":"Error","@m":"Payment failed",'
            '"@x":"System.TimeoutException: timed out\\n   at Pay.Run()"}',
            '{"@t":"2025-03-12T10:00:03.0000000Z","@l":"Fatal","@m":"Host terminated"}',
        ),
        "jsonl",
        4,
        2,
        ("2025-03-12T10:00:00.123456+00:00", "2025-03-12T10:00:03+00:00"),
        fields={"timestamp": "@t", "level": "@l"},
    ),
    Sample(
        "Serilog compact JSON with Information only: no @l at all, still no error",
        "serilog-info.clef",
        lines(
            '{"@t":"2025-03-12T10:00:00Z","@mt":"Tick {N}","N":1}',
            '{"@t":"2025-03-12T10:00:01Z","@mt":"Tick {N}","N":2}',
        ),
        "jsonl",
        2,
        0,
        (W, "2025-03-12T10:00:01+00:00"),
        fields={"level": "@l"},
    ),
    Sample(
        "Google Cloud structured logging with httpRequest",
        "gcp.json",
        lines(
            '{"severity":"INFO","message":"ok","time":"2025-03-12T10:00:00Z","httpRequest":'
            '{"requestMethod":"GET","requestUrl":"https://shop.example/api/v1/items?x=1",'
            '"status":200,"latency":"0.012s"}}',
            '{"severity":"ERROR","message":"upstream reset","time":"2025-03-12T10:00:01Z",'
            '"httpRequest":{"requestMethod":"POST","requestUrl":"https://shop.example/api/v1/'
            'orders","status":503,"latency":"1.500s"},"logging.googleapis.com/trace":'
            '"projects/p/traces/abc"}',
        ),
        "jsonl",
        2,
        1,
        (W, "2025-03-12T10:00:01+00:00"),
        ("/api/v1/items", "/api/v1/orders"),
        fields={
            "status": "httpRequest.status",
            "endpoint": "httpRequest.requestUrl",
            "latency": "httpRequest.latency",
            "method": "httpRequest.requestMethod",
            "level": "severity",
        },
    ),
]
