from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from .credit_decision_mixin import audit_writer_open

DOUBTFUL_FIELDS = frozenset({"credit_doubtful", "credit_doubtful_reason"})
"""A credit officer's classification of one receivable (``credit.doubtful.wizard``)."""


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

    @api.model_create_multi
    def create(self, vals_list):
        if not audit_writer_open(self.env) and any(
            vals.get(name) for vals in vals_list for name in DOUBTFUL_FIELDS
        ):
            self._raise_doubtful_write()
        return super().create(vals_list)

    def write(self, vals):
        if DOUBTFUL_FIELDS & vals.keys() and not audit_writer_open(self.env):
            self._raise_doubtful_write()
        return super().write(vals)

    def _raise_doubtful_write(self):
        raise AccessError(
            _(
                "Only a credit officer classifies receivables as doubtful, with a reason "
                "(Classify as Doubtful)."
            )
        )
