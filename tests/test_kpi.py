from datetime import date
from decimal import Decimal
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import freeze_time, new_test_user, tagged

from .common import CreditLedgerCommon

D = Decimal
START, END = date(2024, 4, 2), date(2024, 6, 30)
"""The default dashboard period on 2024-06-30: the last 90 days."""


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestKpi(CreditLedgerCommon):
    """Receivable KPIs on a crafted ledger, period 2024-04-02 .. 2024-06-30 (90 days).

    Acme:
    - I1 1,000.00 of 2024-03-15 due 2024-04-14, paid 2024-04-24 (40 days, 10 late);
    - I2 3,000.00 of 2024-04-10 due 2024-05-10, paid 2024-05-05 (25 days, 5 early);
    - I3 2,000.00 of 2024-05-20 due 2024-06-19, open (overdue);
    - I4 4,000.00 of 2024-06-15 due 2024-07-15, a 500.00 credit note of 2024-06-20
      matched: 3,500.00 open, not due.
    Bolt:
    - J1 1,500.00 of 2024-02-01 due 2024-03-02, classified doubtful and written off on
      2024-06-28;
    - J2 1,200 EUR of 2024-05-01 (= 600.00 at 2 EUR per unit) due 2024-05-31, paid
      2024-06-10 in EUR (40 days, 10 late).
    A vendor bill of 2,000.00 of 2024-05-01, unpaid. Acme owes 9,999.00 in company B.

    Credit sales = 3,000 + 2,000 + 4,000 - 500 + 600 = 9,100.00.
    Opening receivables (2024-04-01) = I1 1,000 (not due) + J1 1,500 = 2,500.00.
    Closing receivables = I3 2,000 + I4 3,500 = 5,500.00, of which 3,500.00 not yet due.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.setup_other_currency("EUR", rates=[("2023-01-01", 2.0)])
        cls.company_b = cls.setup_other_company(name="Company B")["company"]
        allowance = cls.env["account.account"].create(
            {"code": "112298", "name": "Allowance", "account_type": "asset_current"}
        )
        cls.company.write(
            {
                "credit_provision_journal_id": cls.company_data["default_journal_misc"].id,
                "credit_provision_expense_account_id": cls.company_data[
                    "default_account_expense"
                ].id,
                "credit_allowance_account_id": allowance.id,
            }
        )
        cls.acme, cls.bolt = cls._customer("Acme"), cls._customer("Bolt")
        i1 = cls._invoice(cls.acme, "2024-03-15", "2024-04-14", 1000.0)
        cls._pay(i1, "2024-04-24")
        i2 = cls._invoice(cls.acme, "2024-04-10", "2024-05-10", 3000.0)
        cls._pay(i2, "2024-05-05")
        cls._invoice(cls.acme, "2024-05-20", "2024-06-19", 2000.0)
        i4 = cls._invoice(cls.acme, "2024-06-15", "2024-07-15", 4000.0)
        cls._credit_note(i4, "2024-06-20", 500.0)
        j1 = cls._invoice(cls.bolt, "2024-02-01", "2024-03-02", 1500.0)
        j2 = cls._invoice(cls.bolt, "2024-05-01", "2024-05-31", 1200.0, currency=cls.eur)
        cls._pay(j2, "2024-06-10", amount=1200.0, currency=cls.eur)
        j1_line = j1.line_ids.filtered(lambda ml: ml.account_id.account_type == "asset_receivable")
        cls.env["credit.doubtful.wizard"].create(
            {"line_ids": j1_line.ids, "reason": "Gone"}
        ).action_confirm()
        cls.env["credit.write.off"].create(
            {"line_ids": j1_line.ids, "reason": "Gone", "date": "2024-06-28"}
        ).action_write_off()
        bill = cls.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": cls.bolt.id,
                "invoice_date": "2024-05-01",
                "date": "2024-05-01",
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Supplies", "quantity": 1, "price_unit": 2000.0, "tax_ids": []}
                    )
                ],
            }
        )
        bill.action_post()
        cls._invoice(cls.acme, "2024-05-01", "2024-05-31", 9999.0, company=cls.company_b)
        cls.accountant = new_test_user(
            cls.env,
            login="cm_kpi_accountant",
            groups="account.group_account_user",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )

    def _kpis(self, partner=None):
        result = self.env["credit.kpi"]._kpis(self.company.ids, START, END)
        return result[(self.company.id, partner.id if partner else None)]

    def test_inputs_from_the_ledger(self):
        kpis = self._kpis()
        self.assertEqual(kpis["credit_sales"], D("9100.00"))
        self.assertEqual(kpis["opening_ar"], D("2500.00"))
        self.assertEqual(kpis["closing_ar"], D("5500.00"))
        self.assertEqual(kpis["current_ar"], D("3500.00"))
        self.assertEqual(kpis["overdue_ar"], D("2000.00"))
        self.assertEqual(kpis["written_off"], D("1500.00"))

    def test_dso_best_dso_and_days_delinquent(self):
        kpis = self._kpis()
        # 5,500 / 9,100 x 90 = 54.3956; 3,500 / 9,100 x 90 = 34.6154; difference 19.7802
        self.assertEqual(round(kpis["dso"], 4), D("54.3956"))
        self.assertEqual(round(kpis["best_dso"], 4), D("34.6154"))
        self.assertEqual(round(kpis["add"], 4), D("19.7802"))

    def test_countback_dso_walks_back_through_the_months(self):
        # June sold 4,000 - 500 = 3,500 (30 days), AR left 2,000; May sold 2,000 + 600 =
        # 2,600: 2,000 / 2,600 x 31 = 23.8462; 30 + 23.8462 = 53.8462
        self.assertEqual(round(self._kpis()["countback_dso"], 4), D("53.8462"))

    def test_collection_effectiveness_index(self):
        # (2,500 + 9,100 - 5,500) / (2,500 + 9,100 - 3,500) x 100 = 6,100 / 8,100 x 100
        self.assertEqual(round(self._kpis()["cei"], 4), D("75.3086"))

    def test_overdue_and_bad_debt_ratios(self):
        kpis = self._kpis()
        # 2,000 / 5,500 x 100 = 36.3636; 1,500 / 9,100 x 100 = 16.4835
        self.assertEqual(round(kpis["overdue_ratio"], 4), D("36.3636"))
        self.assertEqual(round(kpis["bad_debt_ratio"], 4), D("16.4835"))

    def test_days_to_pay_leave_written_off_invoices_out(self):
        kpis = self._kpis()
        # paid in full in the period: I1 (1,000 x 40), I2 (3,000 x 25), J2 (600 x 40);
        # (40,000 + 75,000 + 24,000) / 4,600 = 30.2174
        self.assertEqual(round(kpis["days_to_pay"], 4), D("30.2174"))
        # late: (1,000 x 10 - 3,000 x 5 + 600 x 10) / 4,600 = 1,000 / 4,600 = 0.2174
        self.assertEqual(round(kpis["days_late"], 4), D("0.2174"))

    def test_payable_days_and_no_cash_cycle_without_inventory(self):
        kpis = self._kpis()
        # 2,000 payables / 2,000 bought x 90 days
        self.assertEqual(kpis["dpo"], D(90))
        self.assertIsNone(kpis["dio"])
        self.assertIsNone(kpis["ccc"])

    def test_per_customer(self):
        acme = self._kpis(self.acme)
        # sales 3,000 + 2,000 + 4,000 - 500 = 8,500; 5,500 / 8,500 x 90 = 58.2353
        self.assertEqual(acme["credit_sales"], D("8500.00"))
        self.assertEqual(round(acme["dso"], 4), D("58.2353"))
        # (1,000 x 40 + 3,000 x 25) / 4,000 = 28.75; (10,000 - 15,000) / 4,000 = -1.25
        self.assertEqual(acme["days_to_pay"], D("28.75"))
        self.assertEqual(acme["days_late"], D("-1.25"))
        bolt = self._kpis(self.bolt)
        # Bolt owes nothing: no overdue ratio, a DSO of 0
        self.assertEqual(bolt["closing_ar"], D(0))
        self.assertIsNone(bolt["overdue_ratio"])
        self.assertEqual(bolt["dso"], D(0))

    def test_the_dashboard_shows_the_company_kpis_of_the_last_90_days(self):
        dashboard = self.env["credit.kpi.dashboard"].with_user(self.accountant).create({})
        self.assertEqual((dashboard.date_from, dashboard.date_to), (START, END))
        self.assertEqual(dashboard.credit_sales, 9100.0)
        self.assertEqual(dashboard.closing_ar, 5500.0)
        self.assertEqual(dashboard.dso, "54.4")
        self.assertEqual(dashboard.cei, "75.3 %")
        self.assertEqual(dashboard.ccc, "n/a")

    def test_the_dashboard_of_an_empty_period_says_not_computable(self):
        dashboard = self.env["credit.kpi.dashboard"].create(
            {"date_from": "2020-01-01", "date_to": "2020-03-31"}
        )
        self.assertEqual(dashboard.credit_sales, 0.0)
        self.assertEqual(dashboard.dso, "n/a")
        self.assertEqual(dashboard.overdue_ratio, "n/a")

    def test_the_credit_file_shows_the_customer_kpis(self):
        file = self._file(self.acme)
        self.assertEqual(file.kpi_period_start, START)
        self.assertEqual(file.kpi_credit_sales, 8500.0)
        self.assertEqual(file.kpi_receivable, 5500.0)
        # shown to one decimal: 58.2353, 28.75, -1.25 and 36.3636 (see test_per_customer)
        self.assertEqual(file.kpi_dso, 58.2)
        self.assertEqual(file.kpi_days_to_pay, 28.8)
        self.assertEqual(file.kpi_days_late, -1.3)
        self.assertEqual(file.kpi_overdue_ratio, 36.4)

    def test_a_salesperson_sees_the_same_kpis_on_the_file(self):
        # Acme is nobody's customer; its file shows the whole ledger, as its exposure does
        file = self._file(self.acme).with_user(self.salesperson)
        self.assertEqual(file.kpi_receivable, 5500.0)
        self.assertEqual(file.kpi_dso, 58.2)

    def test_a_period_must_not_end_before_it_starts(self):
        with self.assertRaises(ValidationError):
            self.env["credit.kpi.dashboard"].create(
                {"date_from": "2024-06-30", "date_to": "2024-06-01"}
            )

    def test_company_b_has_its_own_kpis(self):
        self.env.user.company_ids |= self.company_b
        result = self.env["credit.kpi"]._kpis(self.company_b.ids, START, END)
        self.assertEqual(result[(self.company_b.id, None)]["credit_sales"], D("9999.00"))
        self.assertEqual(result[(self.company_b.id, None)]["closing_ar"], D("9999.00"))
        self.assertNotIn((self.company.id, None), result)

    def test_a_receivable_without_customer_counts_once_in_the_company_totals(self):
        # a miscellaneous entry of 300.00 on the receivable account without partner
        # (e.g. a reclassification), dated 2024-06-01: part of the closing receivables
        move = self.env["account.move"].create(
            {
                "move_type": "entry",
                "date": "2024-06-01",
                "journal_id": self.company_data["default_journal_misc"].id,
                "line_ids": [
                    Command.create(
                        {"name": "Reclass", "account_id": self.receivable.id, "balance": 300.0}
                    ),
                    Command.create(
                        {
                            "name": "Reclass",
                            "account_id": self.company_data["default_account_revenue"].id,
                            "balance": -300.0,
                        }
                    ),
                ],
            }
        )
        move.action_post()
        kpis = self._kpis()
        # 5,500.00 + 300.00, not 5,500.00 + 2 x 300.00
        self.assertEqual(kpis["closing_ar"], D("5800.00"))
        # due on 2024-06-01: overdue, 2,000.00 + 300.00
        self.assertEqual(kpis["overdue_ar"], D("2300.00"))

    # ------------------------------------------------------------------
    # inventory days: only with real-time (perpetual) stock valuation
    # ------------------------------------------------------------------
    def _stock_account(self):
        return self.env["account.account"].create(
            {"code": "140099", "name": "Stock valuation", "account_type": "asset_current"}
        )

    def _entry(self, entry_date, debit_account, credit_account, amount):
        move = self.env["account.move"].create(
            {
                "move_type": "entry",
                "date": entry_date,
                "journal_id": self.company_data["default_journal_misc"].id,
                "line_ids": [
                    Command.create(
                        {"name": "Stock", "account_id": debit_account.id, "balance": amount}
                    ),
                    Command.create(
                        {"name": "Stock", "account_id": credit_account.id, "balance": -amount}
                    ),
                ],
            }
        )
        move.action_post()

    def test_no_inventory_days_when_no_category_is_valued_in_real_time(self):
        # this database has no stock_account: no category is in real-time valuation, so
        # the cost of goods sold booked (periodic valuation) gives no inventory days
        cogs = self.company_data["default_account_expense"].copy(
            {"code": "640099", "account_type": "expense_direct_cost"}
        )
        self._entry("2024-06-01", cogs, self.company_data["default_account_revenue"], 900.0)
        self.assertFalse(self.env["credit.kpi"]._valued_stock_accounts(self.company))
        kpis = self._kpis()
        self.assertIsNone(kpis["dio"])
        self.assertIsNone(kpis["ccc"])

    def test_inventory_days_with_real_time_valuation(self):
        stock = self._stock_account()
        cogs = self.company_data["default_account_expense"].copy(
            {"code": "640098", "account_type": "expense_direct_cost"}
        )
        payable = self.company_data["default_account_payable"]
        self._entry("2024-05-01", stock, payable, 3000.0)  # goods bought
        self._entry("2024-06-01", cogs, stock, 2000.0)  # goods sold
        with patch.object(
            type(self.env["credit.kpi"]), "_valued_stock_accounts", return_value=stock
        ):
            kpis = self._kpis()
        # stock 1,000.00 / COGS 2,000.00 x 90 days = 45
        self.assertEqual(kpis["dio"], D(45))
        self.assertIsNotNone(kpis["ccc"])

    def test_no_inventory_days_when_nothing_is_booked(self):
        stock = self._stock_account()
        with patch.object(
            type(self.env["credit.kpi"]), "_valued_stock_accounts", return_value=stock
        ):
            kpis = self._kpis()
        self.assertIsNone(kpis["dio"])
