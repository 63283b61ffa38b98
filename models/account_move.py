from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    credit_provision_id = fields.Many2one(
        "credit.provision",
        string="Bad-Debt Provision",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The provision document this entry books.",
    )
    credit_write_off = fields.Boolean(
        string="Bad-Debt Write-off",
        copy=False,
        readonly=True,
        help="This entry writes confirmed bad debts off against the allowance; it counts in "
        "the bad-debt ratio.",
    )
