from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from ..credit_management import securities as core_securities
from .credit_decision_mixin import audit_writer

KINDS = [
    (core_securities.KIND_PERSONAL_GUARANTEE, "Personal Guarantee"),
    (core_securities.KIND_BANK_GUARANTEE, "Bank Guarantee"),
    (core_securities.KIND_COLLATERAL, "Collateral / Pledge"),
    (core_securities.KIND_CREDIT_INSURANCE, "Credit Insurance"),
    (core_securities.KIND_LETTER_OF_CREDIT, "Letter of Credit"),
]

DEFAULT_EXPIRY_NOTICE_DAYS = 30


class CreditSecurity(models.Model):
    """A security (债权保障) on a customer's credit file: a personal or bank guarantee
    (担保 / 保函), collateral or a pledge (抵押 / 质押), credit insurance (信用保险) or a letter
    of credit (信用证). While it is active and within its dates it covers
    max(0, amount x coverage % - deductible) of the customer's exposure (converted to the
    company's currency at today's rate); it expires on its end date, or is called (drawn
    on) when the customer does not pay.

    Its state changes only through its buttons (activate, call, cancel) and the daily job
    that marks it expired: whether it counts may decide an order."""

    _name = "credit.security"
    _description = "Credit Security"
    _inherit = ["mail.thread", "mail.activity.mixin", "credit.decision.mixin"]
    _order = "date_until, id"
    _check_company_auto = True
    _credit_audit_fields = frozenset({"state"})
    _credit_audit_defaults = {"state": "draft"}

    name = fields.Char(
        string="Reference",
        required=True,
        tracking=True,
        help="The guarantee, policy, pledge or letter of credit number.",
    )
    file_id = fields.Many2one(
        "credit.file",
        string="Credit File",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one(related="file_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(
        related="file_id.partner_id", string="Customer", store=True, index=True
    )
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    kind = fields.Selection(
        KINDS, required=True, default=core_securities.KIND_BANK_GUARANTEE, tracking=True
    )
    provider_id = fields.Many2one(
        "res.partner",
        tracking=True,
        help="Who stands behind the security: the guarantor, the bank, the insurer, the "
        "issuing bank of the letter of credit, or the owner of the pledged goods.",
    )
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
        tracking=True,
    )
    amount = fields.Monetary(
        required=True,
        tracking=True,
        help="The guaranteed amount, the insured limit for this buyer, the value of the "
        "collateral or the amount of the letter of credit.",
    )
    coverage = fields.Float(
        string="Coverage (%)",
        default=100.0,
        digits=(5, 2),
        tracking=True,
        help="Share of the loss the provider pays (credit insurance usually 80-95 %); 100 % "
        "for guarantees, pledges and letters of credit.",
    )
    deductible = fields.Monetary(
        tracking=True, help="Part of the loss the provider never pays (credit insurance)."
    )
    covered_amount = fields.Monetary(
        compute="_compute_covered_amount",
        help="What the security pays at most: amount x coverage % - deductible, never below 0.",
    )
    covered_amount_company = fields.Monetary(
        string="Covered (Company Currency)",
        compute="_compute_covered_amount",
        currency_field="company_currency_id",
        help="The covered amount at today's exchange rate.",
    )
    date_from = fields.Date(string="Valid From", tracking=True)
    date_until = fields.Date(
        string="Valid Until",
        tracking=True,
        index=True,
        help="The security counts until this day included; the next day the daily job marks "
        "it expired.",
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("active", "Active"),
            ("expired", "Expired"),
            ("called", "Called"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
    )
    in_force = fields.Boolean(
        compute="_compute_in_force",
        help="Active and valid today: it counts in the secured exposure.",
    )
    attachment_ids = fields.Many2many(
        "ir.attachment",
        "credit_security_ir_attachment_rel",
        "security_id",
        "attachment_id",
        string="Documents",
        help="The guarantee letter, policy, pledge contract or letter of credit.",
    )
    expiry_notice_date = fields.Date(
        readonly=True,
        copy=False,
        help="The end date an expiry reminder was scheduled for (one reminder per end date).",
    )
    called_on = fields.Date(readonly=True, copy=False)
    note = fields.Text()

    @api.depends("amount", "coverage", "deductible", "currency_id", "company_id")
    @api.depends_context("date")
    def _compute_covered_amount(self):
        today = fields.Date.context_today(self)
        for security in self:
            covered = float(
                core_securities.covered_amount(
                    security.amount or 0.0, security.coverage or 0.0, security.deductible or 0.0
                )
            )
            security.covered_amount = covered
            company = security.company_id or self.env.company
            security.covered_amount_company = (
                security.currency_id._convert(covered, company.currency_id, company, today)
                if security.currency_id
                else 0.0
            )

    @api.depends("state", "date_from", "date_until")
    @api.depends_context("date")
    def _compute_in_force(self):
        today = fields.Date.context_today(self)
        for security in self:
            security.in_force = core_securities.in_force(
                security.state, security.date_from, security.date_until, today
            )

    @api.constrains("amount", "coverage", "deductible", "date_from", "date_until")
    def _check_figures(self):
        messages = {
            core_securities.PROBLEM_NEGATIVE_AMOUNT: self.env._(
                "The amount of a security cannot be negative."
            ),
            core_securities.PROBLEM_NEGATIVE_DEDUCTIBLE: self.env._(
                "The deductible of a security cannot be negative."
            ),
            core_securities.PROBLEM_COVERAGE_RANGE: self.env._(
                "The coverage of a security is between 0 and 100 %."
            ),
            core_securities.PROBLEM_DATES: self.env._("A security cannot end before it starts."),
        }
        for security in self:
            problems = core_securities.validate(
                security.amount,
                security.coverage,
                security.deductible,
                security.date_from,
                security.date_until,
            )
            if problems:
                raise ValidationError(
                    "\n".join([security.display_name] + [messages[p] for p in problems])
                )

    def write(self, vals):
        if "date_until" in vals:
            # a renewed security gets a reminder before its new end date
            vals = {**vals, "expiry_notice_date": False}
        return super().write(vals)

    # ------------------------------------------------------------------
    # buttons
    # ------------------------------------------------------------------
    def _check_officer(self):
        if not self.env.su and not self.env.user.has_group(
            "credit_management.group_credit_officer"
        ):
            raise AccessError(
                self.env._("Only credit officers can activate, call or cancel securities.")
            )

    def _set_state(self, state, allowed):
        self._check_officer()
        self._lock_for_decision()
        for security in self:
            if security.state not in allowed:
                raise UserError(
                    self.env._(
                        "%(security)s is %(state)s: this cannot be done any more.",
                        security=security.display_name,
                        state=dict(self._fields["state"]._description_selection(self.env))[
                            security.state
                        ],
                    )
                )
        with audit_writer(self.env):
            self.write({"state": state})

    def action_activate(self):
        """The security is received and checked: from now on (within its dates) it covers
        the customer's exposure."""
        today = fields.Date.context_today(self)
        for security in self:
            if security.date_until and security.date_until < today:
                raise UserError(
                    self.env._(
                        "%(security)s ended on %(date)s: it cannot be activated.",
                        security=security.display_name,
                        date=fields.Date.to_string(security.date_until),
                    )
                )
        self._set_state("active", ("draft",))
        return True

    def action_cancel(self):
        """Withdrawn, returned or entered by mistake: it no longer counts."""
        self._set_state("cancelled", ("draft", "active"))
        return True

    def action_call(self):
        """Draw on the security (the customer did not pay): it no longer covers anything,
        and the call is logged in the customer's collection log."""
        self._set_state("called", ("active",))
        today = fields.Date.context_today(self)
        Log = self.env["credit.collection.log"].sudo()
        for security in self:
            security.write({"called_on": today})
            content = self.env._(
                "%(kind)s %(security)s called: %(covered)s claimed from %(provider)s.",
                kind=dict(self._fields["kind"]._description_selection(self.env))[security.kind],
                security=security.name,
                covered=security.currency_id.format(security.covered_amount),
                provider=security.provider_id.display_name or self.env._("the provider"),
            )
            Log.create(
                {
                    "company_id": security.company_id.id,
                    "partner_id": security.partner_id.id,
                    "channel": "security",
                    "security_id": security.id,
                    "collector_id": self.env.uid,
                    "content": content,
                    "is_automatic": True,
                }
            )
            security.message_post(body=content)
        return True

    # ------------------------------------------------------------------
    # what securities cover (SQL, many customers at once)
    # ------------------------------------------------------------------
    @api.model
    def _covered_sql(self, on_date, states=("active",)):
        """Rows ``(company_id, partner_id, security_cover)``: per customer of the common
        table ``pairs`` (company_id, partner_id), the sum of the covered amounts
        max(0, amount x coverage % - deductible) of its securities in ``states`` valid on
        ``on_date`` (an end date passed counts no more, whether or not the daily job has
        marked it expired), converted to the company's currency at the rate of
        ``on_date``. The rate is Odoo's (``res.currency._get_rates``): the last rate of the
        currency on or before that day, the company's own (its root company's) before the
        shared one, 1 without any."""
        self.flush_model(
            [
                "amount",
                "company_id",
                "coverage",
                "currency_id",
                "date_from",
                "date_until",
                "deductible",
                "partner_id",
                "state",
            ]
        )
        self.env["res.currency.rate"].flush_model(["company_id", "currency_id", "name", "rate"])
        self.env["res.company"].flush_model(["currency_id", "parent_path"])

        def rate(currency):
            return SQL(
                """
                COALESCE((SELECT r.rate FROM res_currency_rate r
                           WHERE r.currency_id = %(currency)s AND r.name <= %(date)s
                             AND (r.company_id IS NULL
                                  OR r.company_id = split_part(co.parent_path, '/', 1)::int)
                        ORDER BY r.company_id, r.name DESC
                           LIMIT 1), 1.0)
                """,
                currency=currency,
                date=on_date,
            )

        return SQL(
            """
            SELECT s.company_id, s.partner_id,
                   SUM(GREATEST(s.amount * s.coverage / 100 - COALESCE(s.deductible, 0), 0)
                       * %(company_rate)s / %(security_rate)s) AS security_cover
              FROM credit_security s
              JOIN pairs ON pairs.company_id = s.company_id AND pairs.partner_id = s.partner_id
              JOIN res_company co ON co.id = s.company_id
             WHERE s.state = ANY(%(states)s)
               AND (s.date_from IS NULL OR s.date_from <= %(date)s)
               AND (s.date_until IS NULL OR s.date_until >= %(date)s)
          GROUP BY s.company_id, s.partner_id
            """,
            company_rate=rate(SQL("co.currency_id")),
            security_rate=rate(SQL("s.currency_id")),
            states=list(states),
            date=on_date,
        )

    @api.model
    def _covered_by_partner(self, company, partner_ids, on_date, states=("active",)):
        """{commercial partner id: covered amount in company currency} (``_covered_sql``)
        for the customers ``partner_ids`` of ``company``."""
        if not partner_ids:
            return {}
        rows = self.env.execute_query(
            SQL(
                """
                WITH pairs AS (
                    SELECT %(company)s AS company_id, unnest(%(partners)s::int[]) AS partner_id
                )
                %(covered)s
                """,
                company=company.id,
                partners=list(partner_ids),
                covered=self._covered_sql(on_date, states),
            )
        )
        return {partner_id: company.currency_id.round(value) for _c, partner_id, value in rows}

    # ------------------------------------------------------------------
    # scheduled job
    # ------------------------------------------------------------------
    def _expiry_officer(self):
        self.ensure_one()
        policy = self.env["credit.policy"].sudo()._for_company(self.company_id)
        return (
            self.file_id.officer_id
            or policy.officer_id
            or self.env.ref("base.user_admin", raise_if_not_found=False)
            or self.env.user
        )

    @api.model
    def _cron_check_expiry(self):
        """Daily: mark the active securities whose end date has passed as expired, and give
        the credit officer an activity the policy's number of days before a security ends
        (once per end date: running the job twice schedules nothing more)."""
        if not self.env["ir.cron"]._credit_claim_job("security_expiry"):
            return
        today = fields.Date.context_today(self)
        expired = self.search([("state", "=", "active"), ("date_until", "<", today)])
        with audit_writer(self.env):
            expired.write({"state": "expired"})
        for security in expired:
            security.message_post(
                body=self.env._(
                    "The security ended on %(date)s and no longer covers the exposure.",
                    date=fields.Date.to_string(security.date_until),
                )
            )
        Policy = self.env["credit.policy"].sudo()
        ending = self.search(
            [("state", "=", "active"), ("date_until", ">=", today)], order="date_until, id"
        )
        for security in ending:
            days = Policy._for_company(security.company_id).security_expiry_notice_days
            if security.date_until - timedelta(days=days) > today:
                continue
            if security.expiry_notice_date == security.date_until:
                continue
            security.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=security.date_until,
                summary=self.env._(
                    "Security %(security)s of %(customer)s ends on %(date)s",
                    security=security.name,
                    customer=security.partner_id.display_name,
                    date=fields.Date.to_string(security.date_until),
                ),
                note=Markup("<p>%s</p>")
                % self.env._(
                    "Renew it or ask for another security before it ends: after that day it no "
                    "longer covers the customer's exposure."
                ),
                user_id=security._expiry_officer().id,
            )
            security.write({"expiry_notice_date": security.date_until})
