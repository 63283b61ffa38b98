from collections import defaultdict
from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo import Command
from odoo.tests import freeze_time, tagged

from .common import CreditLedgerCommon


class LadderCase(CreditLedgerCommon):
    """Customers, and the ladder compared with the ledger (no test of its own)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._customer("Ladder Customer")
        cls.contact = cls.env["res.partner"].create(
            {"name": "Ladder Buyer", "parent_id": cls.customer.id}
        )
        cls.other = cls._customer("Ladder Other")
        cls.eur = cls.setup_other_currency("EUR", rates=[("2024-01-01", 2.0)])

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------
    def _from_ladder(self, partners):
        """{(company, partner, due date): (residual, owed, owed items)}, zero keys left out."""
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT company_id, partner_id, due_date,
                   SUM(residual)::text, SUM(owed_residual)::text, SUM(owed_items)
              FROM credit_receivable_ladder
             WHERE partner_id = ANY(%s)
          GROUP BY company_id, partner_id, due_date
            """,
            [partners.ids],
        )
        return {
            (company, partner, due): (Decimal(residual), Decimal(owed), items)
            for company, partner, due, residual, owed, items in self.env.cr.fetchall()
            if Decimal(residual) or Decimal(owed) or items
        }

    def _from_journal_items(self, partners):
        """The same, computed in Python from the ORM's journal items."""
        lines = self.env["account.move.line"].search(
            [
                ("partner_id", "child_of", partners.ids),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
            ]
        )
        totals = defaultdict(lambda: [Decimal(0), Decimal(0), 0])
        for line in lines:
            residual = Decimal(str(line.amount_residual))
            if not residual:
                continue
            key = (
                line.company_id.id,
                line.partner_id.commercial_partner_id.id,
                line.date_maturity or line.date,
            )
            totals[key][0] += residual
            totals[key][1] += max(residual, Decimal(0))
            totals[key][2] += 1 if residual > 0 else 0
        return {key: tuple(value) for key, value in totals.items() if any(value)}

    def assertLadderMatchesLedger(self, partners=None):
        partners = partners or (self.customer | self.other)
        expected = self._from_journal_items(partners)
        self.assertEqual(self._from_ladder(partners), expected)
        return expected


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestReceivableLadder(LadderCase):
    """The ladder the database keeps (open receivables by company, commercial partner and due
    date) always equals what the journal items say, whatever changes them: posting,
    payments, credit notes, unreconciling, resetting to draft, moving a contact to another
    company, changing an account's type, and it survives folding and rebuilding."""

    # ------------------------------------------------------------------
    # tests
    # ------------------------------------------------------------------
    def test_posting_payments_and_credit_notes(self):
        first = self._invoice(self.customer, "2024-05-01", "2024-05-31", 1_000.0)
        second = self._invoice(self.contact, "2024-06-01", "2024-07-01", 250.25)
        self._invoice(self.other, "2024-06-01", "2024-07-01", 99.99)
        expected = self.assertLadderMatchesLedger()
        company = self.company.id
        self.assertEqual(
            expected[(company, self.customer.id, second.invoice_date_due)],
            (Decimal("250.25"), Decimal("250.25"), 1),
            "a contact's invoice is the commercial partner's",
        )
        self._pay(first, "2024-06-10", amount=400.0)
        self.assertLadderMatchesLedger()
        self._credit_note(second, "2024-06-15", 50.25)
        expected = self.assertLadderMatchesLedger()
        self.assertEqual(
            expected[(company, self.customer.id, first.invoice_date_due)][0], Decimal("600.00")
        )
        self._pay(first, "2024-06-20")
        expected = self.assertLadderMatchesLedger()
        self.assertNotIn((company, self.customer.id, first.invoice_date_due), expected)

    def test_unmatched_items_are_negative_and_not_owed(self):
        refund = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": self.customer.id,
                "invoice_date": "2024-06-20",
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Return", "quantity": 1, "price_unit": 80.0, "tax_ids": []}
                    )
                ],
            }
        )
        refund.action_post()
        expected = self.assertLadderMatchesLedger()
        [(residual, owed, items)] = [
            value for key, value in expected.items() if key[1] == self.customer.id
        ]
        self.assertEqual((residual, owed, items), (Decimal("-80.00"), Decimal(0), 0))

    def test_unreconcile_reset_to_draft_and_cancel(self):
        invoice = self._invoice(self.customer, "2024-05-01", "2024-05-31", 700.0)
        payment = self._pay(invoice, "2024-06-10")
        self.assertEqual(self.assertLadderMatchesLedger(), {})
        invoice.line_ids.remove_move_reconcile()
        expected = self.assertLadderMatchesLedger()
        self.assertEqual(
            expected[(self.company.id, self.customer.id, invoice.invoice_date_due)],
            (Decimal("700.00"), Decimal("700.00"), 1),
        )
        payment.move_id.button_draft()
        payment.move_id.button_cancel()
        invoice.button_draft()
        self.assertEqual(self.assertLadderMatchesLedger(), {})
        invoice.action_post()
        self.assertLadderMatchesLedger()

    def test_foreign_currency_items_count_in_company_currency(self):
        invoice = self._invoice(
            self.customer, "2024-05-01", "2024-05-31", 1_000.0, currency=self.eur
        )
        expected = self.assertLadderMatchesLedger()
        self.assertEqual(
            expected[(self.company.id, self.customer.id, invoice.invoice_date_due)][0],
            Decimal("500.00"),
        )

    def _entry_for_contact(self, amount, due_date):
        """A miscellaneous entry with a receivable item on the contact itself (invoices put
        their receivable items on the commercial partner)."""
        entry = self.env["account.move"].create(
            {
                "move_type": "entry",
                "date": "2024-06-01",
                "line_ids": [
                    Command.create(
                        {
                            "account_id": self.receivable.id,
                            "partner_id": self.contact.id,
                            "debit": amount,
                            "date_maturity": due_date,
                        }
                    ),
                    Command.create(
                        {
                            "account_id": self.company_data["default_account_revenue"].id,
                            "credit": amount,
                        }
                    ),
                ],
            }
        )
        entry.action_post()
        return entry

    def test_contact_moving_to_another_company_takes_its_items(self):
        self._invoice(self.customer, "2024-05-01", "2024-05-31", 300.0)
        self._entry_for_contact(120.0, "2024-06-15")
        due = date(2024, 6, 15)
        self.assertIn((self.company.id, self.customer.id, due), self.assertLadderMatchesLedger())
        self.contact.parent_id = self.other
        expected = self.assertLadderMatchesLedger()
        self.assertEqual(
            expected[(self.company.id, self.other.id, due)],
            (Decimal("120.00"), Decimal("120.00"), 1),
        )
        self.assertNotIn((self.company.id, self.customer.id, due), expected)
        self.contact.parent_id = False  # its own commercial partner now
        expected = self.assertLadderMatchesLedger(self.customer | self.other | self.contact)
        self.assertEqual(expected[(self.company.id, self.contact.id, due)][0], Decimal("120.00"))
        self.assertNotIn((self.company.id, self.other.id, due), expected)

    def test_account_changing_type(self):
        invoice = self._invoice(self.customer, "2024-05-01", "2024-05-31", 300.0)
        self.receivable.account_type = "asset_current"
        self.assertEqual(self._from_ladder(self.customer), {})
        self.receivable.account_type = "asset_receivable"
        expected = self.assertLadderMatchesLedger()
        self.assertEqual(
            expected[(self.company.id, self.customer.id, invoice.invoice_date_due)][0],
            Decimal("300.00"),
        )

    def test_folding_and_rebuilding_keep_the_figures(self):
        invoices = [
            self._invoice(self.customer, "2024-05-01", "2024-05-31", amount)
            for amount in (100.0, 200.0, 300.0)
        ]
        self._pay(invoices[0], "2024-06-01", amount=30.0)
        self._pay(invoices[2], "2024-06-01")
        before = self.assertLadderMatchesLedger()
        self.env.cr.execute("SELECT COUNT(*) FROM credit_receivable_ladder")
        rows_before = self.env.cr.fetchone()[0]
        self.env["credit.receivable.ladder"]._compact()
        self.env.cr.execute(
            "SELECT COUNT(*) FROM credit_receivable_ladder WHERE partner_id = %s",
            [self.customer.id],
        )
        self.assertEqual(self.env.cr.fetchone()[0], 1, "one row for the one due date")
        self.env.cr.execute("SELECT COUNT(*) FROM credit_receivable_ladder")
        self.assertLess(self.env.cr.fetchone()[0], rows_before)
        self.assertEqual(self._from_ladder(self.customer | self.other), before)
        self.env["credit.receivable.ladder"]._rebuild()
        self.assertEqual(self._from_ladder(self.customer | self.other), before)
        self.assertEqual(
            before[(self.company.id, self.customer.id, invoices[0].invoice_date_due)],
            (Decimal("270.00"), Decimal("270.00"), 2),
        )

    def test_exposure_reads_the_ladder(self):
        """The exposure figures come from the ladder: a ladder row the ledger does not have
        shows in them (so the ladder is what is read), and a rebuild puts it right."""
        self._file(self.customer)
        self._invoice(self.customer, "2024-05-01", "2024-05-31", 1_000.0)
        pair = (self.company.id, self.customer.id)
        self.assertEqual(
            self.env["credit.exposure"]._exposure_by_partner([pair])[pair]["receivables"], 1_000.0
        )
        self.env.cr.execute(
            """INSERT INTO credit_receivable_ladder
                   (company_id, partner_id, due_date, residual, owed_residual, owed_items)
               VALUES (%s, %s, '2024-01-01', 5, 5, 1)""",
            list(pair),
        )
        exposure = self.env["credit.exposure"]._exposure_by_partner([pair])[pair]
        self.assertEqual(exposure["receivables"], 1_005.0)
        self.assertEqual(exposure["oldest_overdue_days"], 181)
        self.env["credit.receivable.ladder"]._rebuild()
        exposure = self.env["credit.exposure"]._exposure_by_partner([pair])[pair]
        self.assertEqual((exposure["receivables"], exposure["oldest_overdue_days"]), (1_000.0, 30))

    def test_uninstall_removes_the_triggers(self):
        """After the uninstall hook, Odoo's tables carry nothing of the addon: no trigger
        calls a function of a table that is gone, and journal items still post."""
        from odoo.addons.credit_management import uninstall_hook  # noqa: PLC0415

        uninstall_hook(self.env)
        self.env.cr.execute(
            """SELECT tgname FROM pg_trigger WHERE tgname LIKE 'credit_management%%'
               UNION ALL
               SELECT proname FROM pg_proc WHERE proname LIKE 'credit_management%%'
               UNION ALL
               SELECT relname FROM pg_class WHERE relname LIKE 'credit_receivable_ladder%%'"""
        )
        self.assertEqual(self.env.cr.fetchall(), [])
        invoice = self._invoice(self.customer, "2024-05-01", "2024-05-31", 10.0)
        self.assertEqual(invoice.state, "posted")


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestLadderStatements(LadderCase):
    """The journal items' triggers run once per SQL statement, on its old and new rows: one
    ladder row per (company, partner, due date) the statement changed, net, and none for a
    statement that changes nothing the ladder sums. Whatever one statement does to many
    items at once, the ladder still equals the ledger."""

    def _ladder_rows(self):
        self.env.flush_all()
        self.env.cr.execute("SELECT COUNT(*) FROM credit_receivable_ladder")
        return self.env.cr.fetchone()[0]

    def _open_items(self, invoices):
        return invoices.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )

    def _sql(self, query, params):
        self.env.flush_all()
        self.env.cr.execute(query, params)
        self.env.invalidate_all()

    def test_one_statement_adds_one_row_per_due_date_net(self):
        invoices = self.env["account.move"]
        for amount in (100.0, 200.0, 300.0):
            invoices |= self._invoice(self.customer, "2024-05-01", "2024-05-31", amount)
        invoices |= self._invoice(self.customer, "2024-05-01", "2024-07-31", 400.0)
        before = self._ladder_rows()
        self._sql(
            "UPDATE account_move_line SET amount_residual = amount_residual / 2 WHERE id = ANY(%s)",
            [self._open_items(invoices).ids],
        )
        self.assertEqual(self._ladder_rows() - before, 2, "one row per due date changed")
        expected = self.assertLadderMatchesLedger()
        self.assertEqual(
            expected[(self.company.id, self.customer.id, date(2024, 5, 31))],
            (Decimal("300.00"), Decimal("300.00"), 3),
        )

    def test_a_statement_changing_nothing_summed_adds_no_row(self):
        invoices = self._invoice(self.customer, "2024-05-01", "2024-05-31", 100.0)
        invoices |= self._invoice(self.customer, "2024-05-01", "2024-06-15", 50.0)
        before = self._ladder_rows()
        self._sql(
            "UPDATE account_move_line SET name = COALESCE(name, '') || ' (noted)' "
            "WHERE id = ANY(%s)",
            [invoices.line_ids.ids],
        )
        self.assertEqual(self._ladder_rows(), before)
        self.assertLadderMatchesLedger()

    def test_a_statement_moving_items_between_customers_and_dates(self):
        invoices = self._invoice(self.customer, "2024-05-01", "2024-05-31", 100.0)
        invoices |= self._invoice(self.contact, "2024-05-01", "2024-06-15", 70.0)
        items = self._open_items(invoices)
        self._sql(
            "UPDATE account_move_line SET partner_id = %s, date_maturity = '2024-08-01' "
            "WHERE id = ANY(%s)",
            [self.other.id, items.ids],
        )
        self.assertEqual(self._from_ladder(self.customer), {})
        expected = self.assertLadderMatchesLedger()
        self.assertEqual(
            expected[(self.company.id, self.other.id, date(2024, 8, 1))],
            (Decimal("170.00"), Decimal("170.00"), 2),
        )

    def test_a_statement_deleting_items(self):
        invoice = self._invoice(self.customer, "2024-05-01", "2024-05-31", 100.0)
        kept = self._invoice(self.customer, "2024-05-01", "2024-05-31", 40.0)
        self._sql(
            "DELETE FROM account_move_line WHERE id = ANY(%s)", [self._open_items(invoice).ids]
        )
        expected = self.assertLadderMatchesLedger()
        self.assertEqual(
            expected[(self.company.id, self.customer.id, kept.invoice_date_due)],
            (Decimal("40.00"), Decimal("40.00"), 1),
        )

    def test_random_bulk_statements_keep_the_ladder_equal_to_the_ledger(self):
        """Property: random UPDATE statements, each on a random set of receivable items at
        once (residual, sign, due date, customer, state, reconciled flag), keep the ladder
        equal to the ledger after every statement."""
        invoices = self.env["account.move"]
        for index, partner in enumerate([self.customer, self.contact, self.other] * 2):
            invoices |= self._invoice(
                partner, "2024-05-01", f"2024-0{5 + index % 3}-2{index}", 100.0 + index
            )
        items = self._open_items(invoices).ids
        partners = [self.customer.id, self.contact.id, self.other.id]
        assignments = {
            "residual": ("amount_residual = amount_residual * %s", st.sampled_from([-1, 0, 2])),
            "due": ("date_maturity = %s", st.dates(date(2024, 1, 1), date(2024, 12, 31))),
            "partner": ("partner_id = %s", st.sampled_from(partners)),
            "state": ("parent_state = %s", st.sampled_from(["posted", "draft", "cancel"])),
            "reconciled": ("reconciled = %s", st.booleans()),
        }

        @st.composite
        def statements(draw):
            chosen = draw(st.lists(st.sampled_from(items), min_size=1, unique=True))
            names = draw(st.lists(st.sampled_from(sorted(assignments)), min_size=1, unique=True))
            return chosen, [(assignments[n][0], draw(assignments[n][1])) for n in names]

        @settings(
            max_examples=25,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture],
            database=None,
        )
        @given(st.lists(statements(), min_size=1, max_size=4))
        def check(program):
            savepoint = self.env.cr.savepoint(flush=False)
            try:
                for chosen, sets in program:
                    self._sql(
                        "UPDATE account_move_line SET "
                        + ", ".join(expression for expression, _value in sets)
                        + " WHERE id = ANY(%s)",
                        [*(value for _expression, value in sets), chosen],
                    )
                    self.assertLadderMatchesLedger()
            finally:
                savepoint.close(rollback=True)
                self.env.invalidate_all()

        check()
