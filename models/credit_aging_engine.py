from odoo import api, fields, models
from odoo.tools import SQL

from ..credit_management import aging as core_aging

AGING_INDEXES = ("credit_management_apr_max_date_idx",)
"""Indexes the aging engine adds (dropped by the uninstall hook)."""


class CreditAgingEngine(models.AbstractModel):
    """Open receivables as of any date, and their aging by customer (账龄分析), in SQL.

    An item is open at the end of ``as_of`` when it is a posted journal item on a
    receivable account dated on or before ``as_of`` whose residual at that date is not zero:
    residual(as_of) = balance - Σ partial reconciliations where it is the debit side
    + Σ those where it is the credit side, counting only partials with ``max_date <=
    as_of`` (a partial is dated by the later of its two lines; exchange-difference entries
    are receivable items with their own partials, so they are counted the same way).

    Odoo stores ``amount_residual`` = balance - Σ all partials, so the same number is read
    as the stored residual plus the partials dated after ``as_of`` added back. Only the
    currently open items (a partial index) and the items touched by later partials (an
    index on ``max_date``) are read: as of today there are no later partials and the query
    is the stored residuals alone, and a past date reads only what changed since.

    Access: the queries bypass record rules, so the engine applies them itself: only the
    companies of ``self.env.companies``, and for users who are neither credit officers nor
    accountants (``_sees_all_receivables``) only the customers whose salesperson is
    themselves or a member of one of their sales teams, unless the company lets salespeople
    see all receivables.
    """

    _name = "credit.aging.engine"
    _description = "Receivable Aging Engine"

    def init(self):
        res = super().init()
        # the open receivable items of customers, read without touching the table (aging as
        # of today, collections, statements)
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS credit_management_aml_open_receivable_idx
                ON account_move_line (account_id, partner_id, company_id)
                INCLUDE (amount_residual, date_maturity, date)
             WHERE reconciled IS NOT TRUE AND parent_state = 'posted'
            """
        )
        # partials dated after a past as_of, to add back
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS credit_management_apr_max_date_idx
                ON account_partial_reconcile (max_date)
                INCLUDE (debit_move_id, credit_move_id, company_id, amount,
                         debit_amount_currency, credit_amount_currency)
            """
        )
        return res

    # ------------------------------------------------------------------
    # public interface
    # ------------------------------------------------------------------
    @api.model
    def _open_items(
        self,
        as_of,
        company_ids,
        basis="due",
        partner_ids=None,
        account_ids=None,
        salesperson_ids=None,
        grade_ids=None,
    ):
        """The receivable items open at the end of ``as_of``, one dict per journal item:
        ``line_id, company_id, partner_id`` (commercial partner), ``account_id, move_id,
        move_name, move_type, date, due_date, days, residual`` (company currency, signed),
        ``residual_currency, currency_id`` (the item's own currency)."""
        as_of = fields.Date.to_date(as_of)
        items = self._visible_open_items_sql(
            as_of,
            company_ids,
            basis,
            partner_ids=partner_ids,
            account_ids=account_ids,
            salesperson_ids=salesperson_ids,
            grade_ids=grade_ids,
        )
        rows = self.env.execute_query_dict(
            SQL(
                """
                WITH items AS (%(items)s)
                SELECT items.line_id, items.company_id, items.partner_id, items.account_id,
                       items.move_id, am.name AS move_name, am.move_type, items.date,
                       items.due_date, items.days, items.residual, items.residual_currency,
                       items.currency_id
                  FROM items
                  JOIN account_move am ON am.id = items.move_id
              ORDER BY items.company_id, items.partner_id, items.due_date, items.line_id
                """,
                items=items,
            )
        )
        for row in rows:
            row["residual"] = float(row["residual"])
            row["residual_currency"] = float(row["residual_currency"])
        return rows

    @api.model
    def _aging_by_partner(
        self,
        as_of,
        company_ids,
        bounds=core_aging.DEFAULT_BOUNDS,
        basis="due",
        partner_ids=None,
        account_ids=None,
        salesperson_ids=None,
        grade_ids=None,
    ):
        """{(company id, commercial partner id): {"total": float, "buckets": [float, ...]}}
        of the items open at the end of ``as_of``, in company currency, one bucket per
        ``credit_management.aging.bucket_ranges(bounds)`` (not due first), in one SQL
        aggregate."""
        as_of = fields.Date.to_date(as_of)
        query = self._aging_by_partner_sql(
            as_of,
            company_ids,
            bounds,
            basis,
            partner_ids=partner_ids,
            account_ids=account_ids,
            salesperson_ids=salesperson_ids,
            grade_ids=grade_ids,
        )
        result = {}
        for company_id, partner_id, total, *buckets in self.env.execute_query(query):
            result[(company_id, partner_id)] = {
                "total": float(total),
                "buckets": [float(amount) for amount in buckets],
            }
        return result

    # ------------------------------------------------------------------
    # SQL builders (the report inserts from them)
    # ------------------------------------------------------------------
    @api.model
    def _aging_by_partner_sql(
        self,
        as_of,
        company_ids,
        bounds=core_aging.DEFAULT_BOUNDS,
        basis="due",
        **filters,
    ):
        """The aging aggregate as an SQL query: columns ``company_id, partner_id, total,
        b0 … b<n>`` (one per bucket), rounded to the company currency.

        Sums are linear, so the open items need not be rebuilt one by one: the stored
        residuals of the items open today and the partials dated after ``as_of`` (added back
        to the item they settled) are summed by (company, partner, bucket) first, and only
        those groups are mapped to commercial partners and filtered. A customer is listed
        when one of its buckets is not zero."""
        core_aging.validate_bounds(bounds)
        scope = self._query_scope(as_of, company_ids, basis, filters.pop("account_ids", None))
        bucket = SQL(
            "width_bucket(%s::date - %s, %s::int[])",
            scope["as_of"],
            scope["ref_date"],
            core_aging.sql_thresholds(bounds),
        )
        # the company currency's decimals, without a join that would blur the estimates
        digits = SQL(
            "CASE lines.company_id %s END",
            SQL(" ").join(
                SQL("WHEN %s THEN %s", company.id, company.currency_id.decimal_places)
                for company in self.env["res.company"].sudo().browse(scope["companies"])
            )
            if scope["companies"]
            else SQL("WHEN 0 THEN 2"),
        )
        buckets = SQL(", ").join(
            SQL(
                "ROUND(COALESCE(SUM(lines.amount) FILTER (WHERE lines.bucket = %s), 0), %s) AS %s",
                index,
                digits,
                SQL.identifier(f"b{index}"),
            )
            for index in range(core_aging.bucket_count(bounds))
        )
        return SQL(
            """
            SELECT lines.company_id, cp.id AS partner_id,
                   ROUND(SUM(lines.amount), %(digits)s) AS total, %(buckets)s
              FROM (
                    SELECT movements.company_id, movements.partner_id, movements.bucket,
                           SUM(movements.amount) AS amount
                      FROM (
                            SELECT aml.company_id, aml.partner_id, %(bucket)s AS bucket,
                                   aml.amount_residual AS amount
                              FROM account_move_line aml
                             WHERE aml.reconciled IS NOT TRUE AND %(line_conditions)s
                         UNION ALL
                            SELECT aml.company_id, aml.partner_id, %(bucket)s AS bucket,
                                   later.amount
                              FROM (%(later_sides)s) later
                              JOIN account_move_line aml ON aml.id = later.line_id
                             WHERE %(line_conditions)s
                           ) movements
                  GROUP BY movements.company_id, movements.partner_id, movements.bucket
                   ) lines
         LEFT JOIN res_partner partner ON partner.id = lines.partner_id
         LEFT JOIN res_partner cp ON cp.id = partner.commercial_partner_id
             WHERE %(conditions)s
          GROUP BY lines.company_id, cp.id
            HAVING bool_or(lines.amount != 0)
            """,
            buckets=buckets,
            digits=digits,
            bucket=bucket,
            line_conditions=scope["line_conditions"],
            later_sides=scope["later_sides"],
            conditions=self._partner_conditions(scope["companies"], **filters),
        )

    @api.model
    def _visible_open_items_sql(
        self,
        as_of,
        company_ids,
        basis="due",
        **filters,
    ):
        """The open items the user may see, as an SQL query (see the class docstring) with
        columns ``line_id, company_id, partner_id`` (commercial partner), ``account_id,
        move_id, date, due_date, ref_date, days, residual, residual_currency, currency_id``:
        :meth:`_open_items_sql` mapped to commercial partners, filtered, and limited to the
        companies and customers the user sees."""
        as_of = fields.Date.to_date(as_of)
        self._flush_aging_fields()
        self._tune_session()
        companies = self._allowed_company_ids(company_ids)
        lines = self._open_items_sql(
            as_of, companies, account_ids=filters.pop("account_ids", None), basis=basis
        )
        return SQL(
            """
            SELECT lines.line_id, lines.company_id, cp.id AS partner_id, lines.account_id,
                   lines.move_id, lines.date, lines.due_date, lines.ref_date,
                   (%(as_of)s::date - lines.ref_date) AS days,
                   lines.residual, lines.residual_currency, lines.currency_id
              FROM (%(lines)s) lines
         LEFT JOIN res_partner partner ON partner.id = lines.partner_id
         LEFT JOIN res_partner cp ON cp.id = partner.commercial_partner_id
             WHERE lines.residual != 0 AND %(conditions)s
            """,
            as_of=as_of,
            lines=lines,
            conditions=self._partner_conditions(companies, **filters),
        )

    # ------------------------------------------------------------------
    # the receivable items and the open ones: the one definition every feature reads
    # ------------------------------------------------------------------
    @api.model
    def _due_date_sql(self, alias="aml"):
        """The due date of a journal item: its maturity date, else its accounting date."""
        return SQL(
            "COALESCE(%s, %s)",
            SQL.identifier(alias, "date_maturity"),
            SQL.identifier(alias, "date"),
        )

    @api.model
    def _receivable_items_condition(self, company_ids=None, account_ids=None, alias="aml"):
        """The condition on journal items (alias ``alias``) that makes them customers'
        receivable items: posted, on a receivable account (``account_ids`` narrows the
        accounts), of ``company_ids`` (every company when None). No access check: callers
        restrict companies and customers as their feature requires."""
        accounts = self._receivable_account_ids()
        if account_ids is not None:
            accounts = sorted(set(accounts) & set(account_ids))
        conditions = [
            SQL("%s = ANY(%s)", SQL.identifier(alias, "account_id"), accounts),
            SQL("%s = 'posted'", SQL.identifier(alias, "parent_state")),
        ]
        if company_ids is not None:
            company_ids = [company_ids] if isinstance(company_ids, int) else list(company_ids)
            conditions.insert(
                1, SQL("%s = ANY(%s)", SQL.identifier(alias, "company_id"), company_ids)
            )
        return SQL(" AND ").join(conditions)

    @api.model
    def _open_items_sql(
        self,
        as_of,
        company_ids=None,
        account_ids=None,
        basis="due",
        extra_fields=(),
    ):
        """The receivable items open at the end of ``as_of``, as an SQL query to use as a
        subquery, one row per journal item, with columns ``line_id, company_id,
        partner_id`` (the item's own partner: join ``res_partner`` for its commercial
        partner), ``account_id, move_id, date, due_date, ref_date`` (due date, or invoice
        date when ``basis`` is "invoice"), ``residual, residual_currency`` (company and
        item currency, signed), ``currency_id``, and the journal item fields named in
        ``extra_fields``.

        ``as_of`` a date: the items dated on or before it that were not settled at the end
        of that day, their residual rebuilt as the class docstring says (a row whose
        residual comes to zero is the caller's to drop). ``as_of`` None: the ledger as it
        stands, the items not reconciled with their stored residuals whatever their dates,
        which is what collections act on (dunning, overdue cases, the worklist).

        Flushes what it reads (:meth:`_flush_open_items`). No access check and no
        commercial partner mapping: :meth:`_visible_open_items_sql` adds those for the
        reports."""
        ref_date = self._ref_date_sql(basis)
        if isinstance(company_ids, int):
            company_ids = [company_ids]
        self._flush_open_items(*extra_fields)
        columns = SQL(", ").join(
            [
                SQL(
                    """aml.id AS line_id, aml.company_id, aml.partner_id, aml.account_id,
                       aml.move_id, aml.date, %(due)s AS due_date, %(ref_date)s AS ref_date,
                       aml.currency_id""",
                    due=self._due_date_sql(),
                    ref_date=ref_date,
                ),
                *(SQL.identifier("aml", name) for name in extra_fields),
            ]
        )
        receivable = self._receivable_items_condition(company_ids, account_ids)
        if as_of is None:
            return SQL(
                """
                SELECT %(columns)s, aml.amount_residual AS residual,
                       aml.amount_residual_currency AS residual_currency
                  FROM account_move_line aml
                 WHERE aml.reconciled IS NOT TRUE AND %(receivable)s
                """,
                columns=columns,
                receivable=receivable,
            )
        as_of = fields.Date.to_date(as_of)
        line_conditions = SQL("%s AND aml.date <= %s", receivable, as_of)
        return SQL(
            """
            WITH later AS MATERIALIZED (%(later)s)
            SELECT %(columns)s,
                   aml.amount_residual + COALESCE(later.amount, 0) AS residual,
                   aml.amount_residual_currency + COALESCE(later.amount_currency, 0)
                       AS residual_currency
              FROM account_move_line aml
         LEFT JOIN later ON later.line_id = aml.id
             WHERE aml.reconciled IS NOT TRUE AND %(line_conditions)s
         UNION ALL
            SELECT %(columns)s,
                   aml.amount_residual + later.amount AS residual,
                   aml.amount_residual_currency + later.amount_currency AS residual_currency
              FROM later
              JOIN account_move_line aml ON aml.id = later.line_id
             WHERE aml.reconciled AND %(line_conditions)s
            """,
            columns=columns,
            later=self._later_partials_sql(as_of, company_ids),
            line_conditions=line_conditions,
        )

    @api.model
    def _ref_date_sql(self, basis):
        """The date an item's age counts from: its due date, or its invoice date (else its
        accounting date) when ``basis`` is "invoice"."""
        if basis not in ("due", "invoice"):
            raise ValueError(f"unknown aging basis {basis!r}")
        if basis == "due":
            return self._due_date_sql()
        return SQL("COALESCE(aml.invoice_date, aml.date)")

    @api.model
    def _later_partials_sql(self, as_of, company_ids=None, by_side=False):
        """The partial reconciliations dated after ``as_of``, what to add back to the stored
        residuals: one row per side (``by_side``) or summed by journal item, columns
        ``line_id, amount, amount_currency``."""
        company = (
            SQL("TRUE")
            if company_ids is None
            else SQL("part.company_id = ANY(%s)", list(company_ids))
        )
        sides = SQL(
            """
            SELECT part.debit_move_id AS line_id, part.amount,
                   part.debit_amount_currency AS amount_currency
              FROM account_partial_reconcile part
             WHERE part.max_date > %(as_of)s AND %(company)s
         UNION ALL
            SELECT part.credit_move_id, -part.amount, -part.credit_amount_currency
              FROM account_partial_reconcile part
             WHERE part.max_date > %(as_of)s AND %(company)s
            """,
            as_of=as_of,
            company=company,
        )
        if by_side:
            return sides
        return SQL(
            """
            SELECT sides.line_id, SUM(sides.amount) AS amount,
                   SUM(sides.amount_currency) AS amount_currency
              FROM (%s) sides
          GROUP BY sides.line_id
            """,
            sides,
        )

    @api.model
    def _query_scope(self, as_of, company_ids, basis, account_ids=None):
        """What the aging aggregate reads, from the same fragments as
        :meth:`_open_items_sql`: the companies the user may see, the reference date of the
        age, the conditions on the journal items (alias ``aml``) and the partials dated
        after ``as_of``, one row per side (``later_sides``)."""
        ref_date = self._ref_date_sql(basis)
        as_of = fields.Date.to_date(as_of)
        self._flush_aging_fields()
        self._tune_session()
        companies = self._allowed_company_ids(company_ids)
        line_conditions = SQL(
            "%s AND aml.date <= %s",
            self._receivable_items_condition(companies, account_ids),
            as_of,
        )
        return {
            "as_of": as_of,
            "companies": companies,
            "ref_date": ref_date,
            "line_conditions": line_conditions,
            "later_sides": self._later_partials_sql(as_of, companies, by_side=True),
        }

    @api.model
    def _partner_conditions(
        self,
        companies,
        partner_ids=None,
        salesperson_ids=None,
        grade_ids=None,
    ):
        """The filters and the salesperson restriction, on ``cp`` (the commercial partner)
        and ``lines.company_id``. ``False`` in ``partner_ids`` stands for the items without
        a customer."""
        conditions = [SQL("TRUE")]
        if partner_ids is not None:
            ids = [partner_id for partner_id in partner_ids if partner_id]
            condition = SQL("cp.id = ANY(%s)", ids)
            if len(ids) < len(partner_ids):
                condition = SQL("(%s OR cp.id IS NULL)", condition)
            conditions.append(condition)
        if salesperson_ids is not None:
            conditions.append(SQL("cp.user_id = ANY(%s)", list(salesperson_ids)))
        if grade_ids is not None:
            conditions.append(
                SQL(
                    """EXISTS (
                        SELECT 1 FROM credit_file cf
                         WHERE cf.partner_id = cp.id AND cf.company_id = lines.company_id
                           AND cf.active AND cf.grade_id = ANY(%s))""",
                    list(grade_ids),
                )
            )
        visibility = self._visibility_condition(companies)
        if visibility is not None:
            conditions.append(visibility)
        return SQL(" AND ").join(conditions)

    @api.model
    def _tune_session(self):
        """Planner settings for these reporting queries, for the rest of the transaction:
        no JIT compilation (it costs more than it saves on them) and enough memory to
        group a few hundred thousand items without spilling to disk."""
        self.env.cr.execute("SET LOCAL jit = off")
        self.env.cr.execute("SET LOCAL work_mem = '64MB'")

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------
    @api.model
    def _flush_open_items(self, *extra_fields):
        """Flush what :meth:`_open_items_sql` and :meth:`_receivable_items_condition` read
        (journal items, their partials, the partners' commercial partner), and the other
        journal item fields ``extra_fields`` a caller reads with them."""
        self.env["account.move.line"].flush_model(
            [
                "account_id",
                "amount_residual",
                "amount_residual_currency",
                "company_id",
                "currency_id",
                "date",
                "date_maturity",
                "invoice_date",
                "move_id",
                "parent_state",
                "partner_id",
                "reconciled",
                *extra_fields,
            ]
        )
        self.env["account.partial.reconcile"].flush_model(
            [
                "amount",
                "company_id",
                "credit_amount_currency",
                "credit_move_id",
                "debit_amount_currency",
                "debit_move_id",
                "max_date",
            ]
        )
        self.env["account.account"].flush_model(["account_type"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])

    def _flush_aging_fields(self):
        """:meth:`_flush_open_items` and what the reports read besides (entries, the
        salesperson and grade filters)."""
        self._flush_open_items()
        self.env["account.move"].flush_model(["name", "move_type"])
        self.env["res.partner"].flush_model(["commercial_partner_id", "user_id"])
        self.env["credit.file"].flush_model(["active", "company_id", "grade_id", "partner_id"])

    @api.model
    def _allowed_company_ids(self, company_ids):
        """``company_ids`` limited to the companies the user works in now (those record
        rules allow); all of them when none are given."""
        allowed = self.env.companies.ids
        if company_ids is None or company_ids is False:
            return sorted(allowed)
        company_ids = [company_ids] if isinstance(company_ids, int) else list(company_ids)
        if self.env.su:
            return sorted(company_ids)
        return sorted(set(company_ids) & set(allowed))

    @api.model
    def _receivable_account_ids(self):
        """Every receivable account (``asset_receivable``) of every company, archived ones
        included: the accounts customers' receivables are read from."""
        return (
            self.env["account.account"]
            .sudo()
            .with_context(active_test=False)
            .search([("account_type", "=", "asset_receivable")])
            .ids
        )

    @api.model
    def _sees_all_receivables(self):
        """Whether the user sees the receivables of every customer (of their companies):
        credit officers and managers, and accountants (accounting read-only, full
        accounting features, accounting administrators), as in the customer statements.
        Other users (salespeople) see only their own and their teams' customers."""
        if self.env.su:
            return True
        user = self.env.user
        return any(
            user.has_group(group)
            for group in (
                "credit_management.group_credit_officer",
                "account.group_account_readonly",
                "account.group_account_manager",
            )
        )

    @api.model
    def _restricted_to_own_customers(self):
        """Users who do not see all receivables (salespeople) see only their own and their
        teams' customers."""
        return not self._sees_all_receivables()

    @api.model
    def _visible_salesperson_ids(self):
        """The user and the members and leaders of the sales teams the user belongs to or
        leads: a salesperson sees the customers these salespeople look after."""
        user = self.env.user
        Member = self.env["crm.team.member"].sudo()
        teams = Member.search([("user_id", "=", user.id)]).crm_team_id | self.env[
            "crm.team"
        ].sudo().search([("user_id", "=", user.id)])
        members = Member.search([("crm_team_id", "in", teams.ids)]).user_id
        return sorted((user | teams.user_id | members).ids)

    @api.model
    def _visibility_condition(self, company_ids):
        """None when the user sees every customer; else an SQL condition on ``cp`` (the
        commercial partner) and ``lines.company_id``."""
        if not self._restricted_to_own_customers():
            return None
        open_companies = (
            self.env["res.company"]
            .sudo()
            .browse(company_ids)
            .filtered("credit_aging_salespeople_see_all")
            .ids
        )
        return SQL(
            "(cp.user_id = ANY(%s) OR lines.company_id = ANY(%s))",
            self._visible_salesperson_ids(),
            open_companies,
        )
