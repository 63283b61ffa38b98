from datetime import date

from odoo import Command
from odoo.tests import freeze_time, new_test_user, tagged
from odoo.tools import SQL

from .common import CreditOrderCommon

NOT_DUE, B1_30, B31_60, B61_90, B91_180, B181_365, OVER_365 = range(7)


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestAgingEngine(CreditOrderCommon):
    """Open receivables as of any date, to the cent, on a ledger built by hand (company
    currency USD; EUR at 2.0 per USD from 2024-01-01 and 2.5 from 2024-04-01).

    Customer "Ledger":
    - A: invoice of 1,000.00 on 2024-03-01 due 2024-03-31, paid 300.00 on 2024-04-15 and
      200.25 on 2024-06-10: 1,000.00 open until 04-15, 700.00 until 06-10, then 499.75;
    - B: invoice of 800.00 on 2024-06-01 due 2024-07-01, credit note of 200.40 on 2024-06-20
      matched against it: 599.60 from 06-20 on (not due on 06-30);
    - a credit note of 150.25 on 2024-06-20 matched against nothing: -150.25 (Odoo makes it
      due on the day it is entered, 2024-06-30);
    - a payment of 400.00 on 2024-06-25 matched against nothing: -400.00;
    - C: invoice of 100.00 on 2024-06-29 due 2024-07-29;
    - D: invoice of 250.00 on 2023-05-01 due 2023-05-31, paid on 2024-01-10;
    - E: invoice of 90.00 on 2023-01-15 due 2023-02-14, never paid (502 days on 06-30);
    - F: invoice of 50.00 to a contact of Ledger on 2024-06-10 due 2024-06-20.
    Customer "Euro": invoice of EUR 1,234.56 on 2024-02-01 (rate 2.0: 617.28) due
    2024-03-02; EUR 400.10 paid on 2024-05-01 (rate 2.5: 160.04). The paid part was worth
    400.10 / 2 = 200.05 when invoiced: an exchange difference of 40.01 closes it, and
    617.28 - 200.05 = 417.23 (EUR 834.46) stays open.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.engine = cls.env["credit.aging.engine"]
        cls.eur = cls.setup_other_currency("EUR", rates=[("2024-01-01", 2.0), ("2024-04-01", 2.5)])
        cls.ledger = cls._customer("Ledger")
        cls.contact = cls.env["res.partner"].create(
            {"name": "Ledger's accountant", "parent_id": cls.ledger.id, "type": "invoice"}
        )
        cls.inv_a = cls._invoice(cls.ledger, "2024-03-01", "2024-03-31", 1_000.0)
        cls._pay(cls.inv_a, "2024-04-15", amount=300.0)
        cls._pay(cls.inv_a, "2024-06-10", amount=200.25)
        cls.inv_b = cls._invoice(cls.ledger, "2024-06-01", "2024-07-01", 800.0)
        cls._credit_note(cls.inv_b, "2024-06-20", 200.40)
        cls.refund = cls._refund(cls.ledger, "2024-06-20", 150.25)
        cls.unapplied = cls._unapplied_payment(cls.ledger, "2024-06-25", 400.0)
        cls.inv_c = cls._invoice(cls.ledger, "2024-06-29", "2024-07-29", 100.0)
        cls.inv_d = cls._invoice(cls.ledger, "2023-05-01", "2023-05-31", 250.0)
        cls._pay(cls.inv_d, "2024-01-10")
        cls.inv_e = cls._invoice(cls.ledger, "2023-01-15", "2023-02-14", 90.0)
        cls.inv_f = cls._invoice(cls.contact, "2024-06-10", "2024-06-20", 50.0)
        cls.euro = cls._customer("Euro")
        cls.inv_eur = cls._invoice(cls.euro, "2024-02-01", "2024-03-02", 1_234.56, currency=cls.eur)
        cls._pay(cls.inv_eur, "2024-05-01", amount=400.10)

    # ------------------------------------------------------------------
    def _items(self, as_of, **kwargs):
        return self.engine._open_items(as_of, self.company.ids, **kwargs)

    def _by_move(self, as_of, **kwargs):
        return {item["move_id"]: item for item in self._items(as_of, **kwargs)}

    @staticmethod
    def _buckets(**amounts):
        buckets = [0.0] * 7
        for index, amount in amounts.items():
            buckets[int(index.removeprefix("b"))] = amount
        return buckets

    # ------------------------------------------------------------------
    def test_open_items_today_to_the_cent(self):
        items = self._by_move(date(2024, 6, 30))
        expected = {
            self.inv_a.id: (499.75, 91),
            self.inv_b.id: (599.60, -1),
            self.refund.id: (-150.25, 0),
            self.unapplied.move_id.id: (-400.00, 5),
            self.inv_c.id: (100.00, -29),
            self.inv_e.id: (90.00, 502),
            self.inv_f.id: (50.00, 10),
            self.inv_eur.id: (417.23, 120),
        }
        self.assertEqual(
            {move: (item["residual"], item["days"]) for move, item in items.items()}, expected
        )
        self.assertEqual(items[self.inv_eur.id]["residual_currency"], 834.46)
        self.assertEqual(items[self.inv_eur.id]["currency_id"], self.eur.id)
        self.assertEqual(items[self.inv_a.id]["due_date"], date(2024, 3, 31))
        self.assertEqual(items[self.inv_a.id]["move_name"], self.inv_a.name)
        self.assertEqual(items[self.inv_a.id]["move_type"], "out_invoice")
        self.assertEqual(items[self.refund.id]["move_type"], "out_refund")
        self.assertEqual(items[self.inv_a.id]["account_id"], self.receivable.id)

    def test_today_equals_the_stored_residuals(self):
        """As of today the engine says what Odoo's own residuals say, line by line."""
        lines = self.env["account.move.line"].search(
            [
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("amount_residual", "!=", 0),
                ("company_id", "=", self.company.id),
            ]
        )
        items = self._items(date(2024, 6, 30))
        self.assertEqual(
            {item["line_id"]: item["residual"] for item in items},
            {line.id: line.amount_residual for line in lines},
        )

    def test_the_ledger_as_it_stands_is_every_unsettled_item_at_its_stored_residual(self):
        """``as_of=None``, what dunning, overdue cases, the worklist and the payment
        behaviour read: every item not settled, with its stored residual and due date
        (Odoo books the contact's invoice on the customer)."""
        rows = self.env.execute_query(
            SQL(
                "SELECT items.move_id, items.partner_id, items.residual, items.due_date"
                "  FROM (%s) items",
                self.engine._open_items_sql(None, self.company.ids),
            )
        )
        ledger, euro = self.ledger.id, self.euro.id
        self.assertEqual(
            {move: (partner, float(residual), due) for move, partner, residual, due in rows},
            {
                self.inv_a.id: (ledger, 499.75, date(2024, 3, 31)),
                self.inv_b.id: (ledger, 599.60, date(2024, 7, 1)),
                self.refund.id: (ledger, -150.25, date(2024, 6, 30)),
                self.unapplied.move_id.id: (ledger, -400.00, date(2024, 6, 25)),
                self.inv_c.id: (ledger, 100.00, date(2024, 7, 29)),
                self.inv_e.id: (ledger, 90.00, date(2023, 2, 14)),
                self.inv_f.id: (ledger, 50.00, date(2024, 6, 20)),
                self.inv_eur.id: (euro, 417.23, date(2024, 3, 2)),
            },
        )

    def test_the_contacts_items_belong_to_the_commercial_partner(self):
        items = self._by_move(date(2024, 6, 30))
        self.assertEqual(items[self.inv_f.id]["partner_id"], self.ledger.id)

    def test_payments_and_credit_notes_after_as_of_are_ignored(self):
        items = self._by_move(date(2024, 5, 31))
        self.assertEqual(items[self.inv_a.id]["residual"], 700.00)  # 200.25 paid on 06-10
        self.assertEqual(items[self.inv_a.id]["days"], 61)
        items = self._by_move(date(2024, 4, 14))
        self.assertEqual(items[self.inv_a.id]["residual"], 1_000.00)
        items = self._by_move(date(2024, 6, 19))
        self.assertEqual(items[self.inv_b.id]["residual"], 800.00)  # credit note on 06-20
        self.assertNotIn(self.refund.id, items)

    def test_items_dated_after_as_of_are_ignored(self):
        items = self._by_move(date(2024, 6, 24))
        self.assertNotIn(self.inv_c.id, items)
        self.assertNotIn(self.unapplied.move_id.id, items)
        self.assertIn(self.inv_b.id, items)

    def test_an_invoice_paid_since_is_open_as_of_before_its_payment(self):
        items = self._by_move(date(2023, 12, 31))
        self.assertEqual(items[self.inv_d.id]["residual"], 250.00)
        self.assertEqual(items[self.inv_d.id]["days"], 214)
        self.assertNotIn(self.inv_d.id, self._by_move(date(2024, 1, 10)))

    def test_foreign_currency_before_the_partial_payment_and_its_exchange_difference(self):
        items = self._by_move(date(2024, 4, 30))
        self.assertEqual(items[self.inv_eur.id]["residual"], 617.28)
        self.assertEqual(items[self.inv_eur.id]["residual_currency"], 1_234.56)
        euro = [item for item in items.values() if item["partner_id"] == self.euro.id]
        self.assertEqual(len(euro), 1, "nothing but the invoice is open before the payment")

    def test_foreign_currency_partial_payment_leaves_the_invoice_rate_residual(self):
        items = self._items(date(2024, 6, 30), partner_ids=self.euro.ids)
        # the payment and the exchange difference are closed: only the invoice is open
        self.assertEqual([item["move_id"] for item in items], self.inv_eur.ids)
        self.assertEqual(items[0]["residual"], 417.23)
        exchange = self.inv_eur.line_ids.matched_credit_ids.exchange_move_id
        self.assertTrue(exchange, "the payment made an exchange difference entry")

    def test_aging_by_partner_today(self):
        aging = self.engine._aging_by_partner(date(2024, 6, 30), self.company.ids)
        self.assertEqual(
            aging[(self.company.id, self.ledger.id)],
            {
                # 599.60 + 100.00 - 150.25 | -400.00 + 50.00 | 499.75 | 90.00
                "total": 789.10,
                "buckets": self._buckets(b0=549.35, b1=-350.00, b4=499.75, b6=90.00),
            },
        )
        self.assertEqual(
            aging[(self.company.id, self.euro.id)],
            {"total": 417.23, "buckets": self._buckets(b4=417.23)},
        )

    def test_aging_by_partner_as_of_a_past_date(self):
        aging = self.engine._aging_by_partner(date(2024, 5, 31), self.company.ids)
        # A 700.00 (61 days), E 90.00 (472 days), EUR 417.23 (90 days)
        self.assertEqual(
            aging[(self.company.id, self.ledger.id)],
            {"total": 790.00, "buckets": self._buckets(b3=700.00, b6=90.00)},
        )
        self.assertEqual(aging[(self.company.id, self.euro.id)]["buckets"][B61_90], 417.23)

    def test_aging_by_invoice_date(self):
        aging = self.engine._aging_by_partner(date(2024, 6, 30), self.company.ids, basis="invoice")
        # A (03-01) 121 days, B (06-01) 29, refund (06-20) 10, payment (06-25) 5, C (06-29) 1,
        # E (2023-01-15) 532, F (06-10) 20
        self.assertEqual(
            aging[(self.company.id, self.ledger.id)]["buckets"],
            self._buckets(b1=199.35, b4=499.75, b6=90.00),  # 599.60 - 150.25 - 400 + 100 + 50,
        )

    def test_configurable_buckets(self):
        aging = self.engine._aging_by_partner(date(2024, 6, 30), self.company.ids, bounds=(15, 120))
        self.assertEqual(
            aging[(self.company.id, self.ledger.id)]["buckets"],
            [549.35, -350.00, 499.75, 90.00],  # not due, 1-15, 16-120, over 120
        )

    def test_the_aggregate_equals_the_open_items(self):
        for as_of in (date(2024, 6, 30), date(2024, 5, 31), date(2023, 12, 31)):
            aging = self.engine._aging_by_partner(as_of, self.company.ids)
            totals = {}
            for item in self._items(as_of):
                key = (item["company_id"], item["partner_id"])
                totals[key] = round(totals.get(key, 0.0) + item["residual"], 2)
            self.assertEqual({key: value["total"] for key, value in aging.items()}, totals)

    def test_filters(self):
        as_of = date(2024, 6, 30)
        self.assertEqual(
            set(self.engine._aging_by_partner(as_of, self.company.ids, partner_ids=self.euro.ids)),
            {(self.company.id, self.euro.id)},
        )
        self.ledger.user_id = self.salesperson
        self.assertEqual(
            set(
                self.engine._aging_by_partner(
                    as_of, self.company.ids, salesperson_ids=self.salesperson.ids
                )
            ),
            {(self.company.id, self.ledger.id)},
        )
        self._file(self.euro, grade_id=self.grade["BB"].id)
        self.assertEqual(
            set(
                self.engine._aging_by_partner(
                    as_of, self.company.ids, grade_ids=self.grade["BB"].ids
                )
            ),
            {(self.company.id, self.euro.id)},
        )
        other_receivable = self.env["account.account"].create(
            {
                "name": "Other receivables",
                "code": "121099",
                "account_type": "asset_receivable",
                "reconcile": True,
            }
        )
        self.assertEqual(
            self.engine._aging_by_partner(
                as_of, self.company.ids, account_ids=other_receivable.ids
            ),
            {},
        )
        self.assertEqual(
            len(self._items(as_of, account_ids=self.receivable.ids)), len(self._items(as_of))
        )

    def test_the_engine_adds_its_index(self):
        self.env.cr.execute(
            "SELECT 1 FROM pg_indexes WHERE indexname = 'credit_management_apr_max_date_idx'"
        )
        self.assertTrue(self.env.cr.fetchone())


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestAgingEngineAccess(CreditOrderCommon):
    """Who sees which receivables: companies, and salespeople's own customers and teams."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.engine = cls.env["credit.aging.engine"]
        cls.company_b = cls.setup_other_company(name="Company B")["company"]

        def salesperson(login):
            return new_test_user(
                cls.env,
                login=login,
                groups="sales_team.group_sale_salesman",
                company_id=cls.company.id,
                company_ids=[Command.set(cls.company.ids)],
            )

        cls.sales_a1 = salesperson("cm_sales_a1")
        cls.sales_a2 = salesperson("cm_sales_a2")
        cls.sales_b1 = salesperson("cm_sales_b1")
        Team = cls.env["crm.team"]
        cls.team_a = Team.create(
            {"name": "Team A", "member_ids": [Command.set((cls.sales_a1 | cls.sales_a2).ids)]}
        )
        cls.team_b = Team.create({"name": "Team B", "member_ids": [Command.set(cls.sales_b1.ids)]})
        cls.alpha = cls._customer("Alpha", user_id=cls.sales_a2.id)
        cls.beta = cls._customer("Beta", user_id=cls.sales_b1.id)
        cls.gamma = cls._customer("Gamma")
        for partner in cls.alpha | cls.beta | cls.gamma:
            cls._invoice(partner, "2024-06-01", "2024-06-30", 100.0)
        cls.officer_ab = new_test_user(
            cls.env,
            login="cm_officer_ab",
            groups="credit_management.group_credit_officer",
            company_id=cls.company.id,
            company_ids=[Command.set((cls.company | cls.company_b).ids)],
        )
        cls.delta_b = cls._customer("Delta B")
        cls._invoice(cls.delta_b, "2024-06-01", "2024-06-30", 300.0, company=cls.company_b)

    def _partners(self, user, companies=None, **context):
        env = self.env(user=user, context=dict(self.env.context, **context))
        aging = env["credit.aging.engine"]._aging_by_partner(
            date(2024, 6, 30), (companies or self.company).ids
        )
        return {partner for _company, partner in aging}

    def test_a_salesperson_sees_own_and_team_customers_only(self):
        self.assertEqual(self._partners(self.sales_a1), {self.alpha.id})
        self.assertEqual(self._partners(self.sales_b1), {self.beta.id})
        items = self.env(user=self.sales_a1)["credit.aging.engine"]._open_items(
            date(2024, 6, 30), self.company.ids
        )
        self.assertEqual({item["partner_id"] for item in items}, {self.alpha.id})

    def test_the_team_leader_sees_the_team(self):
        leader = new_test_user(self.env, login="cm_leader", groups="sales_team.group_sale_salesman")
        self.team_b.user_id = leader
        self.assertEqual(self._partners(leader), {self.beta.id})

    def test_the_company_may_let_salespeople_see_all(self):
        self.company.credit_aging_salespeople_see_all = True
        self.assertEqual(
            self._partners(self.sales_a1), {self.alpha.id, self.beta.id, self.gamma.id}
        )

    def test_officers_see_all_customers(self):
        self.assertEqual(self._partners(self.officer), {self.alpha.id, self.beta.id, self.gamma.id})

    def test_multi_company_amounts_stay_in_their_company(self):
        both = self.company | self.company_b
        aging = self.env(user=self.officer_ab)["credit.aging.engine"]._aging_by_partner(
            date(2024, 6, 30), both.ids
        )
        self.assertEqual(aging[(self.company_b.id, self.delta_b.id)]["total"], 300.0)
        self.assertEqual(aging[(self.company.id, self.alpha.id)]["total"], 100.0)
        self.assertNotIn((self.company.id, self.delta_b.id), aging)

    def test_companies_outside_the_users_are_not_read(self):
        both = self.company | self.company_b
        self.assertNotIn(self.delta_b.id, self._partners(self.officer, companies=both))
        # an officer of both companies, working in company A only
        self.assertNotIn(
            self.delta_b.id,
            self._partners(self.officer_ab, companies=both, allowed_company_ids=self.company.ids),
        )
        self.assertIn(self.delta_b.id, self._partners(self.officer_ab, companies=both))
