from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..credit_management import grades as core_grades
from ..credit_management import terms as core_terms

SALES_MODES = [
    ("credit", "Credit sales"),
    ("cash_on_delivery", "Cash on delivery"),
    ("prepayment", "Payment before delivery"),
]


class CreditGrade(models.Model):
    """One grade of the nine-grade scale (三等九级), with the policy that goes with it.

    The nine codes are fixed by the scale; what the credit manager tunes is the minimum
    score of each grade and its policy (term coefficient, limit ratio, whether credit sales
    are allowed at all).
    """

    _name = "credit.grade"
    _description = "Credit Grade"
    _order = "sequence"
    _rec_name = "code"

    code = fields.Selection(
        [(code, code) for code in core_grades.GRADE_CODES],
        required=True,
        readonly=True,
        help="Position on the nine-grade scale, from AAA (very strong, tiny risk) down to C "
        "(no credit at all).",
    )
    sequence = fields.Integer(compute="_compute_sequence", store=True)

    @api.depends("code")
    def _compute_sequence(self):
        for grade in self:
            grade.sequence = core_grades.rank(grade.code) if grade.code else 99

    name = fields.Char(
        string="Meaning",
        required=True,
        translate=True,
        help="What the grade means, e.g. 'Very strong, tiny risk'.",
    )
    min_score = fields.Float(
        digits=(5, 2),
        required=True,
        help="A customer whose score (0-100) reaches this minimum gets this grade, unless a "
        "better grade's minimum is also reached. Minimums must go strictly down from AAA to "
        "C, and C starts at 0.",
    )
    sales_mode = fields.Selection(
        SALES_MODES,
        required=True,
        default="credit",
        help="Credit sales: the customer may buy on credit up to its limit. Cash on delivery "
        "and payment before delivery: no credit is granted to customers of this grade.",
    )
    term_coefficient = fields.Float(
        digits=(6, 3),
        default=1.0,
        help="Grade coefficient of the credit term formula: customer credit days = industry "
        "average DSO x company adjustment coefficient x grade coefficient.",
    )
    limit_ratio = fields.Float(
        string="Limit Ratio (%)",
        digits=(6, 2),
        default=0.0,
        help="Share of the limit base (net working capital, net worth or liquidation value, "
        "as the policy says) proposed as this grade's credit limit.",
    )
    overdue_tolerance = fields.Float(
        digits=(16, 2),
        help="Overdue money (company currency) a customer of this grade may have before its "
        "new orders are held.",
    )
    overdue_max_days = fields.Integer(
        string="Maximum Overdue Days",
        help="Orders are held when the customer's oldest overdue item is older than this.",
    )
    max_document_amount = fields.Float(
        string="Maximum Order Value",
        digits=(16, 2),
        help="A single order above this value (company currency) is held; 0 means no maximum.",
    )
    description = fields.Text(translate=True)
    color = fields.Integer()

    _sql_constraints = [
        ("code_unique", "unique(code)", "Each grade of the scale exists only once."),
    ]

    @api.constrains(
        "min_score",
        "term_coefficient",
        "limit_ratio",
        "overdue_tolerance",
        "overdue_max_days",
        "max_document_amount",
    )
    def _check_policy_values(self):
        for grade in self:
            negative = {
                problem.field
                for problem in core_terms.validate_policy(grade._to_core_policy())
                if problem.kind == "negative"
            }
            if "term_coefficient" in negative:
                raise ValidationError(
                    _(
                        "The term coefficient of grade %(grade)s cannot be negative.",
                        grade=grade.code,
                    )
                )
            if min(grade.overdue_tolerance, grade.overdue_max_days, grade.max_document_amount) < 0:
                raise ValidationError(
                    _(
                        "The order check thresholds of grade %(grade)s cannot be negative.",
                        grade=grade.code,
                    )
                )
            if "limit_ratio" in negative:
                raise ValidationError(
                    _("The limit ratio of grade %(grade)s cannot be negative.", grade=grade.code)
                )

    @api.constrains("min_score", "code")
    def _check_thresholds(self):
        thresholds = {grade.code: grade.min_score for grade in self.search([])}
        problems = [
            problem
            for problem in core_grades.validate_thresholds(thresholds)
            # the scale is loaded grade by grade, so a grade not created yet is no problem
            if problem.kind != "missing"
        ]
        if problems:
            raise ValidationError("\n".join(self._scale_problem_message(p) for p in problems))

    @api.model
    def _scale_problem_message(self, problem):
        if problem.kind == "out_of_range":
            return _(
                "The minimum score of grade %(grade)s must lie between 0 and 100 "
                "(it is %(value)s).",
                grade=problem.grade,
                value=problem.value,
            )
        if problem.kind == "not_descending":
            return _(
                "The minimum score of grade %(grade)s (%(value)s) must be lower than that of the "
                "better grade %(other)s (%(other_value)s).",
                grade=problem.grade,
                value=problem.value,
                other=problem.other,
                other_value=problem.other_value,
            )
        if problem.kind == "lowest_not_zero":
            return _(
                "The lowest grade %(grade)s must start at score 0 so that every score has a "
                "grade (it starts at %(value)s).",
                grade=problem.grade,
                value=problem.value,
            )
        return _("Grade %(grade)s is not part of the scale.", grade=problem.grade)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            _(
                "The nine grades of the scale cannot be deleted; "
                "change their minimum scores instead."
            )
        )

    @api.model
    def _get_scale(self):
        """The scale as a core :class:`GradeScale`, for scoring."""
        return core_grades.GradeScale.from_mapping(
            {grade.code: grade.min_score for grade in self.search([])}
        )

    @api.model
    def _grade_for_score(self, score):
        """The grade record a 0-100 score falls in."""
        code = self._get_scale().grade_for(score)
        return self.search([("code", "=", code)], limit=1)

    def _to_core_policy(self):
        """The grade's policy as a core :class:`GradePolicy`."""
        self.ensure_one()
        return core_terms.GradePolicy(
            self.code, self.sales_mode, str(self.term_coefficient), str(self.limit_ratio)
        )
