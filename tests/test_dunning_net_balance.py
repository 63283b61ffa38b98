from odoo import Command
from odoo.tests import freeze_time, tagged

from .dunning_common import DAY, DunningCommon, days


@freeze_time(DAY)
@tagged("post_install", "-at_install")
class TestDunningNetBalance(DunningCommon):
    """Credit notes and payments not matched yet offset what is dunned: they settle the
    oldest items first, and a customer who owes nothing in all is not dunned. Each customer
    has two invoices 20 days overdue: 61,000.00 (due 20 days ago) and 34,250.00 (due 16 days
    ago), so both reach the first reminder (+15)."""

    def _invoices(self, partner):
        old = self._invoice(partner, days(-50), days(-20), 61_000.0)
        new = self._invoice(partner, days(-46), days(-16), 34_250.0)
        return old, new

    def _unmatched_credit_note(self, partner, amount):
        refund = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": partner.id,
                "invoice_date": days(-10),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Returned goods",
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        refund.action_post()
        return refund

    def test_a_customer_whose_credit_notes_cover_everything_is_not_dunned(self):
        square = self._debtor("Square Customer")
        self._invoices(square)
        self._unmatched_credit_note(square, 95_250.0)
        owing = self._debtor("Owing Customer")
        self._invoices(owing)
        run = self._run()
        self.assertFalse(self._communications(run, square))
        self.assertEqual(self._communications(run, owing).amount_due, 95_250.0)

    def test_credit_notes_settle_the_oldest_invoice_first_and_the_rest_is_dunned(self):
        partner = self._debtor("Partly Credited")
        old, new = self._invoices(partner)
        self._unmatched_credit_note(partner, 70_000.0)
        comm = self._communications(self._run(), partner)
        self.assertEqual(len(comm), 1)
        # 70,000.00 settles the old invoice (61,000.00) and 9,000.00 of the new one
        self.assertEqual(comm.line_ids.move_id, new)
        self.assertEqual(comm.line_ids.amount_residual, 25_250.0)
        self.assertEqual(comm.amount_due, 25_250.0)
        # the old invoice was not dunned: its dunning state did not move
        state = self.env["credit.dunning.item.state"].search(
            [("move_line_id", "in", old.line_ids.ids)]
        )
        self.assertFalse(state.level_id)

    def test_an_unmatched_payment_offsets_too(self):
        partner = self._debtor("Paid Unmatched")
        self._invoices(partner)
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": partner.id,
                "amount": 95_250.0,
                "date": days(-2),
            }
        )
        payment.action_post()
        self.assertFalse(self._communications(self._run(), partner))
