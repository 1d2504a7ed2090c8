"""What a changed file is (code, config, infra, migration, ...): a table of path patterns.

The table is data: the first row with a matching pattern gives the file's kind. A pattern with
a ``/`` is matched against the whole path (``fnmatch``: ``*`` also crosses ``/``), one without
against the file name; paths matching no row are ``code`` when they have a source
extension and ``other`` otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatchcase
from pathlib import PurePosixPath

KIND_PATTERNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("tests", ("tests/*", "test/*", "*/tests/*", "*/test/*", "test_*.py", "*/test_*.py",
               "*_test.py", "*_test.go", "*.spec.*", "*.test.*", "spec/*")),
    ("ci", (".github/*", ".gitlab-ci.yml", ".gitlab/*", ".circleci/*", "Jenkinsfile", ".ci/*",
            ".buildkite/*", "Makefile")),
    ("migration", ("migrations/*", "*/migrations/*", "migrate/*", "*/migrate/*", "alembic/*",
                   "*/alembic/*", "db/migrate/*", "flyway/*", "*/flyway/*", "*.sql")),
    ("dependencies", ("requirements*.txt", "*/requirements*.txt", "constraints*.txt",
                      "Pipfile", "Pipfile.lock", "poetry.lock", "uv.lock", "*/poetry.lock",
                      "package.json", "*/package.json", "package-lock.json", "yarn.lock",
                      "pnpm-lock.yaml", "go.mod", "go.sum", "*/go.mod", "*/go.sum",
                      "Cargo.toml", "Cargo.lock", "Gemfile", "Gemfile.lock", "pom.xml",
                      "build.gradle*", "*/build.gradle*", "pyproject.toml")),
    ("infra", ("*.tf", "*.tfvars", "*.hcl", "terraform/*", "*/terraform/*", "Dockerfile*",
               "*/Dockerfile*", "docker-compose*.y*ml", "k8s/*", "*/k8s/*", "kubernetes/*",
               "*/kubernetes/*", "manifests/*", "*/manifests/*", "kustomization.y*ml",
               "*/kustomization.y*ml", "helm/*", "*/helm/*", "charts/*", "*/charts/*",
               "Chart.yaml", "*/Chart.yaml", "ansible/*", "*/ansible/*", "*.nomad")),
    ("docs", ("*.md", "*.rst", "*.adoc", "*.txt", "docs/*", "doc/*", "*/docs/*", "LICENSE*",
              "CHANGELOG*", "AUTHORS*", "*.png", "*.svg", "mkdocs.yml")),
    ("config", ("values*.yaml", "*/values*.yaml", "*.yaml", "*.yml", "*.toml", "*.ini", "*.cfg",
                "*.conf", "*.env", ".env*", "*/.env*", "*.properties", "*.json", "config/*",
                "*/config/*", "settings*.py", "*/settings*.py")),
)  # fmt: skip

CODE_SUFFIXES: frozenset[str] = frozenset(
    [
        ".py",
        ".go",
        ".js",
        ".mjs",
        ".ts",
        ".tsx",
        ".jsx",
        ".java",
        ".kt",
        ".scala",
        ".rb",
        ".rs",
        ".c",
        ".h",
        ".cc",
        ".cpp",
        ".hpp",
        ".cs",
        ".php",
        ".swift",
        ".ex",
        ".exs",
        ".erl",
        ".clj",
        ".sh",
        ".lua",
        ".pl",
        ".sql",
        ".proto",
        ".graphql",
    ]
)
KINDS: tuple[str, ...] = (*(kind for kind, _ in KIND_PATTERNS), "code", "other")


def classify_path(path: str) -> str:
    """The kind of one changed file."""
    posix = path.replace("\\", "/")
    name = PurePosixPath(posix).name
    for kind, patterns in KIND_PATTERNS:
        if any(fnmatchcase(posix if "/" in p else name, p) for p in patterns):
            return kind
    return "code" if PurePosixPath(posix).suffix.lower() in CODE_SUFFIXES else "other"


def classify_files(paths: Iterable[str]) -> list[str]:
    """The distinct kinds of a change's files, in the order of :data:`KINDS`."""
    found = {classify_path(p) for p in paths}
    return [kind for kind in KINDS if kind in found]
