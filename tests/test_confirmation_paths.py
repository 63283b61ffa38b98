from odoo import SUPERUSER_ID, Command
from odoo.tests import freeze_time, new_test_user, tagged

from .common import CreditOrderCommon

SIGNATURE = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)
"""A one-pixel PNG, the customer's signature."""


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestConfirmationPaths(CreditOrderCommon):
    """Every way an order gets confirmed goes through the credit gate, and a held order is
    neither confirmed nor lost. Acme is rated A with a limit of 10,000.00 and owes 3,000.00
    (not due); Newcomer is rated C (payment before delivery) with no limit."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acme, cls.file = cls._rated("Acme", limit=10_000.0)
        cls._invoice(cls.acme, "2024-06-20", "2024-07-20", 3_000.0)
        cls.newcomer, cls.newcomer_file = cls._rated("Newcomer", grade="C", limit=0.0)
        cls.env["ir.config_parameter"].set_param("mail.catchall.domain", "example.com")
        cls.env["ir.config_parameter"].set_param("mail.default.from", "notifications")
        cls.public_user = cls.env.ref("base.public_user")
        cls.portal_user = new_test_user(
            cls.env, login="cm_portal", groups="base.group_portal", name="Acme Buyer"
        )
        cls.portal_user.partner_id.parent_id = cls.acme
        method = cls.env.ref("payment.payment_method_unknown")
        cls.payment_method = method
        cls.provider = cls.env["payment.provider"].create(
            {
                "name": "Credit test provider",
                "code": "none",
                "state": "test",
                "company_id": cls.company.id,
                "payment_method_ids": [Command.set(method.ids)],
            }
        )
        method.active = True

    # ------------------------------------------------------------------
    # backend button
    # ------------------------------------------------------------------
    def test_the_backend_button_tells_the_user_and_keeps_the_hold(self):
        order = self._quotation(self.acme, 8_000.0)
        action = order.with_user(self.salesperson).action_confirm()
        self.assertEqual(action["type"], "ir.actions.client")
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(action["params"]["type"], "danger")
        self.assertTrue(action["params"]["sticky"])
        self.assertIn(order.name, action["params"]["message"])
        # 3,000.00 + 8,000.00 = 11,000.00, 1,000.00 over
        self.assertIn(self.currency.format(1_000.0), action["params"]["message"])
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.credit_hold_ids.state, "pending")

    def test_the_backend_button_confirms_a_passing_order_as_odoo_does(self):
        order = self._quotation(self.acme, 7_000.0)
        self.assertIs(order.with_user(self.salesperson).action_confirm(), True)
        self.assertEqual(order.state, "sale")

    # ------------------------------------------------------------------
    # portal sign & accept (sale/controllers/portal.py: order_sudo._validate_order())
    # ------------------------------------------------------------------
    def _accept_on_the_portal(self, order, user):
        order.write({"state": "sent", "require_signature": True, "require_payment": False})
        order_sudo = order.with_user(user).sudo()
        order_sudo.write({"signed_by": "A. Buyer", "signature": SIGNATURE})
        self.assertFalse(order_sudo._has_to_be_paid())
        order_sudo._validate_order()

    def test_portal_acceptance_of_a_held_order_leaves_a_quotation_and_a_hold(self):
        for label, user in (("public", self.public_user), ("portal", self.portal_user)):
            with self.subTest(user=label):
                order = self._quotation(self.acme, 8_000.0)
                self._accept_on_the_portal(order, user)
                self.assertEqual(order.state, "sent")
                hold = order.credit_hold_ids
                self.assertEqual(hold.state, "pending")
                self.assertEqual(hold.requester_id, self.salesperson)
                self.assertAlmostEqual(hold.order_amount, 8_000.0, places=2)
                self.assertAlmostEqual(hold.exposure, 3_000.0, places=2)
                self.assertEqual(hold.activity_ids.user_id, self.officer)

    def test_portal_acceptance_of_a_passing_order_confirms_it(self):
        order = self._quotation(self.acme, 7_000.0)
        self._accept_on_the_portal(order, self.public_user)
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.credit_hold_ids)

    # ------------------------------------------------------------------
    # payment transactions (sale/models/payment_transaction.py)
    # ------------------------------------------------------------------
    def _paid_online(self, order, amount):
        tx = self._done_transaction(order, amount, self.provider)
        return tx.with_user(self.public_user).sudo()

    def test_a_fully_paid_order_of_a_prepayment_customer_is_confirmed(self):
        order = self._quotation(self.newcomer, 1_000.0, term=self.term_30)
        tx = self._paid_online(order, 1_000.0)
        confirmed = tx._check_amount_and_confirm_order()
        self.assertEqual(confirmed, order)
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.credit_hold_ids)
        self.assertAlmostEqual(order.credit_checked_amount, 1_000.0, places=2)

    def test_a_partly_paid_order_of_a_prepayment_customer_is_held(self):
        order = self._quotation(self.newcomer, 1_000.0, term=self.term_30)
        order.write({"require_payment": True, "prepayment_percent": 0.3})
        tx = self._paid_online(order, 300.0)
        tx._check_amount_and_confirm_order()
        self.assertIn(order.state, ("draft", "sent"))
        hold = order.credit_hold_ids
        self.assertEqual(hold.state, "pending")
        # 1,000.00 - 300.00 paid = 700.00 still to pay, on credit
        self.assertAlmostEqual(hold.order_amount, 700.0, places=2)
        failures = self._failures(hold)
        self.assertEqual(list(failures), ["grade_policy", "limit"])
        self.assertEqual(str(failures["limit"]["excess"]), "700.0")
        self.assertEqual(hold.activity_ids.user_id, self.officer)

    def test_a_paid_order_of_a_customer_on_manual_hold_is_held(self):
        self.newcomer_file.on_hold = True
        order = self._quotation(self.newcomer, 1_000.0)
        tx = self._paid_online(order, 1_000.0)
        tx._check_amount_and_confirm_order()
        self.assertEqual(order.state, "draft")
        self.assertEqual(self._failures(order.credit_hold_ids), {"manual_hold": {}})

    def test_the_website_checkout_of_a_free_order_as_superuser_is_held(self):
        """website_sale confirms an order with nothing to pay (``shop_payment_validate``) as
        the superuser with ``send_email`` in the context; paid orders go through the payment
        transaction (above). Neither the superuser nor the context passes the gate."""
        self.file.write({"on_hold": True, "hold_reason": "Cheque bounced"})
        order = self._quotation(self.acme, 500.0)
        order.with_context(send_email=True).with_user(SUPERUSER_ID).action_confirm()
        self.assertEqual(order.state, "draft")
        hold = order.credit_hold_ids
        self.assertEqual(hold.state, "pending")
        self.assertEqual(self._failures(hold), {"manual_hold": {}})
        self.assertEqual(hold.activity_ids.user_id, self.officer)

    def test_a_deposit_counts_against_the_order_and_the_approval_confirms_it(self):
        order = self._quotation(self.acme, 12_000.0)
        order.write({"require_payment": True, "prepayment_percent": 0.25})
        tx = self._paid_online(order, 3_000.0)
        tx._check_amount_and_confirm_order()
        self.assertEqual(order.state, "draft")
        hold = order.credit_hold_ids
        # 12,000.00 - 3,000.00 deposit = 9,000.00 on credit; 3,000.00 + 9,000.00 = 12,000.00
        self.assertAlmostEqual(hold.order_amount, 9_000.0, places=2)
        self.assertEqual(str(self._failures(hold)["limit"]["excess"]), "2000.0")
        hold.with_user(self.officer).action_approve_once("Deposit received")
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.credit_hold_ids, hold)
