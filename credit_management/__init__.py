"""Domain core of the credit_management addon.

Plain Python only: grades, scoring, limit and term formulas, aging buckets, dunning-level
selection and KPI math. Nothing here imports Odoo, so these modules can be tested and reused
anywhere; the Odoo models convert records to core values at the boundary.
"""
