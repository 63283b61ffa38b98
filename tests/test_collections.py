from odoo.exceptions import ValidationError
from odoo.tests import freeze_time, tagged

from .dunning_common import DAY, DunningCommon, days


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestCollections(DunningCommon):
    """Promises to pay, the collector's worklist and the effectiveness of each level."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acme = cls._debtor("Acme")
        cls.file = cls._file(cls.acme, officer_id=cls.officer.id)
        cls.invoice = cls._invoice(cls.acme, days(-90), days(-20), 1000.0)
        cls.item = cls.invoice.line_ids.filtered(lambda line: line.account_id == cls.receivable)

    def _promise(self, amount=600.0, pay_by=None, made=DAY, items=None):
        return (
            self.env["credit.payment.promise"]
            .with_user(self.credit_user)
            .sudo()
            .create(
                {
                    "partner_id": self.acme.id,
                    "company_id": self.company.id,
                    "amount": amount,
                    "date": pay_by or days(5),
                    "date_made": made,
                    "collector_id": self.officer.id,
                    "move_line_ids": [(6, 0, (items or self.item).ids)],
                }
            )
        )

    # --- promises ------------------------------------------------------------------------

    def test_a_promise_paid_by_its_date_is_kept(self):
        promise = self._promise()
        self._pay(self.invoice, days(3), amount=600.0)
        with freeze_time(days(3)):
            self.env["credit.payment.promise"]._check_promises()
        self.assertEqual(promise.state, "kept")
        self.assertEqual(promise.paid_amount, 600.0)
        self.assertFalse(self.file.warning_ids)

    def test_a_promise_still_open_before_its_date_waits(self):
        promise = self._promise()
        self._pay(self.invoice, days(2), amount=100.0)
        with freeze_time(days(5)):
            self.env["credit.payment.promise"]._check_promises()
        self.assertEqual(promise.state, "open")

    def test_a_promise_not_paid_by_its_date_is_broken_and_warns(self):
        promise = self._promise()
        self._pay(self.invoice, days(2), amount=599.99)
        with freeze_time(days(6)):
            self.env["credit.payment.promise"]._check_promises()
        self.assertEqual(promise.state, "broken")
        warning = self.file.warning_ids
        self.assertEqual(warning.kind, "broken_promise")
        self.assertEqual(warning.state, "open")
        self.assertIn("599.99", warning.details)
        activity = promise.activity_ids
        self.assertEqual(activity.user_id, self.officer)

    def test_payments_after_the_promised_date_do_not_keep_it(self):
        promise = self._promise()
        self._pay(self.invoice, days(7), amount=600.0)
        with freeze_time(days(8)):
            self.env["credit.payment.promise"]._check_promises()
        self.assertEqual(promise.state, "broken")

    def test_payments_before_the_promise_do_not_count(self):
        self._pay(self.invoice, days(-2), amount=600.0)
        promise = self._promise(amount=300.0)
        with freeze_time(days(6)):
            self.env["credit.payment.promise"]._check_promises()
        self.assertEqual(promise.state, "broken")

    def test_a_promise_needs_items_of_the_customer_and_a_positive_amount(self):
        other = self._debtor("Other")
        other_invoice = self._invoice(other, days(-90), days(-20), 50.0)
        other_item = other_invoice.line_ids.filtered(
            lambda line: line.account_id == self.receivable
        )
        with self.assertRaises(ValidationError):
            self._promise(items=other_item)
        with self.assertRaises(ValidationError):
            self._promise(amount=0.0)
        with self.assertRaises(ValidationError):
            self._promise(pay_by=days(-1))

    # --- worklist ------------------------------------------------------------------------

    def test_the_worklist_ranks_by_overdue_amount_days_and_grade_risk(self):
        # Acme: 1,000 x 20 days, unrated (risk 9) = 180,000
        # Beta: 3,000 x 10 days, grade A (rank 3) = 90,000
        # Gamma: 500 x 20 + 500 x 40 days, grade C (rank 9) = 270,000
        beta = self._debtor("Beta")
        self._file(beta, grade_id=self.grade["A"].id)
        self._invoice(beta, days(-60), days(-10), 3000.0)
        self._invoice(beta, days(-60), days(10), 9999.0)  # not overdue: not counted
        gamma = self._debtor("Gamma")
        self._file(gamma, grade_id=self.grade["C"].id)
        self._invoice(gamma, days(-60), days(-20), 500.0)
        self._invoice(gamma, days(-60), days(-40), 500.0)
        rows = self.env["credit.collection.worklist"].search(
            [("partner_id", "in", (self.acme | beta | gamma).ids)]
        )
        self.assertEqual(rows.partner_id, gamma | self.acme | beta)
        self.assertEqual(rows.mapped("priority"), [270_000, 180_000, 90_000])
        self.assertEqual(rows.mapped("overdue_amount"), [1000.0, 1000.0, 3000.0])
        self.assertEqual(rows.mapped("oldest_days"), [40, 20, 10])
        self.assertEqual(rows[1].collector_id, self.officer)
        # urgency: the company's quarters by priority score, the most urgent with most stars
        urgency = [int(row.urgency) for row in rows]
        self.assertEqual(urgency, sorted(urgency, reverse=True))
        self.assertGreater(urgency[0], urgency[-1])

    def test_the_worklist_shows_the_last_contact_and_the_next_step(self):
        self.env["credit.collection.log"].create(
            {
                "partner_id": self.acme.id,
                "company_id": self.company.id,
                "channel": "phone",
                "content": "Called the accountant",
                "date": "2024-06-28 09:00:00",
            }
        )
        run = self._run(DAY)
        row = self.env["credit.collection.worklist"].search([("partner_id", "=", self.acme.id)])
        self.assertEqual(row.last_contact_channel, "phone")
        # shown with the log's label, not its key
        log_labels = dict(
            self.env["credit.collection.log"]._fields["channel"]._description_selection(self.env)
        )
        labels = dict(row._fields["last_contact_channel"]._description_selection(self.env))
        self.assertEqual(labels["phone"], log_labels["phone"])
        self.assertNotEqual(labels["phone"], "phone")
        self.assertEqual(str(row.last_contact_date), "2024-06-28 09:00:00")
        self.assertEqual(row.next_level_id, run.communication_ids.level_id)
        promise = self._promise()
        row.invalidate_recordset()
        row = self.env["credit.collection.worklist"].search([("partner_id", "=", self.acme.id)])
        self.assertEqual(row.next_promise_date, promise.date)

    # --- effectiveness -------------------------------------------------------------------

    def test_effectiveness_is_the_share_of_dunned_amounts_paid_after_the_contact(self):
        beta = self._debtor("Beta")
        beta_invoice = self._invoice(beta, days(-90), days(-20), 3000.0)
        run = self._run(DAY)
        run.with_user(self.officer).action_send()
        while run.state == "sending":
            run._send_batch()
        # Acme pays 400 five days later, Beta 1,500 after 20 days and the rest after 90
        self._pay(self.invoice, days(5), amount=400.0)
        self._pay(beta_invoice, days(20), amount=1500.0)
        self._pay(beta_invoice, days(90))
        row = self.env["credit.dunning.effectiveness"].search(
            [("level_id", "=", self.level[15].id)]
        )
        self.assertEqual(row.communication_count, 2)
        self.assertEqual(row.amount_dunned, 4000.0)
        self.assertEqual(row.paid_1, 400.0)
        self.assertEqual(row.paid_2, 1900.0)
        self.assertEqual(row.paid_3, 1900.0)
        self.assertEqual(row.share_1, 10.0)
        self.assertEqual(row.share_2, 47.5)

    def test_effectiveness_counts_from_the_day_the_contact_was_sent(self):
        run = self._run(DAY)
        # the preview waits five days before it is sent; a payment in between was made
        # before the customer was contacted
        self._pay(self.invoice, days(3), amount=100.0)
        with freeze_time(days(5)):
            self._send_all(run)
        self._pay(self.invoice, days(10), amount=300.0)  # 5 days after the contact
        self._pay(self.invoice, days(14), amount=200.0)  # 9 days after the contact
        row = self.env["credit.dunning.effectiveness"].search(
            [("level_id", "=", self.level[15].id)]
        )
        self.assertEqual(row.amount_dunned, 900.0)  # what was open when it was sent
        self.assertEqual(row.paid_1, 300.0)
        self.assertEqual(row.paid_2, 500.0)

    def test_the_company_effectiveness_windows_change_the_figures(self):
        # windows 3, 10 and 20 days instead of 7, 30 and 60: of 1,000 dunned on the 30th,
        # 100 paid on day 2 (in all windows), 300 on day 5 (in the 2nd and 3rd), 200 on
        # day 15 (in the 3rd only), 400 on day 25 (in none)
        self.company.write(
            {
                "credit_dunning_window_1": 3,
                "credit_dunning_window_2": 10,
                "credit_dunning_window_3": 20,
            }
        )
        self._run(DAY, send=True)
        self._pay(self.invoice, days(2), amount=100.0)
        self._pay(self.invoice, days(5), amount=300.0)
        self._pay(self.invoice, days(15), amount=200.0)
        self._pay(self.invoice, days(25), amount=400.0)
        row = self.env["credit.dunning.effectiveness"].search(
            [("level_id", "=", self.level[15].id)]
        )
        self.assertEqual((row.window_1, row.window_2, row.window_3), (3, 10, 20))
        self.assertEqual(row.amount_dunned, 1000.0)
        self.assertEqual((row.paid_1, row.paid_2, row.paid_3), (100.0, 400.0, 600.0))
        self.assertEqual((row.share_1, row.share_2, row.share_3), (10.0, 40.0, 60.0))
        # with the default windows the same payments give 400 / 1,000 / 1,000
        self.company.write(
            {
                "credit_dunning_window_1": 7,
                "credit_dunning_window_2": 30,
                "credit_dunning_window_3": 60,
            }
        )
        row.invalidate_model()
        row = self.env["credit.dunning.effectiveness"].search(
            [("level_id", "=", self.level[15].id)]
        )
        self.assertEqual((row.paid_1, row.paid_2, row.paid_3), (400.0, 1000.0, 1000.0))

    def test_the_column_labels_say_the_company_windows(self):
        self.company.credit_dunning_window_2 = 45
        labels = self.env["credit.dunning.effectiveness"].fields_get(
            ["paid_1", "share_2", "paid_3"], ["string"]
        )
        self.assertEqual(labels["paid_1"]["string"], "Paid in 7 Days")
        self.assertEqual(labels["share_2"]["string"], "Paid in 45 Days (%)")
        self.assertEqual(labels["paid_3"]["string"], "Paid in 60 Days")

    def test_effectiveness_windows_must_be_positive_and_increasing(self):
        for values in (
            {"credit_dunning_window_1": 0},
            {"credit_dunning_window_1": -7},
            {"credit_dunning_window_2": 7},
            {"credit_dunning_window_2": 90},
            {"credit_dunning_window_3": 5000},
        ):
            with self.subTest(values=values), self.assertRaises(ValidationError):
                self.company.write(values)
            self.company.invalidate_recordset()
            self.assertEqual(
                (
                    self.company.credit_dunning_window_1,
                    self.company.credit_dunning_window_2,
                    self.company.credit_dunning_window_3,
                ),
                (7, 30, 60),
            )

    def test_the_settings_refuse_windows_that_do_not_increase(self):
        with self.assertRaises(ValidationError) as refused:
            self.env["res.config.settings"].create(
                {"credit_dunning_window_1": 30, "credit_dunning_window_2": 30}
            ).execute()
        self.assertIn("30 is not longer than the window before it", str(refused.exception))
        self.company.invalidate_recordset()
        self.assertEqual(self.company.credit_dunning_window_2, 30)
        self.assertEqual(self.company.credit_dunning_window_1, 7)

    def test_the_worklist_leaves_disputed_items_out(self):
        disputed = self._invoice(self.acme, days(-90), days(-50), 5000.0)
        self.env["credit.dunning.item.state"]._for_move_lines(
            disputed.line_ids.filtered(lambda line: line.account_id == self.receivable)
        )._mark_disputed("Never delivered")
        row = self.env["credit.collection.worklist"].search([("partner_id", "=", self.acme.id)])
        self.assertEqual(row.overdue_amount, 1000.0)
        self.assertEqual(row.overdue_count, 1)
        self.assertEqual(row.oldest_days, 20)
        self.assertEqual(row.priority, 1000.0 * 20 * 9)

    def test_the_worklist_names_the_policy_collector_when_the_file_has_no_officer(self):
        self.dunning.collector_id = self.manager
        beta = self._debtor("Beta")
        self._invoice(beta, days(-90), days(-20), 100.0)
        special = self._dunning_policy("Special")
        special.collector_id = self.credit_user
        gamma = self._debtor("Gamma")
        self._file(gamma, dunning_policy_id=special.id)
        self._invoice(gamma, days(-90), days(-20), 100.0)
        Worklist = self.env["credit.collection.worklist"]
        self.assertEqual(Worklist.search([("partner_id", "=", beta.id)]).collector_id, self.manager)
        self.assertEqual(
            Worklist.search([("partner_id", "=", gamma.id)]).collector_id, self.credit_user
        )
        # the credit file's officer comes first
        self.assertEqual(
            Worklist.search([("partner_id", "=", self.acme.id)]).collector_id, self.officer
        )
