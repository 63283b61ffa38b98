from datetime import date

from psycopg2.errors import UniqueViolation

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from .common import CreditLedgerCommon


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestReceivableCase(CreditLedgerCommon):
    """Overdue cases (拖欠款 / 呆坏账) opened, escalated and closed from the ledger.

    Today is 2024-06-30; the company writes plans within 7 days, supervises 30 days and
    calls an item doubtful from its 180th day overdue. Open items:
    - Acme (salesperson: cm_salesperson): 1,000.00 due 2024-06-10 (20 days overdue);
    - Bolt: 2,000.00 due 2023-12-01 (212 days overdue);
    - Cato: 500.00 due 2024-07-15 (not due);
    - Dove: 800.00 due 2024-06-01, paid on 2024-06-20 (nothing open).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {"credit_plan_days": 7, "credit_supervision_days": 30, "credit_doubtful_days": 180}
        )
        cls.acme = cls._customer("Acme", user_id=cls.salesperson.id)
        cls.bolt = cls._customer("Bolt")
        cls.cato = cls._customer("Cato")
        cls.dove = cls._customer("Dove")
        cls.acme_invoice = cls._invoice(cls.acme, "2024-05-11", "2024-06-10", 1000.0)
        cls.bolt_invoice = cls._invoice(cls.bolt, "2023-11-01", "2023-12-01", 2000.0)
        cls._invoice(cls.cato, "2024-06-15", "2024-07-15", 500.0)
        dove_invoice = cls._invoice(cls.dove, "2024-05-02", "2024-06-01", 800.0)
        cls._pay(dove_invoice, "2024-06-20")
        cls.Case = cls.env["credit.receivable.case"]

    def _update(self):
        self.Case._update_cases(self.company)

    def _case(self, partner, states=("overdue", "doubtful", "legal")):
        return self.Case.search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", self.company.id),
                ("state", "in", states),
            ]
        )

    def test_the_daily_job_opens_a_case_for_each_overdue_customer(self):
        self._update()
        acme, bolt = self._case(self.acme), self._case(self.bolt)
        self.assertEqual(acme.state, "overdue")
        self.assertEqual(acme.overdue_amount, 1000.0)
        self.assertEqual(acme.max_days_overdue, 20)
        # 2023-12-01 to 2024-06-30: 31 + 31 + 29 + 31 + 30 + 31 + 29 = 212 days
        self.assertEqual(bolt.max_days_overdue, 212)
        self.assertFalse(self._case(self.cato))
        self.assertFalse(self._case(self.dove))

    def test_the_case_asks_the_salesperson_for_a_plan_within_the_deadline(self):
        self._update()
        case = self._case(self.acme)
        self.assertEqual(case.user_id, self.salesperson)
        self.assertEqual(case.officer_id, self.officer)
        self.assertEqual(case.opened_on, date(2024, 6, 30))
        self.assertEqual(case.plan_due_date, date(2024, 7, 7))
        self.assertEqual(case.supervision_end, date(2024, 7, 30))
        activity = case.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.salesperson)
        self.assertEqual(activity.date_deadline, date(2024, 7, 7))

    def test_past_the_threshold_the_case_is_doubtful_and_the_officer_is_told(self):
        self._update()
        case = self._case(self.bolt)
        self.assertEqual(case.state, "doubtful")
        self.assertIn("212", case.doubtful_reason)
        self.assertIn(self.officer, case.activity_ids.user_id)

    def test_the_threshold_is_a_company_setting(self):
        self.company.credit_doubtful_days = 20
        self._update()
        self.assertEqual(self._case(self.acme).state, "doubtful")
        self.company.credit_doubtful_days = 0  # officer decision only
        self._update()
        self.assertEqual(self._case(self.bolt).state, "doubtful")  # already escalated

    def test_a_zero_threshold_leaves_old_debts_overdue(self):
        self.company.credit_doubtful_days = 0
        self._update()
        self.assertEqual(self._case(self.bolt).state, "overdue")

    def test_running_the_job_twice_changes_nothing(self):
        self._update()
        cases = self._case(self.acme) | self._case(self.bolt)
        messages = cases.message_ids
        activities = cases.activity_ids
        self._update()
        self.Case.sudo()._cron_update_cases()
        again = self._case(self.acme) | self._case(self.bolt)
        self.assertEqual(again, cases)
        self.assertEqual(again.message_ids, messages)
        self.assertEqual(again.activity_ids, activities)
        self.assertEqual(
            self.Case.search_count(
                [("company_id", "=", self.company.id), ("partner_id", "in", self.acme.ids)]
            ),
            1,
        )

    def test_one_open_case_per_customer_and_company(self):
        self._update()
        with self.assertRaises(UniqueViolation), mute_logger("odoo.sql_db"), self.cr.savepoint():
            self.Case.create({"partner_id": self.acme.id, "company_id": self.company.id})

    def test_the_case_closes_when_the_customer_has_paid(self):
        self._update()
        case = self._case(self.acme)
        self._pay(self.acme_invoice, "2024-06-30")
        self._update()
        self.assertEqual(case.state, "closed")
        self.assertEqual(case.closed_on, date(2024, 6, 30))
        self.assertFalse(case.activity_ids)
        # a new overdue item later opens a new case
        self._invoice(self.acme, "2024-05-01", "2024-06-01", 300.0)
        self._update()
        self.assertNotEqual(self._case(self.acme), case)
        self.assertEqual(self._case(self.acme).overdue_amount, 300.0)

    def test_the_salesperson_hands_in_cause_and_plan(self):
        self._update()
        case = self._case(self.acme).with_user(self.salesperson)
        with self.assertRaises(UserError):
            case.action_submit_plan()
        case.write({"cause": "Customer's cash tied in stock", "plan": "Visit on 3 July"})
        case.action_submit_plan()
        self.assertEqual(case.plan_submitted_on, date(2024, 6, 30))
        # the salesperson's to-do is done; the officer supervises until the end
        self.assertEqual(case.activity_ids.user_id, self.officer)
        self.assertEqual(case.activity_ids.date_deadline, date(2024, 7, 30))

    def test_the_salesperson_cannot_decide_the_case(self):
        self._update()
        case = self._case(self.acme).with_user(self.salesperson)
        with self.assertRaises(AccessError):
            case.write({"state": "closed"})
        with self.assertRaises(AccessError):
            case.action_close()
        with self.assertRaises(AccessError):
            case.action_mark_doubtful()
        self.assertEqual(case.state, "overdue")

    def test_another_salesperson_cannot_write_the_plan(self):
        self._update()
        case = self._case(self.acme).with_user(self.credit_user)
        with self.assertRaises(AccessError):
            case.write({"plan": "Not mine"})

    def test_an_officer_classifies_a_customer_doubtful_with_a_reason(self):
        self._update()
        case = self._case(self.acme)
        wizard = (
            self.env["credit.doubtful.wizard"]
            .with_user(self.officer)
            .create({"case_id": case.id, "reason": "Customer filed for bankruptcy"})
        )
        wizard.action_confirm()
        self.assertEqual(case.state, "doubtful")
        self.assertEqual(case.doubtful_reason, "Customer filed for bankruptcy")
        self.assertIn("Customer filed for bankruptcy", case.message_ids[0].body)
        case.with_user(self.officer).action_send_to_legal()
        self.assertEqual(case.state, "legal")
        self.assertEqual(case.legal_on, date(2024, 6, 30))

    def test_a_case_doubtful_by_age_can_be_classified_doubtful_by_an_officer(self):
        self._update()
        case = self._case(self.bolt)
        self.assertEqual(case.state, "doubtful")
        self.assertFalse(case.doubtful_by_officer)
        self.assertFalse(self.Case._doubtful_partner_ids(self.company))
        self.env["credit.doubtful.wizard"].with_user(self.officer).create(
            {"case_id": case.id, "reason": "Customer vanished"}
        ).action_confirm()
        self.assertEqual(case.state, "doubtful")
        self.assertTrue(case.doubtful_by_officer)
        self.assertEqual(case.doubtful_reason, "Customer vanished")
        self.assertEqual(
            self.Case._doubtful_partner_ids(self.company), {self.company.id: {self.bolt.id}}
        )

    def test_an_officer_classifies_one_item_doubtful(self):
        line = self.acme_invoice.line_ids.filtered(
            lambda ml: ml.account_id.account_type == "asset_receivable"
        )
        self.env["credit.doubtful.wizard"].with_user(self.officer).with_context(
            active_model="account.move.line", active_ids=line.ids
        ).create({"reason": "Disputed delivery"}).action_confirm()
        self.assertTrue(line.credit_doubtful)
        self.assertEqual(line.credit_doubtful_reason, "Disputed delivery")
        self.assertIn("Disputed delivery", self.acme_invoice.message_ids[0].body)
        self.assertEqual(self._case(self.acme).state, "doubtful")

    def test_a_salesperson_cannot_classify_items(self):
        line = self.acme_invoice.line_ids.filtered(
            lambda ml: ml.account_id.account_type == "asset_receivable"
        )
        with self.assertRaises(AccessError):
            self.env["credit.doubtful.wizard"].with_user(self.salesperson).create(
                {"line_ids": line.ids, "reason": "x"}
            ).action_confirm()
        self.assertFalse(line.credit_doubtful)

    def test_a_plan_not_written_in_time_shows_late(self):
        self._update()
        case = self._case(self.acme)
        self.assertFalse(case.plan_late)
        with freeze_time("2024-07-08"):
            case.invalidate_recordset(["plan_late"])
            self.assertTrue(case.plan_late)

    # ------------------------------------------------------------------
    # who sees what
    # ------------------------------------------------------------------
    def _visible(self, user):
        return self.Case.with_user(user).search([("company_id", "=", self.company.id)]).partner_id

    def test_salespeople_see_the_cases_of_their_customers_only(self):
        self._update()
        self.assertEqual(self._visible(self.salesperson), self.acme)
        self.assertFalse(self._visible(self.credit_user))
        self.assertEqual(self._visible(self.officer), self.acme | self.bolt)

    def test_salespeople_see_all_cases_when_the_company_allows_it(self):
        self._update()
        self.company.credit_aging_salespeople_see_all = True
        self.assertEqual(self._visible(self.credit_user), self.acme | self.bolt)

    def test_cases_stay_in_their_company(self):
        company_b = self.setup_other_company(name="Company B")["company"]
        self._invoice(self.cato, "2024-01-01", "2024-01-31", 700.0, company=company_b)
        self.Case._update_cases(company_b)
        case_b = self.Case.search([("company_id", "=", company_b.id)])
        self.assertEqual(case_b.partner_id, self.cato)
        # Cato is not overdue in company A, and company A's officer does not see company B
        self.Case._update_cases(self.company)
        self.assertFalse(self._case(self.cato))
        self.assertFalse(self.Case.with_user(self.officer).search([("id", "=", case_b.id)]))

    def test_receivable_menus_by_role(self):
        accountant = self.env["res.users"].create(
            {
                "name": "Accountant",
                "login": "cm_case_accountant",
                "groups_id": [
                    Command.set(
                        [
                            self.env.ref("account.group_account_user").id,
                            self.env.ref("credit_management.group_credit_user").id,
                        ]
                    )
                ],
            }
        )
        ref = self.env.ref
        cases = ref("credit_management.menu_credit_receivable_case").id
        kpis = ref("credit_management.menu_credit_kpi_dashboard").id
        provisions = ref("credit_management.menu_credit_provision").id

        def visible(user):
            return self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()

        self.assertIn(cases, visible(self.salesperson))
        self.assertNotIn(kpis, visible(self.salesperson))
        self.assertNotIn(provisions, visible(self.salesperson))
        self.assertIn(kpis, visible(self.officer))
        self.assertNotIn(provisions, visible(self.officer))
        self.assertIn(provisions, visible(accountant))
        self.assertIn(kpis, visible(accountant))
