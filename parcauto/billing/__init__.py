"""Billing: proration, the collection calendar, and later invoices and billing runs."""
