from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..credit_management import aging as core_aging
from .credit_aging_report import OPTIONS_KEY


class CreditAgingReportItem(models.Model):
    """One open receivable item behind an aged receivables line, with its residual on the
    report date (which may differ from today's when payments came later).

    Nothing is stored: an SQL query over the engine's open items (``_table_query``) for
    the report options in the context, read by Odoo's read-only methods. The drill-down
    from a line narrows the options to its customer (``drill_partner_id``), so the engine
    reads that customer's items only. Its id is the journal item's."""

    _name = "credit.aging.report.item"
    _description = "Aged Receivables Open Item"
    _auto = False
    _order = "due_date, id"
    _rec_name = "move_id"

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
    bucket_label = fields.Char(string="Age", readonly=True)
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

    def _fetch_query(self, query, fields):
        """The same id is another row under other options (another date, other buckets):
        what the cache holds from other options must not answer for these. The cache is
        the transaction's, shared by every context, so it is dropped before each fetch."""
        self.invalidate_model(flush=False)
        return super()._fetch_query(query, fields)

    @property
    def _table_query(self):
        options = self.env.context.get(OPTIONS_KEY)
        if not options:
            return SQL(
                "SELECT 0 AS id, NULL::int AS company_id, NULL::int AS partner_id, "
                "NULL::int AS account_id, NULL::int AS move_line_id, NULL::int AS move_id, "
                "NULL::date AS date, NULL::date AS due_date, 0 AS days, 0 AS bucket, "
                "NULL::varchar AS bucket_label, "
                "NULL::int AS company_currency_id, 0::numeric AS residual, "
                "NULL::int AS currency_id, 0::numeric AS residual_currency WHERE FALSE"
            )
        report = self.env["credit.aging.report"]._from_options(options)
        return self._items_sql(report, options.get("drill_partner_id", None))

    @api.model
    def _items_sql(self, report, partner_id=None):
        """The open items of ``report`` (of the customer ``partner_id`` when given; False:
        the items without a customer) as one SQL query with the columns of this model."""
        filters = report._engine_filters()
        if partner_id is not None:
            if partner_id is not False and (
                not isinstance(partner_id, int) or isinstance(partner_id, bool)
            ):
                raise UserError(self.env._("These aged receivables options are not valid."))
            # the "(no customer)" line: the items without a partner
            filters["partner_ids"] = [partner_id]
        items = self.env["credit.aging.engine"]._visible_open_items_sql(
            report.as_of, report.company_ids._origin.ids, report.basis, **filters
        )
        return SQL(
            """
            SELECT items.line_id AS id, items.company_id, items.partner_id, items.account_id,
                   items.line_id AS move_line_id, items.move_id, items.date, items.due_date,
                   items.days, width_bucket(items.days, %(thresholds)s::int[]) AS bucket,
                   (%(labels)s::varchar[])[width_bucket(items.days, %(thresholds)s::int[]) + 1]
                       AS bucket_label,
                   company.currency_id AS company_currency_id, items.residual,
                   items.currency_id, items.residual_currency
              FROM (%(items)s) items
              JOIN res_company company ON company.id = items.company_id
            """,
            thresholds=core_aging.sql_thresholds(report._bounds()),
            labels=report._bucket_labels(),
            items=items,
        )
