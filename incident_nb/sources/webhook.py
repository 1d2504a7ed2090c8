"""Posting a message to a Slack-compatible incoming webhook: the one network call of updates.

The URL is a secret (whoever holds it can post to the channel), so it comes from the environment
or a file, never from a notebook parameter or the command line, and it is never printed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from incident_nb.core.errors import DeliveryError
from incident_nb.core.secrets import read_secret

if TYPE_CHECKING:
    import httpx

ENV_URL = "INCIDENT_NB_SLACK_WEBHOOK"
TIMEOUT_S = 10.0


def webhook_url(file: Path | None = None, env: Mapping[str, str] | None = None) -> str | None:
    """The webhook URL from ``file``, else ``INCIDENT_NB_SLACK_WEBHOOK(_FILE)``; ``None``: none set.

    Raises:
        DeliveryError: the file cannot be read or does not hold an http(s) URL.
    """
    url = read_secret(ENV_URL, "webhook URL", file=file, env=env, error=DeliveryError)
    named = file or (os.environ if env is None else env).get(f"{ENV_URL}_FILE")
    where = f"the file {named}" if named else ENV_URL
    if not url:
        return None
    if not url.startswith(("https://", "http://")):
        raise DeliveryError(f"{where} does not hold an http(s) URL; put the webhook URL there")
    return url


def slack_escape(text: str) -> str:
    """Escape the three characters Slack's message text reserves (``&``, ``<``, ``>``)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def post_message(
    url: str, text: str, *, transport: httpx.BaseTransport | None = None, timeout: float = TIMEOUT_S
) -> None:
    """Post ``text`` to the webhook at ``url``.

    Raises:
        DeliveryError: the server could not be reached or did not accept the message; the
            message names the status and the server's answer, never the URL (a secret).
    """
    import httpx  # noqa: PLC0415 - only when an update is sent

    host = httpx.URL(url).host
    try:
        with httpx.Client(transport=transport, timeout=timeout) as client:
            response = client.post(url, json={"text": slack_escape(text)})
    except httpx.HTTPError as exc:
        raise DeliveryError(
            f"the webhook at {host} could not be reached ({type(exc).__name__}); "
            "check the network and the URL, then send again"
        ) from None
    if response.status_code >= 300:
        body = response.text.strip()[:200]
        raise DeliveryError(
            f"the webhook at {host} answered HTTP {response.status_code}"
            + (f" ({body})" if body else "")
            + "; check the URL and the channel, then send again"
        )
