from odoo import fields, models


class CreditDunningCommunicationLine(models.Model):
    """One open item in a dunning communication, as it stood on the run's date, with what
    the item had reached before (so cancelling the communication puts it back)."""

    _name = "credit.dunning.communication.line"
    _description = "Dunning Communication Item"
    _order = "date_maturity, id"

    communication_id = fields.Many2one(
        "credit.dunning.communication", required=True, ondelete="cascade", index=True
    )
    run_id = fields.Many2one("credit.dunning.run", required=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, index=True)
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    move_line_id = fields.Many2one(
        "account.move.line", string="Journal Item", required=True, ondelete="cascade", index=True
    )
    move_id = fields.Many2one("account.move", string="Invoice", required=True, index=True)
    date_maturity = fields.Date(string="Due Date")
    days_overdue = fields.Integer(help="Days after the due date on the run's date.")
    amount_residual = fields.Monetary(
        string="Open Amount",
        currency_field="company_currency_id",
        help="Open amount in the company's currency on the run's date: what the totals, fees "
        "and interest of the communication add up.",
    )
    currency_id = fields.Many2one("res.currency", help="The currency of the invoice.")
    amount_residual_currency = fields.Monetary(
        string="Open Amount in Currency",
        currency_field="currency_id",
        help="Open amount in the invoice's currency, as the customer owes it.",
    )
    interest_days = fields.Integer(help="Days of penalty interest charged with this contact.")
    previous_level_id = fields.Many2one("credit.dunning.level", ondelete="set null")
    previous_level_date = fields.Date()
    previous_interest_date = fields.Date()
    previous_communication_id = fields.Many2one("credit.dunning.communication", ondelete="set null")

    _sql_constraints = [
        (
            "run_move_line_unique",
            "unique(run_id, move_line_id)",
            "An item appears once in a dunning run.",
        ),
    ]
