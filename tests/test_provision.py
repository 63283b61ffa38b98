from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import freeze_time, new_test_user, tagged

from .common import CreditLedgerCommon

TODAY = date(2024, 6, 30)


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestProvision(CreditLedgerCommon):
    """Bad-debt provision (坏账准备金) and write-off on a crafted ledger, as of 2024-06-30.

    Default rates: not due 0 %, 1-30 days 1 %, 31-60 5 %, 61-90 10 %, 91-180 30 %,
    181-365 50 %, over 365 100 %; doubtful from the 180th day overdue, at 100 %.
    EUR is 2 EUR per company unit from 2023-01-01 and 2.5 from 2024-05-01.

    - Acme: A1 1,000.00 due 2024-06-20 (10 days: 1 % = 10.00); A2 2,000.00 due 2024-07-31
      (not due: 0); A3 1,500 EUR of 2024-03-31 (= 750.00 at 2.0) due 2024-04-30, 500 EUR paid
      on 2024-05-15 at 2.5: 1,000 EUR open = 500.00 at the invoice's rate, 61 days: 10 % =
      50.00; A4 333.33 due 2024-05-20 (41 days: 5 % = 16.6665). Acme: 76.6665 -> 76.67.
    - Bolt: B1 3,000.00 due 2024-01-31 (29 + 31 + 30 + 31 + 30 = 151 days: 30 % = 900.00);
      an unapplied payment of 200.00 of 2024-06-25 (5 days: 1 % of -200 = -2.00). 898.00.
    - Cato: C1 400.00 due 2023-12-13 (18 + 31 + 29 + 31 + 30 + 31 + 30 = 200 days: past the
      180-day threshold, doubtful: 100 % = 400.00).
    - Dove: D1 600.00 due 2024-06-15 (15 days) classified doubtful by an officer: 600.00.
    - Eve: E1 1,000 EUR of 2023-10-01 (= 500.00 at 2.0), due 2023-11-01, 242 days:
      doubtful, 500.00.
    Total proposed: 76.67 + 898.00 + 400.00 + 600.00 + 500.00 = 2,474.67.
    Acme also owes 5,000.00 in company B, which no provision of company A sees.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.setup_other_currency("EUR", rates=[("2023-01-01", 2.0), ("2024-05-01", 2.5)])
        cls.company_b = cls.setup_other_company(name="Company B")["company"]
        cls.expense = cls.company_data["default_account_expense"]
        cls.allowance = cls.env["account.account"].create(
            {
                "code": "112299",
                "name": "Allowance for doubtful accounts",
                "account_type": "asset_current",
            }
        )
        cls.journal = cls.company_data["default_journal_misc"]
        cls.company.write(
            {
                "credit_provision_journal_id": cls.journal.id,
                "credit_provision_expense_account_id": cls.expense.id,
                "credit_allowance_account_id": cls.allowance.id,
                "credit_doubtful_days": 180,
                "credit_doubtful_rate": 100.0,
            }
        )
        cls.accountant = new_test_user(
            cls.env,
            login="cm_accountant",
            groups="account.group_account_user",
            name="Accountant",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.acme, cls.bolt, cls.cato, cls.dove, cls.eve = (
            cls._customer(name) for name in ("Acme", "Bolt", "Cato", "Dove", "Eve")
        )
        cls.a1 = cls._invoice(cls.acme, "2024-05-21", "2024-06-20", 1000.0)
        cls.a2 = cls._invoice(cls.acme, "2024-06-25", "2024-07-31", 2000.0)
        cls.a3 = cls._invoice(cls.acme, "2024-03-31", "2024-04-30", 1500.0, currency=cls.eur)
        cls._pay(cls.a3, "2024-05-15", amount=500.0, currency=cls.eur)
        cls._invoice(cls.acme, "2024-04-20", "2024-05-20", 333.33)
        cls.b1 = cls._invoice(cls.bolt, "2024-01-01", "2024-01-31", 3000.0)
        cls._unapplied_payment(cls.bolt, "2024-06-25", 200.0)
        cls.c1 = cls._invoice(cls.cato, "2023-11-13", "2023-12-13", 400.0)
        cls.d1 = cls._invoice(cls.dove, "2024-05-16", "2024-06-15", 600.0)
        cls.e1 = cls._invoice(cls.eve, "2023-10-01", "2023-11-01", 1000.0, currency=cls.eur)
        cls._invoice(cls.acme, "2024-01-01", "2024-01-31", 5000.0, company=cls.company_b)
        cls.env["credit.doubtful.wizard"].create(
            {"line_ids": cls._receivable(cls.d1).ids, "reason": "Customer disputes the goods"}
        ).action_confirm()

    @staticmethod
    def _receivable(move):
        return move.line_ids.filtered(lambda ml: ml.account_id.account_type == "asset_receivable")

    def _provision(self, user=None, company=None, **values):
        env = self.env(user=user) if user else self.env
        company = company or self.company
        provision = (
            env["credit.provision"]
            .with_company(company)
            .create({"company_id": company.id, "date": TODAY, **values})
        )
        provision.action_compute()
        return provision

    @staticmethod
    def _by_partner(provision):
        return {line.partner_id: line for line in provision.line_ids}

    def test_the_ledger_is_what_the_scenario_says(self):
        self.assertEqual(self.a3.amount_total_signed, 750.0)
        self.assertEqual(self.a3.amount_residual, 1000.0)  # EUR
        self.assertEqual(self.e1.amount_total_signed, 500.0)
        self.assertTrue(self._receivable(self.d1).credit_doubtful)

    def test_provision_per_customer_to_the_cent(self):
        lines = self._by_partner(self._provision())
        self.assertEqual(set(lines), {self.acme, self.bolt, self.cato, self.dove, self.eve})
        self.assertAlmostEqual(lines[self.acme].proposed, 76.67, places=2)
        self.assertAlmostEqual(lines[self.bolt].proposed, 898.00, places=2)
        self.assertAlmostEqual(lines[self.cato].proposed, 400.00, places=2)
        self.assertAlmostEqual(lines[self.dove].proposed, 600.00, places=2)
        self.assertAlmostEqual(lines[self.eve].proposed, 500.00, places=2)

    def test_bucket_amounts_are_in_company_currency(self):
        lines = self._by_partner(self._provision())
        acme = lines[self.acme]
        # not due: A2 2,000.00; overdue: A1 1,000.00 + A3 500.00 + A4 333.33
        self.assertAlmostEqual(acme.amount_not_due, 2000.00, places=2)
        self.assertAlmostEqual(acme.amount_overdue, 1833.33, places=2)
        self.assertAlmostEqual(acme.amount_doubtful, 0.0, places=2)
        self.assertAlmostEqual(acme.amount_total, 3833.33, places=2)
        # Bolt: the unapplied payment is an open item of -200.00
        self.assertAlmostEqual(lines[self.bolt].amount_overdue, 2800.00, places=2)
        self.assertAlmostEqual(lines[self.cato].amount_doubtful, 400.00, places=2)
        self.assertAlmostEqual(lines[self.eve].amount_doubtful, 500.00, places=2)

    def test_totals_of_the_document(self):
        provision = self._provision()
        self.assertAlmostEqual(provision.amount_proposed, 2474.67, places=2)
        self.assertAlmostEqual(provision.amount_previous, 0.0, places=2)
        self.assertAlmostEqual(provision.amount_adjustment, 2474.67, places=2)

    def test_company_rates_replace_the_defaults(self):
        for start, rate in ((0, 0.0), (1, 2.0), (91, 40.0)):
            self.env["credit.provision.rate"].create(
                {"company_id": self.company.id, "overdue_from": start, "rate": rate}
            )
        acme = self._by_partner(self._provision())[self.acme]
        # (1,000.00 + 500.00 + 333.33) x 2 % = 36.6666 -> 36.67
        self.assertAlmostEqual(acme.proposed, 36.67, places=2)

    def test_rates_are_checked(self):
        Rate = self.env["credit.provision.rate"]
        with self.assertRaises(ValidationError):
            Rate.create({"company_id": self.company.id, "overdue_from": 30, "rate": 101.0})
        with self.assertRaises(ValidationError):
            Rate.create({"company_id": self.company.id, "overdue_from": -1, "rate": 5.0})
        rates = Rate.create(
            [
                {"company_id": self.company.id, "overdue_from": start, "rate": rate}
                for start, rate in ((1, 2.0), (91, 40.0))
            ]
        )
        self.assertEqual(rates.mapped("name"), ["1-90 days", "Over 90 days"])
        # a table without a "not due" row provisions nothing on items not yet due
        self.assertEqual(Rate._rates_for(self.company), [(0, 0.0), (1, 2.0), (91, 40.0)])

    def test_posting_books_one_entry_per_customer_adjustment(self):
        provision = self._provision(user=self.accountant)
        provision.with_user(self.accountant).action_post()
        self.assertEqual(provision.state, "posted")
        move = provision.move_id
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.journal_id, self.journal)
        self.assertEqual(move.date, TODAY)
        self.assertEqual(move.credit_provision_id, provision)
        booked = sorted(
            (line.account_id.id, line.partner_id.name, line.debit, line.credit)
            for line in move.line_ids
        )
        expected = []
        for partner, amount in (
            (self.acme, 76.67),
            (self.bolt, 898.00),
            (self.cato, 400.00),
            (self.dove, 600.00),
            (self.eve, 500.00),
        ):
            expected.append((self.expense.id, partner.name, amount, 0.0))
            expected.append((self.allowance.id, partner.name, 0.0, amount))
        self.assertEqual(booked, sorted(expected))

    def test_the_next_provision_adjusts_against_what_is_booked(self):
        self._provision().action_post()
        self._pay(self.b1, "2024-06-30")
        second = self._provision()
        lines = self._by_partner(second)
        # Bolt owes nothing but its unapplied 200.00 (provision 0) and had 898.00 booked
        self.assertAlmostEqual(lines[self.bolt].proposed, 0.0, places=2)
        self.assertAlmostEqual(lines[self.bolt].previous, 898.00, places=2)
        self.assertAlmostEqual(lines[self.bolt].adjustment, -898.00, places=2)
        self.assertAlmostEqual(lines[self.acme].adjustment, 0.0, places=2)
        second.action_post()
        booked = sorted(
            (line.account_id.id, line.partner_id.name, line.debit, line.credit)
            for line in second.move_id.line_ids
        )
        # the release: Dr allowance / Cr expense, Bolt only
        self.assertEqual(
            booked,
            sorted(
                [
                    (self.expense.id, "Bolt", 0.0, 898.00),
                    (self.allowance.id, "Bolt", 898.00, 0.0),
                ]
            ),
        )

    def test_nothing_to_adjust_is_refused(self):
        self._provision().action_post()
        again = self._provision()
        with self.assertRaises(UserError):
            again.action_post()
        self.assertEqual(again.state, "draft")

    def test_posting_without_accounts_is_refused_and_writes_nothing(self):
        self.company.credit_allowance_account_id = False
        provision = self._provision()
        moves_before = self.env["account.move"].search_count([])
        with self.assertRefusedWithoutWriting(UserError) as refusal:
            provision.action_post()
        self.assertIn("allowance account", str(refusal.exception))
        self.assertEqual(provision.state, "draft")
        self.assertFalse(provision.move_id)
        self.assertEqual(self.env["account.move"].search_count([]), moves_before)

    def test_cancelling_a_posted_provision_reverses_its_entry(self):
        provision = self._provision()
        provision.action_post()
        provision.action_cancel()
        self.assertEqual(provision.state, "cancelled")
        reversal = provision.move_id.reversal_move_ids
        self.assertEqual(reversal.state, "posted")
        self.assertEqual(reversal.date, TODAY)
        # nothing booked any more: the next provision starts from zero
        self.assertAlmostEqual(self._provision().amount_previous, 0.0, places=2)

    # ------------------------------------------------------------------
    # stale lines, dates and cancellation
    # ------------------------------------------------------------------
    def _booked_on_allowance(self):
        lines = self.env["account.move.line"].search(
            [("account_id", "=", self.allowance.id), ("parent_state", "=", "posted")]
        )
        return round(-sum(lines.mapped("balance")), 2)

    def test_a_second_draft_computed_before_the_first_was_posted_is_refused(self):
        first, second = self._provision(), self._provision()
        first.action_post()
        self.assertEqual(self._booked_on_allowance(), 2474.67)
        with self.assertRefusedWithoutWriting(UserError) as refusal:
            second.action_post()
        self.assertIn("compute the provision again", str(refusal.exception))
        self.assertEqual(second.state, "draft")
        self.assertFalse(second.move_id)
        # booked once, not twice
        self.assertEqual(self._booked_on_allowance(), 2474.67)
        # computed again, it has nothing left to book
        second.action_compute()
        self.assertAlmostEqual(second.amount_adjustment, 0.0, places=2)

    def test_a_draft_whose_date_changed_after_computing_is_refused(self):
        provision = self._provision(date=date(2024, 6, 15))
        # on 2024-06-15 A1 (due 2024-06-20) is not due yet: Acme's provision is lower
        provision.date = TODAY
        with self.assertRefusedWithoutWriting(UserError):
            provision.action_post()
        self.assertEqual(provision.state, "draft")
        self.assertEqual(self._booked_on_allowance(), 0.0)
        provision.action_compute()
        provision.action_post()
        self.assertEqual(self._booked_on_allowance(), 2474.67)

    def test_a_provision_dated_before_a_posted_one_is_refused(self):
        self._provision().action_post()
        with self.assertRefusedWithoutWriting(UserError) as refusal:
            self._provision(date=date(2024, 6, 15))
        self.assertIn("2024-06-30", str(refusal.exception))
        earlier = self.env["credit.provision"].search([("date", "=", date(2024, 6, 15))])
        self.assertFalse(earlier.line_ids)
        self.assertEqual(self._booked_on_allowance(), 2474.67)

    def test_cancelling_reverses_on_the_provision_date_so_it_can_be_redone(self):
        # today is 2024-06-30; the provision is of 2024-06-15
        provision = self._provision(date=date(2024, 6, 15))
        booked = provision.amount_proposed
        self.assertGreater(booked, 0.0)
        provision.action_post()
        provision.action_cancel()
        reversal = provision.move_id.reversal_move_ids
        self.assertEqual(reversal.date, date(2024, 6, 15))
        redo = self._provision(date=date(2024, 6, 15))
        self.assertAlmostEqual(redo.amount_previous, 0.0, places=2)
        self.assertAlmostEqual(redo.amount_adjustment, booked, places=2)
        redo.action_post()
        self.assertEqual(self._booked_on_allowance(), round(booked, 2))

    def test_cancelling_in_a_locked_period_reverses_on_the_first_open_day(self):
        provision = self._provision(date=date(2024, 6, 15))
        provision.action_post()
        self.company.sudo().fiscalyear_lock_date = date(2024, 6, 20)
        provision.action_cancel()
        self.assertEqual(provision.move_id.reversal_move_ids.date, date(2024, 6, 21))

    def test_cancelling_a_provision_a_later_one_was_booked_on_is_refused(self):
        first = self._provision(date=date(2024, 6, 15))
        first.action_post()
        self._provision().action_post()
        with self.assertRefusedWithoutWriting(UserError):
            first.action_cancel()
        self.assertEqual(first.state, "posted")
        self.assertFalse(first.move_id.reversal_move_ids)

    def test_a_salesperson_cannot_post_a_provision(self):
        provision = self._provision()
        with self.assertRaises(AccessError):
            provision.with_user(self.salesperson).action_post()
        with self.assertRaises(AccessError):
            self.env["credit.provision"].with_user(self.salesperson).create(
                {"company_id": self.company.id}
            )
        self.assertEqual(provision.state, "draft")

    def test_a_credit_officer_reads_but_cannot_post(self):
        provision = self._provision()
        self.assertAlmostEqual(provision.with_user(self.officer).amount_proposed, 2474.67, places=2)
        with self.assertRaises(AccessError):
            provision.with_user(self.officer).action_post()
        self.assertEqual(provision.state, "draft")

    def test_an_accountant_sees_every_customer(self):
        # the accountant is no credit officer and looks after no customer
        provision = self._provision(user=self.accountant)
        self.assertEqual(len(provision.line_ids), 5)

    def test_company_b_provision_sees_only_company_b(self):
        self.env.user.company_ids |= self.company_b
        provision = self._provision(company=self.company_b)
        lines = self._by_partner(provision)
        self.assertEqual(set(lines), {self.acme})
        # 2024-01-31 to 2024-06-30: 151 days, 30 % of 5,000.00
        self.assertAlmostEqual(lines[self.acme].proposed, 1500.00, places=2)
        in_a = self.env(user=self.accountant)["credit.provision"]
        self.assertFalse(in_a.search([("id", "=", provision.id)]))

    # ------------------------------------------------------------------
    # write-off
    # ------------------------------------------------------------------
    def _write_off(self, lines, user=None, reason="Liquidation closed"):
        env = self.env(user=user) if user else self.env
        wizard = env["credit.write.off"].create(
            {"company_id": self.company.id, "line_ids": lines.ids, "reason": reason}
        )
        return env["account.move"].browse(wizard.action_write_off()["res_id"])

    def test_write_off_of_a_doubtful_item_reconciles_it(self):
        item = self._receivable(self.c1)
        move = self._write_off(item, user=self.accountant)
        self.assertTrue(move.credit_write_off)
        self.assertEqual(move.state, "posted")
        self.assertTrue(item.reconciled)
        self.assertEqual(self.c1.payment_state, "paid")
        booked = sorted(
            (line.account_id.id, line.partner_id.name, line.debit, line.credit)
            for line in move.line_ids
        )
        self.assertEqual(
            booked,
            sorted(
                [
                    (self.allowance.id, "Cato", 400.0, 0.0),
                    (self.receivable.id, "Cato", 0.0, 400.0),
                ]
            ),
        )

    def test_write_off_in_foreign_currency_closes_the_item(self):
        item = self._receivable(self.e1)
        move = self._write_off(item)
        self.assertTrue(item.reconciled)
        self.assertEqual(item.amount_residual_currency, 0.0)
        credit = move.line_ids.filtered(lambda ml: ml.account_id == self.receivable)
        self.assertEqual(credit.currency_id, self.eur)
        self.assertEqual(credit.amount_currency, -1000.0)
        self.assertEqual(credit.credit, 500.0)

    def test_after_a_write_off_the_provision_is_used(self):
        self._provision().action_post()
        self._write_off(self._receivable(self.c1))
        lines = self._by_partner(self._provision())
        # Cato owes nothing and its 400.00 provision was used by the write-off
        self.assertNotIn(self.cato, lines)

    def test_write_off_refuses_an_item_that_is_not_doubtful(self):
        item = self._receivable(self.a1)
        with self.assertRefusedWithoutWriting(UserError):
            self._write_off(item)
        self.assertFalse(item.reconciled)
        self.assertFalse(self.env["account.move"].search([("credit_write_off", "=", True)]))

    def test_write_off_refuses_an_item_not_yet_due_even_if_classified_doubtful(self):
        a2 = self._receivable(self.a2)
        self.env["credit.doubtful.wizard"].create(
            {"line_ids": a2.ids, "reason": "Customer in liquidation"}
        ).action_confirm()
        self.assertTrue(a2.credit_doubtful)
        with self.assertRefusedWithoutWriting(UserError) as refusal:
            self._write_off(a2)
        self.assertIn("not due yet", str(refusal.exception))
        self.assertFalse(a2.reconciled)
        self.assertFalse(self.env["account.move"].search([("credit_write_off", "=", True)]))

    # ------------------------------------------------------------------
    # doubtful by age: item by item; by officer decision: the whole customer
    # ------------------------------------------------------------------
    def test_the_default_threshold_hides_no_bucket_rate(self):
        company = self.company_b  # created with the defaults
        rates = self.env["credit.provision.rate"]._rates_for(company)
        # doubtful from day 366 at 100 %: the one bucket starting there (over 365 days) has
        # that rate, so every bucket rate applies to some item
        self.assertEqual((company.credit_doubtful_days, company.credit_doubtful_rate), (366, 100))
        self.assertEqual([(start, rate) for start, rate in rates if start >= 366], [(366, 100)])

    def test_a_case_doubtful_by_age_leaves_the_customers_other_items_at_their_rates(self):
        # Cato also owes 1,000.00 not yet due; C1 (200 days) makes its case doubtful by age
        self._invoice(self.cato, "2024-06-25", "2024-07-31", 1000.0)
        self.env["credit.receivable.case"]._update_cases(self.company)
        case = self.env["credit.receivable.case"].search([("partner_id", "=", self.cato.id)])
        self.assertEqual(case.state, "doubtful")
        self.assertFalse(case.doubtful_by_officer)
        cato = self._by_partner(self._provision())[self.cato]
        # C1 400.00 at 100 %, the 1,000.00 not due at 0 %
        self.assertAlmostEqual(cato.amount_doubtful, 400.00, places=2)
        self.assertAlmostEqual(cato.amount_not_due, 1000.00, places=2)
        self.assertAlmostEqual(cato.proposed, 400.00, places=2)
        # the officer then classifies the customer itself doubtful: everything at 100 %
        self.env["credit.doubtful.wizard"].create(
            {"case_id": case.id, "reason": "Customer filed for bankruptcy"}
        ).action_confirm()
        self.assertTrue(case.doubtful_by_officer)
        self.assertEqual(case.state, "doubtful")
        cato = self._by_partner(self._provision())[self.cato]
        self.assertAlmostEqual(cato.amount_doubtful, 1400.00, places=2)
        self.assertAlmostEqual(cato.proposed, 1400.00, places=2)

    def test_write_off_refuses_a_date_before_the_item(self):
        # a receivable booked on 2024-06-10 with a due date of 2024-05-01 (a reclassified
        # old debt), classified doubtful: not written off on 2024-06-05
        move = self.env["account.move"].create(
            {
                "move_type": "entry",
                "date": "2024-06-10",
                "journal_id": self.journal.id,
                "line_ids": [
                    Command.create(
                        {
                            "name": "Old debt",
                            "account_id": self.receivable.id,
                            "partner_id": self.dove.id,
                            "date_maturity": "2024-05-01",
                            "balance": 250.0,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Old debt",
                            "account_id": self.company_data["default_account_revenue"].id,
                            "balance": -250.0,
                        }
                    ),
                ],
            }
        )
        move.action_post()
        item = self._receivable(move)
        self.env["credit.doubtful.wizard"].create(
            {"line_ids": item.ids, "reason": "Customer vanished"}
        ).action_confirm()
        wizard = self.env["credit.write.off"].create(
            {
                "company_id": self.company.id,
                "line_ids": item.ids,
                "reason": "Gone",
                "date": "2024-06-05",
            }
        )
        with self.assertRefusedWithoutWriting(UserError) as refusal:
            wizard.action_write_off()
        self.assertIn("2024-06-10", str(refusal.exception))
        self.assertFalse(item.reconciled)
        self.assertFalse(self.env["account.move"].search([("credit_write_off", "=", True)]))
        # on its own date it can be
        wizard.date = date(2024, 6, 10)
        wizard.action_write_off()
        self.assertTrue(item.reconciled)

    def test_a_salesperson_cannot_write_off(self):
        with self.assertRaises(AccessError):
            self._write_off(self._receivable(self.c1), user=self.salesperson)
        self.assertFalse(self._receivable(self.c1).reconciled)
