import threading
from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields
from odoo.modules.registry import Registry
from odoo.service.model import retrying
from odoo.tests import BaseCase, get_db_name, tagged

from odoo.addons.credit_management.models.credit_decision_mixin import audit_writer

TIMEOUT = 60
"""Seconds any thread, lock or barrier may wait before the test gives up."""


@tagged("post_install", "-at_install")
class TestParallelTills(BaseCase):
    """Two tills sell on customer account to the same customer at the same moment, each
    sync in its own database transaction, as two web requests are. The customer has a limit
    of 1,000.00 and each till sells 600.00: only one sale may use the credit, the other is
    recorded and held (like ``credit_management``'s test_parallel_confirmation, whose
    committed-data pattern this follows: everything committed is removed at the end)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls.addClassCleanup(cls._remove_committed_data)
        cls.data = {}
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            today = fields.Date.context_today(env["res.partner"])
            company = env.ref("base.main_company")
            customer = env["res.partner"].create({"name": "Two Tills Customer", "is_company": True})
            with audit_writer(env):
                file = env["credit.file"].create(
                    {
                        "partner_id": customer.id,
                        "company_id": company.id,
                        "grade_id": env.ref("credit_management.grade_a").id,
                        "credit_limit": 1_000.0,
                        "credit_days": 30,
                        "rating_date": today,
                        "valid_until": today + timedelta(days=60),
                    }
                )
            # a service: no delivery, no stock valuation to remove afterwards
            product = env["product.product"].create(
                {"name": "Two tills goods", "type": "service", "available_in_pos": True}
            )
            cash_journal = env["account.journal"].create(
                {"name": "Two Tills Cash", "type": "cash", "code": "CMTT", "company_id": company.id}
            )
            cash = env["pos.payment.method"].create(
                {"name": "Two Tills Cash", "journal_id": cash_journal.id}
            )
            account = env["pos.payment.method"].create(
                {"name": "Two Tills Customer Account", "split_transactions": True}
            )
            config = env["pos.config"].create(
                {"name": "Two Tills Shop", "payment_method_ids": [(6, 0, [cash.id, account.id])]}
            )
            config.open_ui()
            session = config.current_session_id
            session.set_opening_control(0, None)
            cls.data = {
                "customer": customer.id,
                "file": file.id,
                "product": product.id,
                "methods": [cash.id, account.id],
                "journal": cash_journal.id,
                "config": config.id,
                "session": session.id,
            }

    @classmethod
    def _remove_committed_data(cls):
        data = cls.data
        if not data:
            return
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            session = env["pos.session"].browse(data["session"]).exists()
            orders = session.order_ids
            holds = env["credit.hold"].search([("pos_order_id", "in", orders.ids)])
            for model, ids in (("pos.order", orders.ids), ("credit.hold", holds.ids)):
                env["mail.message"].search([("model", "=", model), ("res_id", "in", ids)]).unlink()
            holds.unlink()
            orders.payment_ids.unlink()
            orders.write({"state": "cancel"})
            orders.unlink()
            session.unlink()
            env["pos.config"].browse(data["config"]).exists().unlink()
            env["pos.payment.method"].browse(data["methods"]).exists().unlink()
            env["account.journal"].browse(data["journal"]).exists().unlink()
            env["credit.file"].browse(data["file"]).exists().unlink()
            product = env["product.product"].browse(data["product"]).exists()
            # the point of sale refuses to delete a product sold in any open session
            product.available_in_pos = False
            product.product_tmpl_id.unlink()
            env["res.partner"].browse(data["customer"]).exists().unlink()

    def _order_data(self, env, till):
        session = env["pos.session"].browse(self.data["session"])
        uuid = f"two-tills-{till}-{self.data['session']}"
        return {
            "amount_paid": 600.0,
            "amount_return": 0,
            "amount_tax": 0,
            "amount_total": 600.0,
            "date_order": fields.Datetime.to_string(fields.Datetime.now()),
            "fiscal_position_id": False,
            "pricelist_id": session.config_id.pricelist_id.id,
            "name": f"Order {uuid}",
            "last_order_preparation_change": "{}",
            "lines": [
                (
                    0,
                    0,
                    {
                        "product_id": self.data["product"],
                        "qty": 1,
                        "price_unit": 600.0,
                        "price_subtotal": 600.0,
                        "price_subtotal_incl": 600.0,
                        "discount": 0,
                        "tax_ids": [(6, 0, [])],
                        "pack_lot_ids": [],
                    },
                )
            ],
            "partner_id": self.data["customer"],
            "session_id": session.id,
            "sequence_number": till,
            "payment_ids": [
                (
                    0,
                    0,
                    {
                        "amount": 600.0,
                        "name": fields.Datetime.now(),
                        "payment_method_id": self.data["methods"][1],
                    },
                )
            ],
            "uuid": uuid,
            "user_id": SUPERUSER_ID,
            "to_invoice": False,
        }

    def _sync_in_own_transaction(self, till, barrier, outcome):
        """One till's sync: take the snapshot, wait for the other till, sync, commit; like
        Odoo's RPC layer, retry the whole request on a serialization failure."""
        try:
            with self.registry.cursor() as cr:
                cr.execute("SET lock_timeout = %s", [f"{TIMEOUT}s"])
                try:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    self.assertTrue(env["pos.session"].browse(self.data["session"]).exists())
                    barrier.wait(timeout=TIMEOUT)
                    retrying(
                        lambda: env["pos.order"].sync_from_ui([self._order_data(env, till)]),
                        env,
                    )
                    # two real transactions racing is the point of this test
                    cr.commit()  # pylint: disable=invalid-commit
                finally:
                    cr.rollback()
                    cr.execute("RESET lock_timeout")
            outcome[till] = "committed"
        except Exception as error:
            outcome[till] = error
            barrier.abort()

    def test_two_tills_cannot_both_use_the_same_remaining_credit(self):
        barrier = threading.Barrier(2)
        outcome = {}
        threads = [
            threading.Thread(
                target=self._sync_in_own_transaction,
                args=(till, barrier, outcome),
                name=f"till-{till}",
            )
            for till in (1, 2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=2 * TIMEOUT)
        self.assertFalse([t.name for t in threads if t.is_alive()], "a sync hangs")
        self.assertEqual(outcome, {1: "committed", 2: "committed"})

        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            orders = env["pos.session"].browse(self.data["session"]).order_ids
            self.assertEqual(len(orders), 2, "both sales are recorded")
            self.assertEqual(set(orders.mapped("state")), {"paid"})
            held = orders.filtered("credit_hold_state")
            self.assertEqual(len(held), 1, "exactly one sale is held")
            hold = held.credit_hold_ids
            self.assertEqual(hold.state, "pending")
            # the other till's 600.00 is counted: 600.00 + 600.00 = 1,200.00
            self.assertAlmostEqual(hold.exposure, 600.0, places=2)
            self.assertAlmostEqual(hold.order_amount, 600.0, places=2)
            limit = next(f for f in hold.failures if f["rule"] == "limit")
            self.assertEqual(float(limit["values"]["excess"]), 200.0)
