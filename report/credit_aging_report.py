import json

from werkzeug.urls import url_encode

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..credit_management import aging as core_aging
from ..models.res_company import parse_aging_bounds

BUCKET_COLUMNS = [f"b{index}" for index in range(core_aging.MAX_BUCKETS)]
REPORTING_COLUMNS = [f"r{index}" for index in range(core_aging.MAX_BUCKETS)]
OPTIONS_KEY = "credit_aging_options"
"""Where the report's options travel: the lines' and items' action context, the PDF's
report data."""


class CreditAgingReport(models.TransientModel):
    """Aged receivables (应收账款账龄分析表) as of a date: the user's choices. Saving them is
    the only write; the buttons return actions carrying the choices as plain options
    (:meth:`_options`), and what is shown is computed from those options by read-only
    requests, which Odoo 18 serves on a read-only cursor (a replica with
    ``db_replica_host``): the screen's lines and open items are SQL models over the aging
    engine (``credit.aging.report.line``, ``credit.aging.report.item``), the PDF's values
    come from ``_get_report_values`` and the XLSX from a read-only route. Computed the same
    way three times, stored never.

    The options travel rather than the record's id because a replica may not have the
    record yet when the next request reads it."""

    _name = "credit.aging.report"
    _description = "Aged Receivables"

    as_of = fields.Date(
        string="As of",
        required=True,
        default=fields.Date.context_today,
        help="The receivables open at the end of this day, as the books stood on that day: "
        "payments and credit notes entered with a later date are not deducted.",
    )
    basis = fields.Selection(
        [("due", "Due date"), ("invoice", "Invoice date")],
        string="Age by",
        required=True,
        default="due",
        help="Age each open item from its due date (overdue days) or from its invoice date.",
    )
    bounds = fields.Char(
        string="Aging Buckets",
        required=True,
        default=lambda self: self.env.company.credit_aging_bounds,
        help="Upper bounds in days of the buckets after 'Not due', e.g. 30,60,90,180,365.",
    )
    company_ids = fields.Many2many(
        "res.company",
        string="Companies",
        required=True,
        default=lambda self: self.env.companies,
        domain=lambda self: [("id", "in", self.env.companies.ids)],
    )
    currency_id = fields.Many2one(
        "res.currency",
        string="Reporting Currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
        help="Totals of all companies are converted into this currency at the rate of the "
        "'As of' date.",
    )
    salesperson_ids = fields.Many2many("res.users", string="Salespeople")
    grade_ids = fields.Many2many(
        "credit.grade", string="Grades", help="The customers' current credit grades."
    )
    partner_ids = fields.Many2many(
        "res.partner", string="Customers", domain=[("parent_id", "=", False)]
    )
    account_ids = fields.Many2many(
        "account.account",
        string="Receivable Accounts",
        domain=[("account_type", "=", "asset_receivable")],
    )

    @api.constrains("bounds")
    def _check_bounds(self):
        for report in self:
            parse_aging_bounds(self.env, report.bounds)

    # ------------------------------------------------------------------
    # labels
    # ------------------------------------------------------------------
    def _bounds(self):
        self.ensure_one()
        return parse_aging_bounds(self.env, self.bounds)

    def _bucket_labels(self):
        """The bucket titles in the user's language."""
        return bucket_labels(self.env, self._bounds())

    def _basis_label(self):
        return dict(self._fields["basis"]._description_selection(self.env))[self.basis]

    # ------------------------------------------------------------------
    # computation
    # ------------------------------------------------------------------
    def _engine_filters(self):
        self.ensure_one()
        return {
            "partner_ids": self.partner_ids._origin.ids or None,
            "account_ids": self.account_ids._origin.ids or None,
            "salesperson_ids": self.salesperson_ids._origin.ids or None,
            "grade_ids": self.grade_ids._origin.ids or None,
        }

    def _rates(self):
        """{company id: rate} from each company's currency to the reporting currency at the
        'As of' date (Odoo's rate of that day, or the last one before)."""
        self.ensure_one()
        Currency = self.env["res.currency"]
        return {
            company.id: Currency._get_conversion_rate(
                company.currency_id, self.currency_id._origin, company, self.as_of
            )
            # a report held in memory (``new``) holds new records wrapping the companies
            for company in self.company_ids._origin
        }

    # ------------------------------------------------------------------
    # options: the choices as JSON-safe values, and back
    # ------------------------------------------------------------------
    def _options(self):
        """The choices as JSON-safe values (action context, report data, URL)."""
        self.ensure_one()
        return {
            "as_of": fields.Date.to_string(self.as_of),
            "basis": self.basis,
            "bounds": self.bounds,
            "company_ids": self.company_ids._origin.ids,
            "currency_id": self.currency_id.id,
            "partner_ids": self.partner_ids._origin.ids,
            "salesperson_ids": self.salesperson_ids._origin.ids,
            "grade_ids": self.grade_ids._origin.ids,
            "account_ids": self.account_ids._origin.ids,
        }

    @api.model
    def _from_options(self, options):
        """A report holding ``options`` in memory (``new``: never saved, so usable on a
        read-only cursor), checked as the form checks them. The options come from the
        client: they choose what to show, never what the user may see; the companies are
        limited to the user's, and the engine limits the customers."""
        if not isinstance(options, dict):
            raise UserError(self.env._("These aged receivables options are not valid."))

        def ids(key):
            values = options.get(key) or []
            if not isinstance(values, list) or not all(
                isinstance(value, int) and not isinstance(value, bool) for value in values
            ):
                raise UserError(self.env._("These aged receivables options are not valid."))
            return values

        try:
            as_of = fields.Date.to_date(options.get("as_of")) or fields.Date.context_today(self)
        except (TypeError, ValueError) as error:
            raise UserError(self.env._("These aged receivables options are not valid.")) from error
        basis = options.get("basis") or "due"
        if basis not in dict(self._fields["basis"].selection):
            raise UserError(self.env._("These aged receivables options are not valid."))
        bounds = options.get("bounds") or self.env.company.credit_aging_bounds
        parse_aging_bounds(self.env, bounds)
        requested = ids("company_ids")
        companies = self.env["credit.aging.engine"]._allowed_company_ids(requested or None)
        currency_id = options.get("currency_id")
        currency = (
            self.env["res.currency"].browse(currency_id).exists()
            if isinstance(currency_id, int) and not isinstance(currency_id, bool)
            else self.env["res.currency"]
        ) or self.env.company.currency_id
        return self.new(
            {
                "as_of": as_of,
                "basis": basis,
                "bounds": bounds,
                "company_ids": [Command.set(companies)],
                "currency_id": currency.id,
                **{
                    key: [Command.set(ids(key))]
                    for key in ("partner_ids", "salesperson_ids", "grade_ids", "account_ids")
                },
            }
        )

    def _lines(self):
        """The report's lines (``credit.aging.report.line`` for these options)."""
        self.ensure_one()
        return (
            self.env["credit.aging.report.line"]
            .with_context(**{OPTIONS_KEY: self._options()})
            .search([])
        )

    # ------------------------------------------------------------------
    # actions: they run on the primary (the record was just saved there), compute nothing
    # and return the options to the read-only requests that follow
    # ------------------------------------------------------------------
    def action_show(self):
        """The report's lines, on screen."""
        self.ensure_one()
        return self._lines_action()

    def _lines_action(self):
        labels = self._bucket_labels()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._(
                "Aged Receivables as of %(date)s",
                date=fields.Date.to_string(self.as_of),
            ),
            "res_model": "credit.aging.report.line",
            "view_mode": "list,pivot",
            "views": [(False, "list"), (False, "pivot")],
            "domain": [],
            "context": {OPTIONS_KEY: self._options(), "credit_aging_labels": labels},
            "target": "current",
        }

    def action_print_pdf(self):
        """The PDF, rendered from the options in the report data (the web client asks
        ``/report/pdf/<report>?options=...``, a read-only route)."""
        self.ensure_one()
        return self.env.ref("credit_management.action_report_credit_aging").report_action(
            self, data={OPTIONS_KEY: self._options()}
        )

    def action_export_xlsx(self):
        """The XLSX, from the read-only route with the options in its URL."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "url": "/credit_management/aging/xlsx?"
            + url_encode({"options": json.dumps(self._options())}),
            "target": "self",
        }


def bucket_labels(env, bounds):
    """Translated bucket titles: "Not due", "1-30 days", …, "Over 365 days" (the core's
    ``bucket_ranges``)."""
    labels = []
    for low, high in core_aging.bucket_ranges(bounds):
        if low is None:
            labels.append(env._("Not due"))
        elif high is None:
            labels.append(env._("Over %s days", low - 1))
        else:
            labels.append(env._("%(low)s-%(high)s days", low=low, high=high))
    return labels
