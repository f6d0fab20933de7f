from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def contract_numbers_copy(apps, schema_editor):
    """Checks made before the column: their contract's number, as new checks keep it."""
    check = apps.get_model("enforcement", "PlateCheck")
    contract = apps.get_model("subscriptions", "Subscription")
    number = contract._base_manager.filter(pk=OuterRef("subscription_id")).values(
        "contract_number"
    )
    check._base_manager.filter(subscription__isnull=False).update(
        contract_number=Subquery(number[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("enforcement", "0004_notice_state_settled_label"),
        ("subscriptions", "0004_subscription_suspended"),
    ]

    operations = [
        migrations.AddField(
            model_name="platecheck",
            name="contract_number",
            field=models.PositiveBigIntegerField(
                blank=True, null=True, verbose_name="contract number"
            ),
        ),
        migrations.RunPython(contract_numbers_copy, migrations.RunPython.noop),
    ]
