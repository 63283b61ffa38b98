from odoo import Command
from odoo.tests import new_test_user

from odoo.addons.credit_management.tests.common import CreditOrderCommon


class CreditDeliveryCommon(CreditOrderCommon):
    """Deliveries on top of the order credit tests: a warehouse user who validates them,
    and Acme, rated A with a limit of 10,000.00, owing 3,000.00 not due yet (due
    2024-07-20), whose order of 2,000.00 passed the credit gate and waits for delivery:
    an exposure of 5,000.00."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stock_user = new_test_user(
            cls.env,
            login="cm_stock_user",
            groups="stock.group_stock_user",
            name="Warehouse Clerk",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.acme, cls.file = cls._rated("Acme", limit=10_000.0)
        cls._invoice(cls.acme, "2024-06-20", "2024-07-20", 3_000.0)

    def _sold_delivery(self, partner, amount=2_000.0, qty=2.0):
        """Confirm an order through the credit gate and return its delivery."""
        order = self._quotation(partner, amount, qty=qty)
        order.with_user(self.salesperson).action_confirm()
        self.assertEqual(order.state, "sale")
        return order.picking_ids

    def _picking(self, partner, picking_type, source, destination, qty=2.0):
        """A transfer of ``qty`` goods entered by hand, ready to validate."""
        picking = self.env["stock.picking"].create(
            {
                "partner_id": partner.id,
                "picking_type_id": picking_type.id,
                "location_id": source.id,
                "location_dest_id": destination.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": self.goods.name,
                            "product_id": self.goods.id,
                            "product_uom_qty": qty,
                            "product_uom": self.goods.uom_id.id,
                            "location_id": source.id,
                            "location_dest_id": destination.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        return picking

    def _validate(self, pickings, user=None):
        return pickings.with_user(user or self.stock_user).button_validate()

    @staticmethod
    def _pending(picking):
        return picking.sudo().credit_hold_ids.filtered(lambda h: h.state == "pending")
