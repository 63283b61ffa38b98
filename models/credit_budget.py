from contextlib import contextmanager

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..credit_management import concentration as core_concentration

_BUDGET_OVERRIDES = {}
"""{id of a transaction: the reason a credit manager gave for exceeding the credit budget}.
Set only by the decision methods (``budget_override``), from the reason kept on their
decision record; like ``audit_writer`` it lives in the server's memory, where no RPC caller
can put anything. A reason alone unlocks nothing: the user must also be a credit manager."""

LIMIT_FIELDS = frozenset({"credit_limit", "temporary_limit", "temporary_limit_until", "active"})
"""The credit file fields that change the limits in force."""


@contextmanager
def budget_override(env, reason):
    """Inside the block, a credit manager's decision may exceed the credit budget, for
    ``reason`` (blank: no override)."""
    key = id(env.transaction)
    previous = _BUDGET_OVERRIDES.get(key)
    if (reason or "").strip():
        _BUDGET_OVERRIDES[key] = reason.strip()
    try:
        yield
    finally:
        if previous is None:
            _BUDGET_OVERRIDES.pop(key, None)
        else:
            _BUDGET_OVERRIDES[key] = previous


class CreditBudget(models.Model):
    """The company's credit budget (总授信额度): the total of the credit limits in force it
    grants, company-wide or for the customers of one sales team. An approval that raises
    the limits in force beyond it is refused to credit officers; a credit manager may
    approve it with a reason. The customers of a team are those whose sales team
    (``credit.exposure._customer_team_sql``: the customer's own team when CRM gives it one,
    else its salesperson's main team) is the budget's."""

    _name = "credit.budget"
    _description = "Credit Budget"
    _inherit = ["mail.thread"]
    _order = "company_id, team_id, id"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        check_company=True,
        index=True,
        help="Empty: the budget covers every customer of the company. Set: only the "
        "customers of this sales team (the customer's own team, else its salesperson's).",
    )
    amount = fields.Monetary(
        string="Credit Budget",
        required=True,
        tracking=True,
        help="The most the credit limits in force may add up to, in company currency.",
    )
    limits_in_force = fields.Monetary(
        compute="_compute_usage",
        help="The sum of the credit limits in force today (rated limits, or running "
        "temporary limits when higher) of the customers the budget covers.",
    )
    available = fields.Monetary(
        compute="_compute_usage", help="Budget minus the limits in force; negative when over."
    )
    used_percent = fields.Float(
        string="Used (%)",
        digits=(16, 1),
        compute="_compute_usage",
        help="Limits in force as a percentage of the budget.",
    )
    note = fields.Text()

    @api.depends("company_id", "team_id")
    def _compute_name(self):
        for budget in self:
            budget.name = (
                f"{budget.company_id.name} / {budget.team_id.name}"
                if budget.team_id
                else budget.company_id.name
            )

    @api.depends("amount", "company_id", "team_id")
    @api.depends_context("date")
    def _compute_usage(self):
        stored = self.filtered("id")
        totals = self.env["credit.exposure"].sudo()._limits_in_force_by_budget(stored)
        for budget in self:
            in_force = totals.get(budget.id, 0.0)
            budget.limits_in_force = in_force
            budget.available = budget.amount - in_force
            budget.used_percent = in_force / budget.amount * 100 if budget.amount else 0.0

    def init(self):
        """One budget per company and team, one company-wide (a NULL team counts as one
        value): the database refuses a second one even when two managers create it at
        once (``_check_unique`` gives the message)."""
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS credit_budget_company_team_uniq"
                " ON credit_budget (company_id, COALESCE(team_id, 0))"
            )
        )

    @api.constrains("amount")
    def _check_amount(self):
        for budget in self:
            if budget.amount < 0:
                raise ValidationError(
                    _("A credit budget cannot be negative: 0 already means no credit.")
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_unique(
                vals.get("company_id") or self.env.company.id, vals.get("team_id") or False
            )
        return super().create(vals_list)

    def write(self, vals):
        if {"company_id", "team_id"} & vals.keys():
            for budget in self:
                self._check_unique(
                    vals.get("company_id", budget.company_id.id),
                    vals.get("team_id", budget.team_id.id),
                    budget.id,
                )
        return super().write(vals)

    @api.model
    def _check_unique(self, company_id, team_id, budget_id=False):
        """One budget per company and team, one company-wide: checked before anything is
        written (the unique index of ``init`` is the last word when two managers create
        one at the same moment)."""
        domain = [("company_id", "=", company_id), ("team_id", "=", team_id or False)]
        if budget_id:
            domain.append(("id", "!=", budget_id))
        if self.sudo().search_count(domain):
            company = self.env["res.company"].sudo().browse(company_id)
            team = self.env["crm.team"].sudo().browse(team_id or [])
            raise ValidationError(
                _(
                    "%(company)s already has a credit budget%(team)s: change that one.",
                    company=company.name,
                    team=_(" for %(team)s", team=team.name) if team else "",
                )
            )

    # ------------------------------------------------------------------
    # the guard on the limits in force
    # ------------------------------------------------------------------
    @api.model
    def _customer_team(self, partner):
        """A customer's sales team (the one its credit file counts in for a team budget)."""
        if "team_id" in partner._fields and partner.team_id:
            return partner.team_id
        return partner.user_id.sale_team_id

    @api.model
    def _lock_budgets(self, companies):
        """Lock the credit budgets of ``companies`` until the end of the transaction, before
        their limits in force are summed: two officers raising limits in the same company
        at once are serialised. A lock alone is not enough under Odoo's repeatable-read
        transactions (a snapshot taken before the other commits would not see its raise):
        touching the rows makes the later one fail with a serialization error, and Odoo
        retries it with a fresh snapshot that counts the first raise."""
        budgets = self.sudo().search([("company_id", "in", companies.ids)], order="id")
        if budgets:
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM credit_budget WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
                    budgets.ids,
                )
            )
            self.env.cr.execute(
                SQL(
                    "UPDATE credit_budget SET write_date = write_date WHERE id = ANY(%s)",
                    budgets.ids,
                )
            )
        return budgets

    @api.model
    def _check_raised_limits(self, files, before):
        """Called by ``credit.file`` after a change of the limits in force (``before``:
        {file id: limit in force before}): refuse it when it raises the limits a budget
        covers beyond that budget, unless a credit manager decides with a reason
        (``budget_override``). Lowering limits is never refused."""
        raised = {
            file: file.effective_limit - before.get(file.id, 0.0)
            for file in files
            if file.active and file.effective_limit > before.get(file.id, 0.0)
        }
        if not raised:
            return
        budgets = self._lock_budgets(files.company_id)
        if not budgets:
            return
        totals = self.env["credit.exposure"].sudo()._limits_in_force_by_budget(budgets)
        for budget in budgets:
            requested = sum(
                change
                for file, change in raised.items()
                if file.company_id == budget.company_id
                and (not budget.team_id or self._customer_team(file.partner_id) == budget.team_id)
            )
            check = core_concentration.budget_check(budget.amount, totals[budget.id], requested)
            if check.exceeded:
                budget._refuse_or_override(
                    check, [f for f in raised if f.company_id == budget.company_id]
                )

    def _refuse_or_override(self, check, files):
        """Over budget: a credit manager deciding with a reason passes (the excess is logged
        on the budget and the customers' files); anyone else is refused."""
        self.ensure_one()
        currency = self.currency_id
        figures = {
            "budget": self.display_name,
            "amount": currency.format(float(check.budget)),
            "in_force": currency.format(float(check.in_force)),
            "requested": currency.format(float(check.requested)),
            "excess": currency.format(float(check.excess)),
        }
        message = _(
            "The credit budget of %(budget)s would be exceeded: budget %(amount)s, limits in "
            "force %(in_force)s, requested %(requested)s, excess %(excess)s.",
            **figures,
        )
        if not self.env.user.has_group("credit_management.group_credit_manager"):
            raise UserError(_("%(message)s Only a credit manager can approve it.", message=message))
        reason = _BUDGET_OVERRIDES.get(id(self.env.transaction))
        if not reason:
            raise UserError(
                _(
                    "%(message)s Give the reason for exceeding the budget (Budget Override "
                    "Reason) to approve it.",
                    message=message,
                )
            )
        body = _(
            "%(message)s Approved by %(user)s: %(reason)s",
            message=message,
            user=self.env.user.name,
            reason=reason,
        )
        self.sudo().message_post(body=body)
        for file in files:
            file.sudo().message_post(body=body)

    # ------------------------------------------------------------------
    # concentration (集中度)
    # ------------------------------------------------------------------
    @api.model
    def _concentration(self, company, top=core_concentration.TOP_N):
        """The concentration of ``company``'s credit today, from the exposure engine
        (``credit.exposure._credit_positions``): computed once for the dashboard, the
        warning signs and the PDF report.

        {"exposure"/"limits": core ``Concentration`` of the customers' exposures / limits in
        force, "positions": every customer with its exposure, limit and both shares (0..1),
        largest exposure first, "top": the first ``top`` of them, "budgets": the company's
        budgets with their use}."""
        positions = self.env["credit.exposure"].sudo()._credit_positions(company)
        exposure_shares = core_concentration.shares(p["exposure"] for p in positions)
        limit_shares = core_concentration.shares(p["limit"] for p in positions)
        Partner = self.env["res.partner"].sudo()
        for position, exposure_share, limit_share in zip(
            positions, exposure_shares, limit_shares, strict=True
        ):
            position.update(
                partner=Partner.browse(position["partner_id"]),
                exposure_share=exposure_share,
                limit_share=limit_share,
            )
        return {
            "company": company,
            "exposure": core_concentration.concentration(p["exposure"] for p in positions),
            "limits": core_concentration.concentration(p["limit"] for p in positions),
            "positions": positions,
            "top": positions[:top],
            "budgets": self.sudo().search([("company_id", "=", company.id)]),
        }

    def action_print_concentration(self):
        return self.env.ref("credit_management.action_report_credit_concentration").report_action(
            self.company_id
        )
