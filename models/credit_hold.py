from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_compare

from ..credit_management import checks as core_checks
from .credit_budget import budget_override
from .credit_decision_mixin import audit_writer

DECISIONS = [
    ("approve_once", "Approve this order"),
    ("approve_temporary_limit", "Approve with a temporary limit"),
    ("reject", "Reject"),
]


class CreditHold(models.Model):
    """A credit hold (信用冻结): a sale order that failed the credit checks at confirmation
    and waits for a credit officer. It keeps the failed rules with the figures of that
    moment, who asked, and who decided what and why; an approved hold covers its order up to
    the approved amount."""

    _name = "credit.hold"
    _description = "Credit Hold"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "credit.decision.mixin",
        "credit.four.eyes.mixin",
    ]
    _order = "create_date desc, id desc"
    _check_company_auto = True
    # A hold is written by the credit checks (its figures) and by the decision methods only:
    # none of its fields but chatter and activities can be created or written directly.
    _credit_audit_fields = frozenset(
        {
            "order_id",
            "partner_id",
            "company_id",
            "state",
            "requester_id",
            "grade_id",
            "order_amount",
            "order_currency_id",
            "order_total",
            "exposure",
            "credit_limit",
            "overdue_amount",
            "oldest_overdue_days",
            "failures",
            "decision",
            "decision_reason",
            "decided_by_id",
            "decided_on",
            "temporary_limit",
            "temporary_limit_until",
            "void_reason",
            "budget_reason",
            "secured_exposure",
            "unsecured_exposure",
            "first_decision",
            "first_temporary_limit",
            "first_temporary_limit_until",
        }
    )
    _credit_audit_defaults = {"state": "pending"}

    name = fields.Char(compute="_compute_name", store=True)
    order_id = fields.Many2one(
        "sale.order", required=True, ondelete="cascade", index=True, check_company=True
    )
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    state = fields.Selection(
        [
            ("pending", "Waiting for Decision"),
            ("approved", "Approved"),
            ("rejected", "Rejected"),
            ("cancelled", "Cancelled"),
            ("voided", "Voided"),
        ],
        default="pending",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    requester_id = fields.Many2one("res.users", string="Requested By", readonly=True)
    grade_id = fields.Many2one("credit.grade", readonly=True)
    order_amount = fields.Monetary(
        readonly=True, help="Amount the order asked on credit, in company currency."
    )
    order_currency_id = fields.Many2one(
        "res.currency",
        readonly=True,
        help="The order's currency when it was held: an approval covers the order only in it.",
    )
    order_total = fields.Monetary(
        currency_field="order_currency_id",
        readonly=True,
        help="The order's total when it was held, in the order's currency: an approval covers "
        "the order up to this total, for this customer and company only.",
    )
    exposure = fields.Monetary(readonly=True, help="Exposure before this order.")
    secured_exposure = fields.Monetary(
        readonly=True,
        help="The part of the exposure before this order covered by the customer's securities "
        "in force at the check (guarantees, collateral, credit insurance, letters of credit).",
    )
    unsecured_exposure = fields.Monetary(
        readonly=True, help="Exposure before this order - secured exposure."
    )
    credit_limit = fields.Monetary(readonly=True, help="Limit in force at the check.")
    overdue_amount = fields.Monetary(readonly=True)
    oldest_overdue_days = fields.Integer(readonly=True)
    reasons = fields.Text(
        compute="_compute_reasons", help="The rules the order failed, with their numbers."
    )

    @api.depends("failures", "currency_id")
    @api.depends_context("lang")
    def _compute_reasons(self):
        """Told in the reader's language from the stored failures and figures."""
        for hold in self:
            failures = [
                core_checks.Failure(item["rule"], item["values"]) for item in hold.failures or []
            ]
            hold.reasons = "\n".join(self._failure_messages(failures, hold.currency_id))

    failures = fields.Json(readonly=True)
    decision = fields.Selection(DECISIONS, readonly=True, tracking=True)
    decision_reason = fields.Text(readonly=True, tracking=True)
    decided_by_id = fields.Many2one("res.users", readonly=True)
    decided_on = fields.Datetime(readonly=True)
    temporary_limit = fields.Monetary(readonly=True)
    temporary_limit_until = fields.Date(readonly=True)
    budget_reason = fields.Text(
        string="Budget Override Reason",
        readonly=True,
        help="Why the temporary limit may exceed the company's credit budget (a credit "
        "manager's decision).",
    )
    void_reason = fields.Char(
        readonly=True,
        help="Why an approval no longer covers its order (cancelled, reset to quotation, "
        "customer changed): a decision is used up by the order it covers.",
    )

    # four-eyes (credit.four.eyes.mixin): what the first officer approved, for the second
    first_decision = fields.Selection(
        DECISIONS[:2], string="First Approval Decision", readonly=True, copy=False
    )
    first_temporary_limit = fields.Monetary(
        string="First Approval Temporary Limit", readonly=True, copy=False
    )
    first_temporary_limit_until = fields.Date(
        string="First Approval Temporary Limit Until", readonly=True, copy=False
    )

    @api.depends("order_id.name", "partner_id")
    def _compute_name(self):
        for hold in self:
            hold.name = _(
                "Credit hold on %(order)s", order=hold.order_id.name or hold.partner_id.name or ""
            )

    @api.model
    def _held_document_fields(self):
        """The fields naming the document a hold stops; each hold sets exactly one. The order
        here; a bridge holding other documents (deliveries, point of sale orders) adds its
        field and makes ``order_id`` optional."""
        return ["order_id"]

    def _setup_complete(self):
        res = super()._setup_complete()
        # the held documents are audit fields, whichever bridges add them and in whatever
        # order they load (a class attribute set by each would keep the last one's only)
        cls = self.env.registry[self._name]
        cls._credit_audit_fields = cls._credit_audit_fields | frozenset(
            self._held_document_fields()
        )
        return res

    @api.constrains(lambda self: [*self._held_document_fields(), "partner_id"])
    def _check_held_document(self):
        # partner_id is always written at creation: the check runs on every new hold
        names = self._held_document_fields()
        for hold in self:
            if sum(1 for name in names if hold[name]) != 1:
                raise ValidationError(_("A credit hold stops exactly one document."))

    # ------------------------------------------------------------------
    @api.model
    def _can_decide(self, order=None):
        """Officers and managers decide; an officer who sold the order only when the policy
        allows officers to release their own orders."""
        user = self.env.user
        if not user.has_group("credit_management.group_credit_officer"):
            return False
        if order and order.user_id == user:
            return self.env["credit.policy"]._for_company(order.company_id).officer_may_approve_own
        return True

    def _check_decider(self):
        for hold in self:
            if not self._can_decide(hold.sudo().order_id):
                raise AccessError(
                    _(
                        "Only credit officers can decide on credit holds, and not on their own "
                        "orders unless the credit policy allows it."
                    )
                )

    def _lock_pending(self):
        self._lock_for_decision()
        for hold in self:
            if hold.state != "pending":
                raise UserError(_("%(hold)s has already been decided.", hold=hold.display_name))

    def _decide(self, decision, reason, **values):
        with audit_writer(self.env):
            self.write(
                {
                    "state": "rejected" if decision == "reject" else "approved",
                    "decision": decision,
                    "decision_reason": reason,
                    "decided_by_id": self.env.uid,
                    "decided_on": fields.Datetime.now(),
                    **values,
                }
            )
        self.activity_feedback(["mail.mail_activity_data_todo"])

    def action_approve_once(self, reason=""):
        """Approve this order at its current amount and confirm it as its requester would
        have."""
        self._check_decider()
        self._lock_pending()
        for hold in self._four_eyes_approve("approve_once", reason):
            hold._decide("approve_once", reason)
            hold._confirm_order()
        return True

    def action_approve_with_temporary_limit(self, amount, date_end, reason="", budget_reason=""):
        """Approve by raising the customer's limit until ``date_end`` (audited on the credit
        file), then confirm the order. ``budget_reason``: a credit manager's reason for
        exceeding the company's credit budget (``credit.budget``)."""
        self._check_decider()
        if not date_end or float_compare(amount, 0.0, 2) <= 0:
            raise UserError(_("A temporary limit needs a positive amount and an end date."))
        self._lock_pending()
        approved = self._four_eyes_approve(
            "approve_temporary_limit",
            reason,
            temporary_limit=amount,
            temporary_limit_until=fields.Date.to_date(date_end),
        )
        for hold in approved:
            file = self.env["credit.file"].sudo()._get_for_partner(hold.partner_id, hold.company_id)
            with audit_writer(self.env), budget_override(self.env, budget_reason):
                file.write({"temporary_limit": amount, "temporary_limit_until": date_end})
                file._sync_partner_credit_limit()
            file.message_post(
                body=_(
                    "Temporary limit of %(amount)s until %(date)s granted by %(user)s to release "
                    "%(order)s.",
                    amount=hold.currency_id.format(amount),
                    date=date_end,
                    user=self.env.user.name,
                    order=hold._held_document().display_name,
                )
            )
            hold._decide(
                "approve_temporary_limit",
                reason,
                temporary_limit=amount,
                temporary_limit_until=date_end,
                budget_reason=budget_reason or False,
            )
            hold._confirm_order()
        return True

    def action_reject(self, reason):
        """Reject: the order stays a quotation and the salesperson is told why."""
        self._check_decider()
        if not (reason or "").strip():
            raise UserError(_("Give the reason for rejecting the order."))
        self._lock_pending()
        for hold in self:
            hold._decide("reject", reason)
            hold._notify_rejected(reason)
        return True

    # ------------------------------------------------------------------
    # four-eyes (see credit.four.eyes.mixin)
    # ------------------------------------------------------------------
    def _four_eyes_facts(self, decision=None, temporary_limit=None, **_decision):
        """The order amount at the check; a temporary limit is a raise when it is above the
        customer's rated limit. The hold's decision, else its first approval's, else the
        one being taken."""
        self.ensure_one()
        decided = bool(self.decision)
        decision = decision or self.decision or self.first_decision
        facts = {"order_amount": self.order_amount}
        if decision == "approve_temporary_limit":
            if temporary_limit is None:
                temporary_limit = self.temporary_limit if decided else self.first_temporary_limit
            file = (
                self.env["credit.file"]
                .sudo()
                ._get_for_partner(self.partner_id, self.company_id, create=False)
            )
            facts.update(
                limit_before=file.credit_limit,
                new_limit=temporary_limit,
                overdue_amount=self._four_eyes_overdue(),
            )
        return facts

    def _four_eyes_first_approval_values(self, reason, **decision):
        values = super()._four_eyes_first_approval_values(reason, **decision)
        values["first_decision"] = decision.get("decision")
        if decision.get("decision") == "approve_temporary_limit":
            values["first_temporary_limit"] = decision["temporary_limit"]
            values["first_temporary_limit_until"] = decision["temporary_limit_until"]
        return values

    def _four_eyes_approve(self, decision, reason, **values):
        """The holds whose approval takes effect now: the others get their first approval
        (see ``_four_eyes_split``). The second approval confirms the first as it is (same
        decision, same temporary limit and date); an order changed since its hold beyond
        what it covers is checked again instead (the hold is cancelled, the confirmation
        runs the credit checks again: a new hold, or the order passes)."""
        decision_values = {"decision": decision, **values}
        for hold in self.filtered("first_approved_by_id"):
            if not hold._four_eyes_reasons(**decision_values):
                continue
            same = hold.first_decision == decision and (
                decision != "approve_temporary_limit"
                or (
                    hold.currency_id.compare_amounts(
                        hold.first_temporary_limit, values["temporary_limit"]
                    )
                    == 0
                    and hold.first_temporary_limit_until == values["temporary_limit_until"]
                )
            )
            if not same:
                raise UserError(
                    _(
                        "%(hold)s was first approved as: %(decision)s. The second approval "
                        "confirms it as it is, or rejects the hold.",
                        hold=hold.display_name,
                        decision=hold._first_decision_label(),
                    )
                )
        changed = self.filtered(lambda h: h.first_approved_by_id and not h._still_matches_order())
        approved = (self - changed)._four_eyes_split(reason, **decision_values)
        changed._check_changed_order_again()
        return approved

    def _first_decision_label(self):
        self.ensure_one()
        label = dict(self._fields["first_decision"]._description_selection(self.env)).get(
            self.first_decision, ""
        )
        if self.first_decision == "approve_temporary_limit":
            label = _(
                "%(decision)s of %(amount)s until %(date)s",
                decision=label,
                amount=self.currency_id.format(self.first_temporary_limit),
                date=self.first_temporary_limit_until,
            )
        return label

    def _still_matches_order(self):
        """The held order is still the one held: same customer, company and currency, and a
        total not above the held one."""
        self.ensure_one()
        order = self.sudo().order_id
        return (
            order.state in ("draft", "sent")
            and order.partner_id.commercial_partner_id == self.partner_id
            and order.company_id == self.company_id
            and order.currency_id == self.order_currency_id
            and order.currency_id.compare_amounts(self.order_total, order.amount_total) >= 0
        )

    def _check_changed_order_again(self):
        """The order changed between the first and the second approval: the first approval
        was given for another order; cancel the hold and run the credit checks again."""
        for hold in self:
            with audit_writer(self.env):
                hold.write(
                    {
                        "state": "cancelled",
                        "void_reason": _(
                            "The order changed after the first approval: it was checked again."
                        ),
                    }
                )
            hold.activity_feedback(["mail.mail_activity_data_todo"])
            order = hold.sudo().order_id
            if order.state in ("draft", "sent"):
                requester = hold.requester_id or order.user_id or self.env.user
                order.with_user(requester).sudo().action_confirm()

    def _held_document(self):
        """The document this hold stops (the order); a bridge module holding other documents
        (e.g. deliveries) returns those."""
        self.ensure_one()
        return self.sudo().order_id

    def _ask_officer(self, file, summary, reasons):
        """An activity on this hold for the customer's credit officer (else the policy's,
        else the administrator) with the reasons."""
        self.ensure_one()
        officer = (
            file.officer_id
            or self.env["credit.policy"].sudo()._for_company(self.company_id).officer_id
        )
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=summary,
            note="\n".join(reasons),
            user_id=(
                officer
                or self.env.ref("base.user_admin", raise_if_not_found=False)
                or self.env.user
            ).id,
        )

    def _notify_rejected(self, reason):
        """Tell the requester, on the held document, that the officer rejected it."""
        self.ensure_one()
        self._held_document().message_post(
            body=_(
                "Credit hold rejected by %(user)s: %(reason)s",
                user=self.env.user.name,
                reason=reason,
            ),
            partner_ids=self.requester_id.partner_id.ids,
        )

    def _confirm_order(self):
        self.ensure_one()
        order = self.sudo().order_id
        if order.state not in ("draft", "sent"):
            return
        requester = self.requester_id or order.user_id or self.env.user
        # a customer who signed or paid on the portal was told the order awaits approval:
        # the approval sends Odoo's confirmation e-mail, as confirming there would have
        customer_acted = bool(
            order.signature
            or order.transaction_ids.filtered(lambda t: t.state in ("authorized", "done"))
        )
        order.with_user(requester).sudo().with_context(send_email=customer_acted).action_confirm()
        if order.state == "sale":
            # the chatter says who released the order on credit, and why, not only that the
            # requester's confirmation went through
            decisions = dict(self._fields["decision"]._description_selection(self.env))
            officer = self.decided_by_id.name or self.env.user.name
            if self.first_approved_by_id:
                officer = _(
                    "%(second)s after the first approval of %(first)s",
                    second=officer,
                    first=self.first_approved_by_id.name,
                )
            order.message_post(
                body=_(
                    "Released on credit by %(officer)s (%(decision)s): %(reason)s",
                    officer=officer,
                    decision=decisions.get(self.decision, self.decision),
                    reason=self.decision_reason or _("no reason given"),
                ),
                author_id=(self.decided_by_id or self.env.user).partner_id.id,
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )

    def _covering(self, order):
        """The approved hold that covers ``order`` as it is now: decided for this order,
        this customer (commercial partner), company and currency, for a total at least the
        order's current total. Voided approvals (order cancelled, reset, customer changed)
        cover nothing. ``order`` may be the order being edited (a new record): its saved
        order's approvals are judged against its current figures."""
        if not order._origin.id:
            return self.browse()
        candidates = self.sudo().search(
            [
                ("order_id", "=", order._origin.id),
                ("state", "=", "approved"),
                ("partner_id", "=", order.partner_id.commercial_partner_id.id),
                ("company_id", "=", order.company_id.id),
                ("order_currency_id", "=", order.currency_id.id),
            ]
        )
        return candidates.filtered(
            lambda h: order.currency_id.compare_amounts(h.order_total, order.amount_total) >= 0
        )[:1]

    def _void(self, reason):
        """Used up: the approvals and pending requests of orders that were cancelled, reset
        to quotation or given to another customer no longer cover or wait for anything."""
        if not self:
            return
        with audit_writer(self.env):
            self.filtered(lambda h: h.state == "approved").write(
                {"state": "voided", "void_reason": reason}
            )
            self.filtered(lambda h: h.state == "pending").write(
                {"state": "cancelled", "void_reason": reason}
            )

    @api.model
    def _check_values(self, partner, company, grade, facts, failures):
        """What a hold records of the check that failed, whatever it stops (an order, a
        delivery, a point of sale order): the customer, the figures at the check and the
        failed rules with theirs. The caller adds the document and the amounts."""
        return {
            "partner_id": partner.id,
            "company_id": company.id,
            "grade_id": grade.id,
            "exposure": float(facts.exposure),
            "secured_exposure": float(facts.secured_split.secured),
            "unsecured_exposure": float(facts.secured_split.unsecured),
            "credit_limit": float(facts.limit),
            "overdue_amount": float(facts.overdue_amount),
            "oldest_overdue_days": facts.oldest_overdue_days,
            "failures": [
                {"rule": f.rule, "values": {k: str(v) for k, v in f.values.items()}}
                for f in failures
            ],
        }

    @api.model
    def _failure_messages(self, failures, currency):
        """One translated sentence per failed rule, with its figures, as the rule registry
        tells it (``credit.exposure._credit_rules``)."""
        return self.env["credit.exposure"]._failure_messages(failures, currency)

    # --- what the officer's queue shows (list, kanban) ---
    salesperson_id = fields.Many2one(
        related="order_id.user_id", store=True, index=True, string="Salesperson"
    )
    rule_labels = fields.Char(
        string="Rules Failed",
        compute="_compute_rule_labels",
        help="The short names of the rules the order failed.",
    )
    age_days = fields.Integer(
        string="Waiting (days)",
        compute="_compute_age_days",
        help="Days since the order was held.",
    )

    @api.depends("failures")
    @api.depends_context("lang")
    def _compute_rule_labels(self):
        labels = self.env["credit.exposure"]._rule_labels()
        for hold in self:
            hold.rule_labels = ", ".join(
                labels.get(item["rule"], item["rule"]) for item in hold.failures or []
            )

    @api.depends("create_date")
    @api.depends_context("date")
    def _compute_age_days(self):
        today = fields.Date.context_today(self)
        for hold in self:
            created = hold.create_date and fields.Date.context_today(hold, hold.create_date)
            hold.age_days = max((today - created).days, 0) if created else 0
