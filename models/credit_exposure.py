from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from odoo import _, _lt, api, fields, models
from odoo.tools import SQL

from ..credit_management import checks as core_checks
from ..credit_management import securities as core_securities
from ..credit_management import terms as core_terms
from ..credit_management.numbers import to_decimal

CHECKPOINT_ORDER = "order"
"""Rules run when an order is confirmed (the credit gate) and by its dry run (the banner)."""
CHECKPOINT_CUSTOMER = "customer"
"""Rules that judge the customer alone, without an order (deliveries, scheduled jobs)."""


@dataclass(frozen=True, eq=False)
class ExposureCategory:
    """One category of a customer's credit exposure (信用占用), or one figure reported with
    it, as SAP's credit exposure categories and OCA ``account_financial_risk``'s risk fields.

    ``query`` names a ``credit.exposure`` method ``(today, exclude_orders) -> SQL`` giving the
    category's rows ``(company_id, partner_id, <code>)``; categories read from the same rows
    (open receivables, overdue money, oldest overdue item) share one method, run once, each
    taking its own column. The SQL reads the common tables
    ``pairs`` (company_id, partner_id: the customers asked for), ``members`` (the same with
    ``member_id``, each of the customer's contacts and itself) and ``ladder`` (the customers'
    open receivables by due date, payments dated after today not counted yet unless the
    policy says so) and flushes what it reads. ``policy_field`` is the switch on
    ``credit.policy`` that counts the category in the exposure; without one the category is a
    figure reported with the exposure (overdue money) and never added to it. ``kind`` is
    ``amount`` (rounded to the company's currency) or ``days``."""

    code: str
    label: object
    query: str
    policy_field: str | None = None
    kind: str = "amount"


@dataclass(frozen=True, eq=False)
class CreditRule:
    """One credit check rule: the core function that judges the facts
    (``credit_management.checks``), and what the Odoo side needs to run and tell it.

    ``policy_field``: the ``credit.policy`` switch (None: always on where it runs).
    ``checkpoints``: where it runs (``order``: the credit gate and the banner; ``customer``:
    the customer alone, e.g. before goods leave; a module may add its own).
    ``figures``: figure name -> kind (``money``, ``sales_mode``, ``number``, ``date``,
    ``text``) of what the failure reports, formatted for the message.
    ``message``: the translated sentence (``_lt``) whose placeholders are the figures, or a
    function of the failure's values choosing one.
    ``facts``: a function of the credit file (maybe empty) giving the extra facts the rule
    reads (``CheckFacts.extra``).
    ``sequence``: the order failures are reported in.
    ``label``: the rule's short name (``_lt``) where rules are listed, e.g. the dashboard's
    holds waiting by rule (the code when there is none)."""

    code: str
    check: Callable
    message: object
    figures: Mapping[str, str] = field(default_factory=dict)
    policy_field: str | None = None
    checkpoints: frozenset = frozenset({CHECKPOINT_ORDER})
    sequence: int = 100
    facts: Callable | None = None
    label: object = None

    def message_for(self, values):
        return self.message(values) if callable(self.message) else self.message


def _limit_message(values):
    if "unsecured_after" in values and not to_decimal(values.get("order_amount")):
        return _lt(
            "Credit limit exceeded: exposure %(exposure)s, of which %(secured_after)s is "
            "covered by securities; the unsecured %(unsecured_after)s is over the limit of "
            "%(limit)s by %(excess)s."
        )
    if "unsecured_after" in values:
        # the policy sets the limit on the unsecured exposure
        return _lt(
            "Credit limit exceeded: exposure %(exposure)s + this order %(order_amount)s = "
            "%(exposure_after)s, of which %(secured_after)s is covered by securities; the "
            "unsecured %(unsecured_after)s is over the limit of %(limit)s by %(excess)s."
        )
    if not to_decimal(values.get("order_amount")):
        # nothing added by an order: a customer-level check, or an order paid at once
        return _lt(
            "Credit limit exceeded: exposure %(exposure)s is over the limit of %(limit)s by "
            "%(excess)s."
        )
    return _lt(
        "Credit limit exceeded: exposure %(exposure)s + this order %(order_amount)s = "
        "%(exposure_after)s, over the limit of %(limit)s by %(excess)s."
    )


