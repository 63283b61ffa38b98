from odoo import api, fields, models
from odoo.exceptions import AccessError

from .credit_decision_mixin import audit_writer_open


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
    credit_dunning_communication_id = fields.Many2one(
        "credit.dunning.communication",
        string="Dunning Communication",
        copy=False,
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
        help="The dunning communication whose fee and penalty interest this invoice charges. "
        "Its receivable is reminded like any other, but bears no interest and no fee.",
    )

    _sql_constraints = [
        (
            "credit_dunning_communication_unique",
            "unique(credit_dunning_communication_id)",
            "A dunning communication's fees are invoiced once.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get("credit_dunning_communication_id") for vals in vals_list):
            self._check_dunning_link_writer()
        return super().create(vals_list)

    def write(self, vals):
        if "credit_dunning_communication_id" in vals:
            self._check_dunning_link_writer()
        return super().write(vals)

    def _check_dunning_link_writer(self):
        """A fee invoice is made only by the sending of its communication: an invoice
        marked as fees bears no interest, so the mark is not anyone's to set."""
        if not audit_writer_open(self.env):
            raise AccessError(
                self.env._(
                    "An invoice is linked to a dunning communication only by the sending of "
                    "that communication."
                )
            )
