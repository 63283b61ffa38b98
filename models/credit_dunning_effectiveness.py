from odoo import api, fields, models
from odoo.tools import SQL


class CreditDunningEffectiveness(models.Model):
    """Collection effectiveness (催收效果评估): per company, dunning level and channel, the
    amounts dunned by sent communications and the share of them paid within three windows
    of days after the contact, set per company (*Settings → Credit → Collections*, by
    default 7, 30 and 60 days).

    paid within N days = payments matched with the dunned items (partial reconciliations
    whose date falls in (contact date, contact date + N]), each item capped at its amount
    dunned; share = paid / dunned. The contact date is the day the communication was sent
    (UTC), not the date of its run: a preview sent days later is measured from then."""

    _name = "credit.dunning.effectiveness"
    _description = "Collection Effectiveness"
    _auto = False
    _order = "company_id, level_days, channel"

    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    level_id = fields.Many2one("credit.dunning.level", readonly=True)
    level_days = fields.Integer(string="Days", readonly=True)
    channel = fields.Selection(
        selection=lambda self: self.env["credit.dunning.level"]._fields["channel"].selection,
        readonly=True,
    )
    communication_count = fields.Integer(string="Contacts", readonly=True)
    amount_dunned = fields.Monetary(readonly=True, currency_field="currency_id")
    window_1 = fields.Integer(string="First Window (Days)", readonly=True, aggregator=None)
    window_2 = fields.Integer(string="Second Window (Days)", readonly=True, aggregator=None)
    window_3 = fields.Integer(string="Third Window (Days)", readonly=True, aggregator=None)
    paid_1 = fields.Monetary(
        string="Paid in First Window", readonly=True, currency_field="currency_id"
    )
    paid_2 = fields.Monetary(
        string="Paid in Second Window", readonly=True, currency_field="currency_id"
    )
    paid_3 = fields.Monetary(
        string="Paid in Third Window", readonly=True, currency_field="currency_id"
    )
    share_1 = fields.Float(string="Paid in First Window (%)", readonly=True, aggregator=None)
    share_2 = fields.Float(string="Paid in Second Window (%)", readonly=True, aggregator=None)
    share_3 = fields.Float(string="Paid in Third Window (%)", readonly=True, aggregator=None)

    @api.model
    def fields_get(self, allfields=None, attributes=None):
        """The columns say the current company's windows ("Paid in 7 Days"), as the
        credit officer set them, instead of "first window"."""
        result = super().fields_get(allfields, attributes)
        windows = self.env.company._credit_dunning_windows()
        for index, days in enumerate(windows, start=1):
            labels = {
                f"paid_{index}": self.env._("Paid in %s Days", days),
                f"share_{index}": self.env._("Paid in %s Days (%%)", days),
            }
            for name, label in labels.items():
                if name in result and "string" in result[name]:
                    result[name]["string"] = label
        return result

    _depends = {
        "credit.dunning.communication": [
            "state",
            "level_id",
            "channel",
            "date",
            "sent_date",
            "company_id",
        ],
        "credit.dunning.communication.line": [
            "communication_id",
            "move_line_id",
            "amount_residual",
        ],
        "account.partial.reconcile": ["amount", "debit_move_id", "max_date"],
        "res.company": [
            "credit_dunning_window_1",
            "credit_dunning_window_2",
            "credit_dunning_window_3",
        ],
    }

    @property
    def _table_query(self):
        return SQL(
            """
        WITH contacts AS (
            SELECT c.id, c.company_id, c.level_id, c.level_days, c.channel,
                   COALESCE(c.sent_date::date, c.date) AS contact_date,
                   co.credit_dunning_window_1 AS window_1,
                   co.credit_dunning_window_2 AS window_2,
                   co.credit_dunning_window_3 AS window_3
              FROM credit_dunning_communication c
              JOIN res_company co ON co.id = c.company_id
             WHERE c.state = 'sent'
        ),
        items AS (
            SELECT c.id AS comm, c.company_id, c.level_id, c.level_days, c.channel,
                   c.window_1, c.window_2, c.window_3,
                   l.amount_residual AS dunned,
                   LEAST(l.amount_residual, COALESCE(SUM(apr.amount) FILTER (
                       WHERE apr.max_date <= c.contact_date + c.window_1), 0)) AS paid_1,
                   LEAST(l.amount_residual, COALESCE(SUM(apr.amount) FILTER (
                       WHERE apr.max_date <= c.contact_date + c.window_2), 0)) AS paid_2,
                   LEAST(l.amount_residual, COALESCE(SUM(apr.amount), 0)) AS paid_3
              FROM contacts c
              JOIN credit_dunning_communication_line l ON l.communication_id = c.id
         LEFT JOIN account_partial_reconcile apr
                ON apr.debit_move_id = l.move_line_id
               AND apr.max_date > c.contact_date
               AND apr.max_date <= c.contact_date + c.window_3
          GROUP BY c.id, c.company_id, c.level_id, c.level_days, c.channel, c.contact_date,
                   c.window_1, c.window_2, c.window_3, l.id
        )
        SELECT MIN(comm) AS id, company_id, level_id, level_days, channel,
               window_1, window_2, window_3,
               COUNT(DISTINCT comm) AS communication_count,
               SUM(dunned) AS amount_dunned, SUM(paid_1) AS paid_1, SUM(paid_2) AS paid_2,
               SUM(paid_3) AS paid_3,
               ROUND(100 * SUM(paid_1) / NULLIF(SUM(dunned), 0), 2) AS share_1,
               ROUND(100 * SUM(paid_2) / NULLIF(SUM(dunned), 0), 2) AS share_2,
               ROUND(100 * SUM(paid_3) / NULLIF(SUM(dunned), 0), 2) AS share_3
          FROM items
      GROUP BY company_id, level_id, level_days, channel, window_1, window_2, window_3
            """
        )
