from odoo import Command
from odoo.tests import freeze_time, tagged

from .common import CreditOrderCommon


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestAgingNoCustomer(CreditOrderCommon):
    """Receivables booked without a partner make a "(no customer)" line that drills down to
    them. Ledger: Acme owes 1,000.00 (invoice due 2024-05-31); a miscellaneous entry of
    2024-04-15 debits 120.00 to the receivable account without a partner."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acme = cls._customer("Acme")
        cls.inv_acme = cls._invoice(cls.acme, "2024-05-01", "2024-05-31", 1_000.0)
        cls.entry = cls.env["account.move"].create(
            {
                "move_type": "entry",
                "date": "2024-04-15",
                "journal_id": cls.company_data["default_journal_misc"].id,
                "line_ids": [
                    Command.create(
                        {"name": "Unassigned", "account_id": cls.receivable.id, "debit": 120.0}
                    ),
                    Command.create(
                        {
                            "name": "Unassigned",
                            "account_id": cls.company_data["default_account_revenue"].id,
                            "credit": 120.0,
                        }
                    ),
                ],
            }
        )
        cls.entry.action_post()
        cls.entry_line = cls.entry.line_ids.filtered(lambda line: line.debit)

    def test_the_engine_filters_the_items_without_a_customer(self):
        engine = self.env["credit.aging.engine"]
        items = engine._open_items("2024-06-30", self.company.ids, partner_ids=[False])
        self.assertEqual(
            [(item["line_id"], item["residual"]) for item in items], [(self.entry_line.id, 120.0)]
        )
        items = engine._open_items(
            "2024-06-30", self.company.ids, partner_ids=[self.acme.id, False]
        )
        self.assertEqual({item["move_id"] for item in items}, {self.entry.id, self.inv_acme.id})
        items = engine._open_items("2024-06-30", self.company.ids, partner_ids=[self.acme.id])
        self.assertEqual({item["move_id"] for item in items}, {self.inv_acme.id})

    def test_the_no_customer_line_drills_down_to_its_items(self):
        report = self.env["credit.aging.report"].create(
            {"company_ids": [Command.set(self.company.ids)]}
        )
        line = report._lines().filtered(lambda line: not line.partner_id)
        self.assertEqual(line.total, 120.0)
        action = line.action_open_items()
        items = (
            self.env[action["res_model"]].with_context(**action["context"]).search(action["domain"])
        )
        self.assertEqual(
            [(item.move_line_id, item.residual, item.days) for item in items],
            [(self.entry_line, 120.0, 76)],
        )
        self.assertEqual(sum(items.mapped("residual")), line.total)
