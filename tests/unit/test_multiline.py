"""Multi-line records: joining lines into records per language, and the signatures of traces."""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_nb.analysis.multiline import join_records
from incident_nb.analysis.signatures import group_messages
from incident_nb.analysis.stacktraces import NO_TYPE, parse_trace
from incident_nb.sources.messages import read_messages

# Each sample: a record with a stack trace, with {n} where two occurrences differ.
TRACES = {
    "java": """\
Exception in thread "main" java.lang.IllegalStateException: pool {n} closed
\tat com.acme.db.Pool.borrow(Pool.java:4{n})
\tat org.springframework.aop.Proxy.invoke(Proxy.java:1{n})
\tat com.acme.api.Orders.create(Orders.java:88)
Caused by: java.net.SocketException: Connection reset
\tat java.net.SocketInputStream.read(SocketInputStream.java:210)
\t... {n} more""",
    "python": """\
Traceback (most recent call last):
  File "/srv/app/api.py", line 1{n}, in create
    charge(order)
  File "/usr/lib/python3.12/site-packages/stripe/api.py", line 9{n}, in charge
    raise KeyError(key)
KeyError: 'card{n}'""",
    "go": """\
panic: runtime error: index out of range [{n}] with length 3

goroutine 1 [running]:
main.(*Server).handle(0x0, 0xc00001000{n})
\t/home/app/server.go:42 +0x1d
net/http.HandlerFunc.ServeHTTP(0x0)
\t/usr/local/go/src/net/http/server.go:2136 +0x29
main.main()
\t/home/app/main.go:1{n} +0x25
exit status 2""",
    "dotnet": """\
System.InvalidOperationException: Sequence contains no elements for order {n}
   at System.Linq.ThrowHelper.ThrowNoElementsException()
   at MyApp.Services.OrderService.GetFirst() in C:\\src\\MyApp\\OrderService.cs:line 4{n}
 ---> System.Exception: inner
   --- End of inner exception stack trace ---
   at MyApp.Program.Main() in C:\\src\\MyApp\\Program.cs:line 9""",
    "javascript": """\
TypeError: Cannot read properties of undefined (reading 'id{n}')
    at getUser (/app/src/users.js:12:1{n})
    at Layer.handle [as handle_request] (/app/node_modules/express/lib/router/layer.js:95:5)
    at /app/src/index.js:3:1""",
    "php": """\
PHP Fatal error:  Uncaught Exception: order {n} not found in /var/www/app/x.php:3
Stack trace:
#0 /var/www/app/y.php(1{n}): find()
#1 /var/www/vendor/slim/App.php(20): run()
#2 {{main}}
  thrown in /var/www/app/x.php on line 3""",
    "laravel": """\
[2023-05-15 18:19:3{n}] production.ERROR: Call to undefined method App\\Models\\User::foo() \
{{"userId":{n},"exception":"[object] (BadMethodCallException(code: 0): Call to undefined \
method App\\\\Models\\\\User::foo() at /var/www/vendor/laravel/ForwardsCalls.php:67)
[stacktrace]
#0 /var/www/app/Http/Controllers/UserController.php(2{n}): Illuminate\\Model->__call()
#1 /var/www/vendor/laravel/framework/src/Routing/Controller.php(54): App\\UserController->show()
#2 {{main}}
"}}""",
}
EXPECTED_HEADS = {
    "java": "java.lang.IllegalStateException caused by java.net.SocketException: pool <*> closed",
    "python": "KeyError: '<*>'",
    "go": "panic: runtime error: index out of range [<*>] with length <*>",
    "dotnet": "System.InvalidOperationException caused by System.Exception: Sequence contains "
    "no elements for order <*>",
    "javascript": "TypeError: Cannot read properties of undefined (reading '<*>')",
    "php": "Exception: order <*> not found in <*>",
    "laravel": "BadMethodCallException: Call to undefined method App\\\\Models\\\\User::foo() at <*>)",
}
EXPECTED_FRAMES = {
    "java": [
        "at com.acme.db.Pool.borrow(Pool.java:<*>)",
        "at com.acme.api.Orders.create(Orders.java:<*>)",
    ],
    "python": ['File "/srv/app/api.py", line <*>, in create'],
    "go": ["main.(*Server).handle(<*>, <*>)", "main.main()"],
    "dotnet": [
        "at MyApp.Services.OrderService.GetFirst() in C:\\src\\MyApp\\OrderService.cs:line <*>",
        "at MyApp.Program.Main() in C:\\src\\MyApp\\Program.cs:line <*>",
    ],
    "javascript": ["at getUser (/app/src/users.js:<*>:<*>)", "at /app/src/index.js:<*>:<*>"],
    "php": ["#<*> /var/www/app/y.php(<*>): find()"],
    "laravel": [
        "#<*> /var/www/app/Http/Controllers/UserController.php(<*>): Illuminate\\Model->__call()"
    ],
}
AROUND = ("worker {n} started", "worker {n} stopped")


