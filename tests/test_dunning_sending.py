from unittest import mock

from odoo.exceptions import UserError
from odoo.tests import freeze_time, tagged

from .dunning_common import DAY, DunningCommon, days


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestDunningSending(DunningCommon):
    """Sending a run: queued e-mails with the level's template and attachments, letters in
    the customer's language, activities for calls and visits, the collection log, the
    sanctions, and batches that resume after an interruption without duplicates."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acme = cls._debtor("Acme")
        cls.company.partner_id.bank_ids = [
            (0, 0, {"acc_number": "CN12 3456 7890 1234", "partner_id": cls.company.partner_id.id})
        ]

    def _comm(self, due_in, amount=1000.0, partner=None):
        partner = partner or self.acme
        invoice = self._invoice(partner, days(-90), days(due_in), amount)
        run = self._run(DAY)
        return run, self._communications(run, partner), invoice

    def _send(self, run):
        run.with_user(self.officer).action_send()
        while run.state == "sending":
            run._send_batch(limit=2)

    def _mails(self, comm):
        return self.env["mail.mail"].search(
            [("model", "=", comm._name), ("res_id", "in", comm.ids)]
        )

    def test_an_overdue_email_is_queued_with_the_template_and_the_invoices(self):
        run, comm, invoice = self._comm(-20)
        self.assertEqual(comm.level_id, self.level[15])
        self._send(run)
        mail = self._mails(comm)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.state, "outgoing")  # queued, not sent synchronously
        self.assertEqual(comm.mail_id, mail)
        self.assertEqual(mail.recipient_ids, self.acme)
        self.assertIn("overdue invoices", mail.subject)
        self.assertIn(invoice.name, mail.body_html)
        self.assertEqual(len(mail.attachment_ids), 1)
        self.assertIn(invoice.name.replace("/", "_"), mail.attachment_ids.name)
        self.assertEqual(comm.state, "sent")
        self.assertEqual(run.state, "done")

    def test_a_reminder_before_due_uses_its_own_template_and_attaches_nothing(self):
        run, comm, _invoice = self._comm(5)
        self._send(run)
        mail = self._mails(comm)
        self.assertIn("invoices due soon", mail.subject)
        self.assertFalse(mail.attachment_ids)

    def test_a_letter_level_attaches_the_letter_to_the_email(self):
        self.level[15].letter_report_id = self.letter
        run, comm, _invoice = self._comm(-20)
        self._send(run)
        mail = self._mails(comm)
        self.assertEqual(len(mail.attachment_ids), 2)
        self.assertIn(comm.letter_attachment_id, mail.attachment_ids)

    def test_the_letter_shows_items_fees_and_payment_details(self):
        self.level[15].skippable = True
        invoice = self._invoice(self.acme, days(-90), days(-35), 1234.56)
        comm = self._communications(self._run(DAY), self.acme)
        self.assertEqual(comm.level_id, self.level[30])
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(self.letter.report_name, comm.ids)[0]
            .decode()
        )
        self.assertIn(invoice.name, html)
        self.assertIn("1,234.56", html)
        self.assertIn("50.00", html)  # the fee
        self.assertIn("1,284.56", html)  # total to pay
        self.assertIn("CN12 3456 7890 1234", html)
        self.assertIn("Overdue payment reminder", html)

    def test_the_letter_speaks_the_customers_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.acme.lang = "zh_CN"
        self.level[15].skippable = True
        self._invoice(self.acme, days(-90), days(-35), 100.0)
        comm = self._communications(self._run(DAY), self.acme)
        self.env["ir.qweb"].invalidate_model()
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(self.letter.report_name, comm.ids)[0]
            .decode()
        )
        # the run's date in the customer's language format (zh_CN: %Y年%m月%d日)
        lang = self.env["res.lang"]._lang_get("zh_CN")
        self.assertIn(DAY.strftime(lang.date_format), html)
        self.assertNotIn("06/30/2024", html)

    def test_sending_a_letter_renders_it_and_logs_the_contact(self):
        self.level[15].skippable = True
        run, comm, _invoice = self._comm(-35)
        self.assertEqual(comm.channel, "letter")
        self._send(run)
        self.assertTrue(comm.letter_attachment_id)
        self.assertEqual(comm.letter_attachment_id.res_id, comm.id)
        self.assertFalse(self._mails(comm))
        log = comm.log_ids
        self.assertEqual(len(log), 1)
        self.assertEqual(log.channel, "letter")
        self.assertEqual(log.partner_id, self.acme)
        self.assertEqual(log.collector_id, self.officer)
        self.assertIn("50.00", log.content)

    def test_sent_emails_are_logged(self):
        run, comm, _invoice = self._comm(-20)
        self._send(run)
        self.assertEqual(comm.log_ids.channel, "email")
        self.assertEqual(comm.log_ids.file_id, self.env["credit.file"])

    def test_a_phone_level_gives_the_collector_an_activity_and_puts_the_customer_on_hold(self):
        self.level[15].skippable = True
        self.level[30].skippable = True
        file = self._file(self.acme)
        run, comm, _invoice = self._comm(-61)
        self.assertEqual(comm.channel, "phone")
        self._send(run)
        activity = comm.activity_ids
        self.assertEqual(activity.user_id, self.officer)
        self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_call"))
        self.assertTrue(file.on_hold)
        self.assertIn("Phone", file.hold_reason)
        self.assertFalse(file.stop_deliveries)
        self.assertFalse(comm.log_ids)  # the call itself is logged by the collector
        activity.with_user(self.officer).action_feedback(feedback="Promised to pay Friday")
        self.assertEqual(comm.log_ids.content, "Promised to pay Friday")
        self.assertEqual(comm.log_ids.channel, "phone")
        self.assertEqual(comm.log_ids.collector_id, self.officer)

    def test_the_legal_level_stops_deliveries_on_a_new_credit_file(self):
        for level in (15, 30, 60):
            self.level[level].skippable = True
        run, comm, _invoice = self._comm(-95)
        self.assertEqual(comm.level_id, self.level[90])
        self._send(run)
        file = self.env["credit.file"].search([("partner_id", "=", self.acme.id)])
        self.assertTrue(file.stop_deliveries)
        self.assertTrue(file.on_hold)
        self.assertTrue(file.stop_deliveries_reason)

    def test_a_customer_without_email_fails_alone(self):
        nomail = self._debtor("No Mail", email=False)
        self._invoice(nomail, days(-90), days(-20), 500.0)
        run, comm, _invoice = self._comm(-20)
        failed = self._communications(run, nomail)
        self._send(run)
        self.assertEqual(failed.state, "failed")
        self.assertIn("no e-mail address", failed.failure_reason)
        self.assertFalse(self._mails(failed))
        self.assertFalse(failed.log_ids)
        self.assertEqual(comm.failure_reason, False)
        self.assertEqual(comm.state, "sent")
        self.assertEqual(run.state, "done")

    def test_an_interrupted_sending_resumes_without_duplicates(self):
        partners = [self._debtor(f"Debtor {i}") for i in range(5)]
        for partner in partners:
            self._invoice(partner, days(-90), days(-20), 100.0)
        run = self._run(DAY)
        comms = run.communication_ids
        self.assertEqual(len(comms), 5)
        run.with_user(self.officer).action_send()
        run._send_batch(limit=2)  # first batch committed by the scheduler
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
            run._send_batch(limit=2)  # the transaction of this batch is lost
        self.assertEqual(run.state, "sending")
        while run.state == "sending":
            run._send_batch(limit=2)
        self.assertEqual(set(comms.mapped("state")), {"sent"}, comms.mapped("failure_reason"))
        for comm in comms:
            self.assertEqual(len(self._mails(comm)), 1)
            self.assertEqual(len(comm.log_ids), 1)

    def test_the_cron_sends_what_fits_in_its_time_budget_and_reports_progress(self):
        for i in range(3):
            self._invoice(self._debtor(f"Debtor {i}"), days(-90), days(-20), 100.0)
        run = self._run(DAY)
        run.with_user(self.officer).action_send()
        with mock.patch.object(type(self.env["ir.cron"]), "_notify_progress") as progress:
            self.env["credit.dunning.run"]._cron_send()
        progress.assert_called_once_with(done=3, remaining=0)
        self.assertEqual(run.state, "done")

    def test_cancelled_communications_are_not_sent(self):
        run, comm, _invoice = self._comm(-20)
        comm.with_user(self.officer).action_cancel()
        self._send(run)
        self.assertEqual(comm.state, "cancel")
        self.assertFalse(self._mails(comm))

    def test_a_sent_run_is_not_recomputed(self):
        run, _comm, _invoice = self._comm(-20)
        self._send(run)
        with self.assertRaises(UserError):
            run.with_user(self.officer).action_compute()

    def test_the_daily_job_computes_the_run_of_the_day_and_waits_for_the_officer(self):
        self._invoice(self.acme, days(-90), days(-20), 100.0)
        self.env["credit.dunning.run"]._cron_compute_daily()
        self.env["credit.dunning.run"]._cron_compute_daily()
        run = self.env["credit.dunning.run"].search(
            [("company_id", "=", self.company.id), ("date", "=", DAY)]
        )
        self.assertEqual(len(run), 1)
        self.assertEqual(run.state, "computed")
        self.assertEqual(len(run.communication_ids), 1)
        self.assertEqual(run.communication_ids.state, "draft")

    # ------------------------------------------------------------------
    # a level is reached when it is sent, not when it is previewed
    # ------------------------------------------------------------------
    def _state(self, invoice):
        return self.env["credit.dunning.item.state"].search([("move_id", "=", invoice.id)])

    def test_an_unsent_preview_does_not_count_as_reached(self):
        self._invoice(self.acme, days(-120), days(-100), 1000.0)
        first = self._communications(self._run(DAY), self.acme)
        self.assertEqual(first.level_id, self.level[15])
        with freeze_time(days(7)):
            later = self._communications(self._run(days(7)), self.acme)
        # the preview of DAY was never sent: the item gets the first overdue level now,
        # not the letter after it
        self.assertEqual(later.level_id, self.level[15])
        self.assertEqual(first.state, "cancel")
        self.assertEqual(self._state(later.line_ids.move_id).communication_id, later)

    def test_a_failed_communication_puts_its_items_back(self):
        nomail = self._debtor("No Mail", email=False)
        invoice = self._invoice(nomail, days(-90), days(-20), 500.0)
        run = self._run(DAY)
        self._send(run)
        failed = self._communications(run, nomail)
        self.assertEqual(failed.state, "failed")
        self.assertFalse(self._state(invoice).level_id)
        with freeze_time(days(7)):
            again = self._communications(self._run(days(7)), nomail)
        self.assertEqual(again.level_id, self.level[15])

    def test_a_failed_communication_sent_later_records_its_level(self):
        nomail = self._debtor("No Mail", email=False)
        invoice = self._invoice(nomail, days(-90), days(-20), 500.0)
        run = self._run(DAY)
        self._send(run)
        failed = self._communications(run, nomail)
        nomail.email = "found@example.com"
        failed.with_user(self.officer).action_send_now()
        self.assertEqual(failed.state, "sent")
        self.assertEqual(self._state(invoice).level_id, self.level[15])
        self.assertEqual(self._state(invoice).communication_id, failed)

    def test_items_paid_or_disputed_after_the_preview_are_not_dunned(self):
        paid = self._invoice(self.acme, days(-90), days(-20), 300.0)
        partly = self._invoice(self.acme, days(-90), days(-20), 200.0)
        kept = self._invoice(self.acme, days(-90), days(-20), 100.0)
        run = self._run(DAY)
        comm = self._communications(run, self.acme)
        self.assertEqual(comm.amount_due, 600.0)
        self._pay(paid, DAY)
        self._pay(partly, DAY, amount=50.0)
        self.env["credit.dunning.item.state"]._for_move_lines(
            kept.line_ids.filtered(lambda line: line.account_id == self.receivable)
        )._mark_disputed("Wrong quantity")
        self._send(run)
        self.assertEqual(comm.state, "sent")
        self.assertEqual(comm.line_ids.move_id, partly)
        self.assertEqual(comm.item_count, 1)
        self.assertEqual(comm.amount_due, 150.0)
        self.assertEqual(comm.total_amount, 150.0)
        self.assertNotIn(paid.name, self._mails(comm).body_html)
        self.assertFalse(self._state(paid).level_id)
        self.assertFalse(self._state(kept).level_id)
        self.assertEqual(self._state(partly).level_id, self.level[15])

    def test_a_communication_with_nothing_left_is_not_sent(self):
        run, comm, invoice = self._comm(-20)
        self._pay(invoice, DAY)
        self._send(run)
        self.assertEqual(comm.state, "cancel")
        self.assertTrue(comm.failure_reason)
        self.assertFalse(self._mails(comm))
        self.assertFalse(comm.log_ids)
        self.assertFalse(self._state(invoice).level_id)
        self.assertEqual(run.state, "done")

    # ------------------------------------------------------------------
    # recomputing a run never touches what is sent or left out
    # ------------------------------------------------------------------
    def test_a_recompute_adds_nothing_to_a_sent_communication(self):
        run, comm, _invoice = self._comm(-20, amount=300.0)
        comm.with_user(self.officer).action_send_now()
        self.assertEqual(comm.state, "sent")
        late = self._invoice(self.acme, days(-90), days(-18), 200.0)
        run.with_user(self.officer).action_compute()
        self.assertEqual(comm.line_ids.move_id.mapped("amount_total"), [300.0])
        self.assertEqual(comm.item_count, 1)
        self.assertEqual(comm.amount_due, 300.0)
        self.assertFalse(self._state(late).level_id)

    def test_a_recompute_adds_nothing_to_a_cancelled_communication(self):
        run, comm, _invoice = self._comm(-20, amount=300.0)
        comm.with_user(self.officer).action_cancel()
        self._invoice(self.acme, days(-90), days(-18), 200.0)
        run.with_user(self.officer).action_compute()
        self.assertEqual(comm.state, "cancel")
        self.assertEqual(comm.item_count, 1)
        self.assertEqual(len(comm.line_ids), 1)

    # ------------------------------------------------------------------
    # one bad communication never stops the others
    # ------------------------------------------------------------------
    def test_an_unexpected_error_fails_one_communication_and_the_rest_goes_on(self):
        partners = [self._debtor(f"Debtor {i}") for i in range(3)]
        invoices = [self._invoice(p, days(-90), days(-20), 100.0) for p in partners]
        run = self._run(DAY)
        Communication = type(self.env["credit.dunning.communication"])
        original = Communication._apply_sanctions
        broken = self._communications(run, partners[1])

        def explode(comm):
            if comm == broken:
                raise ZeroDivisionError("layout exploded")
            return original(comm)

        with (
            mock.patch.object(Communication, "_apply_sanctions", explode),
            self.assertLogs(
                "odoo.addons.credit_management.models.credit_dunning_communication", "ERROR"
            ),
        ):
            self._send(run)
        self.assertEqual(broken.state, "failed")
        self.assertIn("layout exploded", broken.failure_reason)
        self.assertFalse(self._mails(broken))  # the savepoint undid the queued mail
        self.assertFalse(broken.log_ids)
        self.assertFalse(self._state(invoices[1]).level_id)
        others = run.communication_ids - broken
        self.assertEqual(set(others.mapped("state")), {"sent"})
        self.assertEqual(run.state, "done")
