from odoo import fields, models

CREDIT_READ_GROUPS = "credit_management.group_credit_user"
CREDIT_INFO_FIELDS = (
    "credit_grade_id",
    "credit_sales_mode",
    "credit_effective_limit",
    "credit_available",
    "credit_days",
    "credit_warning_count",
    "credit_currency_id",
)
"""The fields of :class:`CreditInfoMixin`, copied from the customer to its quotations."""


class CreditInfoMixin(models.AbstractModel):
    """What a salesperson must see of a customer's credit before promising terms, read-only
    for credit users: the customer (``res.partner``) computes it from its credit file, the
    quotation (``sale.order``) shows its customer's in the order's company."""

    _name = "credit.info.mixin"
    _description = "Customer Credit Information"

    credit_grade_id = fields.Many2one(
        "credit.grade", compute="_compute_credit_info", groups=CREDIT_READ_GROUPS
    )
    credit_sales_mode = fields.Selection(
        lambda self: self.env["credit.grade"]._fields["sales_mode"].selection,
        compute="_compute_credit_info",
        groups=CREDIT_READ_GROUPS,
    )
    credit_effective_limit = fields.Monetary(
        compute="_compute_credit_info",
        groups=CREDIT_READ_GROUPS,
        string="Credit Limit in Force",
        currency_field="credit_currency_id",
    )
    credit_available = fields.Monetary(
        compute="_compute_credit_info",
        groups=CREDIT_READ_GROUPS,
        string="Available Credit",
        currency_field="credit_currency_id",
        help="Credit limit in force minus the customer's exposure as the order credit checks "
        "count it (open receivables, draft invoices and orders not invoiced yet, for the "
        "customer and its contacts; only its unsecured part when the credit policy sets the "
        "limit on unsecured exposure).",
    )
    credit_days = fields.Integer(
        compute="_compute_credit_info", groups=CREDIT_READ_GROUPS, string="Credit Term (days)"
    )
    credit_warning_count = fields.Integer(
        compute="_compute_credit_info", groups=CREDIT_READ_GROUPS, string="Open Warning Signs"
    )
    credit_currency_id = fields.Many2one(
        "res.currency", compute="_compute_credit_info", groups=CREDIT_READ_GROUPS
    )
