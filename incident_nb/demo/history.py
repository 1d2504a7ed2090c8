"""The demo's git repository and Alertmanager payload: the evidence around the bad deploy.

The repository's history holds the culprit change and its deploy tag among unrelated commits
(documentation, UI, dependency bumps) from the 30 hours before the onset.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import git

from incident_nb.demo.scenario import Scenario

# (minutes before the onset, author, subject, {path: content})
_HISTORY: tuple[tuple[int, str, str, dict[str, str]], ...] = (
    (
        1800,
        "Ada Park",
        "Initial import of shop-api",
        {
            "shop/checkout/service.py": "def checkout(cart):\n    return place_order(cart)\n",
            "shop/catalog/products.py": "def list_products():\n    return []\n",
            "migrations/0041_orders_index.sql": "CREATE INDEX orders_tenant ON orders (tenant);\n",
            "deploy/values.yaml": "replicas: 4\nimage: shop-api:v2.13.0\n",
            "README.md": "# shop-api\n",
        },
    ),
    (
        1300,
        "Lin Osei",
        "Document the search ranking flags",
        {
            "docs/search.md": "# Search flags\n\nrank_by_margin: off\n",
        },
    ),
    (
        900,
        "Ada Park",
        "Bump requests from 2.31 to 2.32",
        {
            "requirements.txt": "requests==2.32.3\n",
        },
    ),
    (
        610,
        "Sam Rivera",
        "Show product badges on the catalogue page",
        {
            "shop/catalog/products.py": "def list_products():\n    return [badge(p) for p in []]\n",
        },
    ),
    (
        340,
        "Lin Osei",
        "Fix typo in the on-call runbook",
        {
            "docs/runbook.md": "# Runbook\n\nPage the on-call engineer.\n",
        },
    ),
    (
        95,
        "Sam Rivera",
        "Add discount codes to checkout",
        {
            "shop/checkout/service.py": (
                "def checkout(cart):\n"
                "    order = place_order(cart)\n"
                "    order.discount_code = cart.discount_code  # new column\n"
                "    return order\n"
            ),
            "migrations/0042_add_discount_code.sql": (
                "-- applied by the deploy job after the new code starts\n"
                "ALTER TABLE orders ADD COLUMN discount_code text;\n"
            ),
        },
    ),
    (
        40,
        "Ada Park",
        "Tidy catalogue tests",
        {
            "tests/test_catalog.py": "def test_products():\n    assert list_products() == []\n",
        },
    ),
    (
        3,
        "Deploy Bot",
        "Release v2.14.0",
        {
            "deploy/values.yaml": "replicas: 4\nimage: shop-api:v2.14.0\n",
        },
    ),
    (
        -20,
        "Lin Osei",
        "Update README badges",
        {
            "README.md": "# shop-api\n\n![build](badge.svg)\n",
        },
    ),
)


def _git_date(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S+0000")


def build_repo(scenario: Scenario, path: Path) -> dict[str, str]:
    """Create the demo repository at ``path``; returns ``{subject: sha}`` of its commits."""
    repo = git.Repo.init(path, initial_branch="main")
    shas: dict[str, str] = {}
    with repo:
        with repo.config_writer() as cfg:
            cfg.set_value("user", "name", "Demo")
            cfg.set_value("user", "email", "demo@example.invalid")
        for minutes, author, subject, files in _HISTORY:
            for rel, content in files.items():
                target = path / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(content, encoding="utf-8")
            repo.index.add(list(files))
            when = _git_date(scenario.onset - timedelta(minutes=minutes))
            actor = git.Actor(author, f"{author.split()[0].lower()}@example.invalid")
            commit = repo.index.commit(
                subject, author=actor, committer=actor, author_date=when, commit_date=when
            )
            shas[subject] = commit.hexsha
            if subject.startswith("Release "):
                # The tag is dated like its commit (the deploy), not by the wall clock.
                with repo.git.custom_environment(GIT_COMMITTER_DATE=when):
                    repo.create_tag(scenario.deploy_version, ref=commit, message=subject)
    return shas


def alert_payload(scenario: Scenario) -> dict[str, Any]:
    """The Alertmanager webhook (version 4) that paged for the incident."""
    starts = scenario.alert_at.strftime("%Y-%m-%dT%H:%M:%S.") + "123456789Z"
    labels = {
        "alertname": "HighErrorRate",
        "service": scenario.service,
        "severity": "page",
        "team": "checkout",
    }
    annotations = {
        "summary": f"5xx error rate above 2% on {scenario.service}",
        "description": "More than 2% of requests failed with 5xx over the last 5 minutes.",
        "runbook_url": "https://runbooks.example.invalid/high-error-rate",
    }
    group_key = '{}:{alertname="HighErrorRate", service="' + scenario.service + '"}'
    return {
        "version": "4",
        "groupKey": group_key,
        "truncatedAlerts": 0,
        "status": "firing",
        "receiver": "incident-nb",
        "groupLabels": {"alertname": "HighErrorRate", "service": scenario.service},
        "commonLabels": labels,
        "commonAnnotations": annotations,
        "externalURL": "http://alertmanager.example.invalid:9093",
        "alerts": [
            {
                "status": "firing",
                "labels": labels,
                "annotations": annotations,
                "startsAt": starts,
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://prometheus.example.invalid:9090/graph?g0.expr=job%3Aerrors",
                "fingerprint": "4f1c0de5a1b2c3d4",
            }
        ],
    }
