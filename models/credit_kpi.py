from collections import defaultdict
from datetime import timedelta

from odoo import api, models
from odoo.tools import SQL

from ..credit_management import kpis as core_kpis
from ..credit_management.numbers import to_decimal

DEFAULT_PERIOD_DAYS = 90

KPI_HELP = {
    "dso": "DSO (销售变现天数) = receivables at the end of the period / credit sales of the "
    "period x days in the period.",
    "countback_dso": "Countback DSO: walk back month by month through the credit sales until "
    "they add up to the receivables at the end; the months consumed (the last one pro rata) "
    "are the DSO. Not distorted by a sales peak.",
    "best_dso": "Best possible DSO = receivables not yet due / credit sales x days: the DSO "
    "if every customer paid on its due date.",
    "add": "Average days delinquent = DSO - best possible DSO: days added by late payers.",
    "cei": "Collection effectiveness index = (opening receivables + credit sales - closing "
    "receivables) / (opening receivables + credit sales - closing receivables not yet due) "
    "x 100. 100 % means everything due was collected.",
    "overdue_ratio": "Overdue ratio = receivables past their due date / all receivables at "
    "the end of the period x 100.",
    "bad_debt_ratio": "Bad-debt ratio = receivables written off in the period / credit sales "
    "of the period x 100.",
    "days_to_pay": "Average days to pay = sum(invoice amount x days from invoice date to full "
    "payment) / sum(invoice amount), over the invoices paid in full in the period.",
    "days_late": "Average days late = sum(invoice amount x days from due date to full payment) "
    "/ sum(invoice amount); negative when customers pay early.",
    "dio": "Days inventory outstanding = inventory value at the end / cost of goods sold of "
    "the period x days; only where inventory is valued in the books.",
    "dpo": "Days payables outstanding = payables at the end / vendor bills of the period x days.",
    "ccc": "Cash conversion cycle (资金积压期) = inventory days + DSO - payable days.",
}

COUNTBACK_MONTHS = 13
"""How many calendar months the countback DSO may walk back: a year and the current month
(a receivable older than that gives no countback DSO)."""


