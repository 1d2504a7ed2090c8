"""Real-shaped log samples of every format and field convention incident-nb reads, with truth.

Each sample is written by hand from the format's own documentation (its layout, field names,
level names and numbers, time formats), not copied from any project; its expectations are
counted by hand from the text: records (a continuation line is no record), malformed ones,
errors (a 5xx status, else a level of error or worse), the endpoints, the window (UTC).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Sample:
    """One log file and what reading it must give."""

    name: str
    file: str
    text: str
    fmt: str
    records: int
    errors: int
    window: tuple[str, str]
    endpoints: tuple[str, ...] = ()
    malformed: int = 0
    bad_timestamp: int = 0
    envelope: str = ""
    year: int | None = None
    mtime: str = ""
    """ISO time to give the file as its modification time (year-less layouts)."""
    errors_known: bool = True
    fields: dict[str, str | None] = field(default_factory=dict)
    """Roles whose source field is checked (the others are not)."""


def lines(*rows: str) -> str:
    """The text of a file of ``rows``."""
    return "".join(row + "\n" for row in rows)


W = "2025-03-12T10:00:00+00:00"
"""The start of most samples' windows."""

ACCESS = [
    Sample(
        "nginx main: combined plus a trailing X-Forwarded-For",
        "access.log",
        lines(
            '192.0.2.10 - - [12/Mar/2025:10:00:00 +0000] "GET /api/orders?id=7 HTTP/1.1" 200 512 '
            '"-" "curl/8.5.0" "-"',
            '192.0.2.11 - alice [12/Mar/2025:10:00:05 +0000] "POST /api/orders HTTP/1.1" 201 48 '
            '"https://shop.example/cart" "Mozilla/5.0 (X11; Linux x86_64)" "198.51.100.7, 10.0.0.2"',
            '192.0.2.12 - - [12/Mar/2025:10:00:09 +0000] "GET /api/orders HTTP/1.1" 502 157 "-" '
            '"curl/8.5.0" "-"',
            '192.0.2.12 - - [12/Mar/2025:10:01:10 +0000] "GET /health HTTP/1.1" 404 0 "-" '
            '"kube-probe/1.29" "-"',
        ),
        "access",
        4,
        1,
        (W, "2025-03-12T10:01:10+00:00"),
        ("/api/orders", "/health"),
        fields={"status": "status", "endpoint": "path", "method": "method", "latency": None},
    ),
    Sample(
        "Apache vhost prefix (%v:%p) and %D microseconds",
        "ssl_access.log",
        lines(
            'shop.example:443 203.0.113.5 - - [12/Mar/2025:11:00:00 +0100] "GET /cart HTTP/2.0" '
            '200 1043 "-" "Mozilla/5.0" 2345',
            'shop.example:443 203.0.113.5 - - [12/Mar/2025:11:00:01 +0100] "GET /checkout '
            'HTTP/2.0" 500 312 "https://shop.example/cart" "Mozilla/5.0" 1523412',
            'shop.example:443 203.0.113.6 - - [12/Mar/2025:11:00:02 +0100] "GET /checkout '
            'HTTP/2.0" 503 312 "-" "Mozilla/5.0" 30001234',
        ),
        "access",
        3,
        2,
        (W, "2025-03-12T10:00:02+00:00"),
        ("/cart", "/checkout"),
        fields={"latency": "latency_ms"},
    ),
    Sample(
        "nginx with $request_time in seconds, one truncated line",
        "api.access.log",
        lines(
            '10.1.0.4 - - [12/Mar/2025:10:00:00 +0000] "GET /v1/items HTTP/1.1" 200 99 "-" '
            '"okhttp/4.12" 0.004',
            '10.1.0.4 - - [12/Mar/2025:10:00:01 +0000] "GET /v1/items HTTP/1.1" 500 0 "-" "okh',
            '10.1.0.5 - - [12/Mar/2025:10:00:03 +0000] "DELETE /v1/items/9 HTTP/1.1" 504 0 "-" '
            '"okhttp/4.12" 60.001',
        ),
        "access",
        3,
        1,
        (W, "2025-03-12T10:00:03+00:00"),
        ("/v1/items", "/v1/items/9"),
        malformed=1,
    ),
]
HAPROXY = [
    Sample(
        "HAProxy HTTP log through syslog, timers TR/Tw/Tc/Tr/Ta",
        "haproxy.log",
        lines(
            "<134>Mar 12 10:00:00 lb1 haproxy[2213]: 192.0.2.20:40122 [12/Mar/2025:10:00:00.102] "
            'www~ app/web1 0/0/1/12/13 200 1532 - - ---- 12/12/0/0/0 0/0 "GET /index.html HTTP/1.1"',
            "<134>Mar 12 10:00:31 lb1 haproxy[2213]: 192.0.2.21:40123 [12/Mar/2025:10:00:01.200] "
            "www~ app/web2 0/0/0/-1/30001 504 194 - - sH-- 10/10/1/1/0 0/0 "
            '"GET /api/report HTTP/1.1"',
            "<134>Mar 12 10:00:02 lb1 haproxy[2213]: 192.0.2.22:40124 [12/Mar/2025:10:00:02.001] "
            'www~ app/<NOSRV> -1/-1/-1/-1/0 503 212 - - SC-- 5/5/0/0/0 0/0 "GET /api/report HTTP/1.1"',
        ),
        "haproxy",
        3,
        2,
        ("2025-03-12T10:00:00.102000+00:00", "2025-03-12T10:00:02.001000+00:00"),
        ("/api/report", "/index.html"),
        year=2025,
        fields={"status": "status", "latency": "latency_ms"},
    ),
    Sample(
        "HAProxy 'log stdout format raw': no syslog header",
        "haproxy-raw.log",
        lines(
            "192.0.2.30:51000 [12/Mar/2025:10:05:00.000] fe be/s1 1/0/2/40/43 200 800 - - ---- "
            '1/1/0/0/0 0/0 "POST /login HTTP/1.1"',
            "192.0.2.31:51001 [12/Mar/2025:10:05:01.500] fe be/s1 1/0/2/900/903 500 80 - - ---- "
            '1/1/0/0/0 0/0 "POST /login HTTP/1.1"',
        ),
        "haproxy",
        2,
        1,
        ("2025-03-12T10:05:00+00:00", "2025-03-12T10:05:01.500000+00:00"),
        ("/login",),
    ),
]
SYSLOG = [
    Sample(
        "RFC 5424 with structured data; severity from PRI % 8",
        "rfc5424.log",
        lines(
            "<165>1 2025-03-12T10:00:00.003Z host1.example.com payments 1234 ID47 "
            '[exampleSDID@32473 iut="3" eventSource="Application"] charge accepted',
            "<163>1 2025-03-12T10:00:05.000Z host1.example.com payments 1234 ID48 - charge "
            "failed: card processor timeout",
            "<164>1 2025-03-12T11:00:09.000+01:00 host1.example.com payments 1234 - - retrying",
        ),
        "rfc5424",
        3,
        1,
        ("2025-03-12T10:00:00.003000+00:00", "2025-03-12T10:00:09+00:00"),
        fields={"level": "pri", "service": "app"},
    ),
    Sample(
        "RFC 5424 with nil fields, a crit and a line without a time",
        "rfc5424-nil.log",
        lines(
            "<10>1 2025-03-12T10:00:00Z db1 - - - - disk /dev/sdb failing",
            "<14>1 2025-03-12T10:00:01Z db1 cron 55 - - job started",
            "<14>1 - db1 cron 55 - - no time here",
        ),
        "rfc5424",
        3,
        1,
        (W, "2025-03-12T10:00:01+00:00"),
        bad_timestamp=1,
    ),
    Sample(
        "RFC 3164 with PRI, year from --year",
        "auth.log",
        lines(
            "<34>Mar 12 10:00:00 web1 sshd[811]: error: maximum authentication attempts exceeded "
            "for root from 192.0.2.50",
            "<38>Mar 12 10:00:04 web1 sshd[811]: Accepted publickey for deploy from 192.0.2.51",
            "<30>Mar 12 10:01:00 web1 systemd[1]: Started Daily apt upgrade.",
        ),
        "syslog",
        3,
        1,
        (W, "2025-03-12T10:01:00+00:00"),
        year=2025,
        fields={"level": "pri", "service": "app"},
    ),
    Sample(
        "RFC 3164 as rsyslog writes files (no PRI, so no level), across New Year",
        "messages",
        lines(
            "Dec 31 23:59:58 db1 postgres[901]: LOG:  checkpoint starting: time",
            "Dec 31 23:59:59 db1 postgres[901]: ERROR:  deadlock detected",
            "Jan  1 00:00:01 db1 kernel: [123.456] eth0: link up",
        ),
        "syslog",
        3,
        0,
        ("2024-12-31T23:59:58+00:00", "2025-01-01T00:00:01+00:00"),
        year=2024,
        errors_known=False,
    ),
    Sample(
        "RFC 3164 dated by the file's modification time, across New Year",
        "syslog",
        lines(
            "<11>Dec 31 23:59:50 app1 worker[12]: job 7 failed",
            "<14>Jan  1 00:00:10 app1 worker[12]: job 8 done",
        ),
        "syslog",
        2,
        1,
        ("2024-12-31T23:59:50+00:00", "2025-01-01T00:00:10+00:00"),
        mtime="2025-01-01T00:05:00",
    ),
    Sample(
        "rsyslog's ISO 8601 file format",
        "syslog-iso.log",
        lines(
            "2025-03-12T11:00:00.123456+01:00 web1 nginx[77]: start worker process 78",
            "2025-03-12T11:00:01.000000+01:00 web1 kernel: Out of memory: Killed process 78",
        ),
        "syslog-iso",
        2,
        0,
        ("2025-03-12T10:00:00.123456+00:00", "2025-03-12T10:00:01+00:00"),
        errors_known=False,
    ),
    Sample(
        "syslog with ISO times and PRI",
        "syslog-iso-pri.log",
        lines(
            "<11>2025-03-12T10:00:00Z app1 billing[3]: invoice run failed",
            "<13>2025-03-12T10:00:30Z app1 billing[3]: invoice run retried",
        ),
        "syslog-iso",
        2,
        1,
        (W, "2025-03-12T10:00:30+00:00"),
    ),
]
WEB_SERVER_ERRORS = [
    Sample(
        "Apache 2.4 error log",
        "error_log",
        lines(
            "[Wed Mar 12 10:00:00.123456 2025] [core:error] [pid 1234:tid 140123] "
            "[client 192.0.2.9:50000] AH00126: Invalid URI in request GET /%%% HTTP/1.1",
            "[Wed Mar 12 10:00:02.000001 2025] [mpm_event:notice] [pid 1200:tid 140000] AH00489: "
            "Apache/2.4.58 (Unix) configured -- resuming normal operations",
            "[Wed Mar 12 10:00:03.500000 2025] [proxy:warn] [pid 1234:tid 140123] AH01144: No "
            "protocol handler was valid for the URL /api",
        ),
        "apache-error",
        3,
        1,
        ("2025-03-12T10:00:00.123456+00:00", "2025-03-12T10:00:03.500000+00:00"),
    ),
    Sample(
        "Apache 2.2 error log",
        "error.log",
        lines(
            "[Sun Mar 09 10:00:00 2025] [error] [client 192.0.2.9] File does not exist: "
            "/var/www/favicon.ico",
            "[Sun Mar 09 10:00:05 2025] [notice] Apache/2.2.34 configured",
            "[Sun Mar 09 10:00:06 2025] [crit] (28)No space left on device: mod_rewrite",
        ),
        "apache-error",
        3,
        2,
        ("2025-03-09T10:00:00+00:00", "2025-03-09T10:00:06+00:00"),
    ),
    Sample(
        "nginx error log with the request it failed",
        "nginx-error.log",
        lines(
            "2025/03/12 10:00:00 [error] 31#31: *5 connect() failed (111: Connection refused) "
            "while connecting to upstream, client: 192.0.2.3, server: shop, request: "
            '"GET /api/cart HTTP/1.1", upstream: "http://10.0.0.8:8080/api/cart"',
            "2025/03/12 10:00:07 [notice] 1#1: signal process started",
        ),
        "nginx-error",
        2,
        1,
        (W, "2025-03-12T10:00:07+00:00"),
        ("/api/cart",),
    ),
    Sample(
        "nginx error log, warn and crit",
        "nginx_error.log",
        lines(
            "2025/03/12 10:00:00 [warn] 31#31: *9 an upstream response is buffered to a temporary "
            "file",
            "2025/03/12 10:00:01 [crit] 31#31: *10 open() failed (24: Too many open files)",
            "2025/03/12 10:00:02 [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: in use)",
        ),
        "nginx-error",
        3,
        2,
        (W, "2025-03-12T10:00:02+00:00"),
    ),
]
APPLICATION_TEXT = [
    Sample(
        "log4j2 %d{ISO8601} with [thread], and a stack trace",
        "app.log",
        lines(
            "2025-01-24T07:00:30,139 INFO [main] com.example.App : started in 2.1 s",
            "2025-01-24T07:00:31,200 ERROR [worker-1] com.example.Db : connection refused",
            "java.net.ConnectException: Connection refused",
            "\tat java.base/sun.nio.ch.Net.connect0(Native Method)",
            "\tat com.example.Db.connect(Db.java:42)",
            "2025-01-24T07:00:32,001 WARN [main] com.example.App : slow start",
        ),
        "log4j",
        3,
        1,
        ("2025-01-24T07:00:30.139000+00:00", "2025-01-24T07:00:32.001000+00:00"),
    ),
    Sample(
        "log4j 1 / Hadoop '%d %p [%t] %c - %m', Spring Boot and Kafka lines",
        "server.log",
        lines(
            "2025-01-24 07:00:30,139 ERROR [pool-1-thread-3] o.a.k.c.NetworkClient - "
            "Connection to node 1 failed",
            "2025-01-24 07:00:31.200  INFO 4242 --- [           main] o.s.b.w.e.t.TomcatWebServer"
            "  : Tomcat started on port 8080",
            "[2025-01-24 07:00:32,001] FATAL [KafkaServer id=0] Fatal error during startup "
            "(kafka.server.KafkaServer)",
            "2025-01-24 07:00:33,500 - WARN  [QuorumPeer[myid=1]:Learner@123] - Unexpected "
            "exception",
        ),
        "log4j",
        4,
        2,
        ("2025-01-24T07:00:30.139000+00:00", "2025-01-24T07:00:33.500000+00:00"),
    ),
    Sample(
        "logback's default pattern, no date: the file's day",
        "logback.log",
        lines(
            "07:00:30.139 [main] INFO  com.example.App - started",
            "07:00:31.200 [http-nio-8080-exec-1] ERROR com.example.Api - request failed",
            "java.lang.IllegalStateException: boom",
            "\tat com.example.Api.handle(Api.java:10)",
        ),
        "logback",
        2,
        1,
        ("2025-01-24T07:00:30.139000+00:00", "2025-01-24T07:00:31.200000+00:00"),
        mtime="2025-01-24T09:00:00",
    ),
    Sample(
        "logback's default pattern around midnight: the day before for later times",
        "logback-midnight.log",
        lines(
            "23:59:59.900 [main] WARN  com.example.Job - slow batch",
            "00:00:00.100 [main] ERROR com.example.Job - batch failed",
            "00:00:01.000 [main] INFO  com.example.Job - retrying",
        ),
        "logback",
        3,
        1,
        ("2025-01-23T23:59:59.900000+00:00", "2025-01-24T00:00:01+00:00"),
        mtime="2025-01-24T00:02:00",
    ),
    Sample(
        "Python logging '%(asctime)s - %(name)s - %(levelname)s - %(message)s', a traceback",
        "worker.log",
        lines(
            "2025-03-12 10:00:00,139 - myapp.db - ERROR - could not connect",
            "Traceback (most recent call last):",
            '  File "/srv/app/db.py", line 3, in connect',
            "ConnectionRefusedError: [Errno 111] Connection refused",
            "2025-03-12 10:00:01,001 - myapp - INFO - retrying in 1 s",
            "2025-03-12 10:00:02,000 - myapp.jobs - CRITICAL - giving up",
        ),
        "python",
        3,
        2,
        ("2025-03-12T10:00:00.139000+00:00", "2025-03-12T10:00:02+00:00"),
    ),
    Sample(
        "Python logging, WARNING and DEBUG",
        "celery.log",
        lines(
            "2025-03-12 10:00:00,000 - celery.worker - WARNING - prefetch limit reached",
            "2025-03-12 10:00:00,500 - celery.app.trace - DEBUG - task ok",
        ),
        "python",
        2,
        0,
        (W, "2025-03-12T10:00:00.500000+00:00"),
    ),
    Sample(
        "Spark '%d{yy/MM/dd HH:mm:ss} %p %c{1}: %m'",
        "spark-executor.log",
        lines(
            "17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: Registered signal "
            "handlers for [TERM, HUP, INT]",
            "17/06/09 20:10:41 ERROR executor.Executor: Exception in task 0.0 in stage 1.0",
            "java.lang.OutOfMemoryError: Java heap space",
            "17/06/09 20:10:42 WARN storage.BlockManager: Putting block rdd_2_0 failed",
        ),
        "spark",
        3,
        1,
        ("2017-06-09T20:10:40+00:00", "2017-06-09T20:10:42+00:00"),
    ),
    Sample(
        "Hadoop MapReduce with the same layout",
        "syslog-hadoop.log",
        lines(
            "15/10/18 18:01:47 INFO mapreduce.Job: Running job: job_1445144423722_0020",
            "15/10/18 18:01:52 FATAL mapred.YarnChild: Error running child : java.lang.OOM",
        ),
        "spark",
        2,
        1,
        ("2015-10-18T18:01:47+00:00", "2015-10-18T18:01:52+00:00"),
    ),
    Sample(
        "glog, year from --year",
        "server.INFO",
        lines(
            "I0312 10:00:00.619632    1234 main.go:42] starting server on :8080",
            "E0312 10:00:01.000001    1234 server.go:100] failed to bind: address already in use",
            "W0312 10:00:02.500000    1234 server.go:101] retrying",
            "F0312 10:00:03.000000    1234 server.go:102] giving up",
        ),
        "glog",
        4,
        2,
        ("2025-03-12T10:00:00.619632+00:00", "2025-03-12T10:00:03+00:00"),
        year=2025,
    ),
    Sample(
        "glog file with its header: the year from 'Log file created at'",
        "server.host.user.log.INFO.20241231-235950.42",
        lines(
            "Log file created at: 2024/12/31 23:59:50",
            "Running on machine: host",
            "Binary: Built with gc go1.22.1 for linux/amd64",
            "Log line format: [IWEF]mmdd hh:mm:ss.uuuuuu threadid file:line] msg",
            "I1231 23:59:55.000000   42 main.go:10] serving",
            "E0101 00:00:02.000000   42 main.go:20] lost the database",
        ),
        "glog",
        6,
        1,
        ("2024-12-31T23:59:55+00:00", "2025-01-01T00:00:02+00:00"),
        malformed=4,
        mtime="2026-06-01T00:00:00",
    ),
    Sample(
        "klog as Kubernetes components write it, dated by the file",
        "kube-scheduler.log",
        lines(
            "I1231 23:59:59.000000       1 leaderelection.go:250] attempting to acquire lease",
            'E0101 00:00:01.000000       1 scheduler.go:380] "Error scheduling pod" pod="default/web"',
        ),
        "glog",
        2,
        1,
        ("2024-12-31T23:59:59+00:00", "2025-01-01T00:00:01+00:00"),
        mtime="2025-01-01T01:00:00",
    ),
    Sample(
        "zap development console: tab-separated, fields as JSON, a stack after the error",
        "zap.log",
        '2025-03-12T11:00:00.619+0100\tINFO\tserver/main.go:42\tstarting\t{"port": 8080}\n'
        "2025-03-12T11:00:01.000+0100\tERROR\tserver/main.go:60\tfailed to bind\t"
        '{"error": "address in use"}\n'
        "main.main\n\t/app/server/main.go:60\nruntime.main\n\t/usr/local/go/src/runtime/proc.go:271\n"
        "2025-03-12T11:00:02.000+0100\tWARN\tserver/main.go:61\tretrying\n",
        "zap",
        3,
        1,
        ("2025-03-12T10:00:00.619000+00:00", "2025-03-12T10:00:02+00:00"),
    ),
    Sample(
        "zap console with a logger name, DPANIC and FATAL",
        "zap-named.log",
        "2025-03-12T10:00:00.000Z\tINFO\tapi\thttp/server.go:12\tlistening\n"
        "2025-03-12T10:00:05.000Z\tDPANIC\tapi\thttp/server.go:30\tinvariant broken\n"
        "2025-03-12T10:00:06.000Z\tFATAL\tapi\thttp/server.go:31\tshutting down\n",
        "zap",
        3,
        2,
        (W, "2025-03-12T10:00:06+00:00"),
    ),
    Sample(
        "zap console of an HTTP server: status, path and latency in the fields",
        "zap-http.log",
        "2025-03-12T10:00:00.000Z\tINFO\thttp/log.go:12\trequest\t"
        '{"status": 200, "path": "/a", "latency": "3ms"}\n'
        "2025-03-12T10:00:01.000Z\tINFO\thttp/log.go:12\trequest\t"
        '{"status": 503, "path": "/b", "latency": "1.2s"}\n'
        "2025-03-12T10:00:02.000Z\tERROR\tworker/run.go:40\tjob failed\n",
        "zap",
        3,
        2,
        (W, "2025-03-12T10:00:02+00:00"),
        ("/a", "/b"),
        fields={"status": "status", "endpoint": "path", "latency": "latency"},
    ),
    Sample(
        "Android logcat threadtime",
        "logcat.txt",
        lines(
            "03-12 10:00:00.811  1702  2395 I ActivityManager: Start proc 4242:com.example/u0a1",
            "03-12 10:00:01.000  4242  4242 E AndroidRuntime: FATAL EXCEPTION: main",
            "03-12 10:00:02.100  4242  4242 W System.err: at com.example.Main.run(Main.java:1)",
        ),
        "logcat",
        3,
        1,
        ("2025-03-12T10:00:00.811000+00:00", "2025-03-12T10:00:02.100000+00:00"),
        year=2025,
    ),
    Sample(
        "Android logcat, an assert and a verbose line, dated by the file",
        "logcat-2.txt",
        lines(
            "12-31 23:59:59.000   500   500 V Zygote: preload done",
            "01-01 00:00:01.250   500   510 F libc: Fatal signal 11 (SIGSEGV)",
        ),
        "logcat",
        2,
        1,
        ("2024-12-31T23:59:59+00:00", "2025-01-01T00:00:01.250000+00:00"),
        mtime="2025-01-01T00:10:00",
    ),
    Sample(
        "lines that only start with a time: no level, so errors cannot be told",
        "startup.txt",
        lines(
            "2025-03-12T10:00:00Z Starting payment service",
            "2025-03-12T10:00:04Z Listening on :9000",
        ),
        "timestamped",
        2,
        0,
        (W, "2025-03-12T10:00:04+00:00"),
        errors_known=False,
    ),
    Sample(
        "bracketed ISO times before free text",
        "deploy.txt",
        lines(
            "[2025-03-12 10:00:00] pulling image registry.example/api:1.4.2",
            "[2025-03-12 10:00:09] rolled out 3 of 3 replicas",
            "[2025-03-12 10:00:10] done",
        ),
        "timestamped",
        3,
        0,
        (W, "2025-03-12T10:00:10+00:00"),
        errors_known=False,
    ),
    Sample(
        "logfmt as Prometheus and Loki write it",
        "prometheus.logfmt",
        lines(
            'ts=2025-03-12T10:00:00.123Z caller=main.go:42 level=info msg="Server is ready"',
            'ts=2025-03-12T10:00:03.000Z caller=manager.go:99 level=error component="rule manager"'
            ' msg="Failed to reload" err="open /etc/rules.yml: no such file"',
        ),
        "logfmt",
        2,
        1,
        ("2025-03-12T10:00:00.123000+00:00", "2025-03-12T10:00:03+00:00"),
    ),
    Sample(
        "logrus text formatter (logfmt), 'warning' and 'fatal'",
        "logrus.txt",
        lines(
            'time="2025-03-12T11:00:00+01:00" level=warning msg="A walrus appears" animal=walrus',
            'time="2025-03-12T11:00:01+01:00" level=fatal msg="The ice breaks!" number=100',
            'time="2025-03-12T11:00:02+01:00" level=info msg="done" status=200 path=/ice',
        ),
        "logfmt",
        3,
        1,
        (W, "2025-03-12T10:00:02+00:00"),
        ("/ice",),
    ),
]
JSON_CONVENTIONS = [
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
        ("/cart", "/cart/9"),
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
        ("/api/users", "/api/users/7"),
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

SAMPLES: list[Sample] = [
    *ACCESS,
    *HAPROXY,
    *SYSLOG,
    *WEB_SERVER_ERRORS,
    *APPLICATION_TEXT,
    *JSON_CONVENTIONS,
    *ENVELOPES,
]
"""Every sample, each format and convention at least twice."""
