from odoo import fields, models


class CreditPolicy(models.Model):
    _inherit = "credit.policy"

    check_deliveries = fields.Boolean(
        default=True,
        help="Refuse to validate a delivery to a customer who is on credit hold, whose "
        "deliveries are stopped, who is over the credit limit now or whose overdue money "
        "breaks the grade's rules, until a credit officer releases the delivery.",
    )
