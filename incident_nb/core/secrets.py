"""Reading a secret (a token, a password, a webhook URL): from a file or the environment.

Secrets never come from the command line, where other users could read them in the process
list, nor from notebook parameters, which are saved in the notebook. One convention serves
every secret: a file given explicitly, else the file named by ``<VARIABLE>_FILE`` (a mounted
Kubernetes or Docker secret), else the variable ``<VARIABLE>`` itself.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from incident_nb.core.errors import IncidentNbError


def read_secret(
    variable: str,
    what: str,
    *,
    file: Path | None = None,
    env: Mapping[str, str] | None = None,
    error: type[IncidentNbError] = IncidentNbError,
) -> str:
    """The secret ``what``, or ``""`` when none is set.

    Args:
        variable: the environment variable holding it (``<variable>_FILE`` names a file).
        what: how to name the secret in an error (never its value).
        file: a file given explicitly (e.g. ``--token-file``), read before the environment.
        env: the environment (default: this process's).
        error: the exception type to raise, so each caller reports in its own terms.

    Raises:
        IncidentNbError: (of type ``error``) a named file cannot be read or is empty.
    """
    env = os.environ if env is None else env
    named = str(file) if file is not None else env.get(f"{variable}_FILE", "")
    if not named:
        return env.get(variable, "").strip()
    try:
        value = Path(named).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise error(f"cannot read the {what} file {named}: {reason}; check the path") from None
    if not value:
        raise error(f"the {what} file {named} is empty; write the {what} into it")
    return value
