from odoo import fields, models
from odoo.tools import SQL


class CreditDunningEffectiveness(models.Model):
    """Collection effectiveness (催收效果评估): per company, dunning level and channel, the
    amounts dunned by sent communications and the share of them paid within 7, 30 and 60
    days after the contact.

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
    paid_7 = fields.Monetary(string="Paid in 7 Days", readonly=True, currency_field="currency_id")
    paid_30 = fields.Monetary(string="Paid in 30 Days", readonly=True, currency_field="currency_id")
    paid_60 = fields.Monetary(string="Paid in 60 Days", readonly=True, currency_field="currency_id")
    share_7 = fields.Float(string="Paid in 7 Days (%)", readonly=True, aggregator=None)
    share_30 = fields.Float(string="Paid in 30 Days (%)", readonly=True, aggregator=None)
    share_60 = fields.Float(string="Paid in 60 Days (%)", readonly=True, aggregator=None)

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
    }

    @property
    def _table_query(self):
        return SQL(
            """
        WITH contacts AS (
            SELECT c.id, c.company_id, c.level_id, c.level_days, c.channel,
                   COALESCE(c.sent_date::date, c.date) AS contact_date
              FROM credit_dunning_communication c
             WHERE c.state = 'sent'
        ),
        items AS (
            SELECT c.id AS comm, c.company_id, c.level_id, c.level_days, c.channel,
                   l.amount_residual AS dunned,
                   LEAST(l.amount_residual, COALESCE(SUM(apr.amount) FILTER (
                       WHERE apr.max_date <= c.contact_date + 7), 0)) AS paid_7,
                   LEAST(l.amount_residual, COALESCE(SUM(apr.amount) FILTER (
                       WHERE apr.max_date <= c.contact_date + 30), 0)) AS paid_30,
                   LEAST(l.amount_residual, COALESCE(SUM(apr.amount), 0)) AS paid_60
              FROM contacts c
              JOIN credit_dunning_communication_line l ON l.communication_id = c.id
         LEFT JOIN account_partial_reconcile apr
                ON apr.debit_move_id = l.move_line_id
               AND apr.max_date > c.contact_date AND apr.max_date <= c.contact_date + 60
          GROUP BY c.id, c.company_id, c.level_id, c.level_days, c.channel, c.contact_date,
                   l.id
        )
        SELECT MIN(comm) AS id, company_id, level_id, level_days, channel,
               COUNT(DISTINCT comm) AS communication_count,
               SUM(dunned) AS amount_dunned, SUM(paid_7) AS paid_7, SUM(paid_30) AS paid_30,
               SUM(paid_60) AS paid_60,
               ROUND(100 * SUM(paid_7) / NULLIF(SUM(dunned), 0), 2) AS share_7,
               ROUND(100 * SUM(paid_30) / NULLIF(SUM(dunned), 0), 2) AS share_30,
               ROUND(100 * SUM(paid_60) / NULLIF(SUM(dunned), 0), 2) AS share_60
          FROM items
      GROUP BY company_id, level_id, level_days, channel
            """
        )
