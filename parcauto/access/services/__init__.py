"""Access use cases: keeping a contract's pass and grants true, regenerating a code."""

from .passes import pass_regenerate
from .sync import SyncResult, access_sync

__all__ = ["SyncResult", "access_sync", "pass_regenerate"]
