"""Metrics from the Prometheus HTTP API (``/api/v1/query_range``) as tidy DataFrames.

Speaks only the HTTP API, so Thanos, Mimir and VictoriaMetrics work the same. Credentials come
from the environment (or files it names), never from notebook parameters. Every failure (server
unreachable, HTTP or query error, no data) is an
:class:`~incident_nb.core.errors.EvidenceError` that
says what to check, so the notebook can show it in the metrics section and carry on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import httpx
import pandas as pd
import pydantic

from incident_nb.core.errors import EvidenceError
from incident_nb.core.models import iso, utc
from incident_nb.core.secrets import read_secret
from incident_nb.sources import promql
from incident_nb.sources.promql import MetricNames

ENV_TOKEN = "INCIDENT_NB_PROMETHEUS_TOKEN"
ENV_USER = "INCIDENT_NB_PROMETHEUS_USER"
ENV_PASSWORD = "INCIDENT_NB_PROMETHEUS_PASSWORD"
MAX_POINTS = 11_000  # Prometheus refuses more than 11,000 points per series


@dataclass(frozen=True, repr=False)
class PrometheusAuth:
    """Bearer token or basic-auth credentials; ``repr`` never shows them."""

    bearer_token: str | None = None
    username: str | None = None
    password: str | None = None

    def __repr__(self) -> str:
        kind = "bearer" if self.bearer_token else "basic" if self.username else "none"
        return f"PrometheusAuth({kind})"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> PrometheusAuth | None:
        """Credentials from ``INCIDENT_NB_PROMETHEUS_*`` variables (token or user/password).

        ``*_FILE`` variables name a file holding the secret (e.g. a mounted Kubernetes secret).

        Raises:
            EvidenceError: a named secret file cannot be read.
        """
        token = read_secret(ENV_TOKEN, "Prometheus secret", env=env, error=EvidenceError)
        if token:
            return cls(bearer_token=token)
        user = read_secret(ENV_USER, "Prometheus user", env=env, error=EvidenceError)
        if user:
            password = read_secret(ENV_PASSWORD, "Prometheus secret", env=env, error=EvidenceError)
            return cls(username=user, password=password)
        return None

    def httpx_auth(self) -> httpx.Auth | None:
        """The matching httpx authentication."""
        if self.username is not None:
            return httpx.BasicAuth(self.username, self.password or "")
        return None

    def headers(self) -> dict[str, str]:
        """Headers carrying a bearer token."""
        return {"Authorization": f"Bearer {self.bearer_token}"} if self.bearer_token else {}


@dataclass(frozen=True)
class ServiceFrames:
    """What the server holds for a service: one frame (time, value, labels) per series name."""

    frames: dict[str, pd.DataFrame]
    routes: pd.DataFrame
    """Long frame: time, route, request_rate, error_rate."""
    queries: dict[str, str]
    notes: tuple[str, ...]


class _Series(pydantic.BaseModel):
    metric: dict[str, str]
    values: list[tuple[float, str]]


class _Data(pydantic.BaseModel):
    resultType: Literal["matrix"]  # noqa: N815 - the API's field name
    result: list[_Series]


class _Response(pydantic.BaseModel):
    status: Literal["success", "error"]
    data: _Data | None = None
    errorType: str | None = None  # noqa: N815
    error: str | None = None


def parse_matrix(payload: object) -> pd.DataFrame:
    """A ``query_range`` response body as a tidy frame: time (UTC), value, one column per label.

    Raises:
        EvidenceError: the body is not a successful matrix response.
    """
    try:
        response = _Response.model_validate(payload)
    except pydantic.ValidationError as exc:
        raise EvidenceError(
            f"not a Prometheus query_range response ({exc.error_count()} problems, first: "
            f"{exc.errors()[0]['msg']}); check that the URL is the server's base URL"
        ) from None
    if response.status == "error" or response.data is None:
        raise EvidenceError(
            f"Prometheus rejected the query ({response.errorType}): {response.error}; "
            "check the metric and label names in the configuration"
        )
    labels = sorted({name for s in response.data.result for name in s.metric})
    rows: list[dict[str, object]] = []
    for series in response.data.result:
        for stamp, value in series.values:
            row: dict[str, object] = {name: series.metric.get(name) for name in labels}
            row["time"] = stamp
            row["value"] = float(value)  # "NaN", "+Inf" included
            rows.append(row)
    frame = pd.DataFrame(rows, columns=["time", "value", *labels])
    frame["time"] = pd.to_datetime(frame["time"].astype(float), unit="s", utc=True)
    frame["value"] = frame["value"].astype(float)
    return frame


class PrometheusSource:
    """A Prometheus-compatible server's HTTP API at ``url`` (its base URL).

    ``transport`` is the one seam of its I/O: the default speaks to the network; tests pass an
    :class:`httpx.MockTransport` serving recorded responses.
    """

    def __init__(
        self,
        url: str,
        names: MetricNames | None = None,
        auth: PrometheusAuth | None = None,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.names = names or MetricNames()
        headers = auth.headers() if auth else {}
        self._client = httpx.Client(
            base_url=self.url,
            auth=auth.httpx_auth() if auth else None,
            headers=headers,
            timeout=timeout,
            transport=transport,
        )

    def __enter__(self) -> PrometheusSource:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the HTTP connections."""
        self._client.close()

    def query_range(
        self, query: str, start: datetime, end: datetime, step_seconds: int
    ) -> pd.DataFrame:
        """Run one range query; a tidy frame (time, value, label columns), maybe empty.

        Raises:
            EvidenceError: the server is unreachable, answers with an error, or the window is
                too long for the step.
        """
        if (utc(end) - utc(start)).total_seconds() / step_seconds > MAX_POINTS:
            raise EvidenceError(
                f"{iso(start)}..{iso(end)} at {step_seconds}s steps is more than {MAX_POINTS} "
                "points per series; shorten the window or raise --step"
            )
        params = {
            "query": query,
            "start": f"{utc(start).timestamp():.3f}",
            "end": f"{utc(end).timestamp():.3f}",
            "step": str(step_seconds),
        }
        try:
            response = self._client.get("/api/v1/query_range", params=params)
        except httpx.HTTPError as exc:
            raise EvidenceError(
                f"Prometheus at {self.url} is unreachable ({type(exc).__name__}: {exc}); "
                "check the URL and that the server is up"
            ) from None
        if response.status_code in (401, 403):
            raise EvidenceError(
                f"Prometheus at {self.url} refused the credentials (HTTP {response.status_code}); "
                f"set {ENV_TOKEN} or {ENV_USER}/{ENV_PASSWORD} (or their *_FILE variants)"
            )
        try:
            payload = response.json()
        except ValueError:
            raise EvidenceError(
                f"Prometheus at {self.url} answered HTTP {response.status_code} without JSON; "
                "check that the URL is the server's base URL (no /graph or /api suffix)"
            ) from None
        return parse_matrix(payload)

    def service_frames(
        self, service: str, start: datetime, end: datetime, step_seconds: int = 60
    ) -> ServiceFrames:
        """Request rate, error rate, latency quantiles (ms), resources and per-route rates.

        Raises:
            EvidenceError: as :meth:`query_range`, or the service has no request series in the
                window (wrong name, label or window).
        """
        names = self.names
        queries = promql.service_queries(names, service, step_seconds)
        frames = {
            name: self.query_range(query, start, end, step_seconds)
            for name, query in queries.items()
        }
        if frames["request_rate"].empty:
            raise EvidenceError(
                f"no {names.requests_counter} series with {names.service_label}="
                f"{promql.quote(service)} between {iso(start)} and {iso(end)} at {self.url}; "
                "check the service name, the metric and label names, and the window"
            )
        notes: list[str] = []
        for name, _ in promql.QUANTILES:
            if frames[name].empty:
                notes.append(f"{name}: no {names.duration_histogram}_bucket series")
            else:
                frames[name] = frames[name].assign(value=frames[name]["value"] * 1000.0)
        window = promql.rate_window(step_seconds)
        for name, query in promql.resource_queries(names, service, window).items():
            queries[name] = query
            frames[name] = self.query_range(query, start, end, step_seconds)
            if frames[name].empty:
                notes.append(f"{name}: no series for this service ({query})")
        queries["route_request_rate"] = promql.route_request_rate(names, service, window)
        queries["route_error_rate"] = promql.route_error_rate(names, service, window)
        routes = self._routes(queries, start, end, step_seconds)
        if routes.empty:
            notes.append(f"per-route rates: no {names.route_label!r} label on the requests")
        return ServiceFrames(frames, routes, queries, tuple(notes))

    def _routes(
        self, queries: dict[str, str], start: datetime, end: datetime, step_seconds: int
    ) -> pd.DataFrame:
        label = self.names.route_label
        columns = ["time", "route", "request_rate", "error_rate"]
        rates = self.query_range(queries["route_request_rate"], start, end, step_seconds)
        errors = self.query_range(queries["route_error_rate"], start, end, step_seconds)
        if rates.empty or label not in rates:
            return pd.DataFrame(columns=columns)
        merged = rates.rename(columns={label: "route", "value": "request_rate"}).merge(
            errors.rename(columns={label: "route", "value": "error_rate"})[
                ["time", "route", "error_rate"]
            ],
            on=["time", "route"],
            how="left",
        )
        return merged[columns].sort_values(["route", "time"], ignore_index=True)
