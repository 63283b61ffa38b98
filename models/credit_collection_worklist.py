from odoo import fields, models
from odoo.tools import SQL

UNRATED_RISK = 9
"""Risk factor of a customer without a grade: treated as C, like a new customer."""
URGENCY = [("0", "Low"), ("1", "Medium"), ("2", "High"), ("3", "Very High")]
"""Quarters of a company's worklist by priority score, shown as stars."""


class CreditCollectionWorklist(models.Model):
    """The collector's worklist: customers with overdue money, most urgent first.

    priority = sum(open amount x days overdue of each overdue item not disputed) x grade risk,
    where the grade risk is the grade's rank on the nine-grade scale (AAA = 1 ... C = 9,
    unrated = 9): a large sum long overdue at a weak customer comes first. Each row shows
    the last contact (collection log) and the next step (the contact waiting to be sent,
    else the next open promise). The collector is the credit file's officer, else the
    collector of the customer's dunning policy."""

    _name = "credit.collection.worklist"
    _description = "Collection Worklist"
    _auto = False
    _order = "priority desc, partner_id"

    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    file_id = fields.Many2one("credit.file", string="Credit File", readonly=True)
    grade_id = fields.Many2one("credit.grade", readonly=True)
    collector_id = fields.Many2one("res.users", readonly=True)
    overdue_amount = fields.Monetary(readonly=True, currency_field="currency_id")
    overdue_count = fields.Integer(string="Overdue Items", readonly=True)
    oldest_days = fields.Integer(string="Oldest (days)", readonly=True)
    grade_risk = fields.Integer(readonly=True)
    priority = fields.Float(
        string="Priority Score",
        readonly=True,
        digits=(20, 0),
        aggregator="sum",
        help="Sum of open amount x days overdue of the overdue items, times the grade's risk "
        "(AAA 1 ... C 9, unrated 9).",
    )
    urgency = fields.Selection(
        URGENCY,
        readonly=True,
        help="The customer's quarter of the company's worklist by priority score: three stars "
        "for the most urgent quarter.",
    )
    last_contact_date = fields.Datetime(readonly=True)
    last_contact_channel = fields.Selection(selection="_channel_selection", readonly=True)

    def _channel_selection(self):
        return self.env["credit.collection.log"]._fields["channel"]._description_selection(self.env)

    next_level_id = fields.Many2one("credit.dunning.level", string="Next Step", readonly=True)
    next_promise_date = fields.Date(string="Promised Payment", readonly=True)

    _depends = {
        "account.move.line": [
            "account_id",
            "amount_residual",
            "company_id",
            "date",
            "date_maturity",
            "parent_state",
            "partner_id",
            "reconciled",
        ],
        "credit.file": ["grade_id", "officer_id", "dunning_policy_id"],
        "credit.dunning.policy": [
            "active",
            "collector_id",
            "company_id",
            "grade_ids",
            "is_default",
        ],
        "credit.dunning.item.state": ["disputed"],
        "credit.collection.log": ["date", "channel", "partner_id", "company_id"],
        "credit.dunning.communication": ["state", "level_id", "partner_id"],
        "credit.payment.promise": ["state", "date", "partner_id"],
    }

    @property
    def _table_query(self):
        today = fields.Date.context_today(self)
        items = self.env["credit.aging.engine"]._open_items_sql(None)
        return SQL(
            """
        SELECT w.*, COALESCE(w.officer_id, pol.collector_id) AS collector_id,
               (NTILE(4) OVER (PARTITION BY w.company_id ORDER BY w.priority) - 1)::varchar
                   AS urgency
          FROM (
        SELECT MIN(items.line_id) AS id, items.company_id,
               p.commercial_partner_id AS partner_id,
               f.id AS file_id, f.grade_id, f.officer_id, f.dunning_policy_id,
               SUM(items.residual) AS overdue_amount, COUNT(*) AS overdue_count,
               MAX(%(today)s - items.due_date) AS oldest_days,
               COALESCE(g.sequence + 1, %(unrated)s) AS grade_risk,
               SUM(items.residual * (%(today)s - items.due_date))
                   * COALESCE(g.sequence + 1, %(unrated)s) AS priority,
               MAX(last.date) AS last_contact_date, MAX(last.channel) AS last_contact_channel,
               MAX(nxt.level_id) AS next_level_id, MIN(prom.date) AS next_promise_date
          FROM (%(items)s) items
          JOIN res_partner p ON p.id = items.partner_id
     LEFT JOIN credit_file f
            ON f.partner_id = p.commercial_partner_id AND f.company_id = items.company_id
     LEFT JOIN credit_grade g ON g.id = f.grade_id
     LEFT JOIN credit_dunning_item_state st ON st.move_line_id = items.line_id
     LEFT JOIN LATERAL (
                SELECT l.date, l.channel FROM credit_collection_log l
                 WHERE l.partner_id = p.commercial_partner_id
                   AND l.company_id = items.company_id
              ORDER BY l.date DESC, l.id DESC LIMIT 1
            ) last ON TRUE
     LEFT JOIN LATERAL (
                SELECT c.level_id FROM credit_dunning_communication c
                 WHERE c.partner_id = p.commercial_partner_id
                   AND c.company_id = items.company_id
                   AND c.state = 'draft'
              ORDER BY c.level_days DESC LIMIT 1
            ) nxt ON TRUE
     LEFT JOIN LATERAL (
                SELECT pr.date FROM credit_payment_promise pr
                 WHERE pr.partner_id = p.commercial_partner_id
                   AND pr.company_id = items.company_id AND pr.state = 'open'
              ORDER BY pr.date LIMIT 1
            ) prom ON TRUE
         WHERE items.residual > 0
           AND items.due_date < %(today)s
           AND st.disputed IS NOT TRUE
      GROUP BY items.company_id, p.commercial_partner_id, f.id, f.grade_id, f.officer_id,
               f.dunning_policy_id, g.sequence
             ) w
     LEFT JOIN LATERAL (
                -- the customer's dunning policy, as the run picks it: its own, else its
                -- grade's, else the company default
                SELECT pl.collector_id FROM credit_dunning_policy pl
                 WHERE pl.company_id = w.company_id AND pl.active
                   AND (pl.id = w.dunning_policy_id OR pl.is_default OR EXISTS (
                        SELECT 1 FROM credit_dunning_policy_credit_grade_rel rel
                         WHERE rel.credit_dunning_policy_id = pl.id
                           AND rel.credit_grade_id = w.grade_id))
              ORDER BY (pl.id = w.dunning_policy_id) IS TRUE DESC,
                       pl.is_default IS NOT TRUE DESC, pl.id
                 LIMIT 1
            ) pol ON TRUE
            """,
            items=items,
            today=today,
            unrated=UNRATED_RISK,
        )
