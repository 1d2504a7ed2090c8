"""The alert receiver's HTTP app (Starlette): webhooks in, durable queue entries out.

``POST /alerts/{alertmanager,grafana,pagerduty,generic}`` check the bearer token (and, when a
secret is set, PagerDuty's signature), read at most ``max_body`` bytes within ``body_timeout_s``,
parse the payload and answer only once the notification is fsync'd in the queue: 202 queued, 200
for a duplicate delivery or an event that carries no alert, 400/422 for an invalid payload or a
value out of range (kept in ``rejected/``), 401 without the token, 408 for a body that does not
arrive in time, 413 for a body too large, 503 when the queue cannot be written. ``GET /healthz``
and ``GET /metrics`` (Prometheus text format) need no token and reveal no payload; ``GET
/incidents`` needs the token and lists every incident, an unreadable record with its error.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from incident_nb.alerts import NOTIFICATION_PARSERS, Notification, parse_notification
from incident_nb.alerts.pagerduty import verify_pagerduty_signature
from incident_nb.core.errors import AlertError, AlertIgnoredError, RecordError
from incident_nb.core.folder import iter_incidents
from incident_nb.core.record import read_record
from incident_nb.notebook.params import CELL_TIMEOUT_S
from incident_nb.server.limits import BODY_TIMEOUT_S, MAX_BODY
from incident_nb.server.pool import WorkerPool
from incident_nb.server.queue import DurableQueue, reject
from incident_nb.server.worker import WorkerSettings

log = logging.getLogger("incident_nb.server")

SOURCES = tuple(sorted(NOTIFICATION_PARSERS))
WORKER_EVENTS = ("generated", "executed", "failed", "updated", "duplicate", "error")


@dataclass(frozen=True)
class ServeSettings:
    """Everything the receiver runs with; secrets are values here, never arguments."""

    root: Path
    token: str
    workers: int = 1
    pagerduty_secret: str = ""
    max_body: int = MAX_BODY
    timeout: int = CELL_TIMEOUT_S
    template: Path | None = None
    body_timeout_s: float = BODY_TIMEOUT_S

    def __repr__(self) -> str:  # never print the secrets
        return f"ServeSettings(root={self.root!s}, workers={self.workers})"


class Metrics:
    """The receiver's own metrics, in a registry of this app (no global state)."""

    def __init__(self, queue: DurableQueue, pool: WorkerPool) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.received = Counter(
            "incident_nb_alerts_received", "Webhook requests received", ["source"], registry=r
        )
        self.rejected = Counter(
            "incident_nb_alerts_rejected",
            "Webhook requests refused",
            ["source", "reason"],
            registry=r,
        )
        self.queued = Counter(
            "incident_nb_alerts_queued", "Notifications durably queued", ["source"], registry=r
        )
        self.duplicates = Counter(
            "incident_nb_alerts_duplicate",
            "Deliveries already queued or applied",
            ["source"],
            registry=r,
        )
        self.ignored = Counter(
            "incident_nb_alerts_ignored", "Valid events carrying no alert", ["source"], registry=r
        )
        self.worker = Counter(
            "incident_nb_worker_events",
            "Worker outcomes: generated, executed, failed, updated, duplicate, error",
            ["event"],
            registry=r,
        )
        for name in WORKER_EVENTS:
            self.worker.labels(name)
        for source in SOURCES:
            for counter in (self.received, self.queued, self.duplicates):
                counter.labels(source)
        self.generated = Counter(
            "incident_nb_notebooks_generated", "Investigations created", registry=r
        )
        self.executed = Counter(
            "incident_nb_notebooks_executed", "Notebooks executed without error", registry=r
        )
        self.failed = Counter(
            "incident_nb_notebooks_failed", "Notebooks whose execution failed", registry=r
        )
        depth = Gauge("incident_nb_queue_depth", "Notifications waiting", registry=r)
        depth.set_function(lambda: float(queue.depth()))
        alive = Gauge("incident_nb_workers_alive", "Worker processes running", registry=r)
        alive.set_function(lambda: float(pool.alive()))

    def worker_event(self, event: str) -> None:
        """Count one outcome a worker reported."""
        self.worker.labels(event).inc()
        target = {"generated": self.generated, "executed": self.executed, "failed": self.failed}
        if event in target:
            target[event].inc()


def _error(status: int, message: str, **headers: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers or None)


class _TooLargeError(Exception):
    pass


def _bounded_int(text: str) -> int | float:
    """A JSON integer; one of more digits than Python converts becomes infinity.

    The parser then names the field it lands in ("should be a finite number", "should be a
    valid string") instead of the whole body failing with an error about Python's limits.
    """
    try:
        return int(text)
    except ValueError:
        return -math.inf if text.startswith("-") else math.inf


def parse_json_body(body: bytes) -> Any:
    """The JSON value of a request body.

    Raises:
        ValueError: the body is not UTF-8 JSON or is nested too deeply, in words.
    """
    try:
        return json.loads(body, parse_int=_bounded_int)
    except RecursionError:
        raise ValueError("nested too deeply") from None


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _TooLargeError
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLargeError
        chunks.append(chunk)
    return b"".join(chunks)


def _authorized(request: Request, token: str) -> bool:
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


def _seen_deliveries(queue: DurableQueue) -> set[str]:
    seen = {e.delivery for e in queue.entries()}
    for folder in iter_incidents(queue.root):
        try:
            intake = read_record(folder.path).intake
        except RecordError:
            continue
        if intake is not None:
            seen.update(intake.deliveries)
    return seen


