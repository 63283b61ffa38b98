from lxml import etree

from odoo.tests import freeze_time, tagged
from odoo.tools.safe_eval import safe_eval

from .common import CreditOrderCommon


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestHeldOrderScreen(CreditOrderCommon):
    """What the salesperson sees on a quotation already on credit hold: the hold, its
    reasons and that a credit officer decides; no Confirm button while confirming would only
    hold it again, a button to the hold instead. Acme is rated A with a limit of 10,000.00
    and owes 3,000.00 (due 2024-07-20): a quotation of 7,500.00 goes over the limit by
    500.00 and is held."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acme, cls.file = cls._rated("Acme", limit=10_000.0)
        cls.invoice = cls._invoice(cls.acme, "2024-06-20", "2024-07-20", 3_000.0)

    def _held_quotation(self):
        order = self._quotation(self.acme, 7_500.0)
        order.with_user(self.salesperson).action_confirm()
        self.assertEqual((order.state, order.credit_hold_state), ("draft", "pending"))
        order.invalidate_recordset()
        return order.with_user(self.salesperson)

    def _visible_buttons(self, order, name):
        """How many buttons ``name`` of the order form the salesperson sees for ``order``,
        their ``invisible`` expressions evaluated on the order's values."""
        arch = etree.fromstring(
            self.env["sale.order"]
            .with_user(self.salesperson)
            .get_view(self.env.ref("sale.view_order_form").id)["arch"]
        )
        buttons = arch.xpath(f"//header/button[@name='{name}']")
        self.assertTrue(buttons, name)
        values = {
            "state": order.state,
            "credit_awaits_officer": order.credit_awaits_officer,
            "locked": order.locked,
            "id": order.id,
        }
        return sum(not safe_eval(button.get("invisible") or "False", values) for button in buttons)

    def test_the_banner_of_a_held_order_states_the_hold_its_reasons_and_the_officer(self):
        order = self._held_quotation()
        banner = order.partner_credit_warning
        self.assertNotIn("Confirming will put the order on credit hold", banner)
        self.assertEqual(
            banner.splitlines(),
            [
                "This order is on credit hold for Acme and waits for a credit officer:",
                *order.credit_hold_ids.reasons.splitlines(),
            ],
        )
        self.assertIn("over the limit", banner)

    def test_a_held_order_offers_no_confirm_button_but_the_hold(self):
        order = self._held_quotation()
        self.assertTrue(order.credit_awaits_officer)
        self.assertEqual(self._visible_buttons(order, "action_confirm"), 0)
        self.assertEqual(self._visible_buttons(order, "action_view_credit_hold"), 1)
        action = order.action_view_credit_hold()
        self.assertEqual(
            (action["res_model"], action["res_id"]), ("credit.hold", order.credit_hold_ids.id)
        )
        self.assertEqual(order.env["credit.hold"].browse(action["res_id"]).partner_id, self.acme)

    def test_a_quotation_not_held_offers_confirm(self):
        order = self._quotation(self.acme, 7_500.0).with_user(self.salesperson)
        self.assertFalse(order.credit_awaits_officer)
        self.assertIn("Confirming will put the order on credit hold", order.partner_credit_warning)
        self.assertEqual(self._visible_buttons(order, "action_confirm"), 1)
        self.assertEqual(self._visible_buttons(order, "action_view_credit_hold"), 0)

    def test_a_held_order_that_would_now_pass_offers_confirm_again(self):
        order = self._held_quotation()
        self._pay(self.invoice, "2024-06-29")
        order.invalidate_recordset()
        self.assertEqual(order.partner_credit_warning, "")
        self.assertFalse(order.credit_awaits_officer)
        self.assertEqual(self._visible_buttons(order, "action_confirm"), 1)

    def test_the_server_still_refuses_a_held_order_confirmed_by_rpc(self):
        order = self._held_quotation()
        order.action_confirm()
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.credit_hold_state, "pending")
