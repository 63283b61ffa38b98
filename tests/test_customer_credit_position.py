from lxml import etree

from odoo.tests import freeze_time, tagged

from .common import CreditOrderCommon

POSITION_FIELDS = [
    "credit_grade_id",
    "credit_effective_limit",
    "credit_exposure",
    "credit_open_receivables",
    "credit_overdue_amount",
    "credit_oldest_overdue_days",
    "credit_available",
    "credit_over_limit",
]


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestCustomerCreditPosition(CreditOrderCommon):
    """The customer's form, the customers list and the credit file show what the customer
    owes, what is overdue and the credit left, from the exposure engine.

    - Acme, rated A with 10,000.00: owes 4,000.00 due 2024-06-10 (20 days overdue on
      2024-06-30) and 7,500.00 due 2024-07-20: exposure 11,500.00, available -1,500.00,
      over its limit.
    - Beta, rated A with 10,000.00: owes 1,000.00 due 2024-07-20: nothing overdue, 9,000.00
      available.
    - Gamma, no credit file: owes 500.00 due 2024-06-01 (29 days overdue); no limit, so no
      available credit, and never "over" a limit it does not have."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acme, cls.acme_file = cls._rated("Acme", limit=10_000.0)
        cls._invoice(cls.acme, "2024-05-11", "2024-06-10", 4_000.0)
        cls._invoice(cls.acme, "2024-06-20", "2024-07-20", 7_500.0)
        cls.beta, cls.beta_file = cls._rated("Beta", limit=10_000.0)
        cls._invoice(cls.beta, "2024-06-20", "2024-07-20", 1_000.0)
        cls.gamma = cls._customer("Gamma")
        cls._invoice(cls.gamma, "2024-05-02", "2024-06-01", 500.0)
        cls.customers = cls.acme | cls.beta | cls.gamma

    def _position(self, partner):
        partner = partner.with_user(self.salesperson)
        return {
            name: (value.code if name == "credit_grade_id" else value)
            for name, value in ((name, partner[name]) for name in POSITION_FIELDS)
        }

    # ------------------------------------------------------------------
    # the figures
    # ------------------------------------------------------------------
    def test_a_salesperson_sees_exposure_overdue_money_and_available_credit(self):
        self.assertEqual(
            self._position(self.acme),
            {
                "credit_grade_id": "A",
                "credit_effective_limit": 10_000.0,
                "credit_exposure": 11_500.0,
                "credit_open_receivables": 11_500.0,
                "credit_overdue_amount": 4_000.0,
                "credit_oldest_overdue_days": 20,
                "credit_available": -1_500.0,
                "credit_over_limit": True,
            },
        )
        self.assertEqual(
            self._position(self.beta),
            {
                "credit_grade_id": "A",
                "credit_effective_limit": 10_000.0,
                "credit_exposure": 1_000.0,
                "credit_open_receivables": 1_000.0,
                "credit_overdue_amount": 0.0,
                "credit_oldest_overdue_days": 0,
                "credit_available": 9_000.0,
                "credit_over_limit": False,
            },
        )

    def test_a_customer_without_credit_file_still_shows_what_it_owes(self):
        self.assertEqual(
            self._position(self.gamma),
            {
                "credit_grade_id": False,
                "credit_effective_limit": 0.0,
                "credit_exposure": 500.0,
                "credit_open_receivables": 500.0,
                "credit_overdue_amount": 500.0,
                "credit_oldest_overdue_days": 29,
                "credit_available": 0.0,
                "credit_over_limit": False,
            },
        )

    def test_a_contact_shows_its_companys_position(self):
        contact = self.env["res.partner"].create({"name": "Jane", "parent_id": self.acme.id})
        self.assertEqual(self._position(contact), self._position(self.acme))

    def test_an_unlimited_customer_is_never_over_its_limit(self):
        self._set_rating(self.acme_file, sync=False, unlimited=True)
        self.acme.invalidate_recordset()
        self.assertFalse(self.acme.with_user(self.salesperson).credit_over_limit)
        self.assertFalse(self.acme_file.over_limit)

    def test_the_credit_file_shows_the_same_position(self):
        file = self.acme_file.with_user(self.salesperson)
        self.assertEqual(file.exposure_total, 11_500.0)
        self.assertEqual(file.overdue_amount, 4_000.0)
        self.assertEqual(file.oldest_overdue_days, 20)
        self.assertEqual(file.available_credit, -1_500.0)
        self.assertTrue(file.over_limit)
        self.assertEqual(self.beta_file.available_credit, 9_000.0)
        self.assertFalse(self.beta_file.over_limit)

    # ------------------------------------------------------------------
    # searching on them
    # ------------------------------------------------------------------
    def _found(self, domain):
        Partner = self.env["res.partner"].with_user(self.salesperson)
        return Partner.search([("id", "in", self.customers.ids), *domain])

    def test_the_overdue_filter_finds_the_customers_owing_past_their_due_date(self):
        self.assertEqual(self._found([("credit_overdue_amount", ">", 0)]), self.acme | self.gamma)
        self.assertEqual(self._found([("credit_overdue_amount", ">=", 1_000)]), self.acme)
        self.assertEqual(self._found([("credit_overdue_amount", "=", 0)]), self.beta)
        self.assertEqual(self._found([("credit_overdue_amount", "<", 600)]), self.beta | self.gamma)

    def test_the_over_limit_filter_finds_the_customers_above_their_limit(self):
        self.assertEqual(self._found([("credit_over_limit", "=", True)]), self.acme)
        self.assertEqual(self._found([("credit_over_limit", "=", False)]), self.beta | self.gamma)

    def test_customers_are_found_by_grade(self):
        self._set_rating(self.beta_file, sync=False, grade_id=self.grade["BBB"].id)
        self.assertEqual(self._found([("credit_grade_id", "=", self.grade["BBB"].id)]), self.beta)
        self.assertEqual(self._found([("credit_grade_id.code", "=", "A")]), self.acme)

    def test_credit_files_are_found_overdue_or_over_limit(self):
        File = self.env["credit.file"].with_user(self.salesperson)
        files = self.acme_file | self.beta_file
        self.assertEqual(
            File.search([("id", "in", files.ids), ("overdue_amount", ">", 0)]), self.acme_file
        )
        self.assertEqual(
            File.search([("id", "in", files.ids), ("over_limit", "=", True)]), self.acme_file
        )

    # ------------------------------------------------------------------
    # the screens
    # ------------------------------------------------------------------
    def test_the_credit_smart_button_opens_the_customers_credit_file(self):
        action = self.acme.with_user(self.salesperson).action_open_credit_file()
        self.assertEqual(
            (action["res_model"], action["res_id"]), ("credit.file", self.acme_file.id)
        )
        arch = etree.fromstring(
            self.env["res.partner"]
            .with_user(self.salesperson)
            .get_view(self.env.ref("base.view_partner_form").id)["arch"]
        )
        [button] = arch.xpath(
            "//div[@name='button_box']/button[@name='action_open_credit_file']"
            "[.//field[@name='credit_available']]"
        )
        self.assertTrue(button.xpath(".//field[@name='credit_grade_id']"))
        self.assertTrue(arch.xpath("//field[@name='credit_overdue_amount']"))
        self.assertTrue(arch.xpath("//field[@name='credit_exposure']"))

    def test_the_overdue_button_lists_the_invoices_past_their_due_date(self):
        action = self.acme.with_user(self.salesperson).action_open_credit_overdue()
        invoices = self.env["account.move"].search(action["domain"])
        self.assertEqual(invoices.mapped("amount_residual"), [4_000.0])
        self.assertEqual(invoices.invoice_date_due.isoformat(), "2024-06-10")

    def test_the_credit_apps_customers_list_shows_the_credit_columns(self):
        action = self.env.ref("credit_management.action_credit_customers")
        arch = etree.fromstring(
            self.env["res.partner"].with_user(self.salesperson).get_view(action.view_id.id)["arch"]
        )
        for name in (
            "credit_grade_id",
            "credit_exposure",
            "credit_overdue_amount",
            "credit_available",
        ):
            [column] = arch.xpath(f"//field[@name='{name}']")
            self.assertEqual(column.get("optional"), "show", name)

    # ------------------------------------------------------------------
    # the cost of a list
    # ------------------------------------------------------------------
    def _queries_to_read(self, records, names):
        self.env.invalidate_all()
        records = records.with_user(self.salesperson)
        before = self.env.cr.sql_log_count
        records.read(names)
        return self.env.cr.sql_log_count - before

    def test_a_list_of_80_customers_costs_as_many_queries_as_a_list_of_8(self):
        customers = self.customers
        for number in range(77):
            partner, _file = self._rated(f"Customer {number}", limit=1_000.0 * (number + 1))
            if number % 5 == 0:
                self._invoice(partner, "2024-05-01", "2024-06-01", 100.0 + number)
            customers |= partner
        few, many = customers[:8], customers
        self.assertEqual(len(many), 80)
        names = [*POSITION_FIELDS, "credit_warning_count", "credit_rating_state"]
        self._queries_to_read(few, names)  # warm the caches of the registry
        self.assertEqual(self._queries_to_read(many, names), self._queries_to_read(few, names))
        files = self.env["credit.file"].search([("partner_id", "in", customers.ids)])
        self.assertEqual(len(files), 79)
        file_names = ["exposure_total", "overdue_amount", "available_credit", "over_limit"]
        self._queries_to_read(files[:8], file_names)
        self.assertEqual(
            self._queries_to_read(files, file_names), self._queries_to_read(files[:8], file_names)
        )
