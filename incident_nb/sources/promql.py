"""Every PromQL query the metrics evidence runs, built from configurable metric and label names.

Pure string building, like :mod:`incident_nb.sources.logsql` for logs: no I/O, so the queries can
be shown in the notebook and unit-tested. Only PromQL that Prometheus 2.x and the compatible
stores (Thanos, Mimir, VictoriaMetrics) all understand is used.
"""

from __future__ import annotations

from dataclasses import dataclass

# Quantiles asked of the latency histogram, by the name of the series they produce.
QUANTILES: tuple[tuple[str, float], ...] = (("p50_ms", 0.5), ("p95_ms", 0.95), ("p99_ms", 0.99))


@dataclass(frozen=True)
class MetricNames:
    """Which metrics and labels hold the service's traffic; every name is overridable."""

    requests_counter: str = "http_requests_total"
    duration_histogram: str = "http_request_duration_seconds"
    service_label: str = "service"
    code_label: str = "code"
    route_label: str = "route"
    le_label: str = "le"
    error_code_regex: str = "5.."
    """Status codes that count as the service's errors (4xx are the client's)."""
    cpu_counter: str = "process_cpu_seconds_total"
    memory_gauge: str = "process_resident_memory_bytes"
    connections_gauge: str = "process_open_fds"
    """Open connections; file descriptors by default, as most exporters have no better gauge."""


def quote(value: str) -> str:
    """A PromQL double-quoted string literal holding ``value`` exactly."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def rate_window(step_seconds: int) -> str:
    """The ``rate()`` range for a step: two steps and at least 2 minutes (two scrapes at 1/min)."""
    return f"{max(2 * step_seconds, 120)}s"


def _selector(metric: str, names: MetricNames, service: str, *matchers: str) -> str:
    parts = [f"{names.service_label}={quote(service)}", *matchers]
    return f"{metric}{{{', '.join(parts)}}}"


def _errors_matcher(names: MetricNames) -> str:
    return f"{names.code_label}=~{quote(names.error_code_regex)}"


def request_rate(names: MetricNames, service: str, window: str) -> str:
    """Requests per second of ``service``."""
    return f"sum(rate({_selector(names.requests_counter, names, service)}[{window}]))"


def error_rate(names: MetricNames, service: str, window: str) -> str:
    """Share of requests that failed (0..1); 0, not nothing, when no error series exists."""
    errors = _selector(names.requests_counter, names, service, _errors_matcher(names))
    return f"(sum(rate({errors}[{window}])) or vector(0)) / {request_rate(names, service, window)}"


def route_request_rate(names: MetricNames, service: str, window: str) -> str:
    """Requests per second of each route (endpoint) of ``service``."""
    selector = _selector(names.requests_counter, names, service)
    return f"sum by ({names.route_label}) (rate({selector}[{window}]))"


def route_error_rate(names: MetricNames, service: str, window: str) -> str:
    """Share of requests that failed, per route; routes without errors give 0."""
    errors = _selector(names.requests_counter, names, service, _errors_matcher(names))
    by = f"sum by ({names.route_label})"
    total = route_request_rate(names, service, window)
    return f"({by} (rate({errors}[{window}])) or 0 * {total}) / {total}"


def latency_quantile(names: MetricNames, service: str, quantile: float, window: str) -> str:
    """The ``quantile`` of request duration in seconds, from the histogram's buckets."""
    buckets = _selector(f"{names.duration_histogram}_bucket", names, service)
    return (
        f"histogram_quantile({quantile:g}, sum by ({names.le_label}) (rate({buckets}[{window}])))"
    )


def resource_queries(names: MetricNames, service: str, window: str) -> dict[str, str]:
    """Resource utilisation of ``service``: CPU cores used, resident memory, open connections."""
    return {
        "cpu_cores": f"sum(rate({_selector(names.cpu_counter, names, service)}[{window}]))",
        "memory_bytes": f"sum({_selector(names.memory_gauge, names, service)})",
        "open_connections": f"sum({_selector(names.connections_gauge, names, service)})",
    }


def service_queries(names: MetricNames, service: str, step_seconds: int) -> dict[str, str]:
    """The overall series of the metrics evidence, by series name (latency in seconds)."""
    window = rate_window(step_seconds)
    queries = {
        "request_rate": request_rate(names, service, window),
        "error_rate": error_rate(names, service, window),
    }
    for name, quantile in QUANTILES:
        queries[name] = latency_quantile(names, service, quantile, window)
    return queries
