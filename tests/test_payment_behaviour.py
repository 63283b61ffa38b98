from datetime import date
from decimal import Decimal

from odoo import Command
from odoo.tests import freeze_time, tagged

from .common import CreditLedgerCommon

TODAY = date(2024, 6, 30)


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestPaymentBehaviour(CreditLedgerCommon):
    """Payment behaviour read from a real receivable ledger (``credit.file._payment_behaviour``).

    Today is 2024-06-30. The policy's payment window is 365 days, so the items that count
    for the payment rate fell due after 2023-07-01; the days-to-pay trend compares payments
    after 2024-04-01 ("recent") with those from 2024-01-03 to 2024-04-01 ("prior").

    Acme's ledger, amounts in the company currency:
    - INV1 1,000.00 of 2024-01-05, due 2024-02-04, paid in full on 2024-02-01 (early);
    - INV2 2,000.00 of 2024-02-10, due 2024-03-11, paid in full on 2024-03-21 (10 days late);
    - INV3 1,500.00 of 2024-04-10 billed to Acme's contact, due 2024-05-10: 500.00 paid on
      the due date, 1,000.00 on 2024-06-09 (30 days late);
    - INV4 1,200.00 EUR of 2024-05-01 at 2 EUR per company unit (= 600.00), due 2024-05-31,
      paid in full in EUR on 2024-05-25;
    - INV5 800.00 of 2024-05-15, due 2024-06-14, a 300.00 credit note of 2024-06-01 matched
      against it, 500.00 still open (overdue 16 days);
    - INV6 400.00 of 2023-03-01, due 2023-03-31, never paid (outside the window, overdue
      457 days);
    - INV7 700.00 of 2024-06-20, due 2024-07-20 (not due yet).
    Another customer's overdue invoice must not count.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.setup_other_currency("EUR", rates=[("2024-01-01", 2.0)])
        cls.acme = cls._customer("Acme")
        cls.contact = cls.env["res.partner"].create({"name": "Jane", "parent_id": cls.acme.id})
        cls.other = cls._customer("Other Ltd")

        inv1 = cls._invoice(cls.acme, "2024-01-05", "2024-02-04", 1000.0)
        cls._pay(inv1, "2024-02-01")
        inv2 = cls._invoice(cls.acme, "2024-02-10", "2024-03-11", 2000.0)
        cls._pay(inv2, "2024-03-21")
        cls.inv3 = cls._invoice(cls.contact, "2024-04-10", "2024-05-10", 1500.0)
        cls._pay(cls.inv3, "2024-05-10", amount=500.0)
        cls._pay(cls.inv3, "2024-06-09", amount=1000.0)
        cls.inv4 = cls._invoice(cls.acme, "2024-05-01", "2024-05-31", 1200.0, currency=cls.eur)
        cls._pay(cls.inv4, "2024-05-25", amount=1200.0, currency=cls.eur)
        cls.inv5 = cls._invoice(cls.acme, "2024-05-15", "2024-06-14", 800.0)
        cls._credit_note(cls.inv5, "2024-06-01", 300.0)
        cls._invoice(cls.acme, "2023-03-01", "2023-03-31", 400.0)
        cls._invoice(cls.acme, "2024-06-20", "2024-07-20", 700.0)
        cls._invoice(cls.other, "2022-01-01", "2022-01-31", 9000.0)

        cls.file = cls._file(cls.acme)

    def _behaviour(self, file=None):
        file = file or self.file
        return file._payment_behaviour(TODAY)[file.id]

    def test_the_ledger_is_what_the_scenario_says(self):
        self.assertEqual(self.inv3.commercial_partner_id, self.acme)
        self.assertEqual(self.inv3.amount_residual, 0.0)
        self.assertEqual(self.inv4.amount_total_signed, 600.0)
        self.assertEqual(self.inv4.amount_residual, 0.0)
        self.assertEqual(self.inv5.amount_residual, 500.0)

    def test_amount_due_is_what_fell_due_in_the_window(self):
        # INV1 + INV2 + INV3 + INV4 (1,200 EUR / 2) + INV5; INV6 fell due before the window
        # and INV7 is not due yet
        self.assertEqual(self._behaviour()["amount_due"], Decimal(1000 + 2000 + 1500 + 600 + 800))

    def test_an_item_due_today_is_not_yet_late(self):
        self._invoice(self.acme, "2024-06-01", "2024-06-30", 250.0)
        behaviour = self._behaviour()
        # still 5,900 due, and the new item is neither due in the window nor overdue
        self.assertEqual(behaviour["amount_due"], Decimal(5900))
        self.assertEqual(behaviour["overdue_count"], Decimal(2))

    def test_on_time_payment_rate_counts_what_was_settled_by_the_due_date(self):
        behaviour = self._behaviour()
        # on time: INV1 1,000 + INV3's first 500 (on its due date) + INV4 600 + the 300
        # credit note of INV5 (dated before its due date); INV2 and INV3's 1,000 are late
        paid_on_time = Decimal(1000 + 500 + 600 + 300)
        self.assertEqual(behaviour["paid_on_time"], paid_on_time)
        self.assertEqual(behaviour["payment_rate"], paid_on_time / Decimal(5900))
        self.assertEqual(round(behaviour["payment_rate"] * 100, 2), Decimal("40.68"))

    def test_average_days_late_is_weighted_by_the_amount_paid(self):
        # every settled amount weighs in, early or on time counting 0 days:
        # (2,000 x 10 + 1,000 x 30) / (1,000 + 2,000 + 500 + 1,000 + 600 + 300) = 50,000 / 5,400
        expected = Decimal(2000 * 10 + 1000 * 30) / Decimal(1000 + 2000 + 500 + 1000 + 600 + 300)
        self.assertEqual(self._behaviour()["avg_days_late"], expected)
        self.assertEqual(round(expected, 2), Decimal("9.26"))

    def test_overdue_items_are_the_open_ones_past_their_due_date(self):
        behaviour = self._behaviour()
        # INV5's open 500 and INV6's 400; INV7 is open but not due
        self.assertEqual(behaviour["overdue_count"], 2)
        self.assertEqual(behaviour["overdue_amount"], Decimal("900.00"))
        # INV6 is due since 2023-03-31: 366 days to 2024-03-31 (leap year) + 30 + 31 + 30
        self.assertEqual(behaviour["longest_overdue_days"], 366 + 30 + 31 + 30)
        self.assertEqual((TODAY - date(2023, 3, 31)).days, 457)

    def test_history_starts_with_the_first_ledger_item(self):
        behaviour = self._behaviour()
        self.assertEqual(behaviour["first_date"], date(2023, 3, 1))
        # 2023-03-01 to 2024-06-30: one year, three months and 29 days
        self.assertEqual(behaviour["history_months"], 12 + 3)

    def test_days_to_pay_trend_compares_the_last_two_quarters(self):
        behaviour = self._behaviour()
        # prior (2024-01-03 .. 2024-04-01): INV1 paid after 27 days, INV2 after 40 days
        prior = Decimal(1000 * 27 + 2000 * 40) / Decimal(1000 + 2000)
        # recent: INV3's 500 after 30 days and 1,000 after 60 days, INV4's 600 after 24 days,
        # INV5's credit note after 17 days
        recent = Decimal(500 * 30 + 1000 * 60 + 600 * 24 + 300 * 17) / Decimal(
            500 + 1000 + 600 + 300
        )
        self.assertEqual(behaviour["prior_days_to_pay"], prior)
        self.assertEqual(behaviour["recent_days_to_pay"], recent)
        self.assertEqual(round(prior, 2), Decimal("35.67"))
        self.assertEqual(recent, Decimal("39.375"))

    def test_a_contacts_invoice_counts_for_its_company(self):
        # INV3 (billed to the contact) is in the 5,900 due and the recent payments above; an
        # overdue invoice of the contact adds to the company's overdue items
        self._invoice(self.contact, "2024-06-01", "2024-06-10", 250.0)
        # a journal entry booked on the contact itself counts too
        entry = self.env["account.move"].create(
            {
                "move_type": "entry",
                "date": "2024-06-01",
                "line_ids": [
                    Command.create(
                        {
                            "account_id": self.receivable.id,
                            "partner_id": self.contact.id,
                            "debit": 100.0,
                            "date_maturity": "2024-06-05",
                        }
                    ),
                    Command.create(
                        {
                            "account_id": self.company_data["default_account_revenue"].id,
                            "credit": 100.0,
                        }
                    ),
                ],
            }
        )
        entry.action_post()
        self.assertEqual(entry.line_ids[0].partner_id, self.contact)
        behaviour = self._behaviour()
        self.assertEqual(behaviour["overdue_count"], 2 + 1 + 1)
        self.assertEqual(behaviour["overdue_amount"], Decimal(500 + 400 + 250 + 100))
        self.assertEqual(behaviour["amount_due"], Decimal(5900 + 250 + 100))

    def test_another_customers_ledger_does_not_count(self):
        other = self._behaviour(self._file(self.other))
        self.assertEqual(other["overdue_amount"], Decimal("9000.00"))
        self.assertEqual(other["amount_due"], Decimal(0))
        self.assertIsNone(other["payment_rate"])
        self.assertIsNone(other["avg_days_late"])
        # and Acme's figures do not include it
        self.assertEqual(self._behaviour()["overdue_amount"], Decimal("900.00"))

    def test_a_customer_without_ledger_has_no_behaviour_to_judge(self):
        behaviour = self._behaviour(self._file(self._customer("Newcomer")))
        self.assertIsNone(behaviour["payment_rate"])
        self.assertIsNone(behaviour["avg_days_late"])
        self.assertIsNone(behaviour["first_date"])
        self.assertIsNone(behaviour["history_months"])
        self.assertIsNone(behaviour["recent_days_to_pay"])
        self.assertEqual(behaviour["overdue_count"], 0)
        self.assertEqual(behaviour["overdue_amount"], Decimal(0))

    def test_several_files_are_read_in_one_call(self):
        other_file = self._file(self.other)
        both = (self.file | other_file)._payment_behaviour(TODAY)
        self.assertEqual(both[self.file.id]["overdue_amount"], Decimal("900.00"))
        self.assertEqual(both[other_file.id]["overdue_amount"], Decimal("9000.00"))

    def test_the_review_shows_the_ledger_figures(self):
        review = self._review(self.file)
        self.assertEqual(review.payment_rate, 40.68)
        self.assertEqual(review.overdue_amount, 900.0)
        self.assertEqual(review.longest_overdue_days, 457)
        self.assertEqual(review.history_months, 15)
        lines = {line.code: line for line in review.line_ids}
        self.assertAlmostEqual(lines["avg_days_late"].value, 9.2593, places=4)
        self.assertEqual(lines["overdue_count"].value, 2)
