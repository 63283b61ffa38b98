from odoo import fields, models


class CreditPolicy(models.Model):
    _inherit = "credit.policy"

    exposure_pos_orders = fields.Boolean(
        string="Point of Sale Orders on Customer Account",
        default=True,
        help="Count in the exposure what customers bought at the point of sale on customer "
        "account (pay later) while the order is neither invoiced nor posted with its "
        "session: from then on the receivable is in the ledger.",
    )
