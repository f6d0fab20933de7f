"""Kill the billing run between two charges, start it again: each contract charged once."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from parcauto.billing.models import BillingRun, Invoice
from parcauto.payments.models import PaymentAttempt, SandboxTransaction
from tests.billing.conftest import contract
from tests.billing.killing_gateway import KILLED

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = 12


def _database_url() -> str:
    """The URL of the test database, for a child process to use the same one."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _run_billing(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "run_billing", "--date", "2026-07-01", "--chunk-size", "5"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.django_db(transaction=True)
def test_a_run_killed_between_two_charges_charges_every_contract_exactly_once(product):
    contracts = [contract(product, start=dt.date(2026, 6, 15)) for _ in range(CONTRACTS)]
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DB_CONN_MAX_AGE": "0",
        "PAYMENTS_GATEWAY": "tests.billing.killing_gateway.KillingGateway.from_settings",
        "BILLING_KILL_AFTER": "7",  # chunks of 5: dies in the middle of the second one
    }
    killed = _run_billing(env)
    assert killed.returncode == KILLED, killed.stderr
    assert SandboxTransaction.objects.count() == 7
    assert BillingRun.objects.get().status == BillingRun.Status.RUNNING
    # The second chunk's attempts were committed before the calls: 3 charged, 2 not.
    assert PaymentAttempt.objects.filter(status=PaymentAttempt.Status.SENT).count() == 5

    del env["BILLING_KILL_AFTER"]
    restarted = _run_billing(env)
    assert restarted.returncode == 0, restarted.stderr
    assert "0 invoices" in restarted.stdout

    for subscription in contracts:
        key = subscription.payment_methods.get().data_key
        assert SandboxTransaction.objects.filter(data_key=key, kind="purchase").count() == 1
    invoices = Invoice.objects.filter(period_start=dt.date(2026, 7, 1))
    assert invoices.count() == CONTRACTS
    assert set(invoices.values_list("status", flat=True)) == {Invoice.Status.PAID}
    assert PaymentAttempt.objects.count() == CONTRACTS
    assert set(PaymentAttempt.objects.values_list("status", flat=True)) == {
        PaymentAttempt.Status.APPROVED
    }
    assert SandboxTransaction.objects.count() == CONTRACTS