class CreditKpi(models.AbstractModel):
    """Receivable KPIs read from the ledger: each input is one SQL aggregate (credit sales,
    payments, write-offs) or the aging engine's open receivable at a date; the formulas are
    those of the core (``credit_management.kpis``). Amounts in company currency.

    Keys of the results are ``(company id, commercial partner id)``; ``partner id`` is
    ``None`` for company totals."""

    _name = "credit.kpi"
    _description = "Receivable KPIs"

    # ------------------------------------------------------------------
    # inputs
    # ------------------------------------------------------------------
    def _flush_lines(self):
        self.env["credit.aging.engine"]._flush_open_items("balance")
        self.env["account.move"].flush_model(["move_type", "credit_write_off", "invoice_date"])

    def _receivable_items(self, company_ids):
        """The condition on ``aml`` that picks the companies' receivable items (the aging
        engine's definition)."""
        return self.env["credit.aging.engine"]._receivable_items_condition(list(company_ids))

    def _partner_filter(self, partner_ids):
        if partner_ids is None:
            return SQL("TRUE")
        return SQL("p.commercial_partner_id = ANY(%s)", list(partner_ids))

    def _receivable_sums(self, company_ids, date_from, date_to, partner_ids, moves, sign):
        """{(company, partner): sign x SUM(balance)} of the posted receivable items of the
        entries matching ``moves`` (an SQL condition on ``am``) dated in [date_from,
        date_to], by company and commercial partner; partner None = company total."""
        self._flush_lines()
        rows = self.env.execute_query(
            SQL(
                """
            SELECT aml.company_id, p.commercial_partner_id, %(sign)s * SUM(aml.balance)
              FROM account_move_line aml
              JOIN account_move am ON am.id = aml.move_id
              JOIN res_partner p ON p.id = aml.partner_id
             WHERE %(receivable)s
               AND %(moves)s
               AND aml.date BETWEEN %(date_from)s AND %(date_to)s
               AND %(partners)s
          GROUP BY ROLLUP(aml.company_id, p.commercial_partner_id)
                """,
                sign=sign,
                moves=moves,
                receivable=self._receivable_items(company_ids),
                date_from=date_from,
                date_to=date_to,
                partners=self._partner_filter(partner_ids),
            )
        )
        return {
            (company, partner): to_decimal(amount) for company, partner, amount in rows if company
        }

    @api.model
    def _credit_sales(self, company_ids, date_from, date_to, partner_ids=None):
        """{(company, partner): credit sales} = receivable amounts of posted customer invoices
        minus credit notes dated in [date_from, date_to]; partner None = company total."""
        return self._receivable_sums(
            company_ids,
            date_from,
            date_to,
            partner_ids,
            SQL("am.move_type IN ('out_invoice', 'out_refund')"),
            1,
        )

    @api.model
    def _monthly_credit_sales(self, company_ids, date_to, partner_ids=None):
        """{(company, partner): [(days, sales)] most recent month first} for the countback
        DSO, over ``COUNTBACK_MONTHS`` calendar months ending on ``date_to``."""
        months = core_kpis.months_back(date_to, COUNTBACK_MONTHS)
        self._flush_lines()
        rows = self.env.execute_query(
            SQL(
                """
            SELECT aml.company_id, p.commercial_partner_id,
                   date_trunc('month', aml.date)::date, SUM(aml.balance)
              FROM account_move_line aml
              JOIN account_move am ON am.id = aml.move_id
              JOIN res_partner p ON p.id = aml.partner_id
             WHERE %(receivable)s
               AND am.move_type IN ('out_invoice', 'out_refund')
               AND aml.date BETWEEN %(date_from)s AND %(date_to)s
               AND %(partners)s
          GROUP BY ROLLUP(aml.company_id, p.commercial_partner_id), 3
                """,
                receivable=self._receivable_items(company_ids),
                date_from=months[-1][0],
                date_to=date_to,
                partners=self._partner_filter(partner_ids),
            )
        )
        sales = defaultdict(dict)
        for company, partner, month, amount in rows:
            if company:
                sales[(company, partner)][month] = to_decimal(amount)
        return {
            key: [((last - first).days + 1, by_month.get(first, 0)) for first, last in months]
            for key, by_month in sales.items()
        }

    @api.model
    def _receivables(self, as_of, company_ids, partner_ids=None):
        """{(company, partner): (total open, not yet due)} as of the end of ``as_of``, from
        the aging engine."""
        filters = {} if partner_ids is None else {"partner_ids": list(partner_ids)}
        aging = self.env["credit.aging.engine"]._aging_by_partner(
            as_of, list(company_ids), **filters
        )
        result = defaultdict(lambda: [to_decimal(0), to_decimal(0)])
        for (company, partner), values in aging.items():
            # a set: items without a customer are already the company's (company, None)
            for key in {(company, partner), (company, None)}:
                result[key][0] += to_decimal(values["total"])
                result[key][1] += to_decimal(values["buckets"][0])
        return {key: tuple(value) for key, value in result.items()}

    @api.model
    def _written_off(self, company_ids, date_from, date_to, partner_ids=None):
        """{(company, partner): receivables written off} by bad-debt write-off entries
        dated in the period."""
        return self._receivable_sums(
            company_ids, date_from, date_to, partner_ids, SQL("am.credit_write_off"), -1
        )

    @api.model
    def _days_to_pay(self, company_ids, date_from, date_to, partner_ids=None):
        """{(company, partner): ([(amount, days to pay)], [(amount, days late)])} of the
        customer invoices paid in full in the period: the full payment date is the latest
        reconciliation date of the invoice's receivable line; invoices written off as bad
        debts are left out. Grouped by day counts in SQL,
        so only a few rows per customer come back."""
        self._flush_lines()
        rows = self.env.execute_query(
            SQL(
                """
            WITH candidates AS (
                -- only invoices with a reconciliation dated in the period can have been
                -- paid in full in it (index on max_date)
                SELECT DISTINCT debit_move_id AS id
                  FROM account_partial_reconcile
                 WHERE max_date BETWEEN %(date_from)s AND %(date_to)s
                   AND company_id = ANY(%(companies)s)
            ),
            paid AS (
                SELECT aml.company_id, p.commercial_partner_id AS partner_id, aml.balance,
                       aml.date, %(due)s AS due,
                       MAX(apr.max_date) AS paid_on
                  FROM candidates
                  JOIN account_move_line aml ON aml.id = candidates.id
                  JOIN account_move am ON am.id = aml.move_id
                  JOIN res_partner p ON p.id = aml.partner_id
                  JOIN account_partial_reconcile apr ON apr.debit_move_id = aml.id
                 WHERE %(receivable)s
                   AND am.move_type = 'out_invoice'
                   AND aml.reconciled
                   AND aml.balance > 0
                   -- an invoice written off as a bad debt was not paid
                   AND NOT EXISTS (
                       SELECT 1
                         FROM account_partial_reconcile wpr
                         JOIN account_move_line wml ON wml.id = wpr.credit_move_id
                         JOIN account_move wm ON wm.id = wml.move_id
                        WHERE wpr.debit_move_id = aml.id AND wm.credit_write_off)
                   AND %(partners)s
              GROUP BY aml.id, p.commercial_partner_id
                HAVING MAX(apr.max_date) BETWEEN %(date_from)s AND %(date_to)s
            )
            SELECT company_id, partner_id, paid_on - date, paid_on - due, SUM(balance)
              FROM paid
          GROUP BY ROLLUP(company_id, partner_id), 3, 4
                """,
                companies=list(company_ids),
                receivable=self._receivable_items(company_ids),
                due=self.env["credit.aging.engine"]._due_date_sql(),
                date_from=date_from,
                date_to=date_to,
                partners=self._partner_filter(partner_ids),
            )
        )
        result = defaultdict(lambda: ([], []))
        for company, partner, days, late, amount in rows:
            if company:
                result[(company, partner)][0].append((to_decimal(amount), days))
                result[(company, partner)][1].append((to_decimal(amount), late))
        return result

    @api.model
    def _payables(self, company_ids, date_from, date_to):
        """{company: (payables at date_to, purchases of the period)} for the DPO: payable
        balance of posted entries dated up to date_to, vendor bills minus refunds of the
        period."""
        self._flush_lines()
        rows = self.env.execute_query(
            SQL(
                """
            SELECT aml.company_id,
                   -SUM(aml.balance),
                   -SUM(aml.balance) FILTER (
                       WHERE am.move_type IN ('in_invoice', 'in_refund')
                         AND aml.date >= %(date_from)s)
              FROM account_move_line aml
              JOIN account_move am ON am.id = aml.move_id
              JOIN account_account acc ON acc.id = aml.account_id
             WHERE aml.parent_state = 'posted'
               AND acc.account_type = 'liability_payable'
               AND aml.company_id = ANY(%(companies)s)
               AND aml.date <= %(date_to)s
          GROUP BY aml.company_id
                """,
                companies=list(company_ids),
                date_from=date_from,
                date_to=date_to,
            )
        )
        return {company: (to_decimal(due), to_decimal(bought)) for company, due, bought in rows}

    @api.model
    def _valued_stock_accounts(self, company):
        """The stock valuation accounts of the product categories valued in the books
        (perpetual, ``real_time`` valuation, module stock_account); empty under periodic
        valuation, where the stock account is not kept up to date."""
        Category = self.env["product.category"]
        Account = self.env["account.account"]
        if not {"property_valuation", "property_stock_valuation_account_id"} <= set(
            Category._fields
        ):
            return Account
        categories = Category.with_company(company).search([])
        return categories.filtered(
            lambda category: category.property_valuation == "real_time"
        ).mapped("property_stock_valuation_account_id")

    @api.model
    def _inventory(self, company, date_from, date_to):
        """(inventory value at date_to, cost of goods sold of the period) when inventory is
        valued in the books (some product category in real-time valuation) and either is
        booked, else None."""
        accounts = self._valued_stock_accounts(company)
        if not accounts:
            return None
        self._flush_lines()
        stock, cogs = self.env.execute_query(
            SQL(
                """
            SELECT SUM(aml.balance) FILTER (WHERE aml.account_id = ANY(%(stock)s)),
                   SUM(aml.balance) FILTER (
                       WHERE acc.account_type = 'expense_direct_cost'
                         AND aml.date >= %(date_from)s)
              FROM account_move_line aml
              JOIN account_account acc ON acc.id = aml.account_id
             WHERE aml.parent_state = 'posted'
               AND aml.company_id = %(company)s
               AND aml.date <= %(date_to)s
                """,
                stock=accounts.ids,
                company=company.id,
                date_from=date_from,
                date_to=date_to,
            )
        )[0]
        if stock is None and cogs is None:
            return None
        return to_decimal(stock), to_decimal(cogs)

    # ------------------------------------------------------------------
    # KPIs
    # ------------------------------------------------------------------
    @api.model
    def _kpis(self, company_ids, date_from, date_to, partner_ids=None):
        """{(company, partner): {kpi name: Decimal or None}} for every company total
        (partner None) and every customer seen, over the period [date_from, date_to]. See
        the core for each formula; DPO, DIO and the cash conversion cycle are company-wide
        only."""
        days = (date_to - date_from).days + 1
        sales = self._credit_sales(company_ids, date_from, date_to, partner_ids)
        monthly = self._monthly_credit_sales(company_ids, date_to, partner_ids)
        closing = self._receivables(date_to, company_ids, partner_ids)
        opening = self._receivables(date_from - timedelta(days=1), company_ids, partner_ids)
        written_off = self._written_off(company_ids, date_from, date_to, partner_ids)
        paid = self._days_to_pay(company_ids, date_from, date_to, partner_ids)
        keys = (
            set(sales)
            | set(closing)
            | set(opening)
            | set(paid)
            | {(company, None) for company in company_ids}
        )
        zero = to_decimal(0)
        result = {}
        for key in keys:
            ar, current = closing.get(key, (zero, zero))
            credit_sales = sales.get(key, zero)
            dso = core_kpis.dso(ar, credit_sales, days)
            best = core_kpis.best_possible_dso(current, credit_sales, days)
            to_pay, late = paid.get(key, ([], []))
            result[key] = {
                "credit_sales": credit_sales,
                "closing_ar": ar,
                "current_ar": current,
                "overdue_ar": ar - current,
                "opening_ar": opening.get(key, (zero, zero))[0],
                "written_off": written_off.get(key, zero),
                "dso": dso,
                "countback_dso": core_kpis.countback_dso(ar, monthly.get(key, [])),
                "best_dso": best,
                "add": core_kpis.average_days_delinquent(dso, best),
                "cei": core_kpis.collection_effectiveness_index(
                    opening.get(key, (zero, zero))[0], credit_sales, ar, current
                ),
                "overdue_ratio": core_kpis.overdue_ratio(ar - current, ar),
                "bad_debt_ratio": core_kpis.bad_debt_ratio(
                    written_off.get(key, zero), credit_sales
                ),
                "days_to_pay": core_kpis.weighted_average_days(to_pay),
                "days_late": core_kpis.weighted_average_days(late),
            }
        payables = self._payables(company_ids, date_from, date_to)
        for company in self.env["res.company"].browse(company_ids):
            totals = result[(company.id, None)]
            due, bought = payables.get(company.id, (None, None))
            dpo = core_kpis.days_payables_outstanding(due, bought, days)
            inventory = self._inventory(company, date_from, date_to)
            dio = inventory and core_kpis.days_inventory_outstanding(*inventory, days)
            totals.update(
                dpo=dpo, dio=dio, ccc=core_kpis.cash_conversion_cycle(dio, totals["dso"], dpo)
            )
        return result
