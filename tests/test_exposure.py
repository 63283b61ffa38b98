from decimal import Decimal

from odoo import Command
from odoo.tests import freeze_time, tagged

from .common import CreditOrderCommon


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestExposure(CreditOrderCommon):
    """Credit exposure (信用占用) in company currency (USD), from a ledger built by hand.
    EUR is worth half a dollar from 2024-01-01 and 0.40 from 2024-06-01 (rates 2.0 and 2.5).

    Ledger's ledger and orders:
    - invoice of 1,000.00 due 2024-06-10, 400.00 paid: 600.00 open, overdue 20 days;
    - invoice of EUR 1,000.00 on 2024-02-01 (rate 2.0) due 2024-03-02: 500.00, overdue
      120 days;
    - credit note of 150.25 matched against nothing: -150.25;
      receivables = 600.00 + 500.00 - 150.25 = 949.75, overdue 1,100.00, oldest 120 days;
    - draft invoice of 250.50 and draft credit note of 50.00: draft invoices = 200.50;
    - confirmed order of 10 x 100.00 + 10 % tax = 1,100.00 and confirmed order of
      EUR 1,000.00 on 2024-06-30 (rate 2.5) = 400.00: orders = 1,500.00;
    - a quotation of 5,000.00 and a cancelled order of 3,000.00, which do not count;
    exposure = 949.75 + 200.50 + 1,500.00 = 2,650.25.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.grade["A"].write({"overdue_tolerance": 100_000.0, "overdue_max_days": 365})
        cls.eur = cls.setup_other_currency("EUR", rates=[("2024-01-01", 2.0), ("2024-06-01", 2.5)])
        cls.eur_pricelist = cls.env["product.pricelist"].create(
            {"name": "EUR", "currency_id": cls.eur.id, "company_id": cls.company.id}
        )
        cls.vat_10 = cls.env["account.tax"].create(
            {
                "name": "VAT 10 %",
                "amount": 10.0,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "company_id": cls.company.id,
            }
        )
        cls.customer, cls.file = cls._rated("Ledger", limit=1_000_000.0)
        invoice = cls._invoice(cls.customer, "2024-05-10", "2024-06-10", 1_000.0)
        cls._pay(invoice, "2024-06-15", amount=400.0)
        cls._invoice(cls.customer, "2024-02-01", "2024-03-02", 1_000.0, currency=cls.eur)
        cls._refund(cls.customer, "2024-06-20", 150.25)
        cls._refund(cls.customer, "2024-06-29", 50.0, post=False)
        cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.customer.id,
                "invoice_date": "2024-06-29",
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Draft", "quantity": 1, "price_unit": 250.5, "tax_ids": []}
                    )
                ],
            }
        )
        cls.taxed_order = cls._quotation(cls.customer, 1_000.0, qty=10, taxes=cls.vat_10)
        cls.eur_order = cls._quotation(cls.customer, 1_000.0, pricelist=cls.eur_pricelist)
        cancelled = cls._quotation(cls.customer, 3_000.0)
        (cls.taxed_order | cls.eur_order | cancelled).action_confirm()
        cancelled._action_cancel()
        cls.quotation = cls._quotation(cls.customer, 5_000.0)

    def _exposure(self, partner=None, company=None):
        key = ((company or self.company).id, (partner or self.customer).id)
        return self.env["credit.exposure"]._exposure_by_partner([key])[key]

    def _held_exposure(self, limit=2_650.25):
        """Confirm an order of 0.01 with the limit at ``limit``: the hold's exposure."""
        self._set_rating(self.file, sync=False, credit_limit=limit)
        order = self._quotation(self.customer, 0.01)
        order.action_confirm()
        self.assertEqual(order.state, "draft")
        return order.credit_hold_ids

    def test_the_preconditions_of_the_ledger(self):
        self.assertAlmostEqual(self.taxed_order.amount_total, 1_100.0, places=2)
        self.assertEqual(self.eur_order.currency_id, self.eur)
        self.assertAlmostEqual(self.eur_order.amount_total, 1_000.0, places=2)
        self.assertEqual((self.taxed_order | self.eur_order).mapped("state"), ["sale", "sale"])

    def test_each_category_adds_up_to_the_cent(self):
        exposure = self._exposure()
        self.assertAlmostEqual(exposure["receivables"], 949.75, places=2)
        self.assertAlmostEqual(exposure["draft_invoices"], 200.5, places=2)
        self.assertAlmostEqual(exposure["orders"], 1_500.0, places=2)
        self.assertAlmostEqual(exposure["overdue_amount"], 1_100.0, places=2)
        self.assertEqual(exposure["oldest_overdue_days"], 120)

    def test_the_hold_shows_the_whole_exposure(self):
        hold = self._held_exposure()
        self.assertAlmostEqual(hold.exposure, 2_650.25, places=2)
        self.assertAlmostEqual(hold.overdue_amount, 1_100.0, places=2)
        self.assertEqual(hold.oldest_overdue_days, 120)
        failures = self._failures(hold)
        self.assertEqual(failures["limit"]["exposure_after"], Decimal("2650.26"))
        self.assertEqual(failures["limit"]["excess"], Decimal("0.01"))

    def test_an_order_fitting_the_rest_of_the_limit_passes(self):
        self._set_rating(self.file, sync=False, credit_limit=2_650.26)
        order = self._quotation(self.customer, 0.01)
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_a_foreign_currency_order_is_checked_at_its_rate(self):
        self._set_rating(self.file, sync=False, credit_limit=2_650.25 + 400.0)
        fits = self._quotation(self.customer, 1_000.0, pricelist=self.eur_pricelist)
        too_big = self._quotation(self.customer, 0.03, pricelist=self.eur_pricelist)
        fits.action_confirm()
        self.assertEqual(fits.state, "sale")
        too_big.action_confirm()
        self.assertEqual(too_big.state, "draft")
        hold = too_big.credit_hold_ids
        # EUR 0.03 / 2.5 = 0.012, rounded to 0.01 over 3,050.25
        self.assertAlmostEqual(hold.exposure, 3_050.25, places=2)
        self.assertAlmostEqual(hold.order_amount, 0.01, places=2)

    def test_a_credit_note_lowers_the_exposure(self):
        self._refund(self.customer, "2024-06-30", 1_000.0)
        exposure = self._exposure()
        self.assertAlmostEqual(exposure["receivables"], -50.25, places=2)
        self.assertAlmostEqual(self._held_exposure(1_650.25).exposure, 1_650.25, places=2)

    def test_a_payment_not_yet_matched_lowers_the_exposure(self):
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.customer.id,
                "amount": 2_000.0,
                "date": "2024-06-30",
            }
        )
        payment.action_post()
        self.assertAlmostEqual(self._exposure()["receivables"], -1_050.25, places=2)
        # the overdue items stay overdue until the payment is matched
        self.assertAlmostEqual(self._exposure()["overdue_amount"], 1_100.0, places=2)

    def test_a_partly_invoiced_order_counts_what_is_not_invoiced_yet(self):
        customer, _file = self._rated("Partly Invoiced", limit=1_000_000.0)
        order = self._quotation(customer, 1_000.0, qty=10, taxes=self.vat_10)
        order.action_confirm()
        invoice = order._create_invoices()
        invoice.invoice_line_ids.quantity = 4
        self.assertAlmostEqual(invoice.amount_total, 440.0, places=2)
        exposure = self._exposure(customer)
        # 4 x 110.00 on the draft invoice, 6 x 110.00 still to invoice
        self.assertAlmostEqual(exposure["draft_invoices"], 440.0, places=2)
        self.assertAlmostEqual(exposure["orders"], 660.0, places=2)
        self.assertAlmostEqual(exposure["receivables"], 0.0, places=2)
        invoice.action_post()
        exposure = self._exposure(customer)
        self.assertAlmostEqual(exposure["receivables"], 440.0, places=2)
        self.assertAlmostEqual(exposure["draft_invoices"], 0.0, places=2)
        self.assertAlmostEqual(exposure["orders"], 660.0, places=2)

    def test_a_contacts_orders_and_invoices_count_for_the_company(self):
        contact = self.env["res.partner"].create(
            {"name": "Buyer at Ledger", "parent_id": self.customer.id}
        )
        self._invoice(contact, "2024-06-25", "2024-07-25", 300.0)
        order = self._quotation(contact, 700.0)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        exposure = self._exposure()
        self.assertAlmostEqual(exposure["receivables"], 949.75 + 300.0, places=2)
        self.assertAlmostEqual(exposure["orders"], 1_500.0 + 700.0, places=2)
        # and the company's limit applies to the contact's order
        self._set_rating(self.file, sync=False, credit_limit=3_650.25)
        held = self._quotation(contact, 0.01)
        held.action_confirm()
        self.assertEqual(held.state, "draft")
        self.assertEqual(held.credit_hold_ids.partner_id, self.customer)
        self.assertAlmostEqual(held.credit_hold_ids.exposure, 3_650.25, places=2)

    def test_each_category_switched_off_leaves_the_exposure(self):
        expected = {
            "exposure_receivables": 2_650.25 - 949.75,
            "exposure_draft_invoices": 2_650.25 - 200.5,
            "exposure_orders": 2_650.25 - 1_500.0,
        }
        for switch, amount in expected.items():
            with self.subTest(switch=switch):
                self.policy[switch] = False
                hold = self._held_exposure(limit=amount)
                self.assertAlmostEqual(hold.exposure, amount, places=2)
                self.policy[switch] = True

    def test_with_every_category_switched_off_only_the_order_counts(self):
        self.policy.write(
            {
                "exposure_receivables": False,
                "exposure_draft_invoices": False,
                "exposure_orders": False,
            }
        )
        self._set_rating(self.file, sync=False, credit_limit=100.0)
        order = self._quotation(self.customer, 100.0)
        order.action_confirm()
        self.assertEqual(order.state, "sale")


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestExposureAcrossCompanies(CreditOrderCommon):
    """Globex is rated A with a limit of 1,000.00 in company A and buys in company B too."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.company
        cls.company_b = cls.setup_other_company(name="Company B")["company"]
        cls.globex, cls.file = cls._rated("Globex", limit=1_000.0)

    def _b_policy_without_checks(self):
        return self.env["credit.policy"].create(
            {
                "name": "Company B, no checks",
                "company_id": self.company_b.id,
                "scoring_model_id": self.policy.scoring_model_id.id,
                **dict.fromkeys(self.policy._check_rule_fields().values(), False),
            }
        )

    def test_company_bs_orders_and_receivables_do_not_count_in_company_a(self):
        self._b_policy_without_checks()
        self._invoice(self.globex, "2024-06-01", "2024-06-10", 2_000.0, company=self.company_b)
        order_b = self._quotation(
            self.globex, 5_000.0, company=self.company_b, salesperson=self.env.user
        )
        order_b.action_confirm()
        self.assertEqual(order_b.state, "sale")
        in_b = self.env["credit.exposure"]._exposure_by_partner(
            [(self.company_b.id, self.globex.id)]
        )
        self.assertAlmostEqual(in_b[(self.company_b.id, self.globex.id)]["orders"], 5_000.0, 2)
        self.assertAlmostEqual(
            in_b[(self.company_b.id, self.globex.id)]["receivables"], 2_000.0, places=2
        )
        # in company A nothing is used yet: 1,000.00 fits exactly, overdue B items ignored
        order_a = self._quotation(self.globex, 1_000.0)
        order_a.action_confirm()
        self.assertEqual(order_a.state, "sale")
        more = self._quotation(self.globex, 0.01)
        more.action_confirm()
        self.assertEqual(more.state, "draft")
        self.assertAlmostEqual(more.credit_hold_ids.exposure, 1_000.0, places=2)
        self.assertAlmostEqual(more.credit_hold_ids.overdue_amount, 0.0, places=2)

    def test_a_file_in_company_a_does_not_apply_in_company_b(self):
        order_b = self._quotation(
            self.globex, 500.0, company=self.company_b, salesperson=self.env.user
        )
        order_b.action_confirm()
        self.assertEqual(order_b.state, "draft")
        hold = order_b.credit_hold_ids
        self.assertEqual(hold.company_id, self.company_b)
        self.assertFalse(hold.grade_id)
        self.assertAlmostEqual(hold.credit_limit, 0.0, places=2)
        self.assertEqual(list(self._failures(hold)), ["grade_policy", "term", "limit"])
        order_a = self._quotation(self.globex, 500.0)
        order_a.action_confirm()
        self.assertEqual(order_a.state, "sale")

    def test_company_as_orders_do_not_count_in_company_b(self):
        self._file(
            self.globex,
            company=self.company_b,
            grade_id=self.grade["A"].id,
            credit_limit=500.0,
            credit_days=30,
        )
        order_a = self._quotation(self.globex, 1_000.0)
        order_a.action_confirm()
        self.assertEqual(order_a.state, "sale")
        order_b = self._quotation(
            self.globex, 500.0, company=self.company_b, salesperson=self.env.user
        )
        order_b.action_confirm()
        self.assertEqual(order_b.state, "sale")
