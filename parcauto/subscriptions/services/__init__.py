"""Subscription use cases: the draft wizard, the contract side of a submission, units, the
waiting list, activation (the sale itself, with payment and billing, is `parcauto.sales`)."""
