from odoo import fields, models

from ..credit_management import grades as core_grades
from ..credit_management import scoring as core_scoring

OVERRIDE_FLAGS = [
    (core_scoring.FLAG_COMPETITOR_PRODUCTS, "Sells competitors' products as a main line"),
    (core_scoring.FLAG_PAYMENT_RATE_BELOW_FULL, "On-time payment rate below 100 %"),
    (core_scoring.FLAG_LARGE_DEBTS_ELSEWHERE, "Owes large sums to other suppliers"),
    (core_scoring.FLAG_BANKRUPT, "Bankrupt or in liquidation"),
    (core_scoring.FLAG_RISKY_SIDE_BUSINESS, "Risky side business (real estate, futures, stocks)"),
    (core_scoring.FLAG_BAD_RECORDS, "Bad records"),
    (core_scoring.FLAG_POLICY_VIOLATION, "Violates our sales policy (dumping, price cutting)"),
]


class CreditScoringOverride(models.Model):
    """A rule from practice applied after the score: when its flag is raised, the grade is
    capped ("not above A") or forced ("C"). Rules only ever lower a grade."""

    _name = "credit.scoring.override"
    _description = "Credit Scoring Override Rule"
    _order = "model_id, id"

    model_id = fields.Many2one("credit.scoring.model", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="model_id.company_id", store=True, index=True)
    flag = fields.Selection(OVERRIDE_FLAGS, string="When", required=True)
    kind = fields.Selection(
        [(core_scoring.OVERRIDE_CAP, "Not above"), (core_scoring.OVERRIDE_FORCE, "Force to")],
        string="Effect",
        required=True,
        default=core_scoring.OVERRIDE_CAP,
    )
    grade = fields.Selection(
        [(code, code) for code in core_grades.GRADE_CODES], required=True, default="C"
    )

    def _to_core(self):
        self.ensure_one()
        return core_scoring.Override(self.flag, self.kind, self.grade)
