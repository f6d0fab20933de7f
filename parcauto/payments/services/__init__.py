"""Payment services: cards (cards.py), pre-authorized debits (pad.py, pad_debit.py) and
payroll deductions (payroll.py). Collecting invoices with them is billing's."""
