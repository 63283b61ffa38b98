import threading
from datetime import timedelta

from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.modules.registry import Registry
from odoo.service.model import retrying
from odoo.tests import BaseCase, get_db_name, tagged
from odoo.tools import mute_logger

from odoo.addons.credit_management.models.credit_decision_mixin import audit_writer

TIMEOUT = 60
"""Seconds any thread, lock or barrier may wait before the test gives up."""


@tagged("post_install", "-at_install")
class TestParallelConfirmation(BaseCase):
    """Two users confirm an order for the same customer at the same moment, each in their
    own database transaction, as two web requests do. The customer has a limit of 1,000.00
    and two quotations of 600.00: only one of them may use the credit.

    TransactionCase runs everything in one test cursor, so this class commits its data for
    real (in the test database), confirms from two threads with their own cursors and
    removes everything it committed at the end."""

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
            customer = env["res.partner"].create({"name": "Parallel Customer", "is_company": True})
            # a rating approved before the race (set up as its decision would write it)
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
            product = env["product.product"].create(
                {"name": "Parallel goods", "type": "consu", "taxes_id": [Command.clear()]}
            )
            term = env["account.payment.term"].create(
                {
                    "name": "Parallel 30 days",
                    "line_ids": [
                        Command.create({"value": "percent", "value_amount": 100.0, "nb_days": 30})
                    ],
                }
            )
            orders = env["sale.order"].create(
                [
                    {
                        "partner_id": customer.id,
                        "company_id": company.id,
                        "user_id": SUPERUSER_ID,
                        "payment_term_id": term.id,
                        "order_line": [
                            Command.create(
                                {
                                    "product_id": product.id,
                                    "product_uom_qty": 1,
                                    "price_unit": 600.0,
                                    "tax_id": [Command.clear()],
                                }
                            )
                        ],
                    }
                    for _n in range(2)
                ]
            )
            cls.data = {
                "customer": customer.id,
                "file": file.id,
                "product": product.id,
                "term": term.id,
                "orders": orders.ids,
            }

    @classmethod
    def _remove_committed_data(cls):
        data = cls.data
        if not data:
            return
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            orders = env["sale.order"].browse(data["orders"]).exists()
            env["mail.mail"].search(
                [
                    "|",
                    "&",
                    ("model", "=", "sale.order"),
                    ("res_id", "in", orders.ids),
                    "&",
                    ("model", "=", "credit.hold"),
                    ("res_id", "in", orders.credit_hold_ids.ids),
                ]
            ).unlink()
            orders.credit_hold_ids.unlink()
            orders.filtered(lambda o: o.state == "sale")._action_cancel()
            if "picking_ids" in orders._fields:
                # with sale_stock (the credit_management_stock bridge), orders have deliveries
                orders.picking_ids.unlink()
            orders.unlink()
            env["credit.file"].browse(data["file"]).exists().unlink()
            env["product.product"].browse(data["product"]).exists().product_tmpl_id.unlink()
            env["account.payment.term"].browse(data["term"]).exists().unlink()
            env["res.partner"].browse(data["customer"]).exists().unlink()

    def _confirm_in_own_transaction(self, order_id, barrier, outcome):
        """One web request: read the order (the transaction's snapshot is taken), wait for
        the other request, confirm, commit. Like Odoo's RPC layer, retry the whole request
        on a serialization failure."""
        try:
            with self.registry.cursor() as cr:
                cr.execute("SET lock_timeout = %s", [f"{TIMEOUT}s"])
                try:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    self.assertIn(env["sale.order"].browse(order_id).state, ("draft", "sent"))
                    barrier.wait(timeout=TIMEOUT)
                    retrying(lambda: env["sale.order"].browse(order_id).action_confirm(), env)
                    # two real transactions racing is the point of this test
                    cr.commit()  # pylint: disable=invalid-commit
                finally:
                    cr.rollback()
                    cr.execute("RESET lock_timeout")
            outcome[order_id] = "committed"
        except Exception as error:
            outcome[order_id] = error
            barrier.abort()

    def _confirm_both_at_once(self):
        """Both orders confirmed at the same moment, each in its own thread and transaction;
        both requests must end (committed), whatever they decided."""
        barrier = threading.Barrier(2)
        outcome = {}
        threads = [
            threading.Thread(
                target=self._confirm_in_own_transaction,
                args=(order_id, barrier, outcome),
                name=f"confirm-{order_id}",
            )
            for order_id in self.data["orders"]
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=2 * TIMEOUT)
        self.assertFalse([t.name for t in threads if t.is_alive()], "a confirmation hangs")
        self.assertEqual(outcome, dict.fromkeys(self.data["orders"], "committed"))

    def test_the_lock_of_a_check_leaves_the_customers_row_alone(self):
        """A transaction that began before a credit check committed still adds a contact to
        the customer (its foreign key locks the customer's row): the check locks a row of
        its own table, not the customer's. A second check on that old snapshot is refused
        with a serialization error (Odoo retries it), as the gate needs."""
        customer = self.data["customer"]
        with self.registry.cursor() as cr_b:
            env_b = api.Environment(cr_b, SUPERUSER_ID, {})
            self.assertTrue(env_b["res.partner"].browse(customer).name)  # B's snapshot
            with self.registry.cursor() as cr_a:
                api.Environment(cr_a, SUPERUSER_ID, {})["credit.exposure"]._lock_customers(
                    [customer]
                )
            # A committed its check; B goes on with the customer's other work
            contact = env_b["res.partner"].create({"name": "Late Buyer", "parent_id": customer})
            env_b.flush_all()
            self.assertEqual(contact.commercial_partner_id.id, customer)
            with self.assertRaises(SerializationFailure), mute_logger("odoo.sql_db"):
                env_b["credit.exposure"]._lock_customers([customer])
            cr_b.rollback()

    def test_two_users_cannot_both_use_the_same_remaining_credit(self):
        self._confirm_both_at_once()

        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            orders = env["sale.order"].browse(self.data["orders"])
            confirmed = orders.filtered(lambda o: o.state == "sale")
            held = orders - confirmed
            self.assertEqual(len(confirmed), 1, "exactly one order gets the credit")
            self.assertEqual(len(held), 1)
            self.assertEqual(held.state, "draft")
            self.assertFalse(confirmed.credit_hold_ids)
            hold = held.credit_hold_ids
            self.assertEqual(hold.state, "pending")
            # the confirmed 600.00 is used: 600.00 + 600.00 = 1,200.00, 200.00 over 1,000.00
            self.assertAlmostEqual(hold.exposure, 600.0, places=2)
            self.assertAlmostEqual(hold.order_amount, 600.0, places=2)
            self.assertAlmostEqual(hold.credit_limit, 1_000.0, places=2)
            limit = next(f for f in hold.failures if f["rule"] == "limit")
            self.assertEqual(float(limit["values"]["excess"]), 200.0)


