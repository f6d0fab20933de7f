"""The Quebec sales-tax rates in force since the dates the law set them (rules 1-2)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import migrations

RATES = [
    ("gst", Decimal("5.000"), dt.date(2008, 1, 1)),
    ("qst", Decimal("9.975"), dt.date(2013, 1, 1)),
]


def seed(apps, schema_editor):
    TaxRate = apps.get_model("billing", "TaxRate")
    for tax, rate, since in RATES:
        TaxRate.objects.get_or_create(tax=tax, effective_from=since, defaults={"rate": rate})


def unseed(apps, schema_editor):
    TaxRate = apps.get_model("billing", "TaxRate")
    for tax, _rate, since in RATES:
        TaxRate.objects.filter(tax=tax, effective_from=since).delete()


class Migration(migrations.Migration):
    dependencies = [("billing", "0002_invoice_kind_and_run_progress")]

    operations = [migrations.RunPython(seed, unseed)]
