"""Redaction of secrets and personal data, before anything leaves the notebook.

Rules are data: :data:`SECRET_PATTERNS` is a table of (name, pattern, kept group) rows, one or
more per kind of secret, modelled on gitleaks' rule set: cloud keys (AWS, Azure, Google),
tokens of code hosts, chat, payment, mail, monitoring and package services, webhooks with
their secret in the URL, JWTs, private key blocks (also cut off before their END line),
``Authorization``/``Bearer``/``Basic`` credentials, cookies, passwords in URLs (any scheme,
``redis://:pw@``, a password holding ``@``), secrets in query strings (``?token=``) and
``password=``-style pairs (also ``DB_PASSWORD=``, ``"client_secret": "..."``). Each rule
replaces the secret with ``[REDACTED:<name>]`` and keeps what names it (``password=``).
Optional rules catch e-mail addresses, IP addresses and given tenant ids.

Redaction happens before any text is shortened for display (see :func:`clip`), because a cut
secret no longer matches its rule while its beginning is still a secret. :func:`redact_json`
walks any JSON-like value (notebook outputs, chart data, the record, the analysis summary) and
counts what each rule replaced, never keeping the values.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Rule:
    """One redaction rule; ``keep`` is a group to leave in place (e.g. the key of a pair).

    ``needles`` are lower-case strings of which a match always holds one: text holding none of
    them is skipped without running the pattern (most text holds no secret at all).
    """

    name: str
    pattern: re.Pattern[str]
    keep: str | None = None
    needles: tuple[str, ...] = ()

    def may_match(self, lowered: str) -> bool:
        """Whether the lower-cased text could hold a match."""
        return not self.needles or any(n in lowered for n in self.needles)

    def mark(self) -> str:
        """What a redacted value becomes."""
        return f"[REDACTED:{self.name}]"


def _rule(name: str, pattern: str, keep: str | None = None, flags: int = 0) -> Rule:
    return Rule(name, re.compile(pattern, flags), keep)


_NOT_DONE = r"(?![\"']?\[REDACTED)"  # a value another rule already replaced
_VALUE = r"(?:\"[^\"\n]*\"|'[^'\n]*'|[^\s&,;\"'<>]+)"
_NAMED = r"(?:[A-Za-z0-9]+[_.-])"  # a prefix of a key name: DB_, client., x-
_SECRET_NAMES = (
    rf"(?:{_NAMED}*(?i:password|passwd|passphrase|secret|secret[_-]?key|api[_-]?key|apikey"
    r"|access[_-]?key|private[_-]?key|client[_-]?secret|signing[_-]?key|encryption[_-]?key)"
    rf"|{_NAMED}+(?i:token|pass|pw))"
)

SECRET_PATTERNS: tuple[tuple[str, str, str | None], ...] = (
    # Key blocks first: their body would otherwise be taken for other secrets.
    (
        "private_key",
        r"-----BEGIN[ A-Z0-9_-]*PRIVATE KEY(?: BLOCK)?-----"
        r"(?:[\s\S]*?-----END[ A-Z0-9_-]*PRIVATE KEY(?: BLOCK)?-----|[A-Za-z0-9+/=\s:,.\\-]*)",
        None,
    ),
    ("age_secret_key", r"\bAGE-SECRET-KEY-1[0-9A-Z]{58}\b", None),
    # Cloud providers.
    (
        "aws_access_key",
        r"\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}\b",
        None,
    ),
    (
        "aws_secret_key",
        r"(?P<key>(?i:(?:aws_?)?secret_?access_?key|aws_?secret_?key|aws_?secret)[\"']?"
        r"\s*[:=]\s*[\"']?)[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])",
        "key",
    ),
    (
        "azure_storage_key",
        r"(?P<key>\b(?i:AccountKey|SharedAccessKey|SharedAccessSignature)\s*=\s*)"
        + _NOT_DONE
        + r"[^;\s\"'<>]+",
        "key",
    ),
    (
        "azure_client_secret",
        r"(?<![A-Za-z0-9_~.])[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}",
        None,
    ),
    ("google_api_key", r"\bAIza[0-9A-Za-z_-]{35}", None),
    ("google_oauth", r"\bya29\.[0-9A-Za-z_-]{20,}|\bGOCSPX-[A-Za-z0-9_-]{28}", None),
    ("digitalocean_token", r"\bdo[opr]_v1_[a-f0-9]{64}\b", None),
    ("heroku_key", r"\bHRKU-[A-Za-z0-9_-]{20,}", None),
    ("databricks_token", r"\bdapi[a-f0-9]{32}(?:-\d)?\b", None),
    ("terraform_token", r"\b[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,}", None),
    ("vault_token", r"\bhv[sbr]\.[A-Za-z0-9_-]{24,}", None),
    ("doppler_token", r"\bdp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,}", None),
    ("pulumi_token", r"\bpul-[a-f0-9]{40}\b", None),
    # Code hosts and package registries.
    ("github_token", r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})", None),
    (
        "gitlab_token",
        r"\bgl(?:pat|ptt|dt|rt|soat|cbt|imt|agent|oas|ft|cf)-[A-Za-z0-9_-]{20,}",
        None,
    ),
    ("npm_token", r"\bnpm_[A-Za-z0-9]{36}\b", None),
    ("pypi_token", r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}", None),
    ("huggingface_token", r"\bhf_[A-Za-z]{34}\b", None),
    ("atlassian_token", r"\bATATT3[A-Za-z0-9_=-]{100,}", None),
    ("linear_key", r"\blin_api_[A-Za-z0-9]{40}\b", None),
    ("postman_key", r"\bPMAK-[a-f0-9]{24}-[a-f0-9]{34}\b", None),
    # AI services.
    ("anthropic_key", r"\bsk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{20,}", None),
    (
        "openai_key",
        r"\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}|\bsk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}",
        None,
    ),
    # Payments and mail.
    (
        "stripe_key",
        r"\b(?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{10,}|\bwhsec_[A-Za-z0-9]{24,}",
        None,
    ),
    (
        "square_token",
        r"\b(?:sq0atp|sq0csp)-[A-Za-z0-9_-]{22,}|\bEAAA[A-Za-z0-9_-]{60}\b",
        None,
    ),
    ("sendgrid_key", r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}", None),
    ("mailgun_key", r"\bkey-[0-9a-f]{32}\b", None),
    ("mailchimp_key", r"\b[0-9a-f]{32}-us\d{1,2}\b", None),
    ("twilio_key", r"\bSK[0-9a-fA-F]{32}\b", None),
    # Chat and monitoring; webhooks whose URL is the secret.
    ("slack_token", r"\b(?:xox[abposre]|xapp|xoxe\.xox[bp])-[A-Za-z0-9-]{10,}", None),
    (
        "slack_webhook",
        r"(?i:https?://hooks\.slack\.com/(?:services|workflows|triggers)/)[A-Za-z0-9/_+-]+",
        None,
    ),
    (
        "discord_webhook",
        r"(?i:https?://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/)\d+/[A-Za-z0-9_-]+",
        None,
    ),
    (
        "teams_webhook",
        r"(?i:https?://[a-z0-9.-]*(?:webhook\.office\.com/webhookb2|outlook\.office\.com/webhook)/)"
        r"[A-Za-z0-9@/_-]+",
        None,
    ),
    (
        "grafana_token",
        r"\bglc_[A-Za-z0-9+/]{32,}={0,2}|\bglsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}\b",
        None,
    ),
    ("newrelic_key", r"\bNR(?:AK|II|JS)-[A-Za-z0-9]{27,}", None),
    ("sentry_token", r"\bsntry[su]_[A-Za-z0-9+/=_]{40,}", None),
    ("dynatrace_token", r"\bdt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64}\b", None),
    # Generic shapes: tokens, credentials in headers, URLs, query strings and key=value pairs.
    ("jwt", r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}", None),
    (
        "bearer",
        r"(?P<key>\b(?i:bearer)\s+)(?=[A-Za-z0-9._~+/-]*[0-9._~+/-])[A-Za-z0-9._~+/-]{8,}=*",
        "key",
    ),
    (
        "basic_auth",
        r"(?P<key>\b(?i:basic)\s+)(?=[A-Za-z0-9+/]*[0-9+/=])[A-Za-z0-9+/]{8,}={0,2}"
        r"(?![A-Za-z0-9+/=])",
        "key",
    ),
    (
        "authorization",
        r"(?P<key>\b(?i:(?:proxy-)?authorization)[\"']?\s*[:=]\s*[\"']?"
        r"(?>(?:(?i:basic|bearer|token|digest|negotiate|apikey|sso-key)\s+)?))"
        + _NOT_DONE
        + r"[^\s\"',;]+",
        "key",
    ),
    (
        "cookie",
        r"(?P<key>\b(?i:(?:set-)?cookie)\s*:\s*[^=;\s]+=)" + _NOT_DONE + r"[^;\s\"']+",
        "key",
    ),
    (
        "url_password",
        r"(?P<key>\b[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@\[]*:)" + _NOT_DONE + r"[^\s/?#]+(?=@)",
        "key",
    ),
    (
        "query_secret",
        r"(?P<key>[?&](?i:(?:[a-z]+_)?token|sig|signature|api_?key|apikey|secret|client_secret"
        r"|password|passwd|auth|x-amz-signature|x-amz-credential|x-amz-security-token)=)"
        + _NOT_DONE
        + r"[^&#\s\"'<>]+",
        "key",
    ),
    ("password", r"(?P<key>\b(?i:pwd)\s*=\s*)" + _NOT_DONE + r"(?!/)[^;\s\"'<>]+", "key"),
    (
        "password",
        r"(?P<key>(?<![A-Za-z0-9])" + _SECRET_NAMES + r"[\"']?\s*[:=]\s*)" + _NOT_DONE + _VALUE,
        "key",
    ),
)
"""(rule name, pattern, the group kept in place): the default rules, applied in this order."""

# fmt: off
NEEDLES: dict[str, tuple[str, ...]] = {
    "private_key": ("private key",),
    "age_secret_key": ("age-secret-key-1",),
    "aws_access_key": (
        "a3t", "akia", "asia", "abia", "acca", "agpa", "aida", "aroa", "aipa", "anpa", "anva",
        "apka",
    ),
    "aws_secret_key": ("secret",),
    "azure_storage_key": ("accountkey", "sharedaccess"),
    "azure_client_secret": ("q~",),
    "google_api_key": ("aiza",),
    "google_oauth": ("ya29.", "gocspx-"),
    "digitalocean_token": ("_v1_",),
    "heroku_key": ("hrku-",),
    "databricks_token": ("dapi",),
    "terraform_token": (".atlasv1.",),
    "vault_token": ("hvs.", "hvb.", "hvr."),
    "doppler_token": ("dp.",),
    "pulumi_token": ("pul-",),
    "github_token": ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    "gitlab_token": (
        "glpat-", "glptt-", "gldt-", "glrt-", "glsoat-", "glcbt-", "glimt-", "glagent-",
        "gloas-", "glft-", "glcf-",
    ),
    "npm_token": ("npm_",),
    "pypi_token": ("pypi-ageichlwas5vcmc",),
    "huggingface_token": ("hf_",),
    "atlassian_token": ("atatt3",),
    "linear_key": ("lin_api_",),
    "postman_key": ("pmak-",),
    "anthropic_key": ("sk-ant-",),
    "openai_key": ("sk-",),
    "stripe_key": ("_live_", "_test_", "_prod_", "whsec_"),
    "square_token": ("sq0atp-", "sq0csp-", "eaaa"),
    "sendgrid_key": ("sg.",),
    "mailgun_key": ("key-",),
    "mailchimp_key": ("-us",),
    "twilio_key": ("sk",),
    "slack_token": ("xox", "xapp-"),
    "slack_webhook": ("hooks.slack.com",),
    "discord_webhook": ("/api/webhooks/",),
    "teams_webhook": ("office.com/webhook",),
    "grafana_token": ("glc_", "glsa_"),
    "newrelic_key": ("nrak-", "nrii-", "nrjs-"),
    "sentry_token": ("sntry",),
    "dynatrace_token": ("dt0c01.",),
    "jwt": ("eyj",),
    "bearer": ("bearer",),
    "basic_auth": ("basic",),
    "authorization": ("authorization",),
    "cookie": ("cookie",),
    "url_password": ("://",),
    "query_secret": (
        "token=", "sig=", "signature=", "key=", "secret=", "password=", "passwd=", "auth=",
        "x-amz-",
    ),
    "password": ("pass", "secret", "key", "token", "pw", "phrase"),
}
# fmt: on
"""Per rule name: strings (lower case) of which every match holds one (a fast pre-check)."""

DEFAULT_RULES: tuple[Rule, ...] = tuple(
    Rule(name, re.compile(pattern), keep, NEEDLES.get(name, ()))
    for name, pattern, keep in SECRET_PATTERNS
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
        lowered = value.lower()
        for rule in self.rules:
            if not rule.may_match(lowered):
                continue

            def replace(match: re.Match[str], rule: Rule = rule) -> str:
                self.counts[rule.name] += 1
                kept = match.group(rule.keep) if rule.keep else ""
                return kept + rule.mark()

            replaced = rule.pattern.sub(replace, value)
            if replaced != value:
                value, lowered = replaced, replaced.lower()
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


_MARK = re.compile(r"\[REDACTED:[a-z_]+\]")
ELLIPSIS = "..."


def redact_text(value: str) -> str:
    """``value`` with the default rules applied: for titles, names and folder names."""
    return Redactor().text(value)


def clip(value: str, limit: int, redactor: Redactor | None = None) -> str:
    """``value`` redacted, then shortened to at most ``limit`` characters, ending in "...".

    A secret cut first would no longer match its rule while its beginning is still a secret,
    so the rules run on the whole value. The cut itself never splits a redaction mark or what
    an optional rule would replace at export (an e-mail or IP address): it moves before it.
    """
    value = (redactor or Redactor()).text(value)
    if len(value) <= limit:
        return value
    cut = max(limit - len(ELLIPSIS), 0)
    protected = [_MARK, *(r.pattern for r in OPTIONAL_RULES.values())]
    moved = True
    while moved:
        moved = False
        for pattern in protected:
            for match in pattern.finditer(value, 0, cut + 256):
                if match.start() < cut < match.end():
                    cut, moved = match.start(), True
    return value[:cut] + ELLIPSIS
