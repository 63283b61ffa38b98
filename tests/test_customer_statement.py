from datetime import date
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, new_test_user, tagged

from ..wizard import credit_statement_wizard as statement_wizard
from .common import CreditLedgerCommon

MAY = {"date_from": date(2024, 5, 1), "date_to": date(2024, 5, 31)}


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestCustomerStatement(CreditLedgerCommon):
    """A crafted ledger of Acme (and its contact Ann) in company A, company currency USD,
    statement of May 2024. EUR is worth 2.0 per USD until 2024-05-14, then 2.5.

    before May: INV1 2024-03-10 1,000.00 (Acme), paid 400.00 on 2024-04-15;
                INV2 2024-04-20 500.00 (billed to the contact Ann)
                -> opening balance 1,000 - 400 + 500 = 1,100.00
    in May:     05-05 credit note 200.00 on INV2               -> 900.00
                05-10 INV3 EUR 300.00 = 150.00 at 2.0           -> 1,050.00
                05-20 payment of INV3, EUR 300.00 = 120.00 at 2.5 -> 930.00
                05-31 exchange difference on INV3: 150 - 120 = 30.00 -> 650.00
                      (Odoo dates it at the end of the month of the reconciliation)
                05-25 payment of 250.00 on INV1                 -> 680.00
    after May:  06-05 INV4 700.00, 06-10 payment of INV1's last 350.00 (not on the statement)
    elsewhere:  a draft invoice of 77.00 in May; INV 999.00 in company B in May; another
                customer's invoice of 123.00 in May.
    Closing 650.00 = INV1 open 350.00 + INV2 open 300.00 (by hand).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.setup_other_currency("EUR", rates=[("2024-01-01", 2.0), ("2024-05-15", 2.5)])
        cls.company_b = cls.setup_other_company(name="Company B")["company"]
        cls.acme = cls._customer("Acme", email="ap@acme.example", user_id=cls.salesperson.id)
        cls.ann = cls.env["res.partner"].create(
            {"name": "Ann", "parent_id": cls.acme.id, "type": "contact"}
        )
        cls.other = cls._customer("Other Customer", email="other@example.com")

        cls.inv1 = cls._invoice(cls.acme, "2024-03-10", "2024-04-09", 1000.0)
        cls._pay(cls.inv1, "2024-04-15", amount=400.0)
        cls.inv2 = cls._invoice(cls.ann, "2024-04-20", "2024-05-20", 500.0)
        cls.refund = cls._credit_note(cls.inv2, "2024-05-05", 200.0)
        cls.inv3 = cls._invoice(cls.acme, "2024-05-10", "2024-06-09", 300.0, currency=cls.eur)
        cls.payment3 = cls._pay(cls.inv3, "2024-05-20")
        cls.payment1 = cls._pay(cls.inv1, "2024-05-25", amount=250.0)
        cls.inv4 = cls._invoice(cls.acme, "2024-06-05", "2024-07-05", 700.0)
        cls._pay(cls.inv1, "2024-06-10", amount=350.0)

        cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.acme.id,
                "invoice_date": "2024-05-15",
                "invoice_line_ids": [
                    Command.create({"name": "Draft", "quantity": 1, "price_unit": 77.0})
                ],
            }
        )
        cls._invoice(cls.acme, "2024-05-15", "2024-06-14", 999.0, company=cls.company_b)
        cls._invoice(cls.other, "2024-05-12", "2024-06-11", 123.0)

    # ------------------------------------------------------------------
    def _report(self, user=None):
        report = self.env["report.credit_management.report_customer_statement"]
        return report.with_user(user) if user else report

    def _statement(self, partner=None, company=None, user=None, **period):
        period = period or MAY
        company = company or self.company
        partner = partner or self.acme
        statements = self._report(user)._statements(
            partner, company, period["date_from"], period["date_to"]
        )
        return statements[partner.commercial_partner_id.id]

    def _wizard(self, user=None, **values):
        Wizard = self.env["credit.statement.wizard"]
        if user:
            Wizard = Wizard.with_user(user)
        return Wizard.create(
            {
                "period": "custom",
                "customer_scope": "selected",
                "partner_ids": [Command.set(self.acme.ids)],
                **MAY,
                **values,
            }
        )

    def _html(self, partners, user=None, **period):
        period = period or MAY
        options = {
            "company_id": self.company.id,
            "date_from": str(period["date_from"]),
            "date_to": str(period["date_to"]),
        }
        reports = self.env["ir.actions.report"]
        if user:
            reports = reports.with_user(user)
        html, _format = reports._render_qweb_html(
            "credit_management.report_customer_statement",
            partners.ids,
            data={"credit_statement": options},
        )
        return html.decode()

    # ------------------------------------------------------------------
    # balances
    # ------------------------------------------------------------------
    def test_opening_balance_is_what_was_owed_before_the_period(self):
        self.assertEqual(self._statement()["opening"], 1100.0)

    def test_movements_of_the_period_in_date_order_with_running_balance(self):
        lines = self._statement()["lines"]
        self.assertEqual(
            [
                (line["date"], line["kind"], line["debit"], line["credit"], line["balance"])
                for line in lines
            ],
            [
                (date(2024, 5, 5), "credit_note", 0.0, 200.0, 900.0),
                (date(2024, 5, 10), "invoice", 150.0, 0.0, 1050.0),
                (date(2024, 5, 20), "payment", 0.0, 120.0, 930.0),
                (date(2024, 5, 25), "payment", 0.0, 250.0, 680.0),
                (date(2024, 5, 31), "exchange", 0.0, 30.0, 650.0),
            ],
        )
        self.assertEqual(lines[0]["number"], self.refund.name)
        self.assertEqual(lines[1]["number"], self.inv3.name)
        self.assertEqual(lines[1]["due_date"], date(2024, 6, 9))

    def test_closing_balance_and_totals_of_the_period(self):
        statement = self._statement()
        self.assertEqual(statement["closing"], 650.0)
        self.assertEqual(statement["debit"], 150.0)
        self.assertEqual(statement["credit"], 600.0)
        self.assertEqual(statement["lines"][-1]["balance"], statement["closing"])

    def test_foreign_currency_items_show_the_document_amount(self):
        statement = self._statement()
        self.assertTrue(statement["show_currency"])
        by_kind = {line["kind"]: line for line in statement["lines"] if line["currency"]}
        self.assertEqual(by_kind["invoice"]["currency"], self.eur)
        self.assertEqual(by_kind["invoice"]["amount_currency"], 300.0)
        self.assertEqual(by_kind["payment"]["amount_currency"], -300.0)
        usd_lines = [line for line in statement["lines"] if line["kind"] == "credit_note"]
        self.assertFalse(usd_lines[0]["currency"])

    def test_a_contact_prints_its_companys_statement(self):
        statement = self._statement(partner=self.ann)
        self.assertEqual(statement["partner"], self.acme)
        self.assertEqual(statement["opening"], 1100.0)
        self.assertEqual(statement["closing"], 650.0)

    def test_period_after_everything_starts_with_the_closing_of_the_one_before(self):
        june = self._statement(date_from=date(2024, 6, 1), date_to=date(2024, 6, 30))
        self.assertEqual(june["opening"], 650.0)
        # + INV4 700.00 - last 350.00 of INV1
        self.assertEqual(june["closing"], 1000.0)
        self.assertEqual([line["balance"] for line in june["lines"]], [1350.0, 1000.0])
        self.assertFalse(june["show_currency"])

    def test_company_b_has_its_own_statement(self):
        statement = self._statement(company=self.company_b)
        self.assertEqual(statement["opening"], 0.0)
        self.assertEqual([line["debit"] for line in statement["lines"]], [999.0])
        self.assertEqual(statement["closing"], 999.0)

    def test_a_customer_without_items_has_an_empty_statement(self):
        nobody = self._customer("Nobody")
        statement = self._statement(partner=nobody)
        self.assertEqual(
            (statement["opening"], statement["closing"], statement["lines"]), (0.0, 0.0, [])
        )

    def test_customers_with_a_balance_or_movements(self):
        quiet = self._customer("Quiet Customer")
        paid_off = self._customer("Paid Off Before")
        self._paid_invoice(paid_off, "2024-01-02", 30, 10.0)
        report = self._report()
        customers = report._customers_with_activity(
            self.company, date(2024, 5, 1), date(2024, 5, 31)
        )
        self.assertIn(self.acme, customers)
        self.assertIn(self.other, customers)
        self.assertNotIn(quiet, customers)
        self.assertNotIn(paid_off, customers)
        self.assertNotIn(self.ann, customers)

    # ------------------------------------------------------------------
    # aging footer
    # ------------------------------------------------------------------
    def test_aging_footer_of_what_is_open_at_the_end_of_the_period(self):
        # on 2024-05-31: INV2 300.00 due 05-20 (11 days: 1-30), INV1 350.00 due 04-09
        # (52 days: 31-60); INV3 is paid
        aging = self._statement()["aging"]
        self.assertEqual(aging["bounds"], (30, 60, 90, 180, 365))
        self.assertEqual(aging["buckets"], [0.0, 300.0, 350.0, 0.0, 0.0, 0.0, 0.0])
        self.assertEqual(aging["total"], 650.0)

    def test_aging_footer_equals_the_aging_engine(self):
        for date_to in (date(2024, 4, 30), date(2024, 5, 31), date(2024, 6, 30)):
            statement = self._statement(date_from=date(2024, 4, 1), date_to=date_to)
            engine = self.env["credit.aging.engine"]._aging_by_partner(
                date_to, [self.company.id], partner_ids=self.acme.ids
            )[(self.company.id, self.acme.id)]
            self.assertEqual(statement["aging"]["buckets"], engine["buckets"])
            self.assertEqual(statement["aging"]["total"], engine["total"])
            self.assertEqual(statement["aging"]["total"], statement["closing"])

    def test_aging_footer_uses_the_companys_buckets(self):
        # on 2024-05-31: INV2 is 11 days overdue (11-45), INV1 52 days (over 45)
        self.company.credit_aging_bounds = "10,45"
        aging = self._statement()["aging"]
        self.assertEqual(aging["buckets"], [0.0, 0.0, 300.0, 350.0])
        html = self._html(self.acme)
        self.assertIn("<span>11–45</span>", html)
        self.assertIn("<span>&gt; 45</span>", html)

    def test_the_report_prints_the_aging_footer(self):
        html = self._html(self.acme)
        self.assertIn("<span>31–60</span>", html)
        self.assertIn("<span>&gt; 365</span>", html)
        self.assertIn("Not Due", html)
        self.assertIn("Open Items by Days Overdue", html)

    # ------------------------------------------------------------------
    # report
    # ------------------------------------------------------------------
    def test_the_report_shows_every_line_and_the_balances(self):
        html = self._html(self.acme)
        for number in (self.refund.name, self.inv3.name):
            self.assertIn(number, html)
        self.assertNotIn(self.inv4.name, html)
        self.assertIn("1,100.00", html)
        self.assertIn("650.00", html)
        self.assertIn("Customer Statement", html)
        self.assertIn("05/31/2024", html)

    def test_the_report_speaks_the_customers_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.acme.lang = "zh_CN"
        html = self._html(self.acme)
        self.assertIn("2024年05月31日", html)
        self.assertNotIn("05/31/2024", html)
        self.other.lang = "en_US"
        self.assertIn("05/31/2024", self._html(self.other))

    def test_the_report_refuses_a_period_ending_before_it_starts(self):
        with self.assertRaises(UserError):
            self._html(self.acme, date_from=date(2024, 5, 31), date_to=date(2024, 5, 1))

    # ------------------------------------------------------------------
    # wizard
    # ------------------------------------------------------------------
    def test_wizard_presets(self):
        wizard = self.env["credit.statement.wizard"].create({"period": "last_month"})
        self.assertEqual((wizard.date_from, wizard.date_to), (date(2024, 5, 1), date(2024, 5, 31)))
        wizard.period = "this_month"
        self.assertEqual((wizard.date_from, wizard.date_to), (date(2024, 6, 1), date(2024, 6, 30)))

    def test_wizard_starts_with_the_customers_selected_in_the_list(self):
        wizard = (
            self.env["credit.statement.wizard"]
            .with_context(active_model="res.partner", active_ids=[self.ann.id, self.other.id])
            .create({})
        )
        self.assertEqual(wizard.customer_scope, "selected")
        self.assertEqual(wizard.partner_ids, self.acme | self.other)

    def test_wizard_prints_the_pdf_with_the_period(self):
        self.company.external_report_layout_id = self.env.ref("web.external_layout_standard")
        action = self._wizard().action_print()
        self.assertEqual(action["report_name"], "credit_management.report_customer_statement")
        self.assertEqual(action["context"]["active_ids"], self.acme.ids)
        self.assertEqual(
            action["data"]["credit_statement"],
            {"company_id": self.company.id, "date_from": "2024-05-01", "date_to": "2024-05-31"},
        )

    def test_wizard_refuses_a_period_ending_before_it_starts(self):
        with self.assertRaises(UserError):
            self._wizard(date_from=date(2024, 5, 31), date_to=date(2024, 5, 1))

    # ------------------------------------------------------------------
    # access
    # ------------------------------------------------------------------
    def test_salesperson_prints_the_statement_of_own_customer(self):
        html = self._html(self.acme, user=self.salesperson)
        self.assertIn(self.inv3.name, html)

    def test_salesperson_cannot_print_other_customers(self):
        with self.assertRaises(AccessError):
            self._html(self.other, user=self.salesperson)
        with self.assertRaises(AccessError):
            self._wizard(
                user=self.salesperson, partner_ids=[Command.set(self.other.ids)]
            ).action_print()

    def test_salesperson_sees_the_customers_of_the_sales_team(self):
        mate = new_test_user(
            self.env, login="cm_team_mate", groups="sales_team.group_sale_salesman"
        )
        stranger = new_test_user(
            self.env, login="cm_stranger", groups="sales_team.group_sale_salesman"
        )
        self.env["crm.team"].create(
            {
                "name": "East",
                "member_ids": [Command.link(self.salesperson.id), Command.link(mate.id)],
            }
        )
        self.env["crm.team"].create({"name": "West", "member_ids": [Command.link(stranger.id)]})
        self.other.user_id = mate
        self.assertIn("123.00", self._html(self.other, user=self.salesperson))
        self.other.user_id = stranger
        with self.assertRaises(AccessError):
            self._html(self.other, user=self.salesperson)

    def test_salesperson_batch_covers_own_customers_only(self):
        customers = self._report(self.salesperson)._customers_with_activity(
            self.company, date(2024, 5, 1), date(2024, 5, 31)
        )
        self.assertEqual(customers, self.acme)

    def test_salesperson_prints_any_customer_when_the_company_allows(self):
        self.company.credit_aging_salespeople_see_all = True
        html = self._html(self.other, user=self.salesperson)
        self.assertIn("123.00", html)

    def test_accountant_prints_any_customer_with_the_aging_footer(self):
        accountant = new_test_user(
            self.env,
            login="cm_accountant",
            groups="credit_management.group_credit_user,account.group_account_user",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        statement = self._statement(partner=self.other, user=accountant)
        self.assertEqual(statement["closing"], 123.0)
        self.assertEqual(statement["aging"]["total"], 123.0)

    def test_officer_prints_any_customer(self):
        html = self._html(self.other, user=self.officer)
        self.assertIn("123.00", html)

    def test_no_statement_of_a_company_the_user_is_not_in(self):
        with self.assertRaises(AccessError):
            self._report(self.officer)._check_statement_access(self.acme, self.company_b)
        with self.assertRaises(AccessError):
            self._wizard(user=self.officer, company_id=self.company_b.id).action_print()

    def test_statement_menu_and_actions_are_for_credit_users(self):
        menu = self.env.ref("credit_management.menu_credit_statement")
        action = self.env.ref("credit_management.credit_statement_wizard_action")
        for user in (self.salesperson, self.credit_user, self.officer, self.manager):
            self.assertIn(menu.id, self.env["ir.ui.menu"].with_user(user)._visible_menu_ids())
        self.assertNotIn(
            menu.id, self.env["ir.ui.menu"].with_user(self.plain_employee)._visible_menu_ids()
        )
        self.assertEqual(action.binding_model_id.model, "res.partner")
        self.assertEqual(action.groups_id, self.env.ref("credit_management.group_credit_user"))

    def test_wizard_opened_from_a_credit_file_selects_its_customer(self):
        file = self._file(self.acme)
        wizard = (
            self.env["credit.statement.wizard"]
            .with_context(active_model="credit.file", active_ids=file.ids)
            .create({})
        )
        self.assertEqual(wizard.partner_ids, self.acme)

    def test_plain_employee_cannot_print_statements(self):
        with self.assertRaises(AccessError):
            self._report(self.plain_employee)._check_statement_access(self.acme, self.company)

    # ------------------------------------------------------------------
    # e-mail
    # ------------------------------------------------------------------
    def test_send_one_statement_through_the_composer(self):
        action = self._wizard().action_send()
        self.assertEqual(action["res_model"], "mail.compose.message")
        template = self.env.ref("credit_management.mail_template_customer_statement")
        composer = self.env["mail.compose.message"].with_context(**action["context"]).create({})
        self.assertEqual(composer.template_id, template)
        self.assertEqual(composer.partner_ids, self.acme)
        self.assertEqual(len(composer.attachment_ids), 1)
        content = composer.attachment_ids.raw.decode()
        self.assertIn(self.inv3.name, content)
        self.assertIn("650.00", content)
        composer._action_send_mail()
        message = self.acme.message_ids[0]
        self.assertEqual(message.attachment_ids.raw, composer.attachment_ids.raw)
        self.assertIn("statement of account", str(message.body))

    def test_the_composer_speaks_for_the_statements_company(self):
        self.env.user.company_ids |= self.company_b
        action = self._wizard(company_id=self.company_b.id).action_send()
        composer = self.env["mail.compose.message"].with_context(**action["context"]).create({})
        self.assertEqual(composer.subject, "Company B: Customer Statement")
        content = composer.attachment_ids.raw.decode()
        self.assertIn("999.00", content)
        self.assertNotIn(self.inv3.name, content)

    def test_batch_queues_one_mail_per_customer_and_lists_those_without_email(self):
        no_email = self._customer("No Mail Ltd")
        self._invoice(no_email, "2024-05-03", "2024-06-02", 42.0)
        wizard = self._wizard(customer_scope="active")
        action = wizard.action_send_batch()
        self.assertEqual(action["res_id"], wizard.id)
        self.assertEqual(wizard.state, "done")
        self.assertEqual(wizard.sent_count, 2)
        self.assertEqual(wizard.missing_email_partner_ids, no_email)
        mails = self.env["mail.mail"].search(
            [("model", "=", "res.partner"), ("res_id", "in", (self.acme | self.other).ids)]
        )
        self.assertEqual(sorted(mails.mapped("res_id")), sorted((self.acme | self.other).ids))
        self.assertEqual(set(mails.mapped("state")), {"outgoing"})
        for mail in mails:
            self.assertEqual(len(mail.attachment_ids), 1)
        acme_mail = mails.filtered(lambda mail: mail.res_id == self.acme.id)
        other_mail = mails.filtered(lambda mail: mail.res_id == self.other.id)
        self.assertIn(self.inv3.name, acme_mail.attachment_ids.raw.decode())
        self.assertNotIn(self.inv3.name, other_mail.attachment_ids.raw.decode())
        self.assertIn("123.00", other_mail.attachment_ids.raw.decode())
        self.assertIn(self.acme, acme_mail.recipient_ids)
        self.assertEqual(acme_mail.subject, f"{self.company.name}: Customer Statement")
        self.assertFalse(no_email.message_ids.filtered(lambda m: m.message_type == "comment"))
        self.assertTrue(self.acme.message_ids.filtered(lambda m: m.message_type == "comment"))

    def test_batch_in_small_chunks_gives_each_customer_its_own_statement(self):
        third = self._customer("Third Customer", email="third@example.com")
        self._invoice(third, "2024-05-07", "2024-06-06", 55.0)
        wizard = self._wizard(partner_ids=[Command.set((self.acme | self.other | third).ids)])
        with patch.object(statement_wizard, "SEND_CHUNK", 1):
            wizard.action_send_batch()
        self.assertEqual(wizard.sent_count, 3)
        for partner, amount in ((self.acme, "650.00"), (self.other, "123.00"), (third, "55.00")):
            mail = self.env["mail.mail"].search(
                [("model", "=", "res.partner"), ("res_id", "=", partner.id)]
            )
            self.assertEqual(len(mail), 1, partner.name)
            self.assertIn(amount, mail.attachment_ids.raw.decode())
            self.assertEqual(mail.attachment_ids.res_id, partner.id)

    def test_batch_mail_and_statement_in_the_customers_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.acme.lang = "zh_CN"
        self._wizard().action_send_batch()
        mail = self.env["mail.mail"].search(
            [("model", "=", "res.partner"), ("res_id", "=", self.acme.id)]
        )
        self.assertIn("2024年05月01日", str(mail.body_html))
        self.assertIn("2024年05月31日", mail.attachment_ids.raw.decode())

    def test_after_the_batch_the_customers_without_email_are_printed(self):
        no_email = self._customer("No Mail Ltd")
        self._invoice(no_email, "2024-05-03", "2024-06-02", 42.0)
        self.company.external_report_layout_id = self.env.ref("web.external_layout_standard")
        wizard = self._wizard(partner_ids=[Command.set((self.acme | no_email).ids)])
        wizard.action_send_batch()
        action = wizard.action_print()
        self.assertEqual(action["context"]["active_ids"], no_email.ids)

    def test_salesperson_sends_the_statements_of_own_customers_in_batch(self):
        wizard = self._wizard(user=self.salesperson, customer_scope="active")
        wizard.action_send_batch()
        self.assertEqual(wizard.sent_count, 1)
        mails = self.env["mail.mail"].search(
            [("model", "=", "res.partner"), ("res_id", "in", (self.acme | self.other).ids)]
        )
        self.assertEqual(mails.mapped("res_id"), self.acme.ids)
        self.assertEqual(
            self.acme.message_ids.filtered(lambda m: m.message_type == "comment").author_id,
            self.salesperson.partner_id,
        )

    def test_salesperson_cannot_send_other_customers_statements(self):
        wizard = self._wizard(user=self.salesperson, partner_ids=[Command.set(self.other.ids)])
        with self.assertRaises(AccessError):
            wizard.action_send_batch()
        with self.assertRaises(AccessError):
            wizard.action_send()
        self.assertFalse(
            self.env["mail.mail"].search(
                [("model", "=", "res.partner"), ("res_id", "=", self.other.id)]
            )
        )
