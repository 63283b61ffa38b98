from odoo import fields, models


class CreditFile(models.Model):
    """Dunning on the credit file: the customer's own policy, its collection history."""

    _inherit = "credit.file"

    dunning_policy_id = fields.Many2one(
        "credit.dunning.policy",
        check_company=True,
        tracking=True,
        help="The customer's own dunning policy. Empty: the policy of its grade, else the "
        "company default.",
    )
    collection_log_ids = fields.One2many("credit.collection.log", "file_id")
    payment_promise_ids = fields.One2many(
        "credit.payment.promise", "file_id", string="Payment Promises"
    )
