from odoo.exceptions import AccessError, ValidationError
from odoo.tests import freeze_time, tagged

from .common import CreditOrderCommon


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestConcentration(CreditOrderCommon):
    """Concentration of the company's credit (集中度), today, by hand:

    | customer | open receivables | limit in force |
    | Alpha    | 5,000.00         | 20,000.00      |
    | Bravo    | 3,000.00         | 10,000.00      |
    | Charlie  | 2,000.00         | 10,000.00      |
    | Delta    | 0                | 10,000.00      |
    | Echo     | -500.00 (a credit note, no credit file) | 0 |

    Exposure: 10,000.00 among the customers who owe (Echo, in credit, holds no share):
    shares 50 %, 30 %, 20 %; top 10 = 100 %; HHI = 0.25 + 0.09 + 0.04 = 0.38.
    Limits: 50,000.00: shares 40 %, 20 %, 20 %, 20 %; HHI = 0.16 + 3 x 0.04 = 0.28.
    Credit budget 80,000.00: 50,000.00 used = 62.5 %."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.files = {}
        for name, owed, limit in (
            ("Alpha", 5_000.0, 20_000.0),
            ("Bravo", 3_000.0, 10_000.0),
            ("Charlie", 2_000.0, 10_000.0),
            ("Delta", 0.0, 10_000.0),
        ):
            partner = cls._customer(name)
            if owed:
                cls._invoice(partner, "2024-06-01", "2024-07-31", owed)
            cls.files[name] = cls._file(partner, credit_limit=limit)
        cls.echo = cls._customer("Echo")
        cls._refund(cls.echo, "2024-06-10", 500.0)
        cls.budget = cls.env["credit.budget"].create(
            {"company_id": cls.company.id, "amount": 80_000.0}
        )

    def _concentration(self):
        return self.env["credit.budget"]._concentration(self.company)

    def test_exposure_shares_and_herfindahl_index(self):
        values = self._concentration()
        exposure = values["exposure"]
        self.assertAlmostEqual(float(exposure.total), 10_000.0, places=2)
        self.assertAlmostEqual(float(exposure.largest_share), 0.5)
        self.assertAlmostEqual(float(exposure.top_share), 1.0)
        self.assertAlmostEqual(float(exposure.hhi), 0.38)
        self.assertEqual(exposure.count, 3)
        by_name = {p["partner"].name: p for p in values["positions"]}
        self.assertEqual(set(by_name), {"Alpha", "Bravo", "Charlie", "Delta", "Echo"})
        self.assertAlmostEqual(float(by_name["Bravo"]["exposure_share"]), 0.3)
        self.assertAlmostEqual(by_name["Echo"]["exposure"], -500.0, places=2)
        self.assertEqual(float(by_name["Echo"]["exposure_share"]), 0.0)
        self.assertEqual(
            [p["partner"].name for p in values["top"][:3]], ["Alpha", "Bravo", "Charlie"]
        )

    def test_limit_shares_and_herfindahl_index(self):
        limits = self._concentration()["limits"]
        self.assertAlmostEqual(float(limits.total), 50_000.0, places=2)
        self.assertAlmostEqual(float(limits.largest_share), 0.4)
        self.assertAlmostEqual(float(limits.top_share), 1.0)
        self.assertAlmostEqual(float(limits.hhi), 0.28)

    def test_the_dashboard_shows_the_concentration(self):
        dashboard = self.env["credit.kpi.dashboard"].create({"company_id": self.company.id})
        self.assertAlmostEqual(dashboard.exposure_largest_share, 50.0, places=1)
        self.assertAlmostEqual(dashboard.exposure_top_share, 100.0, places=1)
        self.assertAlmostEqual(dashboard.exposure_hhi, 0.38, places=4)
        self.assertAlmostEqual(dashboard.limit_largest_share, 40.0, places=1)
        self.assertAlmostEqual(dashboard.limit_hhi, 0.28, places=4)
        self.assertAlmostEqual(dashboard.credit_budget_used, 62.5, places=1)

    # ------------------------------------------------------------------
    # warning sign
    # ------------------------------------------------------------------
    def _concentration_warnings(self):
        return self.env["credit.warning"].search(
            [("kind", "=", "concentration"), ("company_id", "=", self.company.id)]
        )

    def test_a_customer_above_the_threshold_gets_a_warning_sign(self):
        # threshold 30 %: Alpha (50 %) is above; Bravo (exactly 30 %) and Charlie (20 %) not
        self.policy.concentration_warning_percent = 30.0
        self.env["credit.file"].search(
            [("company_id", "=", self.company.id)]
        )._detect_warning_signs()
        warning = self._concentration_warnings()
        self.assertEqual(warning.partner_id.name, "Alpha")
        self.assertEqual(warning.state, "open")
        self.assertIn("holds 50.0 % of the company's credit exposure", warning.details)
        self.assertIn("5,000.00", warning.details)
        self.assertIn("10,000.00", warning.details)
        self.assertIn("threshold of 30.0 %", warning.details)

    def test_the_default_threshold_of_ten_percent_warns_every_large_customer(self):
        self.assertEqual(self.policy.concentration_warning_percent, 10.0)
        self.env["credit.file"].search(
            [("company_id", "=", self.company.id)]
        )._detect_warning_signs()
        self.assertEqual(
            sorted(self._concentration_warnings().partner_id.mapped("name")),
            ["Alpha", "Bravo", "Charlie"],
        )

    def test_no_warning_below_the_threshold_or_when_it_is_off(self):
        files = self.env["credit.file"].search([("company_id", "=", self.company.id)])
        self.policy.concentration_warning_percent = 50.0
        files._detect_warning_signs()
        self.assertFalse(self._concentration_warnings(), "50 % is not above 50 %")
        self.policy.concentration_warning_percent = 0.0
        files._detect_warning_signs()
        self.assertFalse(self._concentration_warnings())

    def test_the_threshold_is_a_percentage(self):
        for value in (-1.0, 100.5):
            with self.subTest(value=value), self.assertRaises(ValidationError):
                self.policy.concentration_warning_percent = value
        self.assertEqual(self.policy.concentration_warning_percent, 10.0)

    # ------------------------------------------------------------------
    # PDF report
    # ------------------------------------------------------------------
    def _render(self, user=None):
        Report = self.env["ir.actions.report"].with_user(user or self.manager)
        html, _kind = Report._render_qweb_html(
            "credit_management.report_credit_concentration", self.company.ids
        )
        return html.decode()

    def test_the_concentration_report_prints_the_figures(self):
        html = self._render()
        for text in (
            "Alpha",
            "Bravo",
            "Charlie",
            "Delta",
            "10,000.00",  # total exposure
            "50,000.00",  # total limits
            "50.0 %",  # Alpha's share of exposure
            "40.0 %",  # Alpha's share of limits
            "0.3800",  # HHI of exposure
            "0.2800",  # HHI of limits
            "80,000.00",  # the budget
            "30,000.00",  # available
            "62.5 %",  # used
        ):
            with self.subTest(text=text):
                self.assertIn(text, html)
        self.assertLess(html.index("Alpha"), html.index("Bravo"))
        self.assertLess(html.index("Bravo"), html.index("Charlie"))

    def test_only_credit_managers_print_the_concentration(self):
        with self.assertRaises(AccessError):
            self._render(self.officer)