def list_incidents(root: Path) -> list[dict[str, Any]]:
    """The incidents under ``root`` with their status, as JSON values."""
    out: list[dict[str, Any]] = []
    for folder in iter_incidents(root):
        try:
            record = read_record(folder.path)
        except RecordError as exc:
            out.append({"id": folder.path.name, "error": str(exc)})
            continue
        out.append(
            {
                "id": record.id,
                "title": record.title,
                "service": record.service,
                "source": record.alert.source,
                "key": record.alert.key,
                "status": record.status,
                "alert_status": record.alert.status,
                "notebook": record.notebook.state,
                "failed_cell": record.notebook.failed_cell,
                "created_at": record.created_at.isoformat(),
                "deliveries": len(record.intake.deliveries) if record.intake else 0,
            }
        )
    return out


def create_app(settings: ServeSettings) -> Starlette:
    """The receiver for ``settings.root``; its lifespan starts and stops the worker pool."""
    queue = DurableQueue(settings.root)
    worker_settings = WorkerSettings(settings.root, settings.timeout, settings.template)
    seen: set[str] = set()
    events: list[str] = []  # reports that arrive before the metrics exist (none in practice)
    pool = WorkerPool(worker_settings, settings.workers, events.append)
    metrics = Metrics(queue, pool)
    pool.on_event = metrics.worker_event

    async def receive(request: Request) -> Response:
        source = request.path_params["source"]
        if source not in SOURCES:
            return _error(404, f"unknown alert source {source!r}; use one of {', '.join(SOURCES)}")
        metrics.received.labels(source).inc()
        if not _authorized(request, settings.token):
            metrics.rejected.labels(source, "unauthorized").inc()
            return _error(401, "missing or wrong bearer token", **{"WWW-Authenticate": "Bearer"})
        try:
            async with asyncio.timeout(settings.body_timeout_s):
                body = await _read_body(request, settings.max_body)
        except _TooLargeError:
            metrics.rejected.labels(source, "too_large").inc()
            return _error(413, f"body larger than {settings.max_body} bytes")
        except TimeoutError:
            metrics.rejected.labels(source, "timeout").inc()
            return _error(
                408, f"the body did not arrive within {settings.body_timeout_s:g} s; send again"
            )
        except ClientDisconnect:
            metrics.rejected.labels(source, "disconnected").inc()
            return _error(400, "the client disconnected before sending the whole body")
        if source == "pagerduty" and settings.pagerduty_secret:
            header = request.headers.get("x-pagerduty-signature", "")
            if not verify_pagerduty_signature(body, header, settings.pagerduty_secret):
                metrics.rejected.labels(source, "signature").inc()
                return _error(401, "X-PagerDuty-Signature is missing or does not match")
        try:
            payload = parse_json_body(body)
        except ValueError as exc:
            return await _refuse(source, body, 400, f"body is not JSON: {exc}")
        try:
            notification: Notification = await run_in_threadpool(
                parse_notification, payload, source
            )
        except AlertIgnoredError as exc:
            metrics.ignored.labels(source).inc()
            return JSONResponse({"status": "ignored", "reason": str(exc)})
        except AlertError as exc:
            return await _refuse(source, body, 422, str(exc))
        except Exception as exc:  # a parser bug or a value no check foresaw: kept to inspect
            log.exception("cannot parse a %s payload", source)
            return await _refuse(source, body, 422, f"the payload cannot be read: {exc}")
        delivery = notification.fingerprint
        key = notification.alert.key
        if delivery in seen:  # checked and marked without awaiting: concurrent twins see it
            metrics.duplicates.labels(source).inc()
            return JSONResponse({"status": "duplicate", "delivery": delivery})
        seen.add(delivery)
        try:
            await run_in_threadpool(queue.enqueue, source, key, delivery, payload)
        except OSError as exc:
            seen.discard(delivery)
            return _error(503, f"cannot record the alert ({exc}); it was not accepted, retry")
        metrics.queued.labels(source).inc()
        return JSONResponse({"status": "queued", "delivery": delivery}, status_code=202)

    async def _refuse(source: str, body: bytes, status: int, reason: str) -> Response:
        metrics.rejected.labels(source, "invalid").inc()
        try:
            kept = await run_in_threadpool(reject, settings.root, source, body, reason)
        except OSError as exc:
            return _error(status, f"{reason} (the body could not be kept: {exc})")
        return _error(status, f"{reason} (kept as rejected/{kept.name})")

    async def healthz(request: Request) -> Response:
        alive, ready = pool.alive(), pool.is_ready()
        depth = await run_in_threadpool(queue.depth)
        status = "ok" if ready else "starting" if alive else "no workers"
        body = {"status": status, "workers": alive, "queue_depth": depth}
        return JSONResponse(body, status_code=200 if ready else 503)

    async def incidents(request: Request) -> Response:
        # Titles and services may be sensitive: the listing needs the token too (health and
        # metrics do not, so probes and scrapers need no secret).
        if not _authorized(request, settings.token):
            return _error(401, "missing or wrong bearer token", **{"WWW-Authenticate": "Bearer"})
        found = await run_in_threadpool(list_incidents, settings.root)
        depth = await run_in_threadpool(queue.depth)
        return JSONResponse({"incidents": found, "queue_depth": depth})

    async def metrics_page(request: Request) -> Response:
        text = await run_in_threadpool(generate_latest, metrics.registry)
        return Response(text, media_type=CONTENT_TYPE_LATEST)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        queue.prepare()
        seen.update(await run_in_threadpool(_seen_deliveries, queue))
        pool.start()

        async def supervise() -> None:
            while True:
                await asyncio.sleep(1.0)
                pool.supervise()

        task = asyncio.create_task(supervise())
        try:
            yield
        finally:
            task.cancel()
            await run_in_threadpool(pool.stop)

    routes = [
        Route("/alerts/{source}", receive, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/incidents", incidents, methods=["GET"]),
        Route("/metrics", metrics_page, methods=["GET"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
