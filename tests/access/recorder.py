"""A task standing in for the wallets' update push: it records what it was given."""

from __future__ import annotations

from typing import Any

from django.tasks import task

calls: list[dict[str, Any]] = []


@task()
def record_pass_change(*, organization_id: int, pass_id: int) -> None:
    calls.append({"organization_id": organization_id, "pass_id": pass_id})
