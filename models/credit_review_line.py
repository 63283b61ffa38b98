from odoo import fields, models


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
