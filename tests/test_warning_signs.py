from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import freeze_time, tagged

from .common import CreditLedgerCommon


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestWarningSigns(CreditLedgerCommon):
    """Warning signs (危险信号) read from data by ``credit.file._detect_warning_signs``.

    Acme is rated A with a limit of 23,000 (set on the file); its ledger: 1,000 invoiced on
    2024-01-15 and paid after 30 days, 1,000 invoiced on 2024-04-15 and paid after 50 days.
    Average days to pay went from 30 (payments of 2024-01-03 .. 2024-04-01) to 50 (after
    2024-04-01): 20 days slower, more than the policy's 5.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acme = cls._customer("Acme")
        first = cls._invoice(cls.acme, "2024-01-15", "2024-02-14", 1000.0)
        cls._pay(first, "2024-02-14")
        second = cls._invoice(cls.acme, "2024-04-15", "2024-05-15", 1000.0)
        cls._pay(second, "2024-06-04")
        cls.file = cls._file(cls.acme)
        cls._set_rating(cls.file, sync=False, grade_id=cls.grade["A"].id, credit_limit=23_000.0)

    def _detect(self, file=None):
        (file or self.file)._detect_warning_signs()

    def _warnings(self, kind, file=None):
        return self.env["credit.warning"].search(
            [("file_id", "=", (file or self.file).id), ("kind", "=", kind)]
        )

    def _order(self, amount, partner=None):
        return (
            self.env["sale.order"]
            .sudo()
            .create(
                {
                    "partner_id": (partner or self.acme).id,
                    "order_line": [
                        Command.create(
                            {"product_id": self.product_a.id, "price_unit": amount, "tax_id": []}
                        )
                    ],
                }
            )
        )

    def test_slower_payments_raise_a_warning(self):
        self._detect()
        warning = self._warnings("slower_payments")
        self.assertEqual(len(warning), 1)
        self.assertEqual(warning.state, "open")
        self.assertEqual(warning.details, "Average days to pay went from 30.0 to 50.0 days.")
        self.assertEqual(self.file.open_warning_count, 1)

    def test_payments_at_most_the_threshold_slower_raise_nothing(self):
        # 30 days, then 35 days: 5 days slower is not more than 5
        steady = self._customer("Steady")
        first = self._invoice(steady, "2024-01-15", "2024-02-14", 1000.0)
        self._pay(first, "2024-02-14")
        second = self._invoice(steady, "2024-04-15", "2024-05-15", 1000.0)
        self._pay(second, "2024-05-20")
        file = self._file(steady)
        self._detect(file)
        self.assertFalse(self._warnings("slower_payments", file))

    def test_a_warning_of_a_kind_is_not_raised_twice_while_open(self):
        self._detect()
        self._detect()
        self.assertEqual(len(self._warnings("slower_payments")), 1)

    def test_a_resolved_warning_can_come_back(self):
        self._detect()
        self._warnings("slower_payments").with_user(self.officer).action_resolve()
        self._detect()
        # newest first
        self.assertEqual(self._warnings("slower_payments").mapped("state"), ["open", "resolved"])

    def test_the_officer_gets_an_activity_and_the_file_a_message(self):
        self._detect()
        activity = self.file.activity_ids
        self.assertEqual(activity.user_id, self.officer)
        self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_warning"))
        self.assertEqual(activity.summary, "Warning sign: Payments getting slower")
        self.assertIn(
            "Warning sign: Payments getting slower.",
            "\n".join(self.file.message_ids.mapped("body")),
        )

    def test_bank_account_changes_raise_a_warning(self):
        self.env["res.partner.bank"].create({"partner_id": self.acme.id, "acc_number": "111"})
        self._detect()
        self.assertFalse(self._warnings("bank_changes"))
        self.env["res.partner.bank"].create({"partner_id": self.acme.id, "acc_number": "222"})
        self._detect()
        self.assertEqual(
            self._warnings("bank_changes").details, "2 bank accounts added in the last 90 days."
        )

    def test_an_order_beyond_the_whole_limit_raises_a_warning(self):
        self._order(20_000.0)
        self._detect()
        self.assertFalse(self._warnings("order_jump"))
        self._order(30_000.0)
        self._detect()
        self.assertEqual(len(self._warnings("order_jump")), 1)
        self.assertIn("exceeds the whole credit limit", self._warnings("order_jump").details)

    def test_orders_of_a_customer_without_credit_raise_no_jump(self):
        self._set_rating(self.file, sync=False, grade_id=self.grade["C"].id, credit_limit=0.0)
        self._order(30_000.0)
        self._detect()
        self.assertFalse(self._warnings("order_jump"))

    def test_bankruptcy_raises_a_warning(self):
        self._detect()
        self.assertFalse(self._warnings("bankruptcy"))
        self.file.bankrupt = True
        self._detect()
        self.assertEqual(len(self._warnings("bankruptcy")), 1)

    def test_the_cron_checks_every_file(self):
        self.file.bankrupt = True
        self.env["credit.file"]._cron_detect_warning_signs()
        self.assertEqual(len(self._warnings("bankruptcy")), 1)
        self.assertEqual(len(self._warnings("slower_payments")), 1)

    def test_salespeople_see_the_warnings_but_cannot_dismiss_them(self):
        self._detect()
        warning = self._warnings("slower_payments").with_user(self.salesperson)
        self.assertEqual(warning.kind, "slower_payments")
        self.assertEqual(self.acme.with_user(self.salesperson).credit_warning_count, 1)
        with self.assertRaises(AccessError):
            warning.action_dismiss()
        self.assertEqual(warning.sudo().state, "open")
