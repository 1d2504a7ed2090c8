"""The affected scope of an incident: grown from the group the search found, unit by unit.

Owns :func:`find_scope`: from the group where the onset was found, the scope grows by
alternating dimensions (the tenants failing on the endpoints in scope, then the endpoints
failing for those tenants, and so on) until it settles, each value judged by
:func:`~incident_nb.analysis.affected.judge`. The scope is a rectangle (these endpoints for
these tenants); an incident need not be one, so units outside it whose own change passes the
per-unit test over all their requests join it, and it grows again from them. :func:`joint`
combines two signals' verdicts on one set of units (a failing and slow group).
"""

from __future__ import annotations

from incident_nb.analysis.affected import Judged, judge
from incident_nb.analysis.cells import CellTable, Scope
from incident_nb.analysis.cube import DIMENSIONS
from incident_nb.analysis.unit_sums import Noise

MAX_PASSES = 5
"""Rounds over the dimensions at most while the scope grows."""


def joint(first: Judged, second: Judged) -> set[str]:
    """The units affected on the evidence of two signals together (a failing and slow group).

    One incident, one set of affected units: a unit's log-likelihood ratios of both signals
    add up (given whether it is affected, its failures and its latency are independent), with
    the first signal's prior odds; a unit whose own change passed its test in either signal
    is affected too. Two separate verdicts would each let a unit in on its own chance.
    """
    if first.verdict is None or second.verdict is None:
        return set(first.affected) | set(second.affected)
    one, two = first.verdict, second.verdict
    other = dict(
        zip(second.values, zip(two.llr, two.tested, two.material, strict=True), strict=True)
    )
    out = set(second.tested)
    for value, llr, tested, material in zip(
        first.values, one.llr, one.tested, one.material, strict=True
    ):
        llr2, tested2, material2 = other.get(value, (0.0, False, False))
        if tested or tested2 or ((material or material2) and one.prior + llr + llr2 > 0):
            out.add(value)
    return out


def find_scope(
    cells: CellTable, seed: Scope, signal: str, noise: Noise
) -> tuple[Scope, dict[str, Judged]]:
    """The affected scope grown from the ``seed`` group, and each dimension's judged units.

    Dimensions the seed leaves open are judged first; then each in turn within the others'
    affected values, until the scope stops changing. A dimension where no single value is
    clearly affected stays as it was (open: the change is spread over all of them). Then
    units beyond the scope are judged over all their requests, and it grows again from those
    whose own change passes the per-unit test.
    """
    dims = [d for d in DIMENSIONS if d in cells.codes]
    order = [d for d in dims if d not in seed] + [d for d in dims if d in seed]
    scope, judged = _grown(cells, {d: seed.get(d) for d in dims}, order, signal, noise)
    # The scope is a rectangle (these endpoints for these tenants); an incident need not be.
    # A unit outside it whose own change, over all its requests, passes the per-unit test
    # (Holm) is affected too, and the scope grows again from it: a canary's tenants, each
    # failing on the endpoints it happens to call.
    if len(dims) < 2:  # one dimension: its scope was judged over every request already
        return scope, judged
    beyond = {}
    for dim in (d for d in dims if scope[d] is not None):
        wide = judge(cells, dict.fromkeys(dims), dim, signal, noise)
        if extra := wide.tested - set(scope[dim] or ()):
            beyond[dim] = set(scope[dim] or ()) | extra
    if beyond:
        # The dimensions that did not grow are judged first, among the new units.
        again = [d for d in order if d not in beyond] + [d for d in order if d in beyond]
        scope, judged = _grown(cells, {**scope, **beyond}, again, signal, noise)
    return scope, judged


def _grown(
    cells: CellTable, scope: Scope, order: list[str], signal: str, noise: Noise
) -> tuple[Scope, dict[str, Judged]]:
    """``scope`` grown by alternating dimensions until it stops changing."""
    scope = dict(scope)
    judged: dict[str, Judged] = {}
    stable = 0
    for step in range(MAX_PASSES * len(order)):
        dim = order[step % len(order)]
        result = judge(cells, scope, dim, signal, noise)
        judged[dim] = result
        chosen = set(result.affected) or scope[dim]
        stable = stable + 1 if chosen == scope[dim] else 0
        scope[dim] = chosen
        if stable >= len(order) and step >= len(order):
            break
    return scope, judged
