from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..credit_management import provisions as core_provisions
from ..credit_management import securities as core_securities
from ..credit_management.numbers import to_decimal
from .credit_decision_mixin import audit_writer

POSTING_GROUPS = (
    "account.group_account_manager",
    "account.group_account_user",
    "credit_management.group_credit_manager",
)


class CreditProvision(models.Model):
    """A bad-debt provision (坏账准备金) as of a date: per customer, the open receivables by
    age bucket times the company's rates (doubtful items at the doubtful rate) give the
    proposed provision; the adjustment against the provision already booked on the
    allowance account is posted, when the accountant confirms, as one journal entry."""

    _name = "credit.provision"
    _description = "Bad-Debt Provision"
    _inherit = ["mail.thread", "credit.decision.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True
    # posted (with its entry) and cancelled by the buttons that check who may post
    _credit_audit_fields = frozenset({"state", "move_id"})
    _credit_audit_defaults = {"state": "draft"}

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        readonly=True,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(
        required=True,
        default=fields.Date.context_today,
        tracking=True,
        help="Receivables are aged as of this date and the entry is dated on it.",
    )
    state = fields.Selection(
        [("draft", "Draft"), ("posted", "Posted"), ("cancelled", "Cancelled")],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
    )
    line_ids = fields.One2many("credit.provision.line", "provision_id", string="Customers")
    move_id = fields.Many2one(
        "account.move", string="Journal Entry", readonly=True, copy=False, check_company=True
    )
    amount_proposed = fields.Monetary(
        string="Proposed Provision", compute="_compute_amounts", currency_field="currency_id"
    )
    amount_previous = fields.Monetary(
        string="Previous Provision", compute="_compute_amounts", currency_field="currency_id"
    )
    amount_adjustment = fields.Monetary(
        string="Adjustment", compute="_compute_amounts", currency_field="currency_id"
    )

    @api.depends("date", "company_id")
    def _compute_name(self):
        for provision in self:
            provision.name = self.env._(
                "Provision %(date)s", date=fields.Date.to_string(provision.date) or ""
            )

    @api.depends("line_ids.proposed", "line_ids.previous")
    def _compute_amounts(self):
        for provision in self:
            provision.amount_proposed = sum(provision.line_ids.mapped("proposed"))
            provision.amount_previous = sum(provision.line_ids.mapped("previous"))
            provision.amount_adjustment = sum(provision.line_ids.mapped("adjustment"))

    # ------------------------------------------------------------------
    # access
    # ------------------------------------------------------------------
    def _check_can_post(self):
        if not self.env.su and not any(self.env.user.has_group(group) for group in POSTING_GROUPS):
            raise AccessError(
                self.env._("Only accountants and credit managers can post provisions.")
            )

    # ------------------------------------------------------------------
    # computation
    # ------------------------------------------------------------------
    def action_compute(self):
        """(Re)compute the lines from the ledger as of the provision date."""
        for provision in self:
            if provision.state != "draft":
                raise UserError(self.env._("Only a draft provision can be computed again."))
            provision._check_not_before_posted()
            values = provision._line_values()
            provision.line_ids.unlink()
            provision.write({"line_ids": [fields.Command.create(v) for v in values]})
        return True

    def _line_values(self):
        """One dict per customer with an open receivable or a provision booked: bucket
        amounts, proposed provision (core ``propose_provision``), previous balance of the
        allowance account and adjustment."""
        self.ensure_one()
        company = self.company_id
        rates = self.env["credit.provision.rate"]._rates_for(company)
        # the whole ledger of the company, whoever computes (access is checked on the document)
        items = self.env["credit.aging.engine"].sudo()._open_items(self.date, company.ids)
        flagged = self._flagged_line_ids([item["line_id"] for item in items])
        doubtful_partners = (
            self.env["credit.receivable.case"]._doubtful_partner_ids(company).get(company.id, set())
        )
        by_partner = defaultdict(list)
        for item in items:
            doubtful = (
                item["line_id"] in flagged
                or item["partner_id"] in doubtful_partners
                or core_provisions.classify(item["days"], company.credit_doubtful_days)
                == core_provisions.DOUBTFUL
            )
            by_partner[item["partner_id"]].append(
                core_provisions.ProvisionItem(item["residual"], item["days"] or 0, doubtful)
            )
        previous = self._previous_balances()
        covered = self._covered_by_securities([p for p in by_partner if p])
        digits = company.currency_id.decimal_places
        ordered = sorted(rates)
        labels = self._bucket_labels(ordered)
        result = []
        for partner_id in sorted(set(by_partner) | set(previous), key=lambda p: p or 0):
            partner_items = by_partner.get(partner_id, [])
            secured = core_securities.split_exposure(
                sum((to_decimal(item.amount) for item in partner_items), Decimal(0)),
                covered.get(partner_id, 0),
            ).secured
            proposal = core_provisions.propose_provision(
                partner_items, ordered, company.credit_doubtful_rate, digits, secured=secured
            )
            bucket_secured = proposal.bucket_secured or (Decimal(0),) * len(ordered)
            before = previous.get(partner_id, 0.0)
            overdue = sum(proposal.bucket_amounts[1:])
            result.append(
                {
                    "partner_id": partner_id,
                    "amount_not_due": float(proposal.bucket_amounts[0]),
                    "amount_overdue": float(overdue),
                    "amount_doubtful": float(proposal.doubtful_amount),
                    "amount_secured": float(proposal.secured),
                    "proposed": float(proposal.provision),
                    "previous": before,
                    "buckets": [
                        {
                            "label": label,
                            "rate": float(rate),
                            "amount": float(amount),
                            "secured": float(part),
                        }
                        for label, (_start, rate), amount, part in zip(
                            labels, ordered, proposal.bucket_amounts, bucket_secured, strict=True
                        )
                    ]
                    + [
                        {
                            "label": self.env._("Doubtful"),
                            "rate": company.credit_doubtful_rate,
                            "amount": float(proposal.doubtful_amount),
                            "secured": float(proposal.doubtful_secured),
                        }
                    ],
                }
            )
        return result

    def _covered_by_securities(self, partner_ids):
        """{customer id: covered amount} of the customers' securities valid on the provision
        date (active, or expired since; not called nor cancelled), converted at that date's
        rate, when the company provisions the unsecured part only; else {}."""
        self.ensure_one()
        if not self.company_id.credit_provision_unsecured_only:
            return {}
        return (
            self.env["credit.security"]
            .sudo()
            ._covered_by_partner(
                self.company_id, partner_ids, self.date, states=("active", "expired")
            )
        )

    def _bucket_labels(self, rates):
        labels = []
        for index, (start, _rate) in enumerate(rates):
            following = rates[index + 1][0] if index + 1 < len(rates) else None
            if start == 0:
                labels.append(self.env._("Not due"))
            elif following is not None:
                labels.append(self.env._("%(start)s-%(end)s days", start=start, end=following - 1))
            else:
                labels.append(self.env._("Over %(days)s days", days=start - 1))
        return labels

    def _flagged_line_ids(self, line_ids):
        if not line_ids:
            return set()
        self.env["account.move.line"].flush_model(["credit_doubtful"])
        rows = self.env.execute_query(
            SQL(
                "SELECT id FROM account_move_line WHERE id = ANY(%s) AND credit_doubtful",
                line_ids,
            )
        )
        return {row[0] for row in rows}

    def _previous_balances(self):
        """{commercial partner id: provision booked} = credit balance of the allowance
        account per customer in posted entries dated on or before the provision date
        (provisions booked minus write-offs used)."""
        self.ensure_one()
        account = self.company_id.credit_allowance_account_id
        if not account:
            return {}
        self.env["account.move.line"].flush_model(
            ["account_id", "balance", "company_id", "date", "parent_state", "partner_id"]
        )
        rows = self.env.execute_query(
            SQL(
                """
            SELECT p.commercial_partner_id, -SUM(aml.balance)
              FROM account_move_line aml
         LEFT JOIN res_partner p ON p.id = aml.partner_id
             WHERE aml.account_id = %(account)s
               AND aml.company_id = %(company)s
               AND aml.parent_state = 'posted'
               AND aml.date <= %(date)s
          GROUP BY p.commercial_partner_id
            HAVING SUM(aml.balance) != 0
                """,
                account=account.id,
                company=self.company_id.id,
                date=self.date,
            )
        )
        return dict(rows)

    # ------------------------------------------------------------------
    # posting
    # ------------------------------------------------------------------
    def _check_configuration(self):
        company = self.company_id
        missing = [
            label
            for label, value in (
                (self.env._("provision journal"), company.credit_provision_journal_id),
                (
                    self.env._("bad-debt expense account"),
                    company.credit_provision_expense_account_id,
                ),
                (self.env._("allowance account"), company.credit_allowance_account_id),
            )
            if not value
        ]
        if missing:
            raise UserError(
                self.env._(
                    "Set the %(missing)s of %(company)s in the credit settings before posting "
                    "a provision.",
                    missing=", ".join(missing),
                    company=company.name,
                )
            )

    def _check_not_before_posted(self):
        """A provision dated before a posted one of its company would age the receivables
        against a provision booked later: refused."""
        self.ensure_one()
        later = self.sudo().search(
            [
                ("company_id", "=", self.company_id.id),
                ("state", "=", "posted"),
                ("date", ">", self.date),
                ("id", "!=", self.id),
            ],
            order="date desc",
            limit=1,
        )
        if later:
            raise UserError(
                self.env._(
                    "A provision of %(company)s is already posted on %(date)s: a provision "
                    "cannot be dated before it.",
                    company=self.company_id.name,
                    date=fields.Date.to_string(later.date),
                )
            )

    def _lock_company(self):
        """Serialize the postings of one company: a no-op update of the company row makes a
        concurrent posting transaction fail on serialization (and be retried, reading the
        entry booked here) instead of booking the same adjustment twice."""
        self.env.cr.execute(SQL("UPDATE res_company SET id = id WHERE id = %s", self.company_id.id))

    def _check_lines_current(self):
        """The lines must be what the ledger gives now as of the provision date: refused when
        the date was changed after computing, or receivables or the provision booked (another
        provision posted, a write-off) changed since."""
        self.ensure_one()
        currency = self.currency_id

        def amounts(rows):
            return {
                partner or None: (currency.round(proposed), currency.round(previous))
                for partner, proposed, previous in rows
            }

        stored = amounts(
            (line.partner_id.id, line.proposed, line.previous) for line in self.line_ids
        )
        fresh = amounts(
            (row["partner_id"], row["proposed"], row["previous"]) for row in self._line_values()
        )
        same = set(stored) == set(fresh) and all(
            not currency.compare_amounts(stored[key][index], fresh[key][index])
            for key in stored
            for index in (0, 1)
        )
        if not same:
            raise UserError(
                self.env._(
                    "The receivables or the provision already booked as of %(date)s are no "
                    "longer those of the computed lines (the date was changed, or entries were "
                    "posted since): compute the provision again and check it before posting.",
                    date=fields.Date.to_string(self.date),
                )
            )

    def action_post(self):
        """Post the adjustments as one journal entry: for each customer, adjustment up = Dr
        bad-debt expense / Cr allowance; down = Dr allowance / Cr expense. The lines are
        checked against the ledger first, so stale figures are never booked."""
        self._check_can_post()
        for provision in self:
            if provision.state != "draft":
                raise UserError(self.env._("Only a draft provision can be posted."))
            provision._check_configuration()
            if not provision.line_ids:
                raise UserError(self.env._("Compute the provision before posting it."))
            provision._lock_company()
            provision._check_not_before_posted()
            provision._check_lines_current()
            if provision.company_id.currency_id.is_zero(provision.amount_adjustment) and all(
                provision.currency_id.is_zero(line.adjustment) for line in provision.line_ids
            ):
                raise UserError(self.env._("The provision booked is already right: no adjustment."))
            provision._post()
        return True

    def _post(self):
        self.ensure_one()
        company = self.company_id
        currency = company.currency_id
        expense = company.credit_provision_expense_account_id
        allowance = company.credit_allowance_account_id
        label = self.env._("Bad-debt provision %(date)s", date=fields.Date.to_string(self.date))
        lines = []
        for line in self.line_ids:
            amount = currency.round(line.adjustment)
            if currency.is_zero(amount):
                continue
            for account, balance in ((expense, amount), (allowance, -amount)):
                lines.append(
                    fields.Command.create(
                        {
                            "name": label,
                            "account_id": account.id,
                            "partner_id": line.partner_id.id,
                            "balance": balance,
                        }
                    )
                )
        move = (
            self.env["account.move"]
            .sudo()
            .with_company(company)
            .create(
                {
                    "move_type": "entry",
                    "journal_id": company.credit_provision_journal_id.id,
                    "date": self.date,
                    "ref": label,
                    "credit_provision_id": self.id,
                    "line_ids": lines,
                }
            )
        )
        move.action_post()
        with audit_writer(self.env):
            self.write({"state": "posted", "move_id": move.id})
        self.message_post(body=self.env._("Posted as %(move)s.", move=move.display_name))

    def action_cancel(self):
        """Cancel a draft, or a posted provision by reversing its entry."""
        self._check_can_post()
        for provision in self:
            if provision.state == "cancelled":
                continue
            if provision.move_id and provision.move_id.state == "posted":
                provision._check_no_later_posted()
                move = provision.move_id.sudo()
                # reversed on the provision's own date, so that a provision redone on that
                # date no longer counts it; on the first open day when that date is locked
                locked = move._get_violated_lock_dates(provision.date, False)
                reversal_date = locked[-1][0] + timedelta(days=1) if locked else provision.date
                move._reverse_moves(
                    [{"date": reversal_date, "ref": move.ref}],
                    cancel=True,
                )
            with audit_writer(self.env):
                provision.state = "cancelled"
        return True

    def _check_no_later_posted(self):
        """A later posted provision was booked against this one: cancel it first."""
        self.ensure_one()
        later = self.sudo().search_count(
            [
                ("company_id", "=", self.company_id.id),
                ("state", "=", "posted"),
                ("id", "!=", self.id),
                "|",
                ("date", ">", self.date),
                "&",
                ("date", "=", self.date),
                ("id", ">", self.id),
            ]
        )
        if later:
            raise UserError(
                self.env._(
                    "A later provision of %(company)s was booked on top of %(provision)s: "
                    "cancel the later one first.",
                    company=self.company_id.name,
                    provision=self.name,
                )
            )

    def action_draft(self):
        for provision in self:
            if provision.state != "cancelled" or provision.move_id:
                raise UserError(self.env._("Only a cancelled draft can be reset to draft."))
            with audit_writer(self.env):
                provision.state = "draft"
        return True

    def unlink(self):
        if any(provision.state == "posted" for provision in self):
            raise UserError(self.env._("A posted provision cannot be deleted; cancel it."))
        return super().unlink()
