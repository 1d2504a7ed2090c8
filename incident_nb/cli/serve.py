"""``incident-nb serve``: the alert receiver.

Secrets come from files or the environment, never from the command line, where other users
could read them in the process list.
"""

from __future__ import annotations

import argparse
import importlib.util
import signal
import sys
from pathlib import Path

from incident_nb.cli.args import add_timeout
from incident_nb.core.errors import ServeError
from incident_nb.core.secrets import read_secret
from incident_nb.server.limits import (
    BODY_TIMEOUT_S,
    HEADER_TIMEOUT_S,
    KEEP_ALIVE_S,
    MAX_BODY,
    MAX_HEADER_BYTES,
    SHUTDOWN_GRACE_S,
)

TOKEN_VARIABLE = "INCIDENT_NB_TOKEN"
PAGERDUTY_VARIABLE = "INCIDENT_NB_PAGERDUTY_SECRET"
SERVE_EXTRA = "pip install 'incident-nb[serve]'"
DEFAULT_PORT = 8765


def add_arguments(serve: argparse.ArgumentParser) -> None:
    """Arguments of ``incident-nb serve``."""
    serve.description = (
        "Receive alert webhooks (Alertmanager, Grafana, PagerDuty, generic JSON) and turn each "
        "alert group into an executed investigation in <root>/incidents/. The bearer token "
        f"comes from --token-file or ${TOKEN_VARIABLE}."
    )
    serve.add_argument("--root", type=Path, required=True, help="where incidents/ and queue/ go")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")
    serve.add_argument("--token-file", type=Path, metavar="F", help="file holding the token")
    serve.add_argument(
        "--pagerduty-secret-file",
        type=Path,
        metavar="F",
        help=f"PagerDuty webhook signing secret (or ${PAGERDUTY_VARIABLE})",
    )
    serve.add_argument(
        "--workers", type=int, default=1, metavar="K", help="notebooks run at once (default 1)"
    )
    serve.add_argument(
        "--max-body", type=int, default=MAX_BODY, metavar="BYTES", help="default 1 MiB"
    )
    serve.add_argument(
        "--header-timeout",
        type=float,
        default=HEADER_TIMEOUT_S,
        metavar="S",
        help=f"seconds a request's headers may take to arrive (default {HEADER_TIMEOUT_S:g})",
    )
    serve.add_argument(
        "--body-timeout",
        type=float,
        default=BODY_TIMEOUT_S,
        metavar="S",
        help=f"seconds a request's body may take to arrive (default {BODY_TIMEOUT_S:g})",
    )
    serve.add_argument(
        "--max-connections",
        type=int,
        metavar="N",
        help="open connections at most; beyond, the oldest idle one is closed (default: what "
        "the file-descriptor limit allows, at most 1000)",
    )
    add_timeout(serve)
    serve.add_argument(
        "--template", type=Path, metavar="IPYNB", help="investigation template to use instead"
    )


def run(args: argparse.Namespace) -> int:
    """Run the receiver until interrupted."""
    missing = [m for m in ("starlette", "uvicorn", "prometheus_client") if not _installed(m)]
    if missing:
        raise ServeError(
            f"incident-nb serve needs {', '.join(missing)}, which this installation lacks; "
            f"install the serve extra: {SERVE_EXTRA}"
        )
    token = read_secret(TOKEN_VARIABLE, "token", file=args.token_file, error=ServeError)
    if not token:
        raise ServeError(
            f"no bearer token: put one in a file and pass --token-file, or set ${TOKEN_VARIABLE}"
        )
    if args.workers < 1:
        raise ServeError("--workers must be at least 1")
    if args.template is not None:
        _check_template(args.template)
    secret = read_secret(
        PAGERDUTY_VARIABLE, "PagerDuty secret", file=args.pagerduty_secret_file, error=ServeError
    )

    if args.max_connections is not None and args.max_connections < 1:
        raise ServeError("--max-connections must be at least 1")
    if args.header_timeout <= 0 or args.body_timeout <= 0:
        raise ServeError("--header-timeout and --body-timeout must be positive")

    import uvicorn  # noqa: PLC0415 - optional, heavy

    from incident_nb.server import protocol  # noqa: PLC0415
    from incident_nb.server.app import ServeSettings, create_app  # noqa: PLC0415
    from incident_nb.server.queue import server_lock  # noqa: PLC0415

    root = args.root.resolve()
    settings = ServeSettings(
        root=root,
        token=token,
        workers=args.workers,
        pagerduty_secret=secret,
        max_body=args.max_body,
        timeout=args.timeout,
        template=args.template.resolve() if args.template else None,
        body_timeout_s=args.body_timeout,
    )
    with server_lock(root) as mine:
        if not mine:
            raise ServeError(f"another incident-nb serve is using {root}; stop it or use --root")
        print(
            f"incident-nb: serving {root} on http://{args.host}:{args.port} "
            f"with {args.workers} worker(s)",
            file=sys.stderr,
            flush=True,
        )
        connections, backlog = protocol.connection_budget(protocol.raise_fd_limit(), args.workers)
        limits = protocol.ConnectionLimits(
            header_timeout_s=args.header_timeout,
            max_connections=args.max_connections or connections,
        )
        config = uvicorn.Config(
            create_app(settings),
            host=args.host,
            port=args.port,
            log_level="warning",
            access_log=False,
            lifespan="on",
            http=protocol.limited_protocol(limits),
            timeout_keep_alive=KEEP_ALIVE_S,
            h11_max_incomplete_event_size=MAX_HEADER_BYTES,
            timeout_graceful_shutdown=SHUTDOWN_GRACE_S,
            backlog=backlog,
        )
        server = uvicorn.Server(config)
        # uvicorn shuts down gracefully on SIGINT/SIGTERM, then re-raises the signal; ending
        # with SystemExit (not death by signal) lets the worker pool's resources be released.
        previous = signal.signal(signal.SIGTERM, _exit_quietly)
        try:
            server.run()
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
        return 0 if server.started else 1


def _exit_quietly(signum: int, frame: object) -> None:
    raise SystemExit(0)


def _check_template(template: Path) -> None:
    """Refuse a template that could not take the investigation's parameters."""
    from incident_nb.notebook.params import PARAMETER_NAMES  # noqa: PLC0415
    from incident_nb.notebook.runner import template_parameter_names  # noqa: PLC0415

    if not template.is_file():
        raise ServeError(f"--template: no such notebook {template}")
    try:
        declared = template_parameter_names(template)
    except Exception as exc:  # papermill raises several kinds for a file that is no notebook
        raise ServeError(f"--template: cannot use {template} as a template: {exc}") from None
    missing = sorted(PARAMETER_NAMES - declared)
    if missing:
        raise ServeError(
            f"--template: {template} does not declare the parameters {', '.join(missing)}; "
            "copy the parameters cell of the built-in investigation template"
        )


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


__all__ = ["add_arguments", "run"]
