"""Subscription use cases: the draft wizard, the lifecycle, the waiting list."""
