from __future__ import annotations

from incident_nb.sources import promql
from incident_nb.sources.promql import MetricNames


def test_default_queries_golden() -> None:
    queries = promql.service_queries(MetricNames(), "checkout", 60)
    assert queries == {
        "request_rate": 'sum(rate(http_requests_total{service="checkout"}[120s]))',
        "error_rate": (
            '(sum(rate(http_requests_total{service="checkout", code=~"5.."}[120s])) '
            "or vector(0)) / "
            'sum(rate(http_requests_total{service="checkout"}[120s]))'
        ),
        "p50_ms": (
            "histogram_quantile(0.5, sum by (le) "
            '(rate(http_request_duration_seconds_bucket{service="checkout"}[120s])))'
        ),
        "p95_ms": (
            "histogram_quantile(0.95, sum by (le) "
            '(rate(http_request_duration_seconds_bucket{service="checkout"}[120s])))'
        ),
        "p99_ms": (
            "histogram_quantile(0.99, sum by (le) "
            '(rate(http_request_duration_seconds_bucket{service="checkout"}[120s])))'
        ),
    }


def test_names_are_configuration() -> None:
    names = MetricNames(
        requests_counter="requests_count",
        duration_histogram="latency",
        service_label="app",
        code_label="status",
        route_label="handler",
        error_code_regex="5..|429",
    )
    assert promql.error_rate(names, "api", "5m") == (
        '(sum(rate(requests_count{app="api", status=~"5..|429"}[5m])) or vector(0)) / '
        'sum(rate(requests_count{app="api"}[5m]))'
    )
    assert promql.route_error_rate(names, "api", "5m") == (
        '(sum by (handler) (rate(requests_count{app="api", status=~"5..|429"}[5m])) '
        'or 0 * sum by (handler) (rate(requests_count{app="api"}[5m]))) / '
        'sum by (handler) (rate(requests_count{app="api"}[5m]))'
    )
    assert promql.latency_quantile(names, "api", 0.99, "5m") == (
        'histogram_quantile(0.99, sum by (le) (rate(latency_bucket{app="api"}[5m])))'
    )


def test_label_values_are_quoted_exactly() -> None:
    assert promql.quote('a"b\\c\nd') == '"a\\"b\\\\c\\nd"'
    query = promql.request_rate(MetricNames(), 'x"} or vector(1) #', "2m")
    assert query == 'sum(rate(http_requests_total{service="x\\"} or vector(1) #"}[2m]))'


def test_rate_window_covers_two_scrapes() -> None:
    assert promql.rate_window(15) == "120s"
    assert promql.rate_window(60) == "120s"
    assert promql.rate_window(300) == "600s"


def test_resource_queries() -> None:
    assert promql.resource_queries(MetricNames(), "checkout", "2m") == {
        "cpu_cores": 'sum(rate(process_cpu_seconds_total{service="checkout"}[2m]))',
        "memory_bytes": 'sum(process_resident_memory_bytes{service="checkout"})',
        "open_connections": 'sum(process_open_fds{service="checkout"})',
    }