def _bare_log(language: str) -> tuple[list[str], list[int]]:
    """Lines of a log with two traces among plain lines, and each line's record.

    A Python traceback continues the line above it (``logger.exception`` prints the message,
    then the traceback); the traces of other languages start records of their own.
    """
    lines: list[str] = []
    owners: list[int] = []
    record = -1
    for n, text in enumerate([AROUND[0], TRACES[language], AROUND[1], TRACES[language], AROUND[0]]):
        part = text.format(n=n + 1).split("\n")
        if not (language == "python" and text is TRACES[language]):
            record += 1
        lines += part
        owners += [record] * len(part)
    return lines, owners


def _stamped_log(language: str) -> list[str]:
    """A log whose records start with a timestamp; each trace follows its record's first line."""
    lines: list[str] = []
    for n in range(1, 6):
        stamp = f"2024-05-01 10:00:0{n},000"
        if n % 2:
            lines.append(f"{stamp} INFO {AROUND[0].format(n=n)}")
        else:
            if language != "laravel":
                lines.append(f"{stamp} ERROR request {n} failed")
            lines += TRACES[language].format(n=n).split("\n")
    return lines


@pytest.mark.parametrize("language", sorted(TRACES))
def test_each_language_trace_is_one_record(language: str) -> None:
    lines, owners = _bare_log(language)
    records, found = join_records(lines)
    assert list(found) == owners
    assert records[owners[-1] - 1].endswith(TRACES[language].format(n=4))
    stamped = _stamped_log(language)
    records, found = join_records(stamped)
    assert len(records) == 5
    assert records[1].endswith(TRACES[language].format(n=2))


@pytest.mark.parametrize("language", sorted(TRACES))
@pytest.mark.parametrize("fmt", ["auto", "multiline"])
@pytest.mark.parametrize("stamped", [False, True])
def test_each_language_trace_is_one_signature(
    tmp_path: Path, language: str, fmt: str, stamped: bool
) -> None:
    lines = _stamped_log(language) if stamped else _bare_log(language)[0]
    path = tmp_path / "app.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    log = read_messages(path, fmt)  # type: ignore[arg-type]
    assert log.lines.format == "multiline"
    assert log.message_of_lines()[-1] == len(log.messages) - 1
    templates = group_messages(log.messages).templates()
    traces = [t for t in templates if "\n" in t]
    assert len(traces) == 2 and traces[0] == traces[1]
    head, *frames = traces[0].split("\n")
    assert head == EXPECTED_HEADS[language]
    assert [f.strip() for f in frames] == EXPECTED_FRAMES[language]
    assert templates[-1].endswith("worker <*> started")
    assert all(NO_TYPE not in t and "Stack trace" not in t.split("\n")[0] for t in templates)


def test_text_format_keeps_one_message_per_line(tmp_path: Path) -> None:
    lines, _ = _bare_log("python")
    path = tmp_path / "app.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert len(read_messages(path, "text").messages) == len(lines)


def test_python_chained_tracebacks_are_one_record_and_frames_never_lead() -> None:
    lines = [
        "2024-05-01 10:00:00,120 ERROR payment failed",
        "Traceback (most recent call last):",
        '  File "/srv/app/pay.py", line 3, in pay',
        "    card = cards[key]",
        "KeyError: 'visa'",
        "",
        "During handling of the above exception, another exception occurred:",
        "",
        "Traceback (most recent call last):",
        '  File "/srv/app/pay.py", line 5, in pay',
        "    raise PaymentError(key)",
        "app.errors.PaymentError: no card visa",
        "2024-05-01 10:00:01,004 INFO retry scheduled",
    ]
    records, owners = join_records(lines)
    assert owners == (0,) * 12 + (1,)
    trace = parse_trace(records[0])
    assert trace is not None
    assert trace.types == ("app.errors.PaymentError", "KeyError")
    assert trace.message == "no card visa"
    assert trace.frames == ('File "/srv/app/pay.py", line <*>, in pay',) * 2


def test_records_led_by_timestamps_take_every_line_without_one() -> None:
    lines = [
        "[2024-05-01 10:00:00] ERROR query failed:",
        "SELECT *",
        "FROM orders",
        "",
        "[2024-05-01 10:00:02] INFO done",
        "[2024-05-01 10:00:03] INFO done",
    ]
    records, owners = join_records(lines)
    assert owners == (0, 0, 0, 0, 1, 2)
    assert records[0] == "[2024-05-01 10:00:00] ERROR query failed:\nSELECT *\nFROM orders"


def test_plain_lines_and_blank_lines_stay_records_of_their_own() -> None:
    lines = ["disk full", "", "disk full", "  indented detail", "cache miss"]
    records, owners = join_records(lines)
    assert records == ["disk full", "", "disk full\n  indented detail", "cache miss"]
    assert owners == (0, 1, 2, 2, 3)
    assert join_records([]) == ([], ())
