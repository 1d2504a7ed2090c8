"""Redaction of secrets and personal data before anything is exported.

Rules are data: a name, a pattern and what replaces the match. The default rules catch API keys
and tokens (AWS, GitHub, Slack, bearer, JWT), private key blocks and passwords (in URLs and in
``password=``-style pairs); optional rules catch e-mail addresses, IP addresses and given
tenant ids. :func:`redact_json` walks any JSON-like value (notebook outputs, chart data, the
record, the analysis summary) and counts what each rule replaced, never keeping the values.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Rule:
    """One redaction rule; ``keep`` is a group to leave in place (e.g. the key of a pair)."""

    name: str
    pattern: re.Pattern[str]
    keep: str | None = None

    def mark(self) -> str:
        """What a redacted value becomes."""
        return f"[REDACTED:{self.name}]"


def _rule(name: str, pattern: str, keep: str | None = None, flags: int = 0) -> Rule:
    return Rule(name, re.compile(pattern, flags), keep)


DEFAULT_RULES: tuple[Rule, ...] = (
    _rule(
        "private_key",
        r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?-----END [A-Z0-9 ]*PRIVATE KEY-----",
        flags=re.DOTALL,
    ),
    _rule("aws_access_key", r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\b"),
    _rule(
        "aws_secret_key",
        r"(?P<key>(?i:aws_?secret_?(?:access_?)?key)\s*[=:]\s*[\"']?)[A-Za-z0-9/+]{40}",
        keep="key",
    ),
    _rule("github_token", r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b"),
    _rule("slack_token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    _rule("slack_webhook", r"https://hooks\.slack\.com/services/[A-Za-z0-9/_-]+"),
    _rule("jwt", r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    _rule("bearer", r"(?P<key>\b[Bb]earer\s+)[A-Za-z0-9\-._~+/]{16,}=*", keep="key"),
    _rule("url_password", r"(?P<key>\b[a-z][a-z0-9+.-]*://[^/\s:@]+:)[^/\s@]+(?=@)", keep="key"),
    _rule(
        "password",
        r"(?P<key>\b(?i:password|passwd|pwd|secret|api[_-]?key|access[_-]?token|auth[_-]?token)"
        r"[\"']?\s*[=:]\s*)(?:\"[^\"\n]*\"|'[^'\n]*'|[^\s&,;\"'<]+)",
        keep="key",
    ),
)

OPTIONAL_RULES: dict[str, Rule] = {
    "email": _rule("email", r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b"),
    "ip": _rule(
        "ip",
        r"\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b"
        r"|\b(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}\b",
    ),
}


def tenant_rule(tenants: Iterable[str]) -> Rule | None:
    """A rule replacing the given tenant ids (whole words), or None without tenants."""
    names = sorted({t for t in tenants if t}, key=len, reverse=True)
    if not names:
        return None
    return Rule("tenant", re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\b"))


def check_rule_names(names: Iterable[str]) -> None:
    """Refuse optional rule names that do not exist.

    Raises:
        ValueError: an unknown optional rule, naming the known ones.
    """
    for name in names:
        if name != "tenant" and name not in OPTIONAL_RULES:
            known = ", ".join([*sorted(OPTIONAL_RULES), "tenant"])
            raise ValueError(f"unknown redaction rule {name!r}; known: {known}")


@dataclass
class Redactor:
    """Applies rules to text and counts replacements per rule (never storing values)."""

    rules: tuple[Rule, ...] = DEFAULT_RULES
    counts: Counter[str] = field(default_factory=Counter)

    @classmethod
    def with_options(cls, optional: Iterable[str] = (), tenants: Iterable[str] = ()) -> Redactor:
        """Default rules plus the named optional ones (``email``, ``ip``, ``tenant``).

        Raises:
            ValueError: an unknown optional rule, naming the known ones.
        """
        optional = list(optional)
        check_rule_names(optional)
        rules = list(DEFAULT_RULES)
        for name in optional:
            if name == "tenant":
                rule = tenant_rule(tenants)
                if rule is not None:
                    rules.append(rule)
                continue
            rules.append(OPTIONAL_RULES[name])
        return cls(tuple(rules))

    def text(self, value: str) -> str:
        """``value`` with every rule applied."""
        for rule in self.rules:

            def replace(match: re.Match[str], rule: Rule = rule) -> str:
                self.counts[rule.name] += 1
                kept = match.group(rule.keep) if rule.keep else ""
                return kept + rule.mark()

            value = rule.pattern.sub(replace, value)
        return value

    def report(self) -> dict[str, int]:
        """Replacements per rule, for the rules that matched."""
        return dict(sorted(self.counts.items()))


def redact_json(value: Any, redactor: Redactor) -> Any:
    """A copy of a JSON-like value with every string redacted (keys included)."""
    if isinstance(value, str):
        return redactor.text(value)
    if isinstance(value, dict):
        return {redactor.text(str(k)): redact_json(v, redactor) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_json(v, redactor) for v in value]
    return value
