from odoo import api, fields, models
from odoo.tools import SQL

from ..credit_management import aging as core_aging


class CreditAgingReportItem(models.TransientModel):
    """One open receivable item behind an aged receivables line, with its residual on the
    report date (which may differ from today's when payments came later)."""

    _name = "credit.aging.report.item"
    _description = "Aged Receivables Open Item"
    _order = "due_date, id"
    _rec_name = "move_id"

    line_id = fields.Many2one(
        "credit.aging.report.line", required=True, readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    account_id = fields.Many2one("account.account", readonly=True)
    move_line_id = fields.Many2one("account.move.line", string="Journal Item", readonly=True)
    move_id = fields.Many2one("account.move", string="Document", readonly=True)
    move_type = fields.Selection(related="move_id.move_type")
    date = fields.Date(readonly=True)
    due_date = fields.Date(readonly=True)
    days = fields.Integer(
        readonly=True, help="Days from the due date (or invoice date) to the report date."
    )
    bucket = fields.Integer(readonly=True)
    bucket_label = fields.Char(string="Age", compute="_compute_bucket_label")
    company_currency_id = fields.Many2one("res.currency", readonly=True)
    residual = fields.Monetary(
        string="Open Amount",
        currency_field="company_currency_id",
        readonly=True,
        aggregator="sum",
        help="What was still open on the report date, in the company's currency.",
    )
    currency_id = fields.Many2one("res.currency", readonly=True)
    residual_currency = fields.Monetary(
        string="Open Amount in Currency", currency_field="currency_id", readonly=True
    )

    @api.depends("bucket")
    @api.depends_context("credit_aging_labels")
    def _compute_bucket_label(self):
        for item in self:
            labels = item.line_id.report_id._bucket_labels()
            item.bucket_label = labels[item.bucket] if item.bucket < len(labels) else ""

    @api.model
    def _fill(self, line):
        """Write the open items of ``line``'s customer as of its report date, in one
        INSERT ... SELECT (replacing those written before)."""
        report = line.report_id
        self.env.execute_query(
            SQL("DELETE FROM credit_aging_report_item WHERE line_id = %s", line.id)
        )
        self.invalidate_model()
        filters = report._engine_filters()
        # the "(no customer)" line: the items without a partner
        filters["partner_ids"] = line.partner_id.ids or [False]
        items = self.env["credit.aging.engine"]._visible_open_items_sql(
            report.as_of, line.company_id.ids, report.basis, **filters
        )
        self.env.execute_query(
            SQL(
                """
                INSERT INTO credit_aging_report_item (
                    line_id, company_id, partner_id, account_id, move_line_id, move_id, date,
                    due_date, days, bucket, company_currency_id, residual, currency_id,
                    residual_currency, create_uid, write_uid, create_date, write_date)
                SELECT %(line)s, items.company_id, items.partner_id, items.account_id,
                       items.line_id, items.move_id, items.date, items.due_date, items.days,
                       width_bucket(items.days, %(thresholds)s::int[]), company.currency_id,
                       items.residual, items.currency_id, items.residual_currency,
                       %(uid)s, %(uid)s, NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
                  FROM (%(items)s) items
                  JOIN res_company company ON company.id = items.company_id
                """,
                line=line.id,
                thresholds=core_aging.sql_thresholds(report._bounds()),
                uid=self.env.uid,
                items=items,
            )
        )
        self.invalidate_model()
