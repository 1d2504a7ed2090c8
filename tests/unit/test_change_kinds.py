from __future__ import annotations

import pytest

from incident_nb.analysis.change_kinds import classify_files, classify_path


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("shop/checkout/service.py", "code"),
        ("cmd/server/main.go", "code"),
        ("migrations/0042_add_discount_code.sql", "migration"),
        ("db/migrate/20261120_add_index.rb", "migration"),
        ("app/alembic/versions/abc.py", "migration"),
        ("infra/main.tf", "infra"),
        ("envs/prod.tfvars", "infra"),
        ("k8s/deployment.yaml", "infra"),
        ("deploy/helm/shop/templates/deployment.yaml", "infra"),
        ("Dockerfile", "infra"),
        ("deploy/values.yaml", "config"),
        ("values-prod.yaml", "config"),
        ("config/settings.toml", "config"),
        ("app.ini", "config"),
        ("requirements.txt", "dependencies"),
        ("web/package-lock.json", "dependencies"),
        ("go.sum", "dependencies"),
        ("pyproject.toml", "dependencies"),
        ("README.md", "docs"),
        ("docs/search.md", "docs"),
        ("docs/mkdocs.yaml", "docs"),
        ("tests/test_catalog.py", "tests"),
        ("pkg/api/handler_test.go", "tests"),
        ("shop/tests/fixtures.yaml", "tests"),
        ("shop/latest_news.py", "code"),
        (".github/workflows/ci.yml", "ci"),
        ("assets/logo.bin", "other"),
    ],
)
def test_classify_path(path: str, kind: str) -> None:
    assert classify_path(path) == kind


def test_classify_files_distinct_in_table_order() -> None:
    files = ["shop/checkout/service.py", "migrations/0042.sql", "README.md", "shop/x.py"]
    assert classify_files(files) == ["migration", "docs", "code"]
    assert classify_files([]) == []