@tagged("post_install", "-at_install")
class TestParallelGroupConfirmation(TestParallelConfirmation):
    """The same race between two members of a credit group: the parent company (its own
    limit now 10,000.00) and its subsidiary (10,000.00) share a group limit of 1,000.00;
    each confirms an order of 600.00 at the same moment. Their own limits hold both, the
    group's only one: confirmations are serialised on the group head."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            head = env["credit.file"].browse(cls.data["file"])
            subsidiary = env["res.partner"].create(
                {"name": "Parallel Subsidiary", "is_company": True}
            )
            # ratings approved before the race (set up as their decisions would write them)
            with audit_writer(env):
                head.write(
                    {"credit_limit": 10_000.0, "is_credit_group": True, "group_limit": 1_000.0}
                )
                member = head.copy(
                    {
                        "partner_id": subsidiary.id,
                        "is_credit_group": False,
                        "group_limit": 0.0,
                        "group_file_id": head.id,
                    }
                )
            env["sale.order"].browse(cls.data["orders"][1]).partner_id = subsidiary
            cls.data.update(subsidiary=subsidiary.id, member_file=member.id)

    @classmethod
    def _remove_committed_data(cls):
        data = cls.data
        result = super()._remove_committed_data()  # the orders of both, the head's file, ...
        if data.get("member_file"):
            with cls.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["credit.file"].browse(data["member_file"]).exists().unlink()
                env["res.partner"].browse(data["subsidiary"]).exists().unlink()
        return result

    def test_two_users_cannot_both_use_the_same_remaining_credit(self):
        self._confirm_both_at_once()

        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            orders = env["sale.order"].browse(self.data["orders"])
            self.assertEqual(len(orders.partner_id), 2, "one order per member")
            confirmed = orders.filtered(lambda o: o.state == "sale")
            held = orders - confirmed
            self.assertEqual(len(confirmed), 1, "exactly one order gets the group's credit")
            self.assertEqual(held.state, "draft")
            hold = held.credit_hold_ids
            self.assertEqual([f["rule"] for f in hold.failures], ["group_limit"])
            group = hold.failures[0]["values"]
            # the other member's 600.00 is counted: 600.00 + 600.00 = 1,200.00, 200.00 over
            self.assertEqual(float(group["group_exposure"]), 600.0)
            self.assertEqual(float(group["excess"]), 200.0)