class CreditExposure(models.AbstractModel):
    """The exposure engine and the rule registry: the one place that computes a customer's
    credit exposure by category, builds the facts the credit checks judge (for an order, or
    for a customer without one) and evaluates and tells the rules. The order gate
    (``sale.order._credit_gate``), its dry run (the quotation's banner), the customer's
    credit fields, the customer-level checks (deliveries, jobs) all go through it.

    Two extension points, each a list a module extends with ``super()``:
    ``_exposure_categories`` (what the exposure adds up) and ``_credit_rules`` (what is
    checked, with its switch, figures and message)."""

    _name = "credit.exposure"
    _description = "Credit Exposure and Check Rules"

    def init(self):
        """Indexes for the open orders category: the uninvoiced lines of a customer's
        confirmed orders, read from the index alone, without the orders (see
        bench/README.md, order confirmation benchmark; the two indexes of orders and of
        their lines this one replaced are dropped). The open receivables come from the
        receivable ladder (``credit.receivable.ladder``); a customer's payment items by
        date find the payments dated after today (``_exposure_sql_postdated_payments``);
        its draft invoices are read from an index of the drafts alone, not among all its
        entries."""
        res = super().init()
        self.env.cr.execute(
            """
            DROP INDEX IF EXISTS credit_management_sale_order_open_idx;
            DROP INDEX IF EXISTS credit_management_sale_order_line_open_idx;
            CREATE INDEX IF NOT EXISTS credit_management_sol_open_partner_idx
                ON sale_order_line (order_partner_id, company_id)
                INCLUDE (order_id, currency_id, price_total, product_uom_qty, qty_invoiced)
             WHERE state = 'sale' AND qty_invoiced < product_uom_qty;
            CREATE INDEX IF NOT EXISTS credit_management_aml_payment_date_idx
                ON account_move_line (partner_id, date)
             WHERE payment_id IS NOT NULL OR statement_line_id IS NOT NULL;
            CREATE TABLE IF NOT EXISTS credit_management_customer_lock (
                partner_id integer PRIMARY KEY,
                locked_at timestamp NOT NULL
            );
            COMMENT ON TABLE credit_management_customer_lock IS
                'credit_management: one row per customer whose credit was checked, locked '
                'by each check (see credit.exposure._lock_customers)';
            CREATE INDEX IF NOT EXISTS credit_management_account_move_draft_idx
                ON account_move (partner_id, company_id) INCLUDE (amount_total_signed)
             WHERE state = 'draft' AND move_type IN ('out_invoice', 'out_refund');
            """
        )
        return res

    @api.model
    def _lock_customers(self, partner_ids):
        """Serialise credit checks per customer (commercial partner ids), for the rest of the
        transaction, on every server: two users confirming orders for the same customer at
        the same moment cannot both use the same remaining credit.

        Each customer's row of ``credit_management_customer_lock`` is upserted, in id order
        (no deadlock between checks of several customers). The upsert waits for a check
        of the same customer in progress, and under Odoo's repeatable-read isolation it
        fails with a serialization error when another check of the customer committed after
        this transaction's snapshot, which therefore does not count that order: Odoo
        retries the request with a fresh snapshot that does. A lock alone would not be
        enough (it would be granted after the other commit, on the old snapshot).

        The table has no foreign key: locking it does not touch ``res_partner``, so the
        other transactions of the customer (its invoices, messages, warning signs), whose
        foreign-key checks lock the partner's row, never fail because of a check."""
        for partner_id in sorted(set(partner_ids)):
            self.env.cr.execute(
                """
                INSERT INTO credit_management_customer_lock (partner_id, locked_at)
                VALUES (%s, now() AT TIME ZONE 'UTC')
                ON CONFLICT (partner_id) DO UPDATE SET locked_at = EXCLUDED.locked_at
                """,
                [partner_id],
            )

    # ------------------------------------------------------------------
    # exposure categories
    # ------------------------------------------------------------------
    @api.model
    def _exposure_categories(self):
        """The exposure categories and reported figures, in order. Extend with ``super()``
        to add one (and its switch on ``credit.policy``)."""
        return [
            ExposureCategory(
                "receivables",
                _lt("Open Receivables"),
                "_exposure_sql_receivables",
                "exposure_receivables",
            ),
            ExposureCategory(
                "draft_invoices",
                _lt("Draft Invoices"),
                "_exposure_sql_draft_invoices",
                "exposure_draft_invoices",
            ),
            ExposureCategory(
                "orders",
                _lt("Orders Not Yet Invoiced"),
                "_exposure_sql_orders",
                "exposure_orders",
            ),
            ExposureCategory("overdue_amount", _lt("Overdue"), "_exposure_sql_receivables"),
            ExposureCategory(
                "oldest_overdue_days",
                _lt("Oldest Overdue (days)"),
                "_exposure_sql_receivables",
                kind="days",
            ),
            ExposureCategory(
                "security_cover", _lt("Covered by Securities"), "_exposure_sql_securities"
            ),
        ]

    def _exposure_flush_ladder(self):
        """The receivable ladder is kept by triggers on the journal items: pending writes
        of the items must reach the database before it is read."""
        self.env["account.move.line"].flush_model(
            [
                "account_id",
                "amount_residual",
                "company_id",
                "date",
                "date_maturity",
                "parent_state",
                "partner_id",
                "reconciled",
            ]
        )
        self.env["account.account"].flush_model(["account_type"])

    @api.model
    def _exposure_sql_receivables(self, today, exclude_orders):
        """From the ladder the database keeps per customer and due date
        (``credit.receivable.ladder``), not from the journal items:
        - ``receivables``: posted receivables still open, negative items included (credit
          notes and payments not yet matched lower the exposure);
        - ``overdue_amount``: what the customer owes past its due date (items due before
          today);
        - ``oldest_overdue_days``: days since the due date of the oldest item it still owes.
        """
        self._exposure_flush_ladder()
        return SQL(
            """
            SELECT company_id, partner_id,
                   SUM(residual) AS receivables,
                   SUM(owed_residual) FILTER (WHERE due_date < %(today)s) AS overdue_amount,
                   %(today)s - MIN(due_date) FILTER (
                       WHERE due_date < %(today)s AND owed_items > 0
                   ) AS oldest_overdue_days
              FROM ladder
          GROUP BY company_id, partner_id
            """,
            today=today,
        )

    @api.model
    def _exposure_postdated_companies(self, company_ids):
        """The companies whose credit policy counts a payment only from its date on (the
        default: a post-dated cheque is not money in yet); those whose policy ticks
        *Count Post-dated Payments at Once* are left out."""
        Policy = self.env["credit.policy"].sudo()
        return [
            company_id
            for company_id in company_ids
            if not Policy.browse(Policy._policy_id_for_company(company_id)).count_postdated_payments
        ]

    @api.model
    def _exposure_sql_postdated_payments(self, today, pairs):
        """Rows to add to the receivable ladder (company, partner, due date, residual, owed
        residual, owed items) so that a payment dated after ``today`` (a post-dated cheque,
        a statement line of a later day) does not lower the exposure yet: its open part is
        taken out of the ladder, and what it paid off is put back on the items it was
        matched with (an invoice paid by it is owed again, overdue again if it is past due).
        Invoices and credit notes count whatever their date: they are owed.

        Only the customers' payment items dated after today are read (an index on
        ``(partner_id, date)`` of payment items), then their partial reconciliations: the
        cost does not grow with the customer's history. Companies whose policy counts such
        payments at once get no rows.

        Returns None when none of the customers (and their contacts) has a payment item
        dated after today in those companies, which one look at that index tells: the
        exposure query is then planned without this part."""
        companies = self._exposure_postdated_companies(sorted({c for c, _p in pairs}))
        if not companies:
            return None
        self._exposure_flush_ladder()
        self.env["account.partial.reconcile"].flush_model(
            ["amount", "credit_move_id", "debit_move_id"]
        )
        self.env["account.move.line"].flush_model(["payment_id", "statement_line_id"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        if not self.env.execute_query(
            SQL(
                """
                SELECT 1
                  FROM res_partner p
                  JOIN account_move_line aml ON aml.partner_id = p.id
                 WHERE p.commercial_partner_id = ANY(%(partners)s)
                   AND aml.company_id = ANY(%(companies)s)
                   AND aml.date > %(today)s
                   AND (aml.payment_id IS NOT NULL OR aml.statement_line_id IS NOT NULL)
                 LIMIT 1
                """,
                partners=sorted({partner for _company, partner in pairs}),
                companies=companies,
                today=today,
            )
        ):
            return None
        return SQL(
            """
            SELECT adjustment.company_id, adjustment.partner_id, adjustment.due_date,
                   adjustment.residual, adjustment.owed_residual, adjustment.owed_items
              FROM (
                WITH postdated AS (
                    SELECT aml.id, aml.company_id, members.partner_id,
                           COALESCE(aml.date_maturity, aml.date) AS due_date,
                           CASE WHEN aml.reconciled IS NOT TRUE THEN aml.amount_residual
                                ELSE 0 END AS open_residual
                      FROM members
                      JOIN account_move_line aml
                        ON aml.partner_id = members.member_id
                       AND aml.company_id = members.company_id
                      JOIN account_account a ON a.id = aml.account_id
                     WHERE members.company_id = ANY(%(companies)s)
                       AND aml.date > %(today)s
                       AND aml.parent_state = 'posted'
                       AND (aml.payment_id IS NOT NULL OR aml.statement_line_id IS NOT NULL)
                       AND a.account_type = 'asset_receivable'
                ),
                matched AS (
                    SELECT sides.id, SUM(sides.put_back) AS put_back
                      FROM (
                        SELECT apr.debit_move_id AS id, apr.amount AS put_back
                          FROM postdated f
                          JOIN account_partial_reconcile apr ON apr.credit_move_id = f.id
                        UNION ALL
                        SELECT apr.credit_move_id, -apr.amount
                          FROM postdated f
                          JOIN account_partial_reconcile apr ON apr.debit_move_id = f.id
                      ) sides
                  GROUP BY sides.id
                )
                -- the post-dated payments' own open part, out
                SELECT company_id, partner_id, due_date,
                       -open_residual AS residual,
                       -GREATEST(open_residual, 0) AS owed_residual,
                       -(CASE WHEN open_residual > 0 THEN 1 ELSE 0 END) AS owed_items
                  FROM postdated
                 WHERE open_residual <> 0
                UNION ALL
                -- what they paid off, back on the items they were matched with
                SELECT c.company_id, COALESCE(p.commercial_partner_id, p.id),
                       COALESCE(c.date_maturity, c.date),
                       m.put_back,
                       GREATEST(o.residual + m.put_back, 0) - GREATEST(o.residual, 0),
                       (CASE WHEN o.residual + m.put_back > 0 THEN 1 ELSE 0 END)
                       - (CASE WHEN o.residual > 0 THEN 1 ELSE 0 END)
                  FROM matched m
                  JOIN account_move_line c ON c.id = m.id
                  JOIN res_partner p ON p.id = c.partner_id
                  JOIN account_account a ON a.id = c.account_id
                 CROSS JOIN LATERAL (
                     SELECT CASE WHEN c.reconciled IS NOT TRUE THEN c.amount_residual
                                 ELSE 0 END AS residual
                 ) o
                 WHERE a.account_type = 'asset_receivable'
                   AND c.parent_state = 'posted'
                   AND c.id NOT IN (SELECT id FROM postdated)
              ) adjustment
              JOIN pairs
                ON pairs.company_id = adjustment.company_id
               AND pairs.partner_id = adjustment.partner_id
            """,
            companies=companies,
            today=today,
        )

    @api.model
    def _exposure_sql_draft_invoices(self, today, exclude_orders):
        """Draft customer invoices and credit notes (signed)."""
        self.env["account.move"].flush_model(
            ["amount_total_signed", "company_id", "move_type", "partner_id", "state"]
        )
        return SQL(
            """
            SELECT m.company_id, m.partner_id, SUM(am.amount_total_signed) AS draft_invoices
              FROM members m
              JOIN account_move am
                ON am.partner_id = m.member_id AND am.company_id = m.company_id
             WHERE am.state = 'draft' AND am.move_type IN ('out_invoice', 'out_refund')
          GROUP BY m.company_id, m.partner_id
            """
        )

    @api.model
    def _exposure_sql_orders(self, today, exclude_orders):
        """Confirmed orders not invoiced yet = (ordered - invoiced quantity) x unit price
        incl. taxes, converted at the order's rate. This is the whole uninvoiced order, not
        Odoo's ``amount_to_invoice`` (delivered but not invoiced), because goods not yet
        delivered are promised on credit too. Orders in ``exclude_orders`` (those being
        checked) are left out."""
        self.env["sale.order"].flush_model(["currency_rate"])
        self.env["sale.order.line"].flush_model(
            [
                "company_id",
                "currency_id",
                "order_id",
                "order_partner_id",
                "price_total",
                "product_uom_qty",
                "qty_invoiced",
                "state",
            ]
        )
        # the lines carry their order's customer, company, currency and state (stored
        # related fields): read from one index range of the customer's open lines; only
        # lines in another currency than the company's read their order's rate
        return SQL(
            """
            WITH buyers AS MATERIALIZED (
                SELECT m.company_id, m.partner_id, m.member_id,
                       co.currency_id AS company_currency_id
                  FROM members m
                  JOIN res_company co ON co.id = m.company_id
            )
            SELECT b.company_id, b.partner_id,
                   SUM(sol.price_total * (sol.product_uom_qty - sol.qty_invoiced)
                       / sol.product_uom_qty
                       / CASE WHEN sol.currency_id = b.company_currency_id THEN 1
                              ELSE COALESCE(NULLIF((SELECT so.currency_rate
                                                      FROM sale_order so
                                                     WHERE so.id = sol.order_id), 0), 1)
                          END) AS orders
              FROM buyers b
              JOIN sale_order_line sol
                ON sol.order_partner_id = b.member_id AND sol.company_id = b.company_id
             WHERE sol.state = 'sale'
               AND sol.product_uom_qty > 0
               AND sol.qty_invoiced < sol.product_uom_qty
               AND NOT sol.order_id = ANY(%(exclude)s)
          GROUP BY b.company_id, b.partner_id
            """,
            exclude=list(exclude_orders),
        )

    @api.model
    def _exposure_sql_securities(self, today, exclude_orders):
        """``security_cover``: what the customer's active securities valid today cover
        (guarantees, collateral, credit insurance, letters of credit), converted to company
        currency at today's rate (``credit.security._covered_sql``). A reported figure, never
        added to the exposure: the policy's *Limit On* decides whether the limit rule looks
        at the exposure net of it."""
        return self.env["credit.security"]._covered_sql(today)

    @api.model
    def _exposure_by_partner(self, pairs, exclude_orders=()):
        """Credit exposure (信用占用) by category for (company id, commercial partner id)
        pairs, in company currency, in one SQL aggregate over the partners and their
        contacts: {pair: {category code: value}} for every category of
        ``_exposure_categories`` (by default ``receivables``, ``draft_invoices``, ``orders``,
        and the reported ``overdue_amount`` and ``oldest_overdue_days``). Orders in
        ``exclude_orders`` (those being checked) are left out."""
        pairs = list(pairs)
        categories = self._exposure_categories()
        result = {
            pair: {c.code: 0 if c.kind == "days" else 0.0 for c in categories} for pair in pairs
        }
        if not pairs:
            return result
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        today = fields.Date.context_today(self)
        aliases = {}  # query method -> the name of its rows in the query (run once)
        ctes = []
        joins = []
        for category in categories:
            if category.query in aliases:
                continue
            alias = aliases[category.query] = f"category_{len(aliases)}"
            query = getattr(self, category.query)(today, exclude_orders)
            ctes.append(SQL("%s AS (%s)", SQL.identifier(alias), query))
            joins.append(
                SQL(
                    "LEFT JOIN %(alias)s ON %(alias)s.company_id = pairs.company_id"
                    " AND %(alias)s.partner_id = pairs.partner_id",
                    alias=SQL.identifier(alias),
                )
            )
        columns = [
            SQL("COALESCE(%s, 0)", SQL.identifier(aliases[c.query], c.code)) for c in categories
        ]
        postdated = self._exposure_sql_postdated_payments(today, pairs)
        rows = self.env.execute_query(
            SQL(
                """
            WITH pairs AS (
                SELECT * FROM unnest(%(companies)s::int[], %(partners)s::int[])
                    AS pair(company_id, partner_id)
            ),
            members AS (
                SELECT pairs.company_id, pairs.partner_id, p.id AS member_id
                  FROM pairs JOIN res_partner p ON p.commercial_partner_id = pairs.partner_id
            ),
            ladder AS (
                SELECT l.company_id, l.partner_id, l.due_date,
                       SUM(l.residual) AS residual,
                       SUM(l.owed_residual) AS owed_residual,
                       SUM(l.owed_items) AS owed_items
                  FROM (
                    SELECT l.company_id, l.partner_id, l.due_date,
                           l.residual, l.owed_residual, l.owed_items
                      FROM credit_receivable_ladder l
                      JOIN pairs
                        ON l.partner_id = pairs.partner_id AND l.company_id = pairs.company_id
                    %(postdated)s
                  ) l
              GROUP BY l.company_id, l.partner_id, l.due_date
            ),
            %(ctes)s
            SELECT pairs.company_id, pairs.partner_id, %(columns)s
              FROM pairs
            %(joins)s
                """,
                companies=[company for company, _partner in pairs],
                partners=[partner for _company, partner in pairs],
                postdated=SQL("UNION ALL %s", postdated) if postdated else SQL(),
                ctes=SQL(",\n").join(ctes),
                columns=SQL(", ").join(columns),
                joins=SQL("\n").join(joins),
            )
        )
        Company = self.env["res.company"]
        for company_id, partner_id, *values in rows:
            currency = Company.browse(company_id).currency_id
            result[(company_id, partner_id)] = {
                category.code: int(value) if category.kind == "days" else currency.round(value)
                for category, value in zip(categories, values, strict=True)
            }
        return result

    @api.model
    def _exposure_total(self, policy, exposure):
        """Exposure = the sum of the categories ``policy`` switches on, from an
        ``_exposure_by_partner`` entry (reported figures are never added)."""
        categories = [c for c in self._exposure_categories() if c.policy_field]
        enabled = {c.code for c in categories if policy[c.policy_field]}
        return core_checks.exposure_total(((c.code, exposure[c.code]) for c in categories), enabled)

    @api.model
    def _secured_split(self, policy, exposure):
        """The exposure ``policy`` counts (``_exposure_total``) split into its part covered
        by securities in force and the unsecured rest (``credit_management.securities``),
        from an ``_exposure_by_partner`` entry."""
        return core_securities.split_exposure(
            self._exposure_total(policy, exposure), exposure.get("security_cover", 0)
        )

    @api.model
    def _limit_exposure(self, policy, exposure):
        """The exposure the credit limit is judged on, without an order: the total, or the
        unsecured part when the policy sets the limit on unsecured exposure."""
        split = self._secured_split(policy, exposure)
        return split.unsecured if policy.limit_basis == "unsecured" else split.exposure

    # ------------------------------------------------------------------
    # rule registry
    # ------------------------------------------------------------------
    @api.model
    def _credit_rules(self):
        """The credit check rules, in the order their failures are reported. Extend with
        ``super()`` to add one: its core function, switch, checkpoints, figures, message
        and the facts it needs; the gate, the banner, the holds and the checkpoints pick it
        up without any other override."""
        both = frozenset({CHECKPOINT_ORDER, CHECKPOINT_CUSTOMER})
        rules = core_checks.RULES
        return sorted(
            [
                CreditRule(
                    core_checks.RULE_MANUAL_HOLD,
                    rules[core_checks.RULE_MANUAL_HOLD],
                    _lt("The customer is on credit hold."),
                    policy_field="check_manual_hold",
                    checkpoints=both,
                    sequence=10,
                    label=_lt("Customer on credit hold"),
                ),
                CreditRule(
                    core_checks.RULE_GRADE_POLICY,
                    rules[core_checks.RULE_GRADE_POLICY],
                    _lt(
                        "The customer's grade allows %(sales_mode)s only: use an immediate "
                        "payment term or have the order paid first."
                    ),
                    figures={"sales_mode": "sales_mode"},
                    policy_field="check_grade_policy",
                    sequence=20,
                    label=_lt("Grade policy"),
                ),
                CreditRule(
                    core_checks.RULE_TERM,
                    rules[core_checks.RULE_TERM],
                    _lt(
                        "Credit term exceeded: the payment term gives the customer "
                        "%(asked_days)s days to pay, more than the %(granted_days)s days of "
                        "credit granted."
                    ),
                    figures={"asked_days": "number", "granted_days": "number"},
                    policy_field="check_term",
                    sequence=25,
                    label=_lt("Credit term"),
                ),
                CreditRule(
                    core_checks.RULE_RATING_EXPIRED,
                    rules[core_checks.RULE_RATING_EXPIRED],
                    _lt("The customer's rating and limit expired on %(valid_until)s."),
                    figures={"valid_until": "date"},
                    policy_field="check_rating_expired",
                    sequence=30,
                    label=_lt("Rating expired"),
                ),
                CreditRule(
                    core_checks.RULE_LIMIT,
                    rules[core_checks.RULE_LIMIT],
                    _limit_message,
                    figures=dict.fromkeys(
                        (
                            "limit",
                            "exposure",
                            "order_amount",
                            "exposure_after",
                            "excess",
                            "secured_after",
                            "unsecured_after",
                        ),
                        "money",
                    ),
                    policy_field="check_limit",
                    checkpoints=both,
                    sequence=40,
                    label=_lt("Credit limit"),
                ),
                CreditRule(
                    core_checks.RULE_GROUP_LIMIT,
                    rules[core_checks.RULE_GROUP_LIMIT],
                    _lt(
                        "Credit group limit exceeded: the group's exposure %(group_exposure)s "
                        "+ this order %(order_amount)s = %(exposure_after)s, over the limit "
                        "the group shares of %(group_limit)s by %(excess)s."
                    ),
                    figures=dict.fromkeys(
                        (
                            "group_limit",
                            "group_exposure",
                            "order_amount",
                            "exposure_after",
                            "excess",
                        ),
                        "money",
                    ),
                    policy_field="check_group_limit",
                    sequence=50,
                    label=_lt("Credit group limit"),
                ),
                CreditRule(
                    core_checks.RULE_OVERDUE_AMOUNT,
                    rules[core_checks.RULE_OVERDUE_AMOUNT],
                    _lt(
                        "Overdue money %(overdue_amount)s is above the tolerance of %(tolerance)s."
                    ),
                    figures={"overdue_amount": "money", "tolerance": "money"},
                    policy_field="check_overdue_amount",
                    checkpoints=both,
                    sequence=60,
                    label=_lt("Overdue money"),
                ),
                CreditRule(
                    core_checks.RULE_OVERDUE_DAYS,
                    rules[core_checks.RULE_OVERDUE_DAYS],
                    _lt(
                        "The oldest overdue item is %(oldest_overdue_days)s days overdue (at "
                        "most %(max_days)s)."
                    ),
                    figures={"oldest_overdue_days": "number", "max_days": "number"},
                    policy_field="check_overdue_days",
                    checkpoints=both,
                    sequence=70,
                    label=_lt("Oldest overdue item"),
                ),
                CreditRule(
                    core_checks.RULE_MAX_DOCUMENT,
                    rules[core_checks.RULE_MAX_DOCUMENT],
                    _lt(
                        "The order (%(order_amount)s) is above the maximum order value of "
                        "%(max_document_amount)s for the customer's grade."
                    ),
                    figures={"order_amount": "money", "max_document_amount": "money"},
                    policy_field="check_max_document",
                    sequence=80,
                    label=_lt("Maximum order value"),
                ),
            ],
            key=lambda rule: rule.sequence,
        )

    @api.model
    def _credit_rules_at(self, checkpoints):
        """{code: core function} of the rules that run at any of ``checkpoints``, in the
        order failures are reported."""
        wanted = set(checkpoints)
        return {rule.code: rule.check for rule in self._credit_rules() if rule.checkpoints & wanted}

    @api.model
    def _rule_labels(self):
        """{code: the rule's short name in the user's language}, in the order failures are
        reported."""
        return {
            rule.code: self.env._(rule.label) if rule.label else rule.code
            for rule in self._credit_rules()
        }

    @api.model
    def _failure_messages(self, failures, currency):
        """One translated sentence per failed rule, with its figures (amounts in
        ``currency``), as the rule's registration tells it."""
        registry = {rule.code: rule for rule in self._credit_rules()}
        modes = dict(
            self.env["credit.grade"]._fields["sales_mode"]._description_selection(self.env)
        )

        def figure(kind, value):
            if kind == "money":
                return currency.format(float(value or 0))
            if kind == "sales_mode":
                return modes.get(value, value)
            return value

        messages = []
        for failure in failures:
            rule = registry.get(failure.rule)
            if not rule:
                messages.append(_("Check %(rule)s failed.", rule=failure.rule))
                continue
            values = failure.values
            figures = {name: figure(kind, values.get(name)) for name, kind in rule.figures.items()}
            messages.append(self.env._(rule.message_for(values)) % figures)
        return messages

    # ------------------------------------------------------------------
    # facts and evaluation
    # ------------------------------------------------------------------
    @api.model
    def _customer_facts(self, file, policy, exposure, today, **order_values):
        """The facts the rules judge for ``file``'s customer (``file`` may be empty: a
        customer without credit file), from its exposure entry; ``order_values`` adds the
        order's own facts (order amount, immediate payment, group)."""
        grade = file.grade_id
        extra = {}
        for rule in self._credit_rules():
            if rule.facts:
                extra.update(rule.facts(file))
        return core_checks.CheckFacts(
            exposure=str(self._exposure_total(policy, exposure)),
            limit=str(file.effective_limit if file else 0.0),
            unlimited=bool(file and file.unlimited),
            overdue_amount=str(exposure["overdue_amount"]),
            oldest_overdue_days=int(exposure["oldest_overdue_days"]),
            sales_mode=grade.sales_mode if grade else core_terms.SALES_MODE_PREPAYMENT,
            valid_until=file.valid_until or None,
            today=today,
            on_hold=bool(file and file.on_hold),
            credit_days=file.credit_days if file else 0,
            extra=extra,
            security_cover=str(exposure.get("security_cover", 0)),
            limit_on_unsecured=policy.limit_basis == "unsecured",
            **order_values,
        )

    @api.model
    def _check_settings(self, policy, grade, rules=None):
        """Which rules run (the policy's switches, among ``rules`` when given) and the
        grade's thresholds."""
        enabled = policy._enabled_rules()
        if rules is not None:
            enabled &= frozenset(rules)
        return core_checks.CheckSettings(
            enabled=enabled,
            overdue_tolerance=str(grade.overdue_tolerance if grade else 0.0),
            overdue_max_days=grade.overdue_max_days if grade else 0,
        )

    @api.model
    def _evaluate(self, facts, settings, checkpoints=(CHECKPOINT_ORDER,)):
        """The failures of the rules that run at ``checkpoints`` and ``settings`` enables."""
        return core_checks.evaluate(facts, settings, self._credit_rules_at(checkpoints))

    @api.model
    def _order_facts(self, orders, files=None):
        """{order id: (CheckFacts, CheckSettings, total in company currency, id of the
        customer's credit group head or False)} for orders being confirmed (quotations), or
        confirmed orders changed (what they add is their uninvoiced remainder). One exposure
        query for the customers and the members of their credit groups. New records (an
        order being edited) are judged as they are. ``files``: the customers' credit files
        by (company id, commercial partner id) when the caller has them
        (``credit.file._files_by_pair``)."""
        today = fields.Date.context_today(self)
        Policy = self.env["credit.policy"].sudo()
        File = self.env["credit.file"].sudo()
        if files is None:
            files = File._files_by_pair(
                (o.company_id.id, o.partner_id.commercial_partner_id.id) for o in orders
            )
        files = {
            order.id: files.get(
                (order.company_id.id, order.partner_id.commercial_partner_id.id), File
            ).sudo()
            for order in orders
        }
        groups = File.union(*files.values())._credit_group_pairs()
        pairs = {(o.company_id.id, o.partner_id.commercial_partner_id.id) for o in orders}
        pairs.update(pair for members in groups.values() for pair in members)
        # an order being edited may have no id yet (a new record): nothing to leave out
        exposures = self._exposure_by_partner(
            pairs, exclude_orders=[order_id for order_id in orders.ids if order_id]
        )
        result = {}
        for order in orders:
            company = order.company_id
            commercial = order.partner_id.commercial_partner_id
            policy = Policy._for_company(company)
            file = files[order.id]
            grade = file.grade_id
            group = file._credit_group() if file else File
            group_exposure = sum(
                (
                    self._exposure_total(policy, exposures[pair])
                    for pair in groups.get(group.id, ())
                ),
                Decimal(0),
            )
            if order.state == "sale":
                # a confirmed order changed: what it adds is its uninvoiced remainder, as
                # the exposure counts confirmed orders
                to_pay = sum(
                    line.price_total
                    * (line.product_uom_qty - line.qty_invoiced)
                    / line.product_uom_qty
                    for line in order.order_line
                    if line.product_uom_qty > 0 and line.qty_invoiced < line.product_uom_qty
                )
            else:
                to_pay = order.amount_total - min(order.amount_paid, order.amount_total)
            amount = order.currency_id._convert(
                to_pay, company.currency_id, company, order.date_order or today
            )
            total = order.currency_id._convert(
                order.amount_total, company.currency_id, company, order.date_order or today
            )
            facts = self._customer_facts(
                file,
                policy,
                exposures[(company.id, commercial.id)],
                today,
                order_amount=str(amount),
                immediate_payment=order._credit_immediate_payment(),
                term_days=order._credit_term_days(),
                max_document_amount=str(grade.max_document_amount if grade else 0.0),
                group_limit=str(group.group_limit) if group else None,
                group_exposure=group_exposure,
            )
            result[order.id] = (facts, self._check_settings(policy, grade), total, group.id)
        return result

    @api.model
    def _customer_credit_check(self, pairs, rules=None, checkpoints=(CHECKPOINT_CUSTOMER,)):
        """The customer-level credit checks, without an order: for (company id, commercial
        partner id) pairs, the rules that run at ``checkpoints`` (by default the customer
        rules: manual hold, exposure above the limit in force unless unlimited, overdue money
        above the grade's tolerance, oldest overdue item older than the grade's maximum
        days), among ``rules`` when given, as the company's credit policy enables them,
        evaluated on the exposure now (an order amount of 0). For checkpoints after the
        order, e.g. before goods leave the warehouse.

        One exposure query for all pairs. Returns {pair: (credit file, CheckFacts, failures)}
        for the pairs whose customer has a credit file; a customer without one is not judged.
        """
        pairs = set(pairs)
        File = self.env["credit.file"].sudo().with_context(active_test=False)
        files = {}
        by_company = {}
        for company_id, partner_id in pairs:
            by_company.setdefault(company_id, []).append(partner_id)
        for company_id, partner_ids in by_company.items():
            for file in File.search(
                [("company_id", "=", company_id), ("partner_id", "in", partner_ids)]
            ):
                files[(company_id, file.partner_id.id)] = file
        if not files:
            return {}
        exposures = self._exposure_by_partner(files)
        today = fields.Date.context_today(self)
        Policy = self.env["credit.policy"].sudo()
        result = {}
        for pair, file in files.items():
            policy = Policy._for_company(file.company_id)
            facts = self._customer_facts(file, policy, exposures[pair], today, order_amount=0)
            settings = self._check_settings(policy, file.grade_id, rules)
            result[pair] = (file, facts, self._evaluate(facts, settings, checkpoints))
        return result

    # ------------------------------------------------------------------
    # the company's credit budget and concentration (总授信额度, 额度分配)
    # ------------------------------------------------------------------
    @api.model
    def _customer_team_sql(self):
        """SQL of a customer's sales team, reading ``p`` (its ``res_partner`` row) and ``u``
        (its salesperson's ``res_users`` row): the customer's own sales team when a module
        gives partners one (``team_id``, added by CRM), else its salesperson's main team."""
        self.env["res.users"].flush_model(["sale_team_id"])
        if "team_id" in self.env["res.partner"]._fields:
            self.env["res.partner"].flush_model(["team_id", "user_id"])
            return SQL("COALESCE(p.team_id, u.sale_team_id)")
        self.env["res.partner"].flush_model(["user_id"])
        return SQL("u.sale_team_id")

    @api.model
    def _limit_in_force_sql(self, today):
        """SQL of the limit in force of the credit file ``f`` on ``today`` (as
        ``credit.file.effective_limit``): the temporary limit while it runs, when higher
        than the rated limit, else the rated limit."""
        self.env["credit.file"].flush_model(
            [
                "active",
                "company_id",
                "credit_limit",
                "partner_id",
                "temporary_limit",
                "temporary_limit_until",
            ]
        )
        return SQL(
            "GREATEST(f.credit_limit, CASE WHEN f.temporary_limit_until >= %(today)s"
            " THEN f.temporary_limit ELSE 0 END)",
            today=today,
        )

    @api.model
    def _limits_in_force_by_budget(self, budgets):
        """The sum of the limits in force each credit budget covers, in one SQL aggregate:
        the active credit files of its company, or, for a team budget, of the customers of
        its team (``_customer_team_sql``). {budget id: amount in company currency}."""
        if not budgets:
            return {}
        budgets.flush_recordset(["company_id", "team_id"])
        today = fields.Date.context_today(self)
        rows = self.env.execute_query(
            SQL(
                """
            WITH positions AS (
                SELECT f.company_id, %(team)s AS team_id, %(limit)s AS limit_in_force
                  FROM credit_file f
                  JOIN res_partner p ON p.id = f.partner_id
             LEFT JOIN res_users u ON u.id = p.user_id
                 WHERE f.active
                   AND f.company_id IN (
                       SELECT company_id FROM credit_budget WHERE id = ANY(%(ids)s)
                   )
            )
            SELECT b.id, COALESCE(SUM(pos.limit_in_force), 0)
              FROM credit_budget b
         LEFT JOIN positions pos
                ON pos.company_id = b.company_id
               AND (b.team_id IS NULL OR pos.team_id = b.team_id)
             WHERE b.id = ANY(%(ids)s)
          GROUP BY b.id
                """,
                team=self._customer_team_sql(),
                limit=self._limit_in_force_sql(today),
                ids=budgets.ids,
            )
        )
        return {
            budget_id: budgets.browse(budget_id).currency_id.round(total)
            for budget_id, total in rows
        }

    @api.model
    def _credit_positions(self, company):
        """Every customer of ``company`` that holds credit: an active credit file, or open
        receivables without one. One SQL query for who they are and their limits in force,
        one exposure aggregate (``_exposure_by_partner``) for all of them; the exposure is
        the total of the categories the company's policy counts.

        [{"partner_id", "limit", "exposure"}] in company currency, largest exposure first."""
        today = fields.Date.context_today(self)
        self._exposure_flush_ladder()
        rows = self.env.execute_query(
            SQL(
                """
            SELECT f.partner_id, %(limit)s
              FROM credit_file f
             WHERE f.active AND f.company_id = %(company)s
             UNION ALL
            SELECT l.partner_id, 0
              FROM credit_receivable_ladder l
             WHERE l.company_id = %(company)s
               AND NOT EXISTS (
                   SELECT 1 FROM credit_file f
                    WHERE f.company_id = l.company_id AND f.partner_id = l.partner_id
                      AND f.active
               )
          GROUP BY l.partner_id
            HAVING SUM(l.residual) <> 0
                """,
                limit=self._limit_in_force_sql(today),
                company=company.id,
            )
        )
        limits = dict(rows)
        exposures = self._exposure_by_partner([(company.id, partner) for partner in limits])
        policy = self.env["credit.policy"].sudo()._for_company(company)
        round_ = company.currency_id.round
        positions = [
            {
                "partner_id": partner_id,
                "limit": round_(limit),
                "exposure": round_(
                    float(self._exposure_total(policy, exposures[(company.id, partner_id)]))
                ),
            }
            for partner_id, limit in limits.items()
        ]
        positions.sort(key=lambda position: (-position["exposure"], -position["limit"]))
        return positions
