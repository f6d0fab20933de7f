"""Payments: how charges are collected (card gateway, CPA-005 PAD files, payroll files)."""
