from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from .credit_decision_mixin import audit_writer_open


class CreditReviewLine(models.Model):
    """How one factor contributed to a review's score: its value, the points its bands give,
    its weight, and its share of the score (weight x points / total weight)."""

    _name = "credit.review.line"
    _description = "Credit Review Score Line"
    _order = "review_id, id"

    review_id = fields.Many2one("credit.review", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="review_id.company_id", store=True, index=True)
    code = fields.Selection(
        lambda self: self.env["credit.scoring.factor"]._fields["code"].selection,
        string="Factor",
        required=True,
    )
    value = fields.Float(digits=(16, 4))
    points = fields.Float(digits=(5, 2))
    weight = fields.Float(digits=(8, 2))
    contribution = fields.Float(digits=(5, 2), help="Points this factor adds to the score.")

    @api.model_create_multi
    def create(self, vals_list):
        self._check_audit_writer()
        return super().create(vals_list)

    def write(self, vals):
        self._check_audit_writer()
        return super().write(vals)

    def unlink(self):
        self._check_audit_writer()
        return super().unlink()

    def _check_audit_writer(self):
        """The score details are what ``credit.review.action_compute`` found: written by it
        alone, like the score they add up to."""
        if not audit_writer_open(self.env):
            raise AccessError(
                _(
                    "The score details of a review are computed: compute the review again "
                    "instead of changing them."
                )
            )
