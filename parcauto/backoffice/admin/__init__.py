"""The back office's model admins, one module per domain app.

They live here, not in each domain app, because they are back-office screens: domain
apps never import an interface (ARCHITECTURE.md), and Django's admin autodiscovery
imports this package as the `admin` module of the `backoffice` app.
"""

from . import (  # noqa: F401 - registering is importing
    access,
    accounts,
    audit,
    catalog,
    enforcement,
    notifications,
    payments,
    privacy,
    servicedesk,
    subscriptions,
    tenants,
    vehicles,
)
