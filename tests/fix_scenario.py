"""A bad deploy, its fix, and what happened after: service logs, a git repo and a deploy log.

The ground truth is known: the culprit commit, the onset, the fix time, and, per variant, how
the watch window after the fix looks (``works``: all back to normal; ``tenant``: one tenant
still fails; ``new_error``: a new kind of error appears).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import git
import numpy as np

START = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
TENANTS = ("acme", "globex", "initech", "umbrella", "hooli", "stark")
AFFECTED = ("acme", "globex")
ENDPOINTS = ("/api/v1/checkout", "/api/v1/products", "/api/v1/cart")
INCIDENT_ERROR = 'DatabaseError: column "discount_code" of relation "orders" does not exist'
NEW_ERROR = "KeyError: 'discount' while pricing order {n}"
CULPRIT = "Add discount codes to checkout"


@dataclass(frozen=True)
class FixScenario:
    """Minutes from :data:`START` of the onset and the fix, and the variant after the fix."""

    variant: str = "works"  # "works", "tenant" or "new_error"
    onset_minute: int = 60
    fix_minute: int = 100
    minutes: int = 125
    per_minute: int = 150
    seed: int = 7

    @property
    def onset(self) -> datetime:
        """When the incident started."""
        return START + timedelta(minutes=self.onset_minute)

    @property
    def fix_at(self) -> datetime:
        """When the fix was deployed."""
        return START + timedelta(minutes=self.fix_minute)

    def write_logs(self, path: Path) -> Path:
        """Write the service log as JSON lines."""
        rng = np.random.default_rng(self.seed)
        lines = []
        for minute in range(self.minutes):
            incident = self.onset_minute <= minute < self.fix_minute
            after = minute >= self.fix_minute
            for i in range(self.per_minute):
                ts = START + timedelta(minutes=minute, seconds=60 * i / self.per_minute)
                tenant = TENANTS[int(rng.integers(len(TENANTS)))]
                endpoint = ENDPOINTS[int(rng.integers(len(ENDPOINTS)))]
                status, message = 200, "request completed"
                latency = float(rng.lognormal(np.log(60), 0.3))
                bad_tenant = tenant in AFFECTED and endpoint == ENDPOINTS[0]
                still_bad = after and self.variant == "tenant" and tenant == AFFECTED[1]
                if bad_tenant and (incident or still_bad) and rng.random() < 0.6:
                    status, message = 500, f"{INCIDENT_ERROR} (order {int(rng.integers(1e6))})"
                    latency *= 4
                elif after and self.variant == "new_error" and rng.random() < 0.05:
                    status, message = 500, NEW_ERROR.format(n=int(rng.integers(1e6)))
                elif rng.random() < 0.004:
                    status, message = 503, f"UpstreamError: inventory returned 503 for sku {i}"
                lines.append(
                    json.dumps(
                        {
                            "ts": ts.isoformat().replace("+00:00", "Z"),
                            "tenant_id": tenant,
                            "endpoint": endpoint,
                            "status": status,
                            "latency_ms": round(latency, 1),
                            "message": message,
                        }
                    )
                )
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    def write_history(self, root: Path) -> dict[str, str]:
        """A repo and a deploy log (``root/deploys.jsonl``); returns ``{subject: sha}``."""
        repo_dir = root / "shop-api"
        repo = git.Repo.init(repo_dir, initial_branch="main")
        shas: dict[str, str] = {}
        history = (
            (600, "Show product badges", {"shop/catalog/products.py": "badges = 1\n"}),
            (300, "Bump requests", {"requirements.txt": "requests==2.32.3\n"}),
            (150, CULPRIT, {"shop/checkout/service.py": "discount = 1\n",
                            "migrations/0042_discount.sql": "ALTER TABLE orders ADD x;\n"}),
            (60, "Tidy tests", {"tests/test_catalog.py": "def test(): pass\n"}),
            (12, "Tune checkout pool size (not deployed before the onset)",
             {"shop/checkout/pool.yaml": "size: 20\n"}),
            (2, "Fix typo in runbook", {"docs/runbook.md": "# Runbook\n"}),
            (-30, "Revert discount codes", {"shop/checkout/service.py": "discount = 0\n"}),
        )  # fmt: skip
        with repo:
            with repo.config_writer() as cfg:
                cfg.set_value("user", "name", "Test")
                cfg.set_value("user", "email", "test@example.invalid")
            for minutes_before, subject, files in history:
                for rel, content in files.items():
                    (repo_dir / rel).parent.mkdir(parents=True, exist_ok=True)
                    (repo_dir / rel).write_text(content, encoding="utf-8")
                repo.index.add(list(files))
                when = (self.onset - timedelta(minutes=minutes_before)).strftime(
                    "%Y-%m-%dT%H:%M:%S+0000"
                )
                commit = repo.index.commit(subject, author_date=when, commit_date=when)
                shas[subject] = commit.hexsha
        deploys = [
            (self.onset - timedelta(hours=9), "v2.13.0", shas["Show product badges"]),
            (self.onset - timedelta(minutes=5), "v2.14.0", shas["Tidy tests"]),
            (self.fix_at, "v2.14.1", shas["Revert discount codes"]),
        ]
        (root / "deploys.jsonl").write_text(
            "".join(
                json.dumps({"time": t.isoformat(), "service": "shop-api", "version": v, "sha": s})
                + "\n"
                for t, v, s in deploys
            ),
            encoding="utf-8",
        )
        return shas
