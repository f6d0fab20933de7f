"""Files in an S3-compatible bucket (PARCAUTO_S3_BUCKET): what one app node or task
worker writes, another reads. Against moto's S3 server on 127.0.0.1, through boto3 and
django-storages as in production."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from django.conf import settings as django_settings
from moto.server import ThreadedMotoServer

from parcauto.accounts.models import StaffRole
from parcauto.payments.models import CollectionFile, PaymentMethod
from tests.backoffice.staff import staff_member
from tests.payments.test_collection_admin import ACCOUNT, _download
from tests.payments.test_collection_admin import collected as collected  # the fixture
from tests.settings_probe import settings_with

BUCKET = "parcauto-test"
ROOT = Path(__file__).resolve().parents[2]
KEYS = {"access_key": "test-key", "secret_key": "test-secret", "region_name": "ca-central-1"}


@pytest.fixture
def s3(settings) -> Iterator[object]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        **{
            "aws_access_key_id": KEYS["access_key"],
            "aws_secret_access_key": KEYS["secret_key"],
            "region_name": KEYS["region_name"],
        },
    )
    client.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": KEYS["region_name"]}
    )
    settings.STORAGES = {
        **django_settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **KEYS,
                "bucket_name": BUCKET,
                "endpoint_url": endpoint,
                "location": "media",
                "default_acl": "private",
                "file_overwrite": False,
            },
        },
    }
    try:
        yield client
    finally:
        server.stop()


def test_a_generated_file_and_an_upload_live_in_the_bucket_and_download_from_it(
    s3, collected: CollectionFile, organization
) -> None:
    keys = sorted(item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET)["Contents"])
    method = PaymentMethod.objects.get()
    assert keys == sorted(
        f"media/{name}" for name in (collected.file.name, method.cheque_specimen.name)
    )
    assert not Path(django_settings.MEDIA_ROOT, collected.file.name).exists()  # not on disk

    manager = staff_member(StaffRole.Role.MANAGER, organization)
    status, content = _download(manager, f"/admin/payments/collectionfile/{collected.pk}/download/")
    assert status == 200
    assert ACCOUNT.encode() in content
    stored = s3.get_object(Bucket=BUCKET, Key=f"media/{collected.file.name}")["Body"].read()
    assert content == stored


def _storages_with(env: dict[str, str]) -> dict:
    return settings_with(env, "STORAGES")["STORAGES"]["default"]


def test_the_bucket_is_chosen_by_the_environment_and_local_disk_is_the_default() -> None:
    assert _storages_with({"PARCAUTO_S3_BUCKET": ""})["BACKEND"].endswith("FileSystemStorage")
    chosen = _storages_with(
        {
            "PARCAUTO_S3_BUCKET": "parcauto-prod",
            "PARCAUTO_S3_ENDPOINT_URL": "https://s3.ca-central-1.example",
            "PARCAUTO_S3_PREFIX": "cegeps",
        }
    )
    assert chosen["BACKEND"] == "storages.backends.s3.S3Storage"
    options = chosen["OPTIONS"]
    assert (options["bucket_name"], options["location"]) == ("parcauto-prod", "cegeps")
    assert options["endpoint_url"] == "https://s3.ca-central-1.example"
    assert (options["default_acl"], options["file_overwrite"]) == ("private", False)
