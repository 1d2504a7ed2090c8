from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from incident_nb.analysis.change_kinds import classify_files
from incident_nb.analysis.suspects import (
    first_hypothesis,
    proximity,
    rank_suspects,
    service_tokens,
)

ONSET = datetime(2026, 11, 20, 14, 7, tzinfo=UTC)


def _change(sha: str, minutes_before: float, subject: str, files: list[str]) -> dict[str, object]:
    return {
        "time": ONSET - timedelta(minutes=minutes_before),
        "repo": "shop",
        "type": "commit",
        "sha": sha * 40,
        "short_sha": sha * 8,
        "subject": subject,
        "author": "A",
        "files": files,
        "kinds": classify_files(files),
        "shipped": [],
    }


def _deploy(
    minutes_before: float, version: str, shipped: list[str], **extra: str
) -> dict[str, object]:
    row: dict[str, object] = {
        "time": ONSET - timedelta(minutes=minutes_before),
        "source": "log",
        "service": "shop-api",
        "version": version,
        "sha": "",
        "repo": "shop",
        "shipped": [s * 40 for s in shipped],
    }
    row.update(extra)
    return row


def _frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame["time"] = pd.to_datetime(frame["time"], utc=True)
    return frame


def test_proximity_halves_every_hour() -> None:
    assert proximity(0) == 1.0
    assert proximity(60) == pytest.approx(0.5)
    assert proximity(-5) == 1.0  # clamped


def test_service_tokens_drop_generic_words() -> None:
    assert service_tokens("shop-api", ["/api/v1/checkout"]) == {"shop", "checkout"}


def test_change_deployed_after_onset_is_never_a_suspect() -> None:
    changes = _frame(
        [
            _change("a", 30, "Risky checkout change", ["shop/checkout/service.py"]),
            _change("b", 300, "Older catalogue change", ["shop/catalog/products.py"]),
        ]
    )
    deploys = _frame([_deploy(-10, "v2", ["a"]), _deploy(200, "v1", ["b"])])
    ranked = rank_suspects(changes, ONSET, deploys=deploys, service="shop-api")
    assert list(ranked["subject"]) == ["Older catalogue change"]
    assert ranked.iloc[0]["deploy"] == "v1"


def test_commit_after_onset_is_never_a_suspect() -> None:
    changes = _frame([_change("a", -1, "After", ["shop/checkout/service.py"])])
    assert rank_suspects(changes, ONSET).empty


def test_docs_only_ranks_below_code_and_config_of_the_service() -> None:
    changes = _frame(
        [
            _change("d", 1, "Runbook typo", ["docs/runbook.md"]),
            _change("c", 600, "Checkout timeout setting", ["shop/checkout/config.yaml"]),
            _change("e", 900, "Catalogue code", ["shop/catalog/products.py"]),
        ]
    )
    ranked = rank_suspects(changes, ONSET, service="shop-api", endpoints=["/api/v1/checkout"])
    assert list(ranked["subject"]) == ["Checkout timeout setting", "Catalogue code", "Runbook typo"]
    assert list(ranked["rank"]) == [1, 2, 3]
    assert "documentation only" in ranked.iloc[2]["reasons"][-1]


def test_path_to_service_map_sets_relevance() -> None:
    changes = _frame(
        [
            _change("p", 10, "Payments change", ["services/payments/api.py"]),
            _change("o", 20, "Orders change", ["services/orders/api.py"]),
        ]
    )
    ranked = rank_suspects(
        changes,
        ONSET,
        service="orders",
        path_services={"services/payments/*": "payments", "services/orders/*": "orders"},
    )
    assert list(ranked["subject"]) == ["Orders change", "Payments change"]
    assert "belongs to orders" in ranked.iloc[0]["reasons"][1]
    assert "not the failing service" in ranked.iloc[1]["reasons"][1]


def test_shipped_together_newest_commit_close_to_onset_wins() -> None:
    changes = _frame(
        [
            _change("n", 90, "Add discount codes to checkout", ["shop/checkout/service.py"]),
            _change("o", 600, "Show badges", ["shop/catalog/products.py"]),
        ]
    )
    deploys = _frame([_deploy(3, "v2.14.0", ["n", "o"])])
    ranked = rank_suspects(changes, ONSET, deploys=deploys, service="shop-api")
    assert ranked.iloc[0]["subject"] == "Add discount codes to checkout"
    assert ranked.iloc[0]["live_at"] == ONSET - timedelta(minutes=3)
    assert ranked.iloc[0]["reasons"][0].startswith("deployed by v2.14.0")


def test_deploy_with_unknown_commits_is_its_own_suspect() -> None:
    changes = _frame([_change("x", 700, "Old code", ["shop/checkout/service.py"])])
    deploys = _frame([_deploy(5, "v9", [], sha="f" * 40, service="shop-api")])
    ranked = rank_suspects(changes, ONSET, deploys=deploys, service="shop-api")
    assert ranked.iloc[0]["type"] == "deploy"
    assert ranked.iloc[0]["subject"] == "Deploy shop-api v9"
    hypothesis = first_hypothesis(ranked)
    assert hypothesis is not None and "Deploy shop-api v9" in hypothesis
    assert first_hypothesis(ranked.iloc[0:0]) is None
