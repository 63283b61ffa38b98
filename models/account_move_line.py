from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    credit_doubtful = fields.Boolean(
        string="Doubtful (Officer)",
        copy=False,
        readonly=True,
        help="A credit officer classified this receivable as doubtful / bad (呆坏账), whatever "
        "its age: it is provisioned at the doubtful rate and may be written off.",
    )
    credit_doubtful_reason = fields.Char(string="Reason Doubtful", copy=False, readonly=True)
