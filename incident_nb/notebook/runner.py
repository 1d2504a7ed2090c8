"""Creating and executing investigation notebooks with papermill.

A failing or timed-out cell always leaves the executed notebook on disk showing the failure;
the caller gets a :class:`~incident_nb.core.errors.NotebookExecutionError` naming the cell. A
notebook is only ever replaced by a complete copy that reads back as a notebook, so a full disk
or a read-only folder never costs the last good notebook.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import nbformat
import papermill as pm
from nbclient.exceptions import CellTimeoutError
from papermill.exceptions import PapermillExecutionError

from incident_nb.core.durable import is_write_failure, promote, storage_error, write_atomic
from incident_nb.core.errors import NotebookExecutionError, StorageError
from incident_nb.core.folder import PARTIAL_PREFIX, IncidentFolder
from incident_nb.notebook.params import CELL_TIMEOUT_S, check_names

KERNEL = "python3"


def template_parameter_names(template: Path) -> frozenset[str]:
    """The parameter names declared in the template's ``parameters`` cell."""
    return frozenset(pm.inspect_notebook(str(template)))


def create_notebook(template: Path, output: Path, parameters: dict[str, Any]) -> None:
    """Write ``output``: the template with ``parameters`` injected (not executed).

    Raises:
        ParameterError: a parameter name is not declared by the template.
    """
    check_names(set(parameters), template_parameter_names(template))
    pm.execute_notebook(
        str(template),
        str(output),
        parameters=parameters,
        prepare_only=True,
        kernel_name=KERNEL,
        progress_bar=False,
        log_output=False,
    )
    # The notebook opens as a document: the injected values (paths, ids) are code, hidden like
    # every other code cell of the template.
    nb = nbformat.read(output, as_version=4)
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
    nbformat.write(nb, output)


def _timed_out_cell(nb: nbformat.NotebookNode) -> int:
    """The cell that was running when the timeout struck: the last one papermill started."""
    started = [
        i for i, c in enumerate(nb.cells) if c.metadata.get("papermill", {}).get("start_time")
    ]
    return started[-1] if started else -1


def _mark_timeout(notebook: Path, timeout: int) -> tuple[int, int | None]:
    """Timeouts leave no failure mark (papermill marks only exceptions): add one.

    The timed-out cell gets an error output and the ``failed`` status, a red banner goes above
    it, and the notebook is flagged as failed. Returns the cell's index and execution count.
    """
    nb = nbformat.read(notebook, as_version=4)
    index = _timed_out_cell(nb)
    nb.metadata.setdefault("papermill", {})["exception"] = True
    if index < 0:
        _write_notebook(nb, notebook)
        return index, None
    cell = nb.cells[index]
    cell.metadata.setdefault("papermill", {})["status"] = "failed"
    message = f"this cell timed out after {timeout} seconds"
    if not any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
        cell.outputs.append(
            nbformat.v4.new_output(
                "error", ename="CellTimeoutError", evalue=message, traceback=[message]
            )
        )
    banner = nbformat.v4.new_markdown_cell(
        f'<span style="color:red;font-weight:bold">Execution stopped: {message}.</span>'
    )
    banner.metadata["tags"] = ["papermill-error-cell-tag"]
    nb.cells.insert(index, banner)
    _write_notebook(nb, notebook)
    return index, cell.get("execution_count")


def execute_notebook(notebook: Path, timeout: int = CELL_TIMEOUT_S) -> None:
    """Execute ``notebook`` in place, in its own folder, saving it whatever happens.

    papermill writes the executed copy to a hidden file beside the notebook (rewriting it after
    every cell); only once that copy is complete and reads back as a notebook is it renamed
    over the notebook. A run that cannot write its copy (a full disk, a read-only folder)
    leaves the notebook exactly as it was.

    Raises:
        NotebookExecutionError: a cell raised or timed out; the saved notebook shows where.
        StorageError: the executed notebook could not be written; the old one is unchanged.
    """
    logging.getLogger("papermill").setLevel(logging.WARNING)
    partial = notebook.with_name(f"{PARTIAL_PREFIX}{os.getpid()}-{notebook.name}")
    try:
        pm.execute_notebook(
            str(notebook),
            str(partial),
            cwd=str(notebook.parent),
            kernel_name=KERNEL,
            progress_bar=False,
            log_output=False,
            execution_timeout=timeout,
            shutdown_kernel="immediate",
            # The kernel's start-up warnings (e.g. about its TCP transport) are noise here.
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
        )
    except PapermillExecutionError as exc:
        _replace(partial, notebook)
        raise NotebookExecutionError(
            notebook, exc.cell_index, exc.exec_count, exc.ename, exc.evalue
        ) from None
    except CellTimeoutError:
        _replace(partial, notebook)
        index, count = _mark_timeout(notebook, timeout)
        raise NotebookExecutionError(
            notebook, index, count, "CellTimeoutError", f"cell timed out after {timeout} s"
        ) from None
    except OSError as exc:
        if not is_write_failure(exc):
            _replace(partial, notebook)
            raise
        partial.unlink(missing_ok=True)  # half-written: never over the notebook
        raise storage_error(exc, notebook) from exc
    except Exception:
        _replace(partial, notebook)  # e.g. the kernel died: keep what the run showed
        raise
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    _replace(partial, notebook)


def _check_notebook(path: Path) -> None:
    """Raise unless ``path`` reads back as a whole notebook."""
    nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)


def _replace(partial: Path, notebook: Path) -> None:
    """Move the executed copy over the notebook, durably, once it reads back as a notebook.

    Raises:
        StorageError: the copy is incomplete or could not be moved; the notebook is unchanged.
    """
    if not partial.exists():
        return
    try:
        promote(partial, notebook, _check_notebook)
    except StorageError:
        raise
    except Exception as exc:  # nbformat raises several kinds for a file that is no notebook
        raise StorageError(
            f"the executed copy of {notebook} is incomplete ({type(exc).__name__}: {exc}), so "
            "it was not saved and the notebook was kept as it was; check that the disk has "
            "room and run it again"
        ) from None


def _write_notebook(nb: nbformat.NotebookNode, path: Path) -> None:
    write_atomic(path, nbformat.writes(nb))


def remove_partial_runs(folder: Path) -> list[Path]:
    """Delete executed copies left behind by a run that was killed; return them."""
    stale = IncidentFolder(folder).partial_notebooks()
    for path in stale:
        path.unlink(missing_ok=True)
    return stale
