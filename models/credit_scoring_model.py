from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..credit_management import scoring as core_scoring


class CreditScoringModel(models.Model):
    """A credit scoring model (信用评分法) kept by the credit manager: weighted factors whose
    values map to points by bands, and override rules that cap or force the grade."""

    _name = "credit.scoring.model"
    _description = "Credit Scoring Model"
    _order = "name"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    company_id = fields.Many2one("res.company", index=True)
    active = fields.Boolean(default=True)
    factor_ids = fields.One2many("credit.scoring.factor", "model_id", string="Factors", copy=True)
    override_ids = fields.One2many(
        "credit.scoring.override", "model_id", string="Override Rules", copy=True
    )
    total_weight = fields.Float(compute="_compute_total_weight", digits=(8, 2))

    @api.depends("factor_ids.weight")
    def _compute_total_weight(self):
        for model in self:
            model.total_weight = sum(model.factor_ids.mapped("weight"))

    def _to_core(self):
        """The model as a core :class:`ScoringModel` (not validated)."""
        self.ensure_one()
        return core_scoring.ScoringModel(
            factors=tuple(factor._to_core() for factor in self.factor_ids),
            overrides=tuple(override._to_core() for override in self.override_ids),
        )

    def _check_usable(self):
        """Raise a translated ValidationError listing every problem of the model."""
        for model in self:
            problems = core_scoring.validate_model(model._to_core())
            if problems:
                messages = [model._scoring_problem_message(problem) for problem in problems]
                raise ValidationError(
                    _("The scoring model %(model)s cannot be used:", model=model.name)
                    + "\n"
                    + "\n".join(f"- {message}" for message in messages)
                )

    def _factor_label(self, code):
        labels = dict(
            self.env["credit.scoring.factor"]._fields["code"]._description_selection(self.env)
        )
        return labels.get(code, code or "")

    def _scoring_problem_message(self, problem):
        factor = self._factor_label(problem.code)
        messages = {
            "no_factors": _("it has no factor"),
            "duplicate_factor": _("factor %(factor)s appears twice"),
            "negative_weight": _("the weight of factor %(factor)s is negative"),
            "all_weights_zero": _("no factor has a positive weight"),
            "no_bands": _("factor %(factor)s has no bands"),
            "empty_band": _("a band of factor %(factor)s is empty (its limits are not in order)"),
            "points_out_of_range": _("a band of factor %(factor)s gives points outside 0-100"),
            "open_below": _("factor %(factor)s gives no points to values below %(value)s"),
            "open_above": _("factor %(factor)s gives no points to values from %(value)s"),
            "gap": _("factor %(factor)s has no band for values from %(value)s to %(other)s"),
            "overlap": _("the bands of factor %(factor)s overlap at %(value)s"),
            "not_monotone": _(
                "the points of factor %(factor)s do not follow its direction "
                "(%(value)s after %(other)s)"
            ),
            "unknown_override_kind": _("an override rule has an unknown kind %(value)s"),
            "unknown_grade": _("an override rule names an unknown grade %(value)s"),
            "negative": _("%(factor)s cannot be negative"),
        }
        template = messages.get(problem.kind, _("%(factor)s is not valid"))
        return template % {
            "factor": factor,
            "value": "" if problem.value is None else problem.value,
            "other": "" if problem.other_value is None else problem.other_value,
        }

    @api.constrains("factor_ids", "override_ids")
    def _check_model(self):
        self._check_usable()

    @api.model
    def _create_default_model(self):
        """Fill the shipped default model from the core's DEFAULT_MODEL (one source of
        truth for the default factors, bands and override rules)."""
        model = self.env.ref("credit_management.scoring_model_default")
        if model.factor_ids:
            return
        default = core_scoring.DEFAULT_MODEL
        model.write(
            {
                "factor_ids": [
                    fields.Command.create(
                        self.env["credit.scoring.factor"]._values_from_core(factor, sequence)
                    )
                    for sequence, factor in enumerate(default.factors, start=1)
                ],
                "override_ids": [
                    fields.Command.create(
                        {"flag": override.code, "kind": override.kind, "grade": override.grade}
                    )
                    for override in default.overrides
                ],
            }
        )
