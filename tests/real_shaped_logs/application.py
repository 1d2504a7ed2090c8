"""Samples of application text logs: log4j/logback, Python, glog, zap, Spark and others."""

from __future__ import annotations

from tests.real_shaped_logs.common import Sample, W, lines

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
        "Hadoop's compact log4j (HDFS daemons), '%d{yyMMdd HHmmss} thread %p %c: %m'",
        "hadoop-hdfs-datanode.log",
        lines(
            "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block "
            "blk_1 terminating",
            "081109 203807 222 WARN dfs.DataNode: Slow BlockReceiver write packet took 312ms",
            "081109 204005 35 ERROR dfs.DataNode$DataXceiver: writeBlock blk_2 received "
            "exception java.io.IOException: Connection reset by peer",
            "java.io.IOException: Connection reset by peer",
            "\tat sun.nio.ch.FileDispatcher.read0(Native Method)",
            "081109 204106 INFO dfs.FSNamesystem: BLOCK* NameSystem.allocateBlock: blk_3",
        ),
        "hadoop",
        4,
        1,
        ("2008-11-09T20:36:15+00:00", "2008-11-09T20:41:06+00:00"),
    ),
    Sample(
        "An HDFS NameNode's log of the same layout, without thread ids, a FATAL at shutdown",
        "hadoop-hdfs-namenode.log",
        lines(
            "150317 091502 INFO namenode.NameNode: STARTUP_MSG: Starting NameNode",
            "150317 091503 INFO namenode.FSNamesystem: fsOwner = hdfs (auth:SIMPLE)",
            "150317 091509 FATAL namenode.NameNode: Exception in namenode join",
            "java.io.IOException: NameNode is not formatted.",
            "150317 091509 INFO util.ExitUtil: Exiting with status 1",
        ),
        "hadoop",
        4,
        1,
        ("2015-03-17T09:15:02+00:00", "2015-03-17T09:15:09+00:00"),
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
        "OpenStack oslo.log of an API: requests with status and time, a failure in between",
        "nova-api.log",
        lines(
            "2025-03-12 10:00:00.008 25746 INFO nova.osapi_compute.wsgi.server "
            "[None req-3f2a9c1e-0b7d-4c55-9a1e-2d6f8b1c0a11 admin tenant-a - default default] "
            '10.0.0.7 "GET /v2.1/servers/detail HTTP/1.1" status: 200 len: 1893 time: 0.2477829',
            "2025-03-12 10:00:01.120 25746 INFO nova.osapi_compute.wsgi.server "
            "[None req-7d1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d alice tenant-b - default default] "
            '10.0.0.8 "POST /v2.1/servers HTTP/1.1" status: 202 len: 733 time: 1.1030421',
            "2025-03-12 10:00:02.500 25746 ERROR nova.api.openstack.wsgi "
            "[None req-9c0e1d2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f alice tenant-b - default default] "
            "Unexpected exception in API method: ValueError: flavor m1.huge not found",
            "2025-03-12 10:00:02.510 25746 INFO nova.osapi_compute.wsgi.server "
            "[None req-9c0e1d2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f alice tenant-b - default default] "
            '10.0.0.8 "POST /v2.1/servers HTTP/1.1" status: 500 len: 222 time: 0.0102000',
        ),
        "oslo",
        4,
        2,
        ("2025-03-12T10:00:00.008000+00:00", "2025-03-12T10:00:02.510000+00:00"),
        ("/v2.1/servers", "/v2.1/servers/detail"),
        fields={"tenant": "project", "status": "status", "latency": "latency_ms"},
    ),
    Sample(
        "OpenStack oslo.log as collected with each line's file name before it",
        "nova-compute.txt",
        lines(
            "nova-compute.log.1.2025-03-12_10:05:00 2025-03-12 10:00:10.302 2931 INFO "
            "nova.virt.libvirt.driver [-] [instance: b9000564-fe1a-409b-b8cc-1e88b294cd1d] "
            "Instance spawned successfully.",
            "nova-compute.log.1.2025-03-12_10:05:00 2025-03-12 10:00:20.345 2931 WARNING "
            "nova.virt.libvirt.imagecache [req-addc1839-2ed5-4778-b57e-5854eb7b8b09 - - - - -] "
            "Unknown base file: /var/lib/nova/instances/_base/a489c868f0c37da93b76227c91bb0390",
            "nova-compute.log.1.2025-03-12_10:05:00 2025-03-12 10:00:21.001 2931 CRITICAL nova "
            "[req-addc1839-2ed5-4778-b57e-5854eb7b8b09 - - - - -] Unhandled error",
        ),
        "oslo",
        3,
        1,
        ("2025-03-12T10:00:10.302000+00:00", "2025-03-12T10:00:21.001000+00:00"),
        fields={"service": "service", "tenant": None},  # no project in these contexts
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
