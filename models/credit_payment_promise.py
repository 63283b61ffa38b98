from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from .credit_decision_mixin import audit_writer


class CreditPaymentPromise(models.Model):
    """A customer's promise to pay (承诺付款): an amount by a date, for some open items. It
    is kept when payments matched with those items between the day it was made and the
    promised date reach the amount; the daily job marks it broken otherwise, gives the
    collector an activity and raises the warning sign "broken payment promise" on the
    customer's credit file."""

    _name = "credit.payment.promise"
    _description = "Promise to Pay"
    _inherit = ["mail.thread", "mail.activity.mixin", "credit.decision.mixin"]
    _order = "date, id"
    _check_company_auto = True
    # kept and broken are decided by the daily check, cancelled by an officer
    # (``action_cancel``): never written directly
    _credit_audit_fields = frozenset({"state"})
    _credit_audit_defaults = {"state": "open"}

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        domain="[('parent_id', '=', False)]",
    )
    file_id = fields.Many2one(
        "credit.file", compute="_compute_file_id", store=True, string="Credit File"
    )

    @api.depends("partner_id", "company_id")
    def _compute_file_id(self):
        for promise in self:
            promise.file_id = self.env["credit.file"]._get_for_partner(
                promise.partner_id, promise.company_id, create=False
            )

    log_id = fields.Many2one("credit.collection.log", string="Contact", ondelete="set null")
    collector_id = fields.Many2one("res.users", default=lambda self: self.env.user)
    date_made = fields.Date(string="Promised On", required=True, default=fields.Date.context_today)
    date = fields.Date(string="Pay By", required=True, tracking=True)
    amount = fields.Monetary(required=True, currency_field="currency_id", tracking=True)
    move_line_ids = fields.Many2many(
        "account.move.line",
        string="Items",
        domain="[('partner_id.commercial_partner_id', '=', partner_id), "
        "('account_id.account_type', '=', 'asset_receivable'), ('reconciled', '=', False), "
        "('parent_state', '=', 'posted'), ('company_id', '=', company_id)]",
        help="The open items the customer promised to pay.",
    )
    paid_amount = fields.Monetary(
        string="Paid So Far", compute="_compute_paid_amount", currency_field="currency_id"
    )

    def _compute_paid_amount(self):
        paid = self._paid_amounts()
        for promise in self:
            promise.paid_amount = paid.get(promise.id, 0.0)

    state = fields.Selection(
        [("open", "Open"), ("kept", "Kept"), ("broken", "Broken"), ("cancel", "Cancelled")],
        default="open",
        required=True,
        readonly=True,
        tracking=True,
    )

    FROZEN_FIELDS = ("partner_id", "company_id", "amount", "date", "date_made", "move_line_ids")
    """What the customer promised: never changed once the promise is kept, broken or
    cancelled (a broken promise must not disappear by moving its date)."""

    def write(self, vals):
        if set(self.FROZEN_FIELDS) & set(vals) and any(p.state != "open" for p in self):
            raise UserError(
                _("A promise to pay that is kept, broken or cancelled cannot be changed.")
            )
        return super().write(vals)

    @api.constrains("amount", "date", "date_made", "move_line_ids")
    def _check_promise(self):
        for promise in self:
            if promise.amount <= 0:
                raise ValidationError(_("A promise to pay is for a positive amount."))
            if promise.date < promise.date_made:
                raise ValidationError(_("The promised date cannot be before the promise."))
            if not promise.move_line_ids:
                raise ValidationError(_("Select the items the customer promised to pay."))
            if promise.move_line_ids.partner_id.commercial_partner_id != promise.partner_id:
                raise ValidationError(_("The items of a promise must be the customer's."))

    def _paid_amounts(self):
        """Company-currency amounts matched with each promise's items from the day it was
        made to the promised date: {promise id: amount}."""
        if not self.ids:
            return {}
        self.env["account.partial.reconcile"].flush_model(["amount", "debit_move_id", "max_date"])
        self.flush_model(["date", "date_made", "move_line_ids"])
        rows = self.env.execute_query(
            SQL(
                """
            SELECT pr.id, COALESCE(SUM(apr.amount), 0)
              FROM credit_payment_promise pr
              JOIN account_move_line_credit_payment_promise_rel rel
                ON rel.credit_payment_promise_id = pr.id
              JOIN account_partial_reconcile apr
                ON apr.debit_move_id = rel.account_move_line_id
               AND apr.max_date BETWEEN pr.date_made AND pr.date
             WHERE pr.id = ANY(%(ids)s)
          GROUP BY pr.id
                """,
                ids=self.ids,
            )
        )
        return dict(rows)

    def action_cancel(self):
        """Drop a promise still open (the customer withdrew it, it was recorded by
        mistake): only credit officers may, a broken promise stays broken."""
        self.env["credit.file"]._check_officer()
        self._lock_for_decision()
        if any(promise.state != "open" for promise in self):
            raise UserError(_("Only open promises to pay can be cancelled."))
        with audit_writer(self.env):
            self.sudo().write({"state": "cancel"})
        return True

    @api.model
    def _cron_check_promises(self):
        """The daily job: ``_check_promises`` once across the workers."""
        if not self.env["ir.cron"]._credit_claim_job("payment_promises"):
            return
        self._check_promises()

    @api.model
    def _check_promises(self, today=None):
        """Mark the open promises kept once paid, broken once their date has passed unpaid:
        an activity for the collector and a warning sign on the customer."""
        today = today or fields.Date.context_today(self)
        promises = self.search([("state", "=", "open")]).sudo()
        paid = promises._paid_amounts()
        for promise in promises:
            if promise.currency_id.compare_amounts(paid.get(promise.id, 0.0), promise.amount) >= 0:
                with audit_writer(self.env):
                    promise.state = "kept"
            elif promise.date < today:
                promise._break()

    def _break(self):
        self.ensure_one()
        with audit_writer(self.env):
            self.state = "broken"
        details = _(
            "%(customer)s promised to pay %(amount)s by %(date)s and paid %(paid)s.",
            customer=self.partner_id.display_name,
            amount=self.currency_id.format(self.amount),
            date=self.date,
            paid=self.currency_id.format(self.paid_amount),
        )
        if self.collector_id:
            self.activity_schedule(
                "mail.mail_activity_data_call",
                summary=_("Broken promise to pay"),
                note=details,
                user_id=self.collector_id.id,
            )
        file = self.file_id or self.env["credit.file"].sudo()._get_for_partner(
            self.partner_id, self.company_id
        )
        self.env["credit.warning"]._raise(file, "broken_promise", details)
