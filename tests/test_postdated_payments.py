from datetime import date

from odoo.tests import freeze_time, tagged

from .common import CreditOrderCommon


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestPostdatedPayments(CreditOrderCommon):
    """Money that is not in yet: a payment dated after today (a post-dated cheque) lowers
    the exposure from its date on, not when it is posted. Acme is rated A with a limit of
    1,500.00 and was invoiced 1,150.00 on 2024-06-20, due 2024-07-20; it paid 40 % of it
    (460.00) with a cheque dated 2024-07-05, five days from today."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acme, cls.file = cls._rated("Acme", limit=1_500.0)
        cls.invoice = cls._invoice(cls.acme, "2024-06-20", "2024-07-20", 1_150.0)
        cls.cheque = cls._pay(cls.invoice, "2024-07-05", amount=460.0)

    def _exposure(self, partner=None):
        pair = (self.company.id, (partner or self.acme).id)
        return self.env["credit.exposure"]._exposure_by_partner([pair])[pair]

    def test_a_post_dated_cheque_does_not_lower_the_exposure_before_its_date(self):
        # the invoice's residual is 1,150.00 - 460.00 = 690.00, but the cheque is not in
        self.assertAlmostEqual(self.invoice.amount_residual, 690.0, places=2)
        self.assertAlmostEqual(self._exposure()["receivables"], 1_150.0, places=2)

    def test_on_its_date_the_cheque_counts(self):
        with freeze_time("2024-07-05"):
            self.assertAlmostEqual(self._exposure()["receivables"], 690.0, places=2)

    def test_the_policy_switch_counts_post_dated_payments_at_once(self):
        self.policy.count_postdated_payments = True
        self.assertAlmostEqual(self._exposure()["receivables"], 690.0, places=2)

    def test_the_gate_judges_the_money_that_is_in(self):
        # 1,150.00 + 400.00 = 1,550.00, over 1,500.00 by 50.00 (690.00 + 400.00 would pass)
        order = self._quotation(self.acme, 400.0)
        order.with_user(self.salesperson).action_confirm()
        self.assertEqual(order.state, "draft")
        limit = self._failures(order.credit_hold_ids)["limit"]
        self.assertEqual(limit["exposure"], 1_150)
        self.assertEqual(limit["excess"], 50)

    def test_an_unapplied_post_dated_payment_is_not_counted_before_its_date(self):
        self._unapplied_payment(self.acme, "2024-07-10", 300.0)
        self.assertAlmostEqual(self._exposure()["receivables"], 1_150.0, places=2)
        with freeze_time("2024-07-10"):
            # 1,150.00 - 460.00 - 300.00
            self.assertAlmostEqual(self._exposure()["receivables"], 390.0, places=2)

    def test_an_invoice_dated_in_the_future_counts_at_once(self):
        self._invoice(self.acme, "2024-07-10", "2024-08-09", 500.0)
        # 1,150.00 + 500.00: it is owed whatever its date
        self.assertAlmostEqual(self._exposure()["receivables"], 1_650.0, places=2)

    def test_an_overdue_invoice_paid_by_a_post_dated_cheque_is_still_overdue(self):
        late = self._customer("Late")
        invoice = self._invoice(late, "2024-05-26", "2024-06-25", 1_150.0)
        self._pay(invoice, "2024-07-05")
        self.assertTrue(invoice.payment_state in ("paid", "in_payment"))
        exposure = self._exposure(late)
        self.assertAlmostEqual(exposure["receivables"], 1_150.0, places=2)
        self.assertAlmostEqual(exposure["overdue_amount"], 1_150.0, places=2)
        # due 2024-06-25, today 2024-06-30
        self.assertEqual(exposure["oldest_overdue_days"], 5)
        with freeze_time("2024-07-05"):
            exposure = self._exposure(late)
            self.assertAlmostEqual(exposure["receivables"], 0.0, places=2)
            self.assertAlmostEqual(exposure["overdue_amount"], 0.0, places=2)
            self.assertEqual(exposure["oldest_overdue_days"], 0)

    def test_the_aging_of_today_shows_what_is_open_today(self):
        aging = self.env["credit.aging.engine"]._aging_by_partner(
            date(2024, 6, 30), self.company.ids, partner_ids=self.acme.ids
        )
        self.assertAlmostEqual(aging[(self.company.id, self.acme.id)]["total"], 1_150.0, places=2)
        aging = self.env["credit.aging.engine"]._aging_by_partner(
            date(2024, 7, 5), self.company.ids, partner_ids=self.acme.ids
        )
        self.assertAlmostEqual(aging[(self.company.id, self.acme.id)]["total"], 690.0, places=2)

    def test_a_payment_of_today_counts_today(self):
        paid_today = self._customer("Paid Today")
        invoice = self._invoice(paid_today, "2024-06-20", "2024-07-20", 1_150.0)
        self._pay(invoice, "2024-06-30", amount=460.0)
        self.assertAlmostEqual(self._exposure(paid_today)["receivables"], 690.0, places=2)
