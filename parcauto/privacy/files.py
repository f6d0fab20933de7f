"""Deleting stored files with the rows that name them."""

from __future__ import annotations

from django.db import transaction
from django.db.models.fields.files import FieldFile


def file_delete_on_commit(file: FieldFile) -> None:
    """Delete a stored file once the transaction commits: a rollback keeps its row, and
    then the file that row still names."""
    if file and file.name:
        name, storage = file.name, file.storage
        transaction.on_commit(lambda: storage.delete(name))
