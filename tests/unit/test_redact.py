import pytest

from incident_nb.postmortem.redact import Redactor, redact_json

# (rule, text with a secret, the part that must disappear)
TRUE_POSITIVES = [
    ("aws_access_key", "key AKIAIOSFODNN7EXAMPLE used", "AKIAIOSFODNN7EXAMPLE"),
    (
        "aws_secret_key",
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    ),
    (
        "github_token",
        "token ghp_abcdefghijklmnopqrstuvwxyz0123456789AB",
        "ghp_abcdefghijklmnopqrstuvwxyz0123456789AB",
    ),
    (
        "github_token",
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuv",
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuv",
    ),
    ("slack_token", "SLACK=xoxb-1234567890-abcdefghijkl", "xoxb-1234567890-abcdefghijkl"),
    (
        "slack_webhook",
        "post to https://hooks.slack.com/services/T000/B000/XXXXXXXX now",
        "T000/B000/XXXXXXXX",
    ),
    (
        "jwt",
        "cookie eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    ),
    ("bearer", "Authorization: Bearer abcdef0123456789abcdef.xyz", "abcdef0123456789abcdef.xyz"),
    (
        "private_key",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nabc\n-----END RSA PRIVATE KEY-----",
        "MIIEow",
    ),
    ("url_password", "dsn postgres://app:s3cr3t-pw@db.internal:5432/orders", "s3cr3t-pw"),
    ("password", "login failed password=hunter2 for user", "hunter2"),
    ("password", 'config {"api_key": "sk_live_abc123"}', "sk_live_abc123"),
    ("password", "PASSWD: 'correct horse'", "correct horse"),
]

LOOK_ALIKES = [
    "AKIA is a prefix we talk about",
    "ghp_short",
    "the password policy requires rotation",
    "Bearer token missing",
    "eyJ alone is not a token",
    "https://example.com/path:with:colons@nothing",
    "xoxb- followed by nothing",
    "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----",
    "secret santa is on friday",
    "order 12345 for tenant acme from 10.0.0.1",
]


@pytest.mark.parametrize(("rule", "text", "secret"), TRUE_POSITIVES)
def test_each_rule_catches_its_secrets(rule, text, secret):
    redactor = Redactor()
    out = redactor.text(text)
    assert secret not in out
    assert f"[REDACTED:{rule}]" in out
    assert redactor.report() == {rule: 1}


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_look_alikes_survive(text):
    redactor = Redactor()
    assert redactor.text(text) == text
    assert redactor.report() == {}


def test_keys_of_pairs_are_kept_and_optional_rules():
    assert Redactor().text("password=x1") == "password=[REDACTED:password]"
    r = Redactor.with_options(["email", "ip", "tenant"], tenants=["acme", "globex"])
    out = r.text(
        "ops@example.com saw 10.1.2.3 and 2001:0db8:0000:0000:0000:ff00:0042:8329 for acme, not acmeco"
    )
    assert (
        out
        == "[REDACTED:email] saw [REDACTED:ip] and [REDACTED:ip] for [REDACTED:tenant], not acmeco"
    )
    assert r.report() == {"email": 1, "ip": 2, "tenant": 1}
    with pytest.raises(ValueError, match="known: email, ip, tenant"):
        Redactor.with_options(["phone"])


def test_json_walk_counts_without_keeping_values():
    r = Redactor()
    data = {"a": ["password=x", {"b": "AKIAIOSFODNN7EXAMPLE"}], "n": 3, "token=abc": None}
    assert redact_json(data, r) == {
        "a": ["password=[REDACTED:password]", {"b": "[REDACTED:aws_access_key]"}],
        "n": 3,
        "token=abc": None,
    }
    assert r.report() == {"aws_access_key": 1, "password": 1}
    assert "x" not in str(r.report())
