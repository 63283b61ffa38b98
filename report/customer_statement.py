from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..credit_management import statement as core_statement

STATEMENT_CONTEXT_KEY = "credit_statement"
"""Context key carrying the statement's period and company ({"date_from", "date_to",
"company_id"}) when the report is rendered without ``data``: by the mail template (the
composer and the batch sending render the template's reports from their context)."""
STATEMENT_PARTNERS_KEY = "credit_statement_partner_ids"
"""Report data key of the customers to print, for the web client's print path: when a report
action carries data, the client asks for ``/report/pdf/<report>?options=<data>`` with no
document ids in the URL."""


class ReportCustomerStatement(models.AbstractModel):
    """The customer statement (对账单) of commercial partners in one company for one
    period: opening balance, every posted receivable movement with its running balance,
    closing balance and the aging of what is open at the end of the period. The balances
    come from two SQL aggregates for all the customers at once; the rest only formats."""

    _name = "report.credit_management.report_customer_statement"
    _description = "Customer Statement"

    # ------------------------------------------------------------------
    # options and access
    # ------------------------------------------------------------------
    @api.model
    def _statement_options(self, data=None):
        """(company, date_from, date_to) of the statement to print, from the report data,
        else from the context, else last month in the current company."""
        options = (data or {}).get(STATEMENT_CONTEXT_KEY) or self.env.context.get(
            STATEMENT_CONTEXT_KEY
        )
        if not options:
            period = core_statement.preset_period(
                core_statement.PRESET_LAST_MONTH, fields.Date.context_today(self)
            )
            return self.env.company, period.date_from, period.date_to
        company = self.env["res.company"].browse(options["company_id"]).exists()
        date_from = fields.Date.to_date(options["date_from"])
        date_to = fields.Date.to_date(options["date_to"])
        if not company or not date_from or not date_to:
            raise UserError(_("A customer statement needs a company and a period."))
        if date_from > date_to:
            raise UserError(_("The statement period cannot end before it starts."))
        return company, date_from, date_to

    @api.model
    def _statement_options_context(self, company, date_from, date_to):
        """The context value of ``STATEMENT_CONTEXT_KEY`` for these options (JSON-safe, so
        the web client can carry it to the mail composer)."""
        return {
            "company_id": company.id,
            "date_from": fields.Date.to_string(date_from),
            "date_to": fields.Date.to_string(date_to),
        }

    @api.model
    def _user_sees_all_customers(self):
        """Credit officers and managers, and accountants, print statements of every
        customer; other credit users (salespeople) only those of their own customers."""
        return self.env["credit.aging.engine"]._sees_all_receivables()

    @api.model
    def _allowed_customers_domain(self, company):
        """Domain of the commercial partners whose statement the user may print in
        ``company`` (empty domain: all): a salesperson's own customers and those of the
        sales teams, as in the aged receivables, unless the company lets salespeople see
        all receivables."""
        if self._user_sees_all_customers() or company.credit_aging_salespeople_see_all:
            return []
        return [("user_id", "in", self.env["credit.aging.engine"]._visible_salesperson_ids())]

    @api.model
    def _check_statement_access(self, partners, company):
        """Refuse statements of companies the user is not in, or of customers that are not
        the salesperson's own (the ledger is read in SQL, so the check is explicit)."""
        if self.env.is_superuser():
            return
        if not self.env.user.has_group("credit_management.group_credit_user"):
            raise AccessError(_("Only credit users may print customer statements."))
        if company not in self.env.user.company_ids:
            raise AccessError(
                _(
                    "You may not print statements of %(company)s.",
                    company=company.display_name,
                )
            )
        domain = self._allowed_customers_domain(company)
        if not domain:
            return
        commercial = partners.commercial_partner_id
        allowed = self.env["res.partner"].search([("id", "in", commercial.ids), *domain])
        forbidden = commercial - allowed
        if forbidden:
            raise AccessError(
                _(
                    "You may print statements of your own customers only, not of %(customers)s.",
                    customers=", ".join(forbidden.mapped("display_name")),
                )
            )

    # ------------------------------------------------------------------
    # the ledger (two SQL aggregates)
    # ------------------------------------------------------------------
    def _flush_ledger(self):
        self.env["credit.aging.engine"]._flush_open_items(
            "amount_currency", "balance", "credit", "debit", "name"
        )
        self.env["account.move"].flush_model(
            ["journal_id", "move_type", "name", "origin_payment_id", "ref", "statement_line_id"]
        )
        self.env["res.company"].flush_model(["currency_exchange_journal_id"])

    @api.model
    def _ledger_filter(self, company, date_to, partner_ids):
        """The posted receivable items of ``company`` up to ``date_to`` of the commercial
        partners ``partner_ids`` and their contacts (all partners when None)."""
        conditions = [
            self.env["credit.aging.engine"]._receivable_items_condition([company.id]),
            SQL("aml.date <= %s", date_to),
        ]
        if partner_ids is not None:
            conditions.append(SQL("p.commercial_partner_id = ANY(%s)", list(partner_ids)))
        return SQL(" AND ").join(conditions)

    @api.model
    def _statement_balances(self, company, date_from, date_to, partner_ids=None):
        """Opening balance (items dated before ``date_from``), debits and credits of the
        period and closing balance (items up to ``date_to``) per commercial partner, in
        company currency, in one SQL aggregate: {partner id: dict}. Only partners with
        receivable items up to ``date_to`` are in the result."""
        self._flush_ledger()
        rows = self.env.execute_query_dict(
            SQL(
                """
            SELECT p.commercial_partner_id AS partner_id,
                   COALESCE(SUM(aml.balance) FILTER (WHERE aml.date < %(from)s), 0) AS opening,
                   COALESCE(SUM(aml.debit) FILTER (WHERE aml.date >= %(from)s), 0) AS debit,
                   COALESCE(SUM(aml.credit) FILTER (WHERE aml.date >= %(from)s), 0) AS credit,
                   COALESCE(SUM(aml.balance), 0) AS closing,
                   COUNT(*) FILTER (WHERE aml.date >= %(from)s) AS movements
              FROM account_move_line aml
              JOIN res_partner p ON p.id = aml.partner_id
             WHERE %(filter)s
          GROUP BY p.commercial_partner_id
                """,
                **{"from": date_from},
                filter=self._ledger_filter(company, date_to, partner_ids),
            )
        )
        return {row.pop("partner_id"): row for row in rows}

    @api.model
    def _statement_movements(self, company, date_from, date_to, partner_ids):
        """Every posted receivable item of the period per commercial partner, in date
        order, with its running balance (opening balance included, computed by a window
        over the whole history up to ``date_to``) in one SQL query: {partner id: [dict]}."""
        self._flush_ledger()
        rows = self.env.execute_query_dict(
            SQL(
                """
            WITH lines AS (
                SELECT p.commercial_partner_id AS partner_id, aml.id, aml.move_id,
                       aml.date, aml.date_maturity, aml.name AS label,
                       aml.debit, aml.credit, aml.balance,
                       aml.amount_currency, aml.currency_id,
                       am.name AS move_name, am.ref, am.move_type,
                       (am.origin_payment_id IS NOT NULL
                        OR am.statement_line_id IS NOT NULL) AS is_payment,
                       COALESCE(am.journal_id = c.currency_exchange_journal_id, FALSE)
                           AS is_exchange,
                       SUM(aml.balance) OVER (
                           PARTITION BY p.commercial_partner_id
                           ORDER BY aml.date, aml.move_id, aml.id
                       ) AS running_balance
                  FROM account_move_line aml
                  JOIN res_partner p ON p.id = aml.partner_id
                  JOIN account_move am ON am.id = aml.move_id
                  JOIN res_company c ON c.id = aml.company_id
                 WHERE %(filter)s
            )
            SELECT * FROM lines
             WHERE date >= %(from)s
          ORDER BY partner_id, date, move_id, id
                """,
                **{"from": date_from},
                filter=self._ledger_filter(company, date_to, partner_ids),
            )
        )
        result = {partner_id: [] for partner_id in partner_ids}
        for row in rows:
            result[row["partner_id"]].append(row)
        return result

    @api.model
    def _customers_with_activity(self, company, date_from, date_to):
        """Commercial partners with a balance at ``date_to`` or movements in the period,
        among those the user may print, sorted by name."""
        currency = company.currency_id
        balances = self._statement_balances(company, date_from, date_to)
        ids = [
            partner_id
            for partner_id, values in balances.items()
            if values["movements"] or not currency.is_zero(values["closing"])
        ]
        domain = [("id", "in", ids), *self._allowed_customers_domain(company)]
        return self.env["res.partner"].with_context(active_test=False).search(domain, order="name")

    # ------------------------------------------------------------------
    # formatting
    # ------------------------------------------------------------------
    @api.model
    def _aging_footer(self, company, date_to, partner_ids):
        """What is open at the end of ``date_to`` by age bucket (the company's buckets,
        aged by due date), from the aging engine: {partner id: {"bounds", "buckets",
        "total"}}. The engine runs as superuser on the one company: access to these
        customers was checked before (accountants print every customer's statement)."""
        bounds = company._credit_aging_bounds()
        aging = (
            self.env["credit.aging.engine"]
            .sudo()
            ._aging_by_partner(date_to, [company.id], bounds=bounds, partner_ids=partner_ids)
        )
        currency = company.currency_id
        empty = {"total": 0.0, "buckets": [0.0] * (len(bounds) + 2)}
        result = {}
        for partner_id in partner_ids:
            values = aging.get((company.id, partner_id), empty)
            result[partner_id] = {
                "bounds": bounds,
                "buckets": [currency.round(amount) for amount in values["buckets"]],
                "total": currency.round(values["total"]),
            }
        return result

    @api.model
    def _statements(self, partners, company, date_from, date_to):
        """The statement of each commercial partner: {partner id: dict}."""
        currency = company.currency_id
        ids = partners.commercial_partner_id.ids
        balances = self._statement_balances(company, date_from, date_to, ids)
        movements = self._statement_movements(company, date_from, date_to, ids)
        aging = self._aging_footer(company, date_to, ids)
        currencies = self.env["res.currency"].browse(
            {row["currency_id"] for rows in movements.values() for row in rows}
        )
        empty = {"opening": 0.0, "debit": 0.0, "credit": 0.0, "closing": 0.0, "movements": 0}
        result = {}
        for partner_id in ids:
            values = balances.get(partner_id, empty)
            lines = []
            for row in movements[partner_id]:
                line_currency = currencies.browse(row["currency_id"])
                reference = row["ref"] or (
                    row["label"] if row["label"] != row["move_name"] else False
                )
                lines.append(
                    {
                        "id": row["id"],
                        "date": row["date"],
                        "due_date": row["date_maturity"],
                        "number": row["move_name"],
                        "reference": reference or "",
                        "kind": core_statement.movement_kind(
                            row["move_type"], row["is_payment"], row["is_exchange"]
                        ),
                        "debit": currency.round(row["debit"]),
                        "credit": currency.round(row["credit"]),
                        "balance": currency.round(row["running_balance"]),
                        "amount_currency": line_currency.round(row["amount_currency"])
                        if line_currency != currency
                        else False,
                        "currency": line_currency if line_currency != currency else False,
                    }
                )
            result[partner_id] = {
                "partner": self.env["res.partner"].browse(partner_id),
                "company": company,
                "currency": currency,
                "date_from": date_from,
                "date_to": date_to,
                "opening": currency.round(values["opening"]),
                "debit": currency.round(values["debit"]),
                "credit": currency.round(values["credit"]),
                "closing": currency.round(values["closing"]),
                "lines": lines,
                "show_currency": any(line["currency"] for line in lines),
                "aging": aging.get(partner_id),
            }
        return result

    @api.model
    def _get_report_values(self, docids, data=None):
        company, date_from, date_to = self._statement_options(data)
        docids = docids or (data or {}).get(STATEMENT_PARTNERS_KEY)
        if not docids:
            raise UserError(_("Select the customers whose statement you want."))
        partners = self.env["res.partner"].browse(docids).commercial_partner_id
        self._check_statement_access(partners, company)
        return {
            "doc_ids": partners.ids,
            "doc_model": "res.partner",
            "docs": partners,
            "company": company,
            "statements": self._statements(partners, company, date_from, date_to),
        }
