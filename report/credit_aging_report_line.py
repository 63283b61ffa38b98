from odoo import api, fields, models
from odoo.tools import SQL

from ..credit_management import aging as core_aging
from .credit_aging_report import BUCKET_COLUMNS, OPTIONS_KEY, REPORTING_COLUMNS

PARTNER_SHIFT = 20
"""A line's id is (customer id << 20) | company id: stable while the ledger changes (a
button on a line finds the same customer again) and unique while company ids stay below
2**20."""


class CreditAgingReportLine(models.Model):
    """One customer of an aged receivables report: its open receivables by age bucket, in
    its company's currency (``b0`` … ``b7``) and in the reporting currency (``r0`` …
    ``r7``). Bucket 0 is "Not due"; the titles of the others depend on the report's bounds
    and are set on the list view from the action's context.

    Nothing is stored: the model is an SQL query over the aging engine (``_table_query``)
    for the report options in the context (``credit_aging_options``), so the list, the
    pivot and their groups are read by Odoo's read-only methods (``web_search_read``,
    ``read_group``), on a replica when there is one. Without options it is empty."""

    _name = "credit.aging.report.line"
    _description = "Aged Receivables Line"
    _auto = False
    _order = "total desc, id"
    _rec_name = "partner_id"

    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    grade_id = fields.Many2one("credit.grade", readonly=True)
    company_currency_id = fields.Many2one("res.currency", readonly=True)
    currency_id = fields.Many2one("res.currency", string="Reporting Currency", readonly=True)
    total_company = fields.Monetary(
        string="Total (Company Currency)",
        currency_field="company_currency_id",
        readonly=True,
        aggregator="sum",
    )
    total = fields.Monetary(currency_field="currency_id", readonly=True, aggregator="sum")

    b0 = fields.Monetary(
        string="Not Due (Company Currency)",
        currency_field="company_currency_id",
        readonly=True,
        aggregator="sum",
    )
    b1 = fields.Monetary(
        string="Bucket 1 (Company Currency)",
        currency_field="company_currency_id",
        readonly=True,
        aggregator="sum",
    )
    b2 = fields.Monetary(
        string="Bucket 2 (Company Currency)",
        currency_field="company_currency_id",
        readonly=True,
        aggregator="sum",
    )
    b3 = fields.Monetary(
        string="Bucket 3 (Company Currency)",
        currency_field="company_currency_id",
        readonly=True,
        aggregator="sum",
    )
    b4 = fields.Monetary(
        string="Bucket 4 (Company Currency)",
        currency_field="company_currency_id",
        readonly=True,
        aggregator="sum",
    )
    b5 = fields.Monetary(
        string="Bucket 5 (Company Currency)",
        currency_field="company_currency_id",
        readonly=True,
        aggregator="sum",
    )
    b6 = fields.Monetary(
        string="Bucket 6 (Company Currency)",
        currency_field="company_currency_id",
        readonly=True,
        aggregator="sum",
    )
    b7 = fields.Monetary(
        string="Bucket 7 (Company Currency)",
        currency_field="company_currency_id",
        readonly=True,
        aggregator="sum",
    )
    r0 = fields.Monetary(
        string="Not Due", currency_field="currency_id", readonly=True, aggregator="sum"
    )
    r1 = fields.Monetary(
        string="Bucket 1", currency_field="currency_id", readonly=True, aggregator="sum"
    )
    r2 = fields.Monetary(
        string="Bucket 2", currency_field="currency_id", readonly=True, aggregator="sum"
    )
    r3 = fields.Monetary(
        string="Bucket 3", currency_field="currency_id", readonly=True, aggregator="sum"
    )
    r4 = fields.Monetary(
        string="Bucket 4", currency_field="currency_id", readonly=True, aggregator="sum"
    )
    r5 = fields.Monetary(
        string="Bucket 5", currency_field="currency_id", readonly=True, aggregator="sum"
    )
    r6 = fields.Monetary(
        string="Bucket 6", currency_field="currency_id", readonly=True, aggregator="sum"
    )
    r7 = fields.Monetary(
        string="Bucket 7", currency_field="currency_id", readonly=True, aggregator="sum"
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
            return self._empty_sql()
        return self._lines_sql(self.env["credit.aging.report"]._from_options(options))

    @api.model
    def _empty_sql(self):
        columns = [
            "company_id",
            "partner_id",
            "user_id",
            "grade_id",
            "company_currency_id",
            "currency_id",
        ]
        amounts = ["total_company", *BUCKET_COLUMNS, "total", *REPORTING_COLUMNS]
        return SQL(
            "SELECT %s WHERE FALSE",
            SQL(", ").join(
                [
                    SQL("0::bigint AS id"),
                    *(SQL("NULL::int AS %s", SQL.identifier(name)) for name in columns),
                    *(SQL("0::numeric AS %s", SQL.identifier(name)) for name in amounts),
                ]
            ),
        )

    @api.model
    def _lines_sql(self, report):
        """The lines of ``report`` (a ``credit.aging.report``, saved or held in memory) as
        one SQL query over the engine's aggregate, one row per company and customer, with
        the columns of this model."""
        bounds = report._bounds()
        count = core_aging.bucket_count(bounds)
        rates = report._rates()
        aging = self.env["credit.aging.engine"]._aging_by_partner_sql(
            report.as_of,
            report.company_ids._origin.ids,
            bounds,
            report.basis,
            **report._engine_filters(),
        )
        company_buckets = [
            SQL("aging.%s", SQL.identifier(column)) if index < count else SQL("0::numeric")
            for index, column in enumerate(BUCKET_COLUMNS)
        ]
        reporting_buckets = [
            SQL(
                "ROUND(aging.%s * rate.rate, %s)",
                SQL.identifier(column),
                report.currency_id.decimal_places,
            )
            if index < count
            else SQL("0::numeric")
            for index, column in enumerate(BUCKET_COLUMNS)
        ]
        return SQL(
            """
            SELECT (COALESCE(aging.partner_id, 0)::bigint << %(shift)s) | aging.company_id
                       AS id,
                   aging.company_id, aging.partner_id, cp.user_id, cf.grade_id,
                   company.currency_id AS company_currency_id,
                   %(currency)s::int AS currency_id, aging.total AS total_company,
                   %(company_buckets)s,
                   %(reporting_total)s AS total, %(reporting_buckets)s
              FROM (%(aging)s) aging
              JOIN res_company company ON company.id = aging.company_id
              JOIN unnest(%(rate_companies)s::int[], %(rates)s::numeric[])
                   AS rate(company_id, rate) ON rate.company_id = aging.company_id
         LEFT JOIN res_partner cp ON cp.id = aging.partner_id
         LEFT JOIN credit_file cf
                ON cf.partner_id = aging.partner_id AND cf.company_id = aging.company_id
            """,
            shift=PARTNER_SHIFT,
            currency=report.currency_id._origin.id,
            company_buckets=SQL(", ").join(
                SQL("%s AS %s", bucket, SQL.identifier(column))
                for bucket, column in zip(company_buckets, BUCKET_COLUMNS, strict=True)
            ),
            reporting_total=SQL(" + ").join(reporting_buckets[:count]),
            reporting_buckets=SQL(", ").join(
                SQL("%s AS %s", bucket, SQL.identifier(column))
                for bucket, column in zip(reporting_buckets, REPORTING_COLUMNS, strict=True)
            ),
            aging=aging,
            rate_companies=list(rates),
            rates=[rates[company] for company in rates],
        )

    @api.model
    def _get_view_cache_key(self, view_id=None, view_type="form", **options):
        key = super()._get_view_cache_key(view_id, view_type, **options)
        return (*key, tuple(self.env.context.get("credit_aging_labels") or ()))

    @api.model
    def _get_view(self, view_id=None, view_type="form", **options):
        """Bucket columns titled with the report's buckets (context ``credit_aging_labels``),
        the columns beyond its last bucket hidden."""
        arch, view = super()._get_view(view_id, view_type, **options)
        labels = self.env.context.get("credit_aging_labels")
        if labels and view_type in ("list", "pivot"):
            for index in range(core_aging.MAX_BUCKETS):
                for prefix in ("b", "r"):
                    for node in arch.xpath(f"//field[@name='{prefix}{index}']"):
                        if index < len(labels):
                            title = labels[index]
                            if prefix == "b":
                                title = self.env._("%s (company currency)", title)
                            node.set("string", title)
                        elif view_type == "list":
                            node.set("column_invisible", "1")
                        else:
                            node.getparent().remove(node)
        return arch, view

    @api.readonly
    def action_open_items(self):
        """The open items behind this line, as they stood on the report date (read-only:
        the items are an SQL model too, narrowed to this customer by the options)."""
        self.ensure_one()
        options = dict(
            self.env.context.get(OPTIONS_KEY) or {}, drill_partner_id=self.partner_id.id or False
        )
        report = self.env["credit.aging.report"]._from_options(options)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._(
                "Open items of %(customer)s as of %(date)s",
                customer=self.partner_id.display_name or "",
                date=fields.Date.to_string(report.as_of),
            ),
            "res_model": "credit.aging.report.item",
            "view_mode": "list",
            "views": [(False, "list")],
            "domain": [
                ("company_id", "=", self.company_id.id),
                ("partner_id", "=", self.partner_id.id or False),
            ],
            "context": {OPTIONS_KEY: options, "credit_aging_labels": report._bucket_labels()},
            "target": "current",
        }
