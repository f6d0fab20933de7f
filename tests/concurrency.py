"""Work started at once in threads, as concurrent requests or workers would run it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections
from django_scopes import scope

from parcauto.tenants.models import Organization


def run_together(organization: Organization, work: list[Callable[[], Any]]) -> list[Any]:
    """Each call in its own thread (its own database connection), all released at once by
    a barrier, in the institution's scope: what each returned or raised, in the order
    they finished. Tests using it need `django_db(transaction=True)`."""
    start = threading.Barrier(len(work))
    outcomes: list[Any] = []

    def run(call: Callable[[], Any]) -> None:
        try:
            start.wait()
            with scope(organization=organization):  # a new thread starts unscoped
                outcomes.append(call())
        except BaseException as error:  # a thread's exception would vanish: keep it
            outcomes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
