from decimal import Decimal, InvalidOperation

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..credit_management import scoring as core_scoring

FACTOR_CODES = [
    ("current_ratio", "Current ratio"),
    ("quick_ratio", "Quick ratio"),
    ("debt_ratio", "Debt ratio"),
    ("net_margin", "Net margin"),
    ("payment_rate", "On-time payment rate"),
    ("avg_days_late", "Average days late"),
    ("overdue_count", "Overdue items"),
    ("longest_overdue_days", "Longest overdue (days)"),
    ("character", "Character (5C)"),
    ("capacity", "Capacity (5C)"),
    ("capital", "Capital (5C)"),
    ("collateral", "Collateral (5C)"),
    ("conditions", "Conditions (5C)"),
]


def _numbers(text):
    """Parse '0.5, 1, 1.5' into Decimals; a separator may be a comma or a semicolon."""
    items = [item.strip() for item in (text or "").replace(";", ",").split(",")]
    return [Decimal(item) for item in items if item]


class CreditScoringFactor(models.Model):
    """One weighted factor of a scoring model. Its value maps to points by bands written as
    cut points and points: cuts "1, 1.5, 2" with points "0, 40, 70, 100" give 0 points below
    1, 40 from 1 to 1.5, 70 from 1.5 to 2 and 100 from 2 up."""

    _name = "credit.scoring.factor"
    _description = "Credit Scoring Factor"
    _order = "model_id, sequence, id"

    model_id = fields.Many2one("credit.scoring.model", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="model_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    code = fields.Selection(FACTOR_CODES, string="Factor", required=True)
    weight = fields.Float(digits=(8, 2), required=True, default=10)
    direction = fields.Selection(
        [
            ("higher", "Higher is better"),
            ("lower", "Lower is better"),
            ("middle", "Middle is best"),
        ],
        required=True,
        default="higher",
    )
    cuts = fields.Char(
        string="Band Limits",
        required=True,
        help="Values where a band ends and the next starts, in increasing order, separated "
        "by commas, e.g. 1, 1.5, 2.",
    )
    points = fields.Char(
        required=True,
        help="Points (0-100) of each band, one more than the band limits, e.g. 0, 40, 70, 100.",
    )

    @api.constrains("cuts", "points")
    def _check_bands_text(self):
        for factor in self:
            try:
                cuts, points = _numbers(factor.cuts), _numbers(factor.points)
            except InvalidOperation:
                raise ValidationError(
                    _(
                        "The band limits and points of factor %(factor)s must be numbers "
                        "separated by commas.",
                        factor=factor.code,
                    )
                ) from None
            if len(points) != len(cuts) + 1:
                raise ValidationError(
                    _(
                        "Factor %(factor)s needs one more points value than band limits.",
                        factor=factor.code,
                    )
                )

    @api.constrains("weight", "direction", "cuts", "points")
    def _check_model_usable(self):
        self.model_id._check_usable()

    def _to_core(self):
        self.ensure_one()
        direction = {"higher": True, "lower": False, "middle": None}[self.direction]
        bands = core_scoring.bands_from_cuts(_numbers(self.cuts), _numbers(self.points))
        return core_scoring.Factor(self.code, Decimal(str(self.weight)), bands, direction)

    @api.model
    def _values_from_core(self, factor, sequence):
        """Field values of a factor record for a core factor built with bands_from_cuts."""
        cuts = [band.upper for band in factor.bands[:-1]]
        direction = {True: "higher", False: "lower", None: "middle"}[factor.higher_is_better]
        return {
            "sequence": sequence,
            "code": factor.code,
            "weight": float(factor.weight),
            "direction": direction,
            "cuts": ", ".join(str(cut) for cut in cuts),
            "points": ", ".join(str(band.points) for band in factor.bands),
        }
