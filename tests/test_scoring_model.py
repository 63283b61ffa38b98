from decimal import Decimal

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import freeze_time, tagged

from ..credit_management.scoring import DEFAULT_MODEL
from .common import CreditLedgerCommon


def factor(code="character", weight=1.0, cuts="1, 2, 3, 4, 5", points="0, 20, 40, 60, 80, 100"):
    return Command.create(
        {"code": code, "weight": weight, "direction": "higher", "cuts": cuts, "points": points}
    )


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestScoringModel(CreditLedgerCommon):
    """Scoring models are data the credit manager edits: a model that cannot score is
    refused with a message that names the factor and the problem."""

    def _model(self, *factors, name="Tuned"):
        return (
            self.env["credit.scoring.model"]
            .with_user(self.manager)
            .create({"name": name, "factor_ids": list(factors)})
        )

    def _refused(self, *factors):
        with self.assertRaises(ValidationError) as caught:
            self._model(*factors)
        return str(caught.exception)

    def test_the_installed_default_model_is_the_core_default(self):
        model = self.env.ref("credit_management.scoring_model_default")
        self.assertEqual(model.factor_ids.mapped("code"), [f.code for f in DEFAULT_MODEL.factors])
        for record, core in zip(model.factor_ids, DEFAULT_MODEL.factors, strict=True):
            self.assertEqual(Decimal(str(record.weight)), core.weight, core.code)
            direction = {True: "higher", False: "lower", None: "middle"}[core.higher_is_better]
            self.assertEqual(record.direction, direction, core.code)
            self.assertEqual(record._to_core().bands, core.bands, core.code)
        self.assertEqual(
            [(o.flag, o.kind, o.grade) for o in model.override_ids],
            [(o.code, o.kind, o.grade) for o in DEFAULT_MODEL.overrides],
        )
        self.assertEqual(model.total_weight, 100.0)

    def test_the_default_bands_read_as_written(self):
        current_ratio = self.env.ref("credit_management.scoring_model_default").factor_ids.filtered(
            lambda f: f.code == "current_ratio"
        )
        self.assertEqual(current_ratio.cuts, "0.5, 1, 1.5, 2")
        self.assertEqual(current_ratio.points, "0, 25, 50, 75, 100")

    def test_a_manager_builds_a_model(self):
        model = self._model(factor(), factor("capacity", 3.0))
        self.assertEqual(model.total_weight, 4.0)

    def test_all_weights_zero_is_refused(self):
        message = self._refused(factor(weight=0.0), factor("capacity", 0.0))
        self.assertIn("The scoring model Tuned cannot be used:", message)
        self.assertIn("no factor has a positive weight", message)

    def test_a_negative_weight_is_refused(self):
        message = self._refused(factor(), factor("capacity", -2.0))
        self.assertIn("the weight of factor Capacity (5C) is negative", message)

    def test_band_limits_that_are_not_numbers_are_refused(self):
        message = self._refused(factor(cuts="1, two, 3, 4, 5"))
        self.assertIn("must be numbers separated by commas", message)

    def test_band_limits_out_of_order_are_refused(self):
        message = self._refused(factor(cuts="1, 2, 4, 3, 5"))
        self.assertIn("a band of factor Character (5C) is empty", message)

    def test_points_must_match_the_bands(self):
        message = self._refused(factor(points="0, 50, 100"))
        self.assertIn("needs one more points value than band limits", message)

    def test_points_outside_zero_to_hundred_are_refused(self):
        message = self._refused(factor(points="0, 20, 40, 60, 80, 120"))
        self.assertIn("gives points outside 0-100", message)

    def test_points_against_the_direction_are_refused(self):
        message = self._refused(factor(points="100, 80, 60, 40, 20, 0"))
        self.assertIn("do not follow its direction", message)

    def test_the_same_factor_twice_is_refused(self):
        message = self._refused(factor(), factor())
        self.assertIn("factor Character (5C) appears twice", message)

    def test_a_bad_edit_of_the_default_model_is_refused_and_the_model_kept(self):
        default = self.env.ref("credit_management.scoring_model_default")
        debt_ratio = default.factor_ids.filtered(lambda f: f.code == "debt_ratio")
        with self.assertRaises(ValidationError):
            debt_ratio.with_user(self.manager).points = "0, 20, 50, 80, 100"
        self.assertEqual(debt_ratio.points, "100, 80, 50, 20, 0")

    def test_officers_cannot_change_scoring_models(self):
        default = self.env.ref("credit_management.scoring_model_default")
        with self.assertRaises(AccessError):
            default.factor_ids[0].with_user(self.officer).weight = 50.0
        with self.assertRaises(AccessError):
            self.env["credit.scoring.model"].with_user(self.officer).create({"name": "Mine"})

    def test_weights_are_relative_so_they_need_not_add_up_to_100(self):
        # character 4 -> 80 points, capacity 2 -> 40 points
        # weights 1 and 3: (1 x 80 + 3 x 40) / 4 = 50.00; weights 10 and 30 give the same
        partner = self._customer("Acme")
        self._paid_invoice(partner, "2024-01-02", 30, 1000.0)
        file = self._file(partner, character="4", capacity="2")
        scores = []
        for weights in ((1.0, 3.0), (10.0, 30.0)):
            self.policy.scoring_model_id = self._model(
                factor(weight=weights[0]), factor("capacity", weights[1]), name=str(weights)
            )
            scores.append(self._review(file).score)
        self.assertEqual(scores, [50.0, 50.0])
