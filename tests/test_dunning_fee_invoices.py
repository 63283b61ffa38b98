from unittest import mock

from psycopg2.errors import UniqueViolation

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from ..models.credit_decision_mixin import audit_writer
from .dunning_common import DAY, DunningCommon, days


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestDunningFeeInvoices(DunningCommon):
    """Levels that invoice their fees: one posted customer invoice per communication sent,
    never twice, taken back with a dispute, and no fee on fees."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # 1 USD = 2 EUR: an invoice of EUR 2,469.12 is USD 1,234.56 in the books
        cls.eur = cls.setup_other_currency("EUR", rates=[("2024-01-01", 2.0)])
        cls.acme = cls._debtor("Acme")
        # go straight to the overdue levels: the first and the letter level skippable
        cls.level[15].skippable = True
        cls.level[30].skippable = True
        cls.level[30].invoice_fees = True
        cls.level[60].invoice_fees = True
        cls.fee_product = cls.env.ref("credit_management.product_dunning_fee")
        cls.interest_product = cls.env.ref("credit_management.product_dunning_interest")

    def _fee_invoices(self, partner=None):
        return self.env["account.move"].search(
            [
                ("credit_dunning_communication_id", "!=", False),
                ("partner_id", "=", (partner or self.acme).id),
            ]
        )

    def _dispute(self, communication, reason="Goods never delivered"):
        self.env["credit.dunning.dispute"].with_user(self.officer).with_context(
            active_model="credit.dunning.communication", active_ids=communication.ids
        ).create({"reason": reason}).action_confirm()

    def _income_account(self, product):
        return product.product_tmpl_id.with_company(self.company)._get_product_accounts()["income"]

    # --- invoicing ------------------------------------------------------------------------

    def test_the_letter_fee_is_invoiced_when_the_letter_is_sent(self):
        self._invoice(self.acme, days(-90), days(-35), 2469.12, currency=self.eur)
        run = self._run(DAY)
        comm = self._communications(run, self.acme)
        self.assertEqual(comm.level_id, self.level[30])
        self.assertFalse(comm.fee_invoice_id, "nothing is charged by a preview")
        self.assertFalse(self._fee_invoices())
        self._send_all(run)
        invoice = comm.fee_invoice_id
        self.assertEqual(comm.state, "sent")
        self.assertEqual(invoice, self._fee_invoices())
        self.assertEqual(invoice.credit_dunning_communication_id, comm)
        self.assertEqual(invoice.move_type, "out_invoice")
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.partner_id, self.acme)
        self.assertEqual(invoice.company_id, self.company)
        # the customer owes EUR, the fee is in the communication's (company) currency
        self.assertEqual(invoice.currency_id, comm.currency_id)
        self.assertEqual(invoice.currency_id, self.currency)
        self.assertEqual(invoice.invoice_line_ids.product_id, self.fee_product)
        self.assertEqual(invoice.amount_untaxed, 50.0)
        self.assertEqual(invoice.amount_tax, 0.0)
        self.assertEqual(invoice.amount_total, 50.0)
        self.assertEqual(
            invoice.invoice_line_ids.account_id, self._income_account(self.fee_product)
        )
        self.assertEqual(invoice.invoice_line_ids.account_id.account_type, "income")
        self.assertEqual(comm.action_view_fee_invoice()["res_id"], invoice.id)

    def test_penalty_interest_on_foreign_currency_items_is_invoiced_to_the_cent(self):
        # EUR 2,469.12 = USD 1,234.56, 61 days overdue: 1,234.56 x 0.05 % x 61 = 37.65408
        # EUR 4,000.02 = USD 2,000.01, 75 days overdue: 2,000.01 x 0.05 % x 75 = 75.000375
        # together 112.654455 -> USD 112.65
        self._invoice(self.acme, days(-90), days(-61), 2469.12, currency=self.eur)
        self._invoice(self.acme, days(-100), days(-75), 4000.02, currency=self.eur)
        comm = self._communications(self._run(DAY, send=True), self.acme)
        self.assertEqual(comm.level_id, self.level[60])
        self.assertEqual(comm.amount_due, 3234.57)
        invoice = comm.fee_invoice_id
        self.assertEqual(invoice.currency_id, self.currency)
        self.assertEqual(invoice.invoice_line_ids.product_id, self.interest_product)
        self.assertEqual(invoice.amount_total, 112.65)
        self.assertEqual(invoice.amount_residual, 112.65)
        receivable = invoice.line_ids.filtered(lambda line: line.account_id == self.receivable)
        self.assertEqual(receivable.balance, 112.65)

    def test_a_level_without_the_option_invoices_nothing(self):
        self.level[30].invoice_fees = False
        self._invoice(self.acme, days(-90), days(-35), 1000.0)
        comm = self._communications(self._run(DAY, send=True), self.acme)
        self.assertEqual(comm.state, "sent")
        self.assertEqual(comm.fee_amount, 50.0)  # shown on the letter, not charged
        self.assertFalse(comm.fee_invoice_id)
        self.assertFalse(self._fee_invoices())

    def test_the_products_of_the_company_and_of_the_level_are_used(self):
        company_fee = self.env["product.product"].create(
            {"name": "Reminder charge", "type": "service", "taxes_id": [(6, 0, [])]}
        )
        self.company.credit_dunning_fee_product_id = company_fee
        self._invoice(self.acme, days(-90), days(-35), 1000.0)
        comm = self._communications(self._run(DAY, send=True), self.acme)
        self.assertEqual(comm.fee_invoice_id.invoice_line_ids.product_id, company_fee)
        level_fee = self.env["product.product"].create({"name": "Letter charge", "type": "service"})
        self.level[30].fee_product_id = level_fee
        self.assertEqual(self.level[30]._fee_products(self.company)[0], level_fee)

    # --- never twice ---------------------------------------------------------------------

    def test_a_rerun_and_a_resend_invoice_the_fees_once(self):
        self._invoice(self.acme, days(-90), days(-35), 1000.0)
        run = self._run(DAY, send=True)
        comm = self._communications(run, self.acme)
        invoice = comm.fee_invoice_id
        self.assertTrue(invoice)
        # the daily job again the same day, then the runs of the following days
        self.env["credit.dunning.run"]._cron_compute_daily()
        for later in (1, 2, 6):
            with freeze_time(days(later)):
                self._run(days(later), send=True)
        # sending again: the button skips what was sent; the sending itself, called on
        # the sent communication anyway, finds the invoice under the row lock
        comm.with_user(self.officer).action_send_now()
        comm.sudo().with_context(credit_dunning_no_documents=True)._send_chunk()
        self.assertEqual(comm.state, "sent")
        self.assertEqual(comm.sudo()._invoice_fees(), invoice)
        self.assertEqual(comm.fee_invoice_id, invoice)
        self.assertEqual(self._fee_invoices(), invoice)

    def test_a_stale_communication_of_the_same_level_and_items_is_not_invoiced_again(self):
        self._invoice(self.acme, days(-90), days(-35), 1000.0)
        Communication = type(self.env["credit.dunning.communication"])
        with mock.patch.object(
            Communication, "_apply_sanctions", side_effect=RuntimeError("printer on fire")
        ):
            stale = self._communications(self._run(DAY, send=True), self.acme)
        self.assertEqual(stale.state, "failed")
        with freeze_time(days(1)):
            fresh = self._communications(self._run(days(1), send=True), self.acme)
        self.assertEqual(fresh.level_id, stale.level_id)
        self.assertEqual(fresh.line_ids.move_line_id, stale.line_ids.move_line_id)
        invoice = fresh.fee_invoice_id
        self.assertEqual(invoice.amount_total, 50.0)
        # the officer sends the failed one too: refused, the items were dunned already
        with freeze_time(days(1)):
            stale.with_user(self.officer).action_send_now()
        self.assertEqual(stale.state, "failed")
        self.assertIn("invoiced already", stale.failure_reason)
        self.assertFalse(stale.fee_invoice_id)
        self.assertEqual(self._fee_invoices(), invoice)
        state = self.env["credit.dunning.item.state"].search(
            [("move_line_id", "in", fresh.line_ids.move_line_id.ids)]
        )
        self.assertEqual(state.communication_id, fresh)

    def test_a_batch_lost_with_its_worker_loses_its_invoices_and_resumes_once(self):
        partners = [self._debtor(f"Debtor {i}") for i in range(5)]
        for partner in partners:
            self._invoice(partner, days(-90), days(-35), 100.0)
        run = self._run(DAY)
        comms = run.communication_ids
        run.with_user(self.officer).action_send()
        run.with_context(credit_dunning_no_documents=True)._send_batch(limit=2)
        self.assertEqual(len(comms.fee_invoice_id), 2)
        original = type(self.env["credit.dunning.communication"])._send_safely
        calls = []

        def crash_on_the_second(comm, rendered=None):
            calls.append(comm.id)
            if len(calls) == 2:
                raise RuntimeError("worker killed")
            return original(comm, rendered)

        with (
            mock.patch.object(
                type(self.env["credit.dunning.communication"]), "_send_safely", crash_on_the_second
            ),
            self.assertRaises(RuntimeError),
            self.env.cr.savepoint(),
        ):
            run.with_context(credit_dunning_no_documents=True)._send_batch(limit=2)
        # the first communication of the lost batch was sent and invoiced in it: both gone
        self.assertEqual(len(comms.filtered(lambda c: c.state == "sent")), 2)
        self.assertEqual(len(comms.fee_invoice_id), 2)
        while run.state == "sending":
            run.with_context(credit_dunning_no_documents=True)._send_batch(limit=2)
        self.assertEqual(set(comms.mapped("state")), {"sent"})
        for comm in comms:
            invoices = self.env["account.move"].search(
                [("credit_dunning_communication_id", "=", comm.id)]
            )
            self.assertEqual(invoices, comm.fee_invoice_id)
            self.assertEqual(invoices.amount_total, 50.0)

    def test_the_database_refuses_a_second_invoice_for_a_communication(self):
        self._invoice(self.acme, days(-90), days(-35), 1000.0)
        comm = self._communications(self._run(DAY, send=True), self.acme)
        self.assertTrue(comm.fee_invoice_id)
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(UniqueViolation),
            self.env.cr.savepoint(),
            audit_writer(self.env),
        ):
            comm.fee_invoice_id.sudo().copy({"credit_dunning_communication_id": comm.id})
            self.env.flush_all()

    def test_an_invoice_cannot_be_linked_to_a_communication_by_hand(self):
        self._invoice(self.acme, days(-90), days(-35), 1000.0)
        comm = self._communications(self._run(DAY), self.acme)
        other = self._invoice(self.acme, days(-5), days(25), 10.0)
        with self.assertRaises(AccessError):
            other.write({"credit_dunning_communication_id": comm.id})
        with self.assertRaises(AccessError):
            comm.sudo().write({"fee_invoice_id": other.id})
        self.assertFalse(other.credit_dunning_communication_id)
        self.assertFalse(comm.fee_invoice_id)

    # --- failure and dispute -------------------------------------------------------------

    def test_a_failed_sending_leaves_no_invoice(self):
        self._invoice(self.acme, days(-90), days(-35), 1000.0)
        run = self._run(DAY)
        comm = self._communications(run, self.acme)
        Communication = type(self.env["credit.dunning.communication"])
        with mock.patch.object(
            Communication, "_apply_sanctions", side_effect=RuntimeError("printer on fire")
        ):
            self._send_all(run)
        self.assertEqual(comm.state, "failed")
        self.assertIn("printer on fire", comm.failure_reason)
        self.assertFalse(comm.fee_invoice_id)
        self.assertFalse(self._fee_invoices())
        # sent again once the trouble is gone: invoiced once
        comm.with_user(self.officer).with_context(
            credit_dunning_no_documents=True
        ).action_send_now()
        self.assertEqual(comm.state, "sent")
        self.assertEqual(self._fee_invoices(), comm.fee_invoice_id)
        self.assertEqual(comm.fee_invoice_id.amount_total, 50.0)

    def test_an_email_that_cannot_go_out_charges_nothing(self):
        nomail = self._debtor("No Mail", email=False)
        self.level[15].write(
            {"skippable": False, "fee_type": "fixed", "fee_amount": 20.0, "invoice_fees": True}
        )
        self._invoice(nomail, days(-90), days(-20), 1000.0)
        comm = self._communications(self._run(DAY, send=True), nomail)
        self.assertEqual(comm.level_id, self.level[15])
        self.assertEqual(comm.state, "failed")
        self.assertIn("no e-mail address", comm.failure_reason)
        self.assertFalse(self._fee_invoices(nomail))

    def test_disputing_the_items_cancels_the_unpaid_fee_invoice(self):
        self._invoice(self.acme, days(-90), days(-35), 1000.0)
        comm = self._communications(self._run(DAY, send=True), self.acme)
        invoice = comm.fee_invoice_id
        self._dispute(comm)
        self.assertEqual(invoice.state, "cancel")
        self.assertEqual(comm.state, "sent")
        self.assertEqual(comm.fee_invoice_id, invoice)
        self.assertIn("Goods never delivered", comm.message_ids[0].body)
        self.assertFalse(self.env["account.move"].search([("reversed_entry_id", "=", invoice.id)]))

    def test_disputing_the_items_reverses_a_fee_invoice_already_paid(self):
        self._invoice(self.acme, days(-90), days(-35), 1000.0)
        comm = self._communications(self._run(DAY, send=True), self.acme)
        invoice = comm.fee_invoice_id
        payment = self._pay(invoice, days(2), amount=20.0)
        self._dispute(comm)
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.payment_state, "reversed")
        refund = self.env["account.move"].search([("reversed_entry_id", "=", invoice.id)])
        self.assertEqual(refund.move_type, "out_refund")
        self.assertEqual(refund.state, "posted")
        self.assertEqual(refund.amount_total, 50.0)
        self.assertFalse(refund.credit_dunning_communication_id)
        self.assertEqual(invoice.amount_residual, 0.0)
        # the 20 paid is the customer's credit now: an unapplied payment
        paid = payment.move_id.line_ids.filtered(lambda line: line.account_id == self.receivable)
        self.assertEqual(paid.amount_residual, -20.0)

    def test_a_dispute_on_other_items_leaves_the_fees_alone(self):
        self._invoice(self.acme, days(-90), days(-35), 1000.0)
        comm = self._communications(self._run(DAY, send=True), self.acme)
        other = self._invoice(self.acme, days(-5), days(25), 300.0)
        self.env["credit.dunning.dispute"].with_user(self.officer).with_context(
            active_model="account.move", active_ids=other.ids
        ).create({"reason": "Wrong price"}).action_confirm()
        self.assertEqual(comm.fee_invoice_id.state, "posted")

    # --- no fee on fees ------------------------------------------------------------------

    def test_a_fee_invoice_is_dunned_but_bears_no_interest(self):
        self._invoice(self.acme, days(-90), days(-35), 1000.0)
        letter = self._communications(self._run(DAY, send=True), self.acme)
        fee_invoice = letter.fee_invoice_id
        self.assertEqual(fee_invoice.invoice_date_due, DAY)
        # 70 days later the invoice is 105 days overdue and the fee 70: both reach the
        # phone call (level 60) together. Interest on the invoice only:
        # 1,000 x 0.05 % x 105 = 52.50 (not + 50 x 0.05 % x 70 = 1.75 on the fee)
        with freeze_time(days(70)):
            call = self._communications(self._run(days(70), send=True), self.acme)
        self.assertEqual(call.level_id, self.level[60])
        self.assertEqual(call.line_ids.move_id, letter.line_ids.move_id | fee_invoice)
        fee_line = call.line_ids.filtered(lambda line: line.move_id == fee_invoice)
        self.assertEqual(fee_line.interest_days, 0)
        self.assertEqual(call.amount_due, 1050.0)
        self.assertEqual(call.interest_amount, 52.5)
        self.assertEqual(call.fee_invoice_id.amount_total, 52.5)
        self.assertEqual(self._fee_invoices(), fee_invoice | call.fee_invoice_id)

    def test_a_reminder_of_fees_alone_carries_no_fee(self):
        invoice = self._invoice(self.acme, days(-90), days(-35), 1000.0)
        letter = self._communications(self._run(DAY, send=True), self.acme)
        self._pay(invoice, days(1))
        # 35 days later only the fee of 50 is open, and reaches the letter level
        with freeze_time(days(35)):
            reminder = self._communications(self._run(days(35), send=True), self.acme)
        self.assertEqual(reminder.level_id, self.level[30])
        self.assertEqual(reminder.line_ids.move_id, letter.fee_invoice_id)
        self.assertEqual(reminder.fee_amount, 0.0)
        self.assertEqual(reminder.total_amount, 50.0)
        self.assertEqual(reminder.state, "sent")
        self.assertFalse(reminder.fee_invoice_id)
        self.assertEqual(self._fee_invoices(), letter.fee_invoice_id)

    # --- bad input -----------------------------------------------------------------------

    def test_negative_fees_are_refused_and_nothing_is_written(self):
        for values in ({"fee_amount": -50.0}, {"interest_rate": -0.05}, {"fee_min": -1.0}):
            with self.subTest(values=values), self.assertRaises(ValidationError):
                self.level[30].write({**values, "invoice_fees": False})
            self.level[30].invalidate_recordset()
            self.assertEqual(self.level[30].fee_amount, 50.0)
            self.assertTrue(self.level[30].invoice_fees)
            self.assertEqual(self.level[60].interest_rate, 0.05)

    def test_fees_are_invoiced_only_with_service_products(self):
        goods = self.env["product.product"].create({"name": "Widget", "type": "consu"})
        with self.assertRaises(ValidationError):
            self.level[30].fee_product_id = goods
        with self.assertRaises(ValidationError):
            self.company.credit_dunning_interest_product_id = goods
        self.level[30].invalidate_recordset()
        self.company.invalidate_recordset()
        self.assertFalse(self.level[30].fee_product_id)
        self.assertFalse(self.company.credit_dunning_interest_product_id)
