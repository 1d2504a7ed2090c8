"""The incident-response workflow's fixed texts: checklists, root-cause categories, steps.

Copied word for word from the workflow so that forms, notebooks and post-mortems all show the
same items. Keys in the incident record are these exact strings.
"""

from __future__ import annotations

FIX_CHECKLIST: tuple[str, ...] = (
    "Fix is minimal and targeted (no refactoring, no extra changes)",
    "Fix addresses the root cause (not just the symptom)",
    "Test suite passes with the fix",
    "Fix has been tested in staging",
    "Rollback plan documented",
)

STAGING_STEPS: tuple[str, ...] = (
    "Deploy fix to staging",
    "Reproduce the incident",
    "Verify resolution",
    "Check side effects",
    "Load test",
)

DEPLOYMENT_CHECKLIST: tuple[str, ...] = (
    "Fix deployed to production",
    "Enhanced monitoring in place (watch error rate, latency)",
    "Watch for 15 minutes post-deploy",
    "Error rate returned to baseline",
    "Latency returned to baseline",
    "No new error types appearing",
    "Affected tenants verified working",
)

ROOT_CAUSE_CATEGORIES: dict[str, str] = {
    "code bug": "Logic error, race condition, missing error handling",
    "configuration": "Wrong setting, missing environment variable, expired credential",
    "infrastructure": "Resource exhaustion, network issue, dependency failure",
    "data": "Corrupt data, unexpected volume, schema drift",
    "deployment": "Bad deploy, missing migration, incompatible version",
}

ACTION_STATUSES: tuple[str, ...] = ("TODO", "IN PROGRESS", "DONE")

STEPS: tuple[str, ...] = (
    "Step 1: Assess Impact",
    "Step 2: Collect Evidence",
    "Step 3: Identify Root Cause (5 Whys)",
    "Step 4: Implement Fix (Minimal, Targeted)",
    "Step 5: Verify Fix in Staging",
    "Step 6: Deploy with Monitoring",
    "Step 7: Write Post-Mortem",
)

MIN_WHYS = 5
"""The 5 Whys: how many answers a root-cause analysis needs before it can stop."""
