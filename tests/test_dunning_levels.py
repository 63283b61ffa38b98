from odoo.exceptions import UserError
from odoo.tests import freeze_time, tagged

from .dunning_common import DAY, DunningCommon, days


@tagged("post_install", "-at_install")
class TestDunningLevels(DunningCommon):
    """Which level each open item reaches in a run, before and after its due date."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acme = cls._debtor("Acme")

    def _invoice_due(self, due_in, amount=1000.0, partner=None):
        """An invoice due ``due_in`` days after ``DAY`` (negative: already due)."""
        return self._invoice(partner or self.acme, days(-60), days(due_in), amount)

    def _run_on(self, on, send=False):
        with freeze_time(on):
            return self._run(on, send=send)

    def test_one_week_before_due_the_first_reminder_is_created(self):
        invoice = self._invoice_due(7)
        comm = self._communications(self._run_on(DAY), self.acme)
        self.assertEqual(comm.level_id, self.level[-7])
        self.assertEqual(comm.line_ids.move_id, invoice)
        self.assertEqual(comm.amount_due, 1000.0)
        self.assertEqual(comm.state, "draft")

    def test_nothing_before_the_first_reminder(self):
        self._invoice_due(8)
        self.assertFalse(self._communications(self._run_on(DAY), self.acme))

    def test_reminders_follow_each_other_before_and_on_the_due_date(self):
        self._invoice_due(7)
        reached = []
        for offset in (0, 4, 7):
            comm = self._communications(self._run_on(days(offset), send=True), self.acme)
            reached.append(comm.level_id.days)
        self.assertEqual(reached, [-7, -3, 0])

    def test_late_found_item_skips_the_skippable_reminders_but_no_overdue_level(self):
        # 100 days overdue, never dunned: the reminders before due and the visit are
        # skipped, the first overdue level comes first, then each next level in turn
        self._invoice_due(-100)
        first = self._communications(self._run_on(DAY, send=True), self.acme)
        self.assertEqual(first.level_id, self.level[15])
        self.assertFalse(self._communications(self._run_on(days(6)), self.acme))
        second = self._communications(self._run_on(days(7)), self.acme)
        self.assertEqual(second.level_id, self.level[30])

    def test_a_skippable_level_is_sent_when_the_next_is_not_due(self):
        self.level[-3].skippable = False
        self._invoice_due(2)  # 2 days before due: -7 skippable, -3 due -> -3
        comm = self._communications(self._run_on(DAY), self.acme)
        self.assertEqual(comm.level_id, self.level[-3])
        late_one = self._debtor("Late One")
        self._invoice_due(-20, partner=late_one)
        late = self._communications(self._run_on(DAY), late_one)
        # -7 is skippable, -3 is not: the item gets -3 first even though it is overdue
        self.assertEqual(late.level_id, self.level[-3])

    def test_one_communication_per_customer_and_level_grouping_its_items(self):
        first = self._invoice_due(-20, 300.0)
        second = self._invoice_due(-25, 200.0)
        self._invoice_due(-40, 700.0)
        run = self._run_on(DAY, send=True)
        comms = self._communications(run, self.acme)
        self.assertEqual(len(comms), 1)  # all three never dunned: first overdue level
        self.assertEqual(comms.level_id, self.level[15])
        self.assertEqual(comms.item_count, 3)
        self.assertEqual(comms.amount_due, 1200.0)
        self.assertIn(first, comms.line_ids.move_id)
        self.assertIn(second, comms.line_ids.move_id)
        # one week later the two items 30 days overdue by then move on to the letter; the
        # one 27 days overdue waits
        later = self._communications(self._run_on(days(7)), self.acme)
        self.assertEqual(later.level_id, self.level[30])
        self.assertEqual(later.line_ids.move_id.mapped("amount_total"), [700.0, 200.0])

    def test_items_at_different_levels_give_one_communication_per_level(self):
        self._invoice_due(-20)
        self._run_on(days(-25))  # the older item got its first reminder before due
        self._invoice_due(5, 400.0)
        comms = self._communications(self._run_on(DAY), self.acme)
        self.assertEqual(self._levels(comms), [-7, 15])

    def test_running_the_same_date_twice_creates_nothing_new(self):
        self._invoice_due(-20)
        self._invoice_due(3)
        run = self._run_on(DAY)
        comms = run.communication_ids
        lines = comms.line_ids
        self.assertEqual(len(comms), 2)
        again = self._run_on(DAY)
        self.assertEqual(again, run)
        self.assertEqual(again.communication_ids, comms)
        self.assertEqual(again.communication_ids.line_ids, lines)
        self.assertEqual(
            self.env["credit.dunning.run"].search_count(
                [("company_id", "=", self.company.id), ("date", "=", DAY)]
            ),
            1,
        )

    def test_running_the_same_date_twice_without_a_gap_creates_nothing_new(self):
        self.dunning.min_days_between = 0
        self._invoice_due(-100)  # by its days the letter is due too, but one level a day
        run = self._run_on(DAY)
        comm = run.communication_ids
        self.assertEqual(comm.level_id, self.level[15])
        again = self._run_on(DAY)
        self.assertEqual(again.communication_ids, comm)
        self.assertEqual(comm.item_count, 1)
        comm.with_user(self.officer).action_send_now()
        self._run_on(DAY)
        self.assertEqual(run.communication_ids, comm)
        # the next day, without a gap, the next level follows
        later = self._communications(self._run_on(days(1)), self.acme)
        self.assertEqual(later.level_id, self.level[30])

    def test_a_communication_without_items_is_never_sent(self):
        self._invoice_due(-20)
        run = self._run_on(DAY)
        comm = run.communication_ids
        comm.line_ids.sudo().unlink()
        comm.with_user(self.officer).action_send_now()
        self.assertEqual(comm.state, "cancel")
        self.assertFalse(
            self.env["mail.mail"].search([("model", "=", comm._name), ("res_id", "=", comm.id)])
        )

    def test_a_recomputed_run_adds_only_the_new_items(self):
        self._invoice_due(-20, 300.0)
        run = self._run_on(DAY)
        comm = run.communication_ids
        self._invoice_due(-18, 200.0)  # posted later the same day
        self._run_on(DAY)
        self.assertEqual(run.communication_ids, comm)
        self.assertEqual(comm.item_count, 2)
        self.assertEqual(comm.amount_due, 500.0)

    def test_a_level_is_never_sent_twice_for_an_item(self):
        self._invoice_due(-20)
        self._run_on(DAY, send=True)
        levels = []
        for offset in range(1, 120, 3):
            run = self._run_on(days(offset), send=True)
            levels += self._levels(self._communications(run, self.acme))
        self.assertEqual(levels, [30, 60, 90])

    def test_paid_items_drop_out(self):
        invoice = self._invoice_due(-20)
        self._pay(invoice, DAY)
        self.assertFalse(self._communications(self._run_on(DAY), self.acme))

    def test_partly_paid_items_are_dunned_for_what_is_left(self):
        invoice = self._invoice_due(-20)
        self._pay(invoice, days(-1), amount=400.0)
        comm = self._communications(self._run_on(DAY), self.acme)
        self.assertEqual(comm.amount_due, 600.0)

    def test_disputed_items_pause_until_the_dispute_is_settled(self):
        disputed = self._invoice_due(-20, 300.0)
        self._invoice_due(-20, 200.0)
        wizard = (
            self.env["credit.dunning.dispute"]
            .with_user(self.officer)
            .with_context(active_model="account.move", active_ids=disputed.ids)
            .create({"reason": "Goods damaged on arrival"})
        )
        wizard.action_confirm()
        state = self.env["credit.dunning.item.state"].search([("move_id", "=", disputed.id)])
        self.assertTrue(state.disputed)
        self.assertEqual(state.dispute_user_id, self.officer)
        comm = self._communications(self._run_on(DAY, send=True), self.acme)
        self.assertEqual(comm.amount_due, 200.0)
        self.assertNotIn(disputed, comm.line_ids.move_id)
        state.with_user(self.officer).action_resolve_dispute()
        resumed = self._communications(self._run_on(days(1)), self.acme)
        self.assertEqual(resumed.line_ids.move_id, disputed)
        self.assertEqual(resumed.level_id, self.level[15])

    def test_a_dispute_needs_a_reason(self):
        invoice = self._invoice_due(-20)
        states = self.env["credit.dunning.item.state"]._for_move_lines(
            invoice.line_ids.filtered(lambda line: line.account_id == self.receivable)
        )
        with self.assertRaises(UserError):
            states._mark_disputed("  ")
        self.assertFalse(states.disputed)

    def test_leaving_a_communication_out_puts_its_items_back(self):
        self._invoice_due(-20)
        run = self._run_on(DAY)
        run.communication_ids.with_user(self.officer).action_cancel()
        state = self.env["credit.dunning.item.state"].search([("partner_id", "=", self.acme.id)])
        self.assertFalse(state.level_id)
        comm = self._communications(self._run_on(days(1)), self.acme)
        self.assertEqual(comm.level_id, self.level[15])

    def test_the_customers_policy_wins_over_its_grade_and_the_default(self):
        quick = self._dunning_policy("Quick", grade_ids=[(6, 0, self.grade["CCC"].ids)])
        quick.level_ids.filtered(lambda lv: lv.days == 15).days = 5
        own = self._dunning_policy("Own")
        own.level_ids.filtered(lambda lv: lv.days == 15).days = 10
        graded = self._debtor("Graded")
        self._file(graded, grade_id=self.grade["CCC"].id)
        special = self._debtor("Special")
        self._file(special, grade_id=self.grade["CCC"].id, dunning_policy_id=own.id)
        for partner in (graded, special, self.acme):
            self._invoice_due(-12, partner=partner)
        run = self._run_on(DAY)
        self.assertEqual(self._communications(run, graded).level_id.policy_id, quick)
        self.assertEqual(self._communications(run, special).level_id.policy_id, own)
        # the default policy: 12 days overdue, the visit on the due day (skippable reminders
        # passed over) and nothing sooner
        self.assertEqual(self._communications(run, self.acme).level_id, self.level[0])
