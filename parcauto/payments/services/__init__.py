"""Payment services: cards (cards.py), pre-authorized debits (pad.py), payroll deductions
(payroll.py) and the files that collect them (collection.py)."""
