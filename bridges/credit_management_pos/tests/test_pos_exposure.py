from odoo.tests import tagged

from .common import CreditPosCommon


@tagged("post_install", "-at_install")
class TestPosExposure(CreditPosCommon):
    """What customers owe from the point of sale counts in their exposure once: as an open
    point of sale order until it is invoiced or posted with its session, then as a
    receivable in the ledger."""

    def _counted(self, partner):
        return self.env["credit.exposure"]._exposure_total(self.policy, self._exposure(partner))

    def test_an_open_sale_on_customer_account_counts_as_its_own_category(self):
        self._sync(self._sale(self.acme, [(self.cash_pm1, 200.0), (self.pay_later_pm, 400.0)]))
        exposure = self._exposure(self.acme)
        self.assertEqual(exposure["pos_orders"], 400.0)
        self.assertEqual(exposure["receivables"], 0.0)
        self.assertEqual(self._counted(self.acme), 400)

    def test_a_contact_buying_on_account_uses_its_company_credit(self):
        buyer = self.env["res.partner"].create({"name": "Site Buyer", "parent_id": self.acme.id})
        self._sync(self._sale(buyer, [(self.pay_later_pm, 600.0)]))
        self.assertEqual(self._exposure(self.acme)["pos_orders"], 600.0)

    def test_closing_the_session_moves_the_credit_to_the_ledger_without_double_count(self):
        order, _r = self._sync(self._sale(self.acme, [(self.pay_later_pm, 600.0)]))
        self.pos_session.post_closing_cash_details(0)
        self.pos_session.close_session_from_ui()
        self.assertEqual(self.pos_session.state, "closed")
        self.assertEqual(order.state, "done")
        exposure = self._exposure(self.acme)
        self.assertEqual(exposure["pos_orders"], 0.0)
        self.assertEqual(exposure["receivables"], 600.0)
        self.assertEqual(self._counted(self.acme), 600)

    def test_an_invoiced_sale_counts_as_its_invoice_only(self):
        data = self._sale(self.acme, [(self.pay_later_pm, 600.0)])
        data["to_invoice"] = True
        order, _r = self._sync(data)
        self.assertEqual(order.state, "invoiced")
        exposure = self._exposure(self.acme)
        self.assertEqual(exposure["pos_orders"], 0.0)
        self.assertEqual(exposure["receivables"], 600.0)
        self.assertEqual(self._counted(self.acme), 600)

    def test_the_policy_switch_leaves_point_of_sale_orders_out_of_the_exposure(self):
        self._sync(self._sale(self.acme, [(self.pay_later_pm, 600.0)]))
        self.policy.exposure_pos_orders = False
        self.assertEqual(self._exposure(self.acme)["pos_orders"], 600.0, "still reported")
        self.assertEqual(self._counted(self.acme), 0)
        # nor judged on it: another 600.00 on account passes the limit of 1,000.00
        order, _r = self._sync(self._sale(self.acme, [(self.pay_later_pm, 600.0)]))
        self.assertFalse(order.sudo().credit_hold_ids)

    def test_sale_orders_see_what_the_till_sold_on_account(self):
        self._sync(self._sale(self.acme, [(self.pay_later_pm, 600.0)]))
        checks = self.env["credit.exposure"]._customer_credit_check(
            {(self.company.id, self.acme.id)}
        )
        _file, facts, failures = checks[(self.company.id, self.acme.id)]
        self.assertEqual(facts.exposure, 600)
        self.assertFalse(failures)
