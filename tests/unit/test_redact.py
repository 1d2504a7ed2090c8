import pytest

from incident_nb.core.redact import Redactor, redact_json

# Fake values in the shapes of real secrets (never real ones).
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
B64_88 = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
HEX32 = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
HEX64 = HEX32 * 2
PEM_BODY = "MIIEowIBAAKCAQEA7bq98P8yp4Zb4HIxkxKy\nc2nGm0UXPJ9Zo5yIt0m9rBtTl7y4Fw==\n"

# (rule, text with a secret, the part that must disappear)
TRUE_POSITIVES = [
    ("aws_access_key", "key AKIAIOSFODNN7EXAMPLE used", "AKIAIOSFODNN7EXAMPLE"),
    ("aws_access_key", "temporary ASIAY34FZKBOKMUTVV7A expired", "ASIAY34FZKBOKMUTVV7A"),
    ("aws_secret_key", f"aws_secret_access_key = {AWS_SECRET}", AWS_SECRET),
    ("aws_secret_key", f'{{"aws_secret_access_key": "{AWS_SECRET}"}}', AWS_SECRET),
    ("aws_secret_key", f"export AWS_SECRET_ACCESS_KEY={AWS_SECRET}", AWS_SECRET),
    ("aws_secret_key", f'"SecretAccessKey": "{AWS_SECRET}",', AWS_SECRET),
    (
        "azure_storage_key",
        f"DefaultEndpointsProtocol=https;AccountName=x;AccountKey={B64_88};",
        B64_88[:40],
    ),
    (
        "azure_storage_key",
        "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=q8Zr0pT5vN2cXbYw1a3KdL7mQe9sFh4uJiGo6ERtYz0=",
        "q8Zr0pT5vN2cXbYw1a3K",
    ),
    (
        "azure_client_secret",
        "client secret xKj8Q~xYz9AbCdEfGhIjKlMnOpQrStUvWxYz0123 rotated",
        "xKj8Q~xYz9AbCdEfGhIjKlMnOpQrStUvWxYz0123",
    ),
    (
        "google_api_key",
        "maps key=AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY!",
        "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY",
    ),
    (
        "google_oauth",
        "ya29.a0AfH6SMBx7Tq3kLmNoPqRsTuVwXyZ0123456789 was sent",
        "ya29.a0AfH6SMBx7Tq3kLmNoPqRsTuVwXyZ",
    ),
    (
        "google_oauth",
        "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 in config",
        "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",
    ),
    ("digitalocean_token", f"doctl uses dop_v1_{HEX64}", f"dop_v1_{HEX64}"),
    (
        "heroku_key",
        "HRKU-AAbcdefghijklmnopqrstuvwxyz0123456789_-ABCDEFGHIJ",
        "HRKU-AAbcdefghijklmnopq",
    ),
    ("databricks_token", f"token dapi{HEX32} ok", f"dapi{HEX32}"),
    ("terraform_token", "TFE abcdefghijklmn.atlasv1." + "x" * 64, "atlasv1." + "x" * 64),
    (
        "vault_token",
        "X-Vault-Token: hvs.CAESIJ3mLq0aBcDeFgHiJkLmNoPqRsTuVw",
        "hvs.CAESIJ3mLq0aBcDeFgHiJkLmNoPqRsTuVw",
    ),
    ("doppler_token", "dp.pt." + "a1B2c3D4e5" * 4 + "abc", "dp.pt." + "a1B2c3D4e5" * 4),
    ("pulumi_token", f"pul-{HEX32}01234567", f"pul-{HEX32}01234567"),
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
    (
        "github_token",
        "gho_16C7e42F292c6912E7710c838347Ae178B4a in oauth",
        "gho_16C7e42F292c6912E7710c838347Ae178B4a",
    ),
    ("gitlab_token", "PRIVATE-TOKEN: glpat-xYz123AbC456dEf789gHi0", "glpat-xYz123AbC456dEf789gHi0"),
    (
        "npm_token",
        "//registry.npmjs.org/:_authToken=npm_abcdefghijklmnopqrstuvwxyz0123456789",
        "npm_abcdefghijklmnopqrstuvwxyz0123456789",
    ),
    (
        "pypi_token",
        "password: pypi-AgEIcHlwaS5vcmc" + "A1b2C3d4E5" * 6,
        "pypi-AgEIcHlwaS5vcmc" + "A1b2C3d4E5" * 6,
    ),
    (
        "huggingface_token",
        "HF hf_abcdefghijklmnopqrstuvwxyzABCDEFGH here",
        "hf_abcdefghijklmnopqrstuvwxyzABCDEFGH",
    ),
    ("atlassian_token", "jira ATATT3xFfGF0" + "a1B2c3" * 30, "ATATT3xFfGF0" + "a1B2c3" * 30),
    ("linear_key", "lin_api_" + "a1B2c3D4e5" * 4, "lin_api_" + "a1B2c3D4e5" * 4),
    ("postman_key", f"PMAK-{HEX32[:24]}-{HEX32}ab", f"PMAK-{HEX32[:24]}-{HEX32}ab"),
    ("anthropic_key", "sk-ant-api03-" + "Ab1_Cd2-" * 12 + "AA", "sk-ant-api03-" + "Ab1_Cd2-" * 12),
    ("openai_key", "OPENAI sk-proj-" + "Ab1Cd2Ef3Gh4" * 4, "sk-proj-" + "Ab1Cd2Ef3Gh4" * 4),
    (
        "stripe_key",
        "charge with sk_live_4eC39HqLyjWDarjtT1zdp7dc",
        "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
    ),
    ("stripe_key", "restricted rk_live_51H8xyzAbCdEfGhIjKlMnOp", "rk_live_51H8xyzAbCdEfGhIjKlMnOp"),
    (
        "stripe_key",
        "endpoint whsec_1a2B3c4D5e6F7g8H9i0J1k2L3m4N",
        "whsec_1a2B3c4D5e6F7g8H9i0J1k2L3m4N",
    ),
    ("square_token", "sq0atp-1a2B3c4D5e6F7g8H9i0J1k", "sq0atp-1a2B3c4D5e6F7g8H9i0J1k"),
    (
        "sendgrid_key",
        "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",
        "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",
    ),
    ("mailgun_key", f"api:key-{HEX32}", f"key-{HEX32}"),
    ("mailchimp_key", f"apikey {HEX32}-us12 ok", f"{HEX32}-us12"),
    ("twilio_key", f"twilio SK{HEX32} in use", f"SK{HEX32}"),
    ("slack_token", "SLACK=xoxb-1234567890-abcdefghijkl", "xoxb-1234567890-abcdefghijkl"),
    (
        "slack_token",
        "app xapp-1-A0123456789-1234567890123-abcdef0123456789",
        "xapp-1-A0123456789-1234567890123-abcdef0123456789",
    ),
    (
        "slack_token",
        "user xoxp-1234567890-1234567890-1234567890-abcdef",
        "xoxp-1234567890-1234567890-1234567890-abcdef",
    ),
    (
        "slack_webhook",
        "post to https://hooks.slack.com/services/T000/B000/XXXXXXXX now",
        "T000/B000/XXXXXXXX",
    ),
    (
        "slack_webhook",
        "flow https://hooks.slack.com/workflows/T0123/A0456/789/aBcDeF123",
        "T0123/A0456/789/aBcDeF123",
    ),
    (
        "discord_webhook",
        "https://discord.com/api/webhooks/123456789012345678/AbCdEf-GhIjKl_MnOp",
        "AbCdEf-GhIjKl_MnOp",
    ),
    (
        "teams_webhook",
        "https://contoso.webhook.office.com/webhookb2/1a2b3c@4d5e6f/IncomingWebhook/abc123/def456",
        "IncomingWebhook/abc123/def456",
    ),
    ("grafana_token", "glsa_" + "a1B2c3D4" * 4 + "_0a1b2c3d", "glsa_" + "a1B2c3D4" * 4),
    (
        "grafana_token",
        "glc_" + "eyJvIjoiMTIzNDU2IiwibiI6Im" * 2,
        "glc_" + "eyJvIjoiMTIzNDU2IiwibiI6Im",
    ),
    ("newrelic_key", "NRAK-ABCDEFGHIJKLMNOPQRSTUVWXYZ0", "NRAK-ABCDEFGHIJKLMNOPQRSTUVWXYZ0"),
    ("sentry_token", "sntrys_" + "eyJpYXQiOjE2ODk" * 4, "sntrys_" + "eyJpYXQiOjE2ODk" * 4),
    ("dynatrace_token", "dt0c01." + "ABCDEFGHIJKLMNOPQRSTUVWX" + "." + "A1B2" * 16, "A1B2" * 16),
    (
        "age_secret_key",
        "AGE-SECRET-KEY-1" + "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L" + "Q" * 26,
        "AGE-SECRET-KEY-1QPZRY9X8GF2TVDW0",
    ),
    (
        "jwt",
        "cookie eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    ),
    ("bearer", "Authorization: Bearer abcdef0123456789abcdef.xyz", "abcdef0123456789abcdef.xyz"),
    ("bearer", "sent bearer Zx9Bq7Lm3Np5Rt8Vw2 upstream", "Zx9Bq7Lm3Np5Rt8Vw2"),
    ("basic_auth", "Authorization: Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA=="),
    ("authorization", "Authorization: Basic dXNlcjpwYXNz", "dXNlcjpwYXNz"),
    ("authorization", '{"Authorization": "token q7Wm2Zx9Rk4Lp"}', "q7Wm2Zx9Rk4Lp"),
    (
        "cookie",
        "Cookie: session=8f14e45fceea167a5a36dedd4bea2543; theme=dark",
        "8f14e45fceea167a5a36dedd4bea2543",
    ),
    (
        "private_key",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nabc\n-----END RSA PRIVATE KEY-----",
        "MIIEow",
    ),
    (
        "private_key",
        f"-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n{PEM_BODY}=Ab1c\n-----END PGP PRIVATE KEY BLOCK-----",
        "MIIEowIBAAKCAQEA7bq98P8yp4Zb4HIxkxKy",
    ),
    (
        "private_key",
        f"key: -----BEGIN OPENSSH PRIVATE KEY-----\n{PEM_BODY}",
        "c2nGm0UXPJ9Zo5yIt0m9rBtTl7y4Fw==",
    ),
    (
        "private_key",
        '{"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEF\\n-----END PRIVATE KEY-----\\n"}',
        "MIIEvQIBADANBgkqhkiG9w0BAQEF",
    ),
    ("url_password", "dsn postgres://app:s3cr3t-pw@db.internal:5432/orders", "s3cr3t-pw"),
    ("url_password", "cache redis://:r3dis-pw@cache:6379/0", "r3dis-pw"),
    ("url_password", "fetch HTTPS://deploy:Up-Per-Pw@git.example.com/repo.git", "Up-Per-Pw"),
    ("url_password", "mongodb+srv://admin:p@ss:w0rd@cluster0.example.net/db", "p@ss:w0rd"),
    ("url_password", "amqp://guest:gu3st!@rabbit", "gu3st!"),
    ("query_secret", "GET /callback?state=1&token=9f8e7d6c5b4a HTTP/1.1", "9f8e7d6c5b4a"),
    (
        "query_secret",
        "redirect https://app/cb#x?access_token=a1b2c3d4e5f6&expires=3600",
        "a1b2c3d4e5f6",
    ),
    (
        "query_secret",
        "blob https://acct.blob.core.windows.net/c/f?sv=2021&sig=AbCd%2BEf%3D",
        "AbCd%2BEf%3D",
    ),
    ("password", "login failed password=hunter2 for user", "hunter2"),
    ("password", 'config {"api_key": "sk_live_abc123"}', "sk_live_abc123"),
    ("password", "PASSWD: 'correct horse'", "correct horse"),
    ("password", "env DB_PASSWORD=Tr0ub4dor&3 loaded", "Tr0ub4dor"),
    ("password", "oauth client_secret=Zq8-secretvalue-77 sent", "Zq8-secretvalue-77"),
    ("password", '{"client_secret": "abc-123-def"}', "abc-123-def"),
    ("password", "SMTP_PASS=m4ilpass", "m4ilpass"),
    ("password", "x-api-key: 5f0c8e1a9b7d", "5f0c8e1a9b7d"),
    ("password", "refresh_token=1//0gLmNoPq", "1//0gLmNoPq"),
    ("password", "Server=db;Database=app;User Id=sa;Password=Str0ng!Pass;", "Str0ng!Pass"),
    ("password", "Driver={SQL};Uid=sa;Pwd=0dbcPa55;", "0dbcPa55"),
    ("password", "app.secret_key: 'flask-s3cret'", "flask-s3cret"),
]

LOOK_ALIKES = [
    "AKIA is a prefix we talk about",
    "ghp_short",
    "the password policy requires rotation",
    "Bearer token missing",
    "Bearer authentication is required",
    "eyJ alone is not a token",
    "https://example.com/path:with:colons@nothing",
    "xoxb- followed by nothing",
    "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----",
    "secret santa is on friday",
    "order 12345 for tenant acme from 10.0.0.1",
    "Basic usage: incident-nb --help",
    "basic authentication failed for the proxy",
    "max_tokens=512 tokens_used: 200 token_count=5",
    "unexpected token '}' at line 3",
    "bypass=true compass=north",
    "PWD=/home/app/current",
    "http://localhost:8080/metrics?format=prometheus",
    "https://host:8443?email=ops@example.com",
    "sk_live_ is Stripe's prefix",
    "SG.alone and npm_ are prefixes",
    "AIza is Google's prefix",
    "the AccountKey setting is documented",
    "password reset requested for user 42",
    "GET /api/v1/tokens?page=2 200",
    "git sha 0123456789abcdef0123456789abcdef01234567 deployed",
    "request_id=7f9c2ba4e88f827d616045507605853e status=500",
    "user=ops@example.com logged in",
    "the key-value store is down",
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


def test_every_rule_of_the_table_has_a_true_positive_here():
    from incident_nb.core.redact import DEFAULT_RULES

    assert {r.name for r in DEFAULT_RULES} == {rule for rule, _, _ in TRUE_POSITIVES}
    assert len({rule for rule, _, _ in TRUE_POSITIVES}) >= 45
    assert len(TRUE_POSITIVES) >= 80


def test_redaction_happens_before_a_cut():
    from incident_nb.core.redact import clip

    pat = "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuv"
    text = f"push rejected for {pat} by the server"
    assert pat[:20] in text[:50]  # a plain cut at 50 would keep the token's beginning
    cut = clip(text, 50)
    assert len(cut) <= 50 and cut.endswith("...") and "github_pat_11" not in cut
    assert cut == "push rejected for [REDACTED:github_token] by th..."
    bearer = clip("Authorization: Bearer Zx9Bq7Lm3Np5Rt8Vw2Yz4 from the gateway", 30)
    assert "Zx9B" not in bearer and bearer.endswith("...")
    # The cut never splits a mark or an e-mail address (redacted at export with --redact email).
    assert clip("x" * 20 + " password=hunter2 done", 36) == "x" * 20 + " password=..."
    assert clip("mail from alice@example.com today", 20) == "mail from ..."
    assert clip("short", 50) == "short"


def test_redaction_keeps_up_with_a_large_log():
    import time

    line = (
        '2026-11-20T12:00:00Z level=error svc=pay msg="db call failed" user=u123 '
        "path=/api/v1/pay?page=2 latency_ms=123 trace=7f9c2ba4e88f827d616045507605853e\n"
    )
    text = line * 20_000  # 2.8 MB
    started = time.perf_counter()
    assert Redactor().text(text) == text
    assert time.perf_counter() - started < 3


def test_bad_line_examples_are_redacted_before_they_are_cut():
    from incident_nb.sources.logs.accounting import QUOTE_CHARS, BadLine

    token = "ghp_abcdefghijklmnopqrstuvwxyz0123456789AB"
    line = "x" * (QUOTE_CHARS - 10) + f" token {token} and more"
    quoted = BadLine("app.log", 7, "invalid JSON", line).text
    assert len(quoted) <= QUOTE_CHARS and "ghp_" not in quoted and quoted.endswith("...")
