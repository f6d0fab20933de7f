"""The operator's own pages under /gestion/ (Django's admin stays at /admin/)."""
