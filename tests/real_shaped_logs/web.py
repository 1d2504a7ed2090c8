"""Samples of web servers, proxies and syslog: access logs, haproxy, syslog, error logs."""

from __future__ import annotations

from tests.real_shaped_logs.common import Sample, W, lines

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
        ("/v1/items", "/v1/items/{id}"),
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
