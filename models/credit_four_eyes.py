from decimal import Decimal

from markupsafe import Markup

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..credit_management import four_eyes as core_four_eyes
from .credit_decision_mixin import audit_writer, audit_writer_open

FOUR_EYES_FIELDS = frozenset({"first_approved_by_id", "first_approved_on", "first_approval_reason"})
"""The first approval: written by the decision methods only (audit fields)."""


class CreditFourEyesMixin(models.AbstractModel):
    """Four-eyes approval (双人复核) of credit decisions (holds, reviews, limit requests).

    When the company's credit policy asks for it (``credit_management/four_eyes.py``: holds
    above an amount, new limits above an amount, raises for customers with overdue money),
    the first officer's approval is only recorded (who, when, why) and the record keeps
    waiting; the decision takes effect when a *different* credit officer or a credit manager
    approves too. A refusal by either ends it.

    The rule is guarded where the data changes, not in the buttons: whenever a record's
    state is written to approved (``write``/``create``, whoever calls, with any context), the
    requirement is computed again from the policy and the figures of that moment, and the
    write is refused unless two different credit officers approved it. Changing what was
    approved (the limit of a review or request) withdraws the first approval."""

    _name = "credit.four.eyes.mixin"
    _description = "Credit Four-Eyes Approval"

    _four_eyes_waiting_state = "pending"
    """The state of a record waiting for a decision (and, first-approved, for the second)."""
    _four_eyes_approved_state = "approved"
    _four_eyes_watched_fields = frozenset()
    """What the first approver approved: a change of any of them withdraws the approval."""

    first_approved_by_id = fields.Many2one(
        "res.users", string="First Approval By", readonly=True, copy=False, index="btree_not_null"
    )
    first_approved_on = fields.Datetime(string="First Approval On", readonly=True, copy=False)
    first_approval_reason = fields.Text(readonly=True, copy=False)
    awaiting_second_approval = fields.Boolean(
        string="Waiting for Second Approval",
        compute="_compute_awaiting_second_approval",
        store=True,
        index=True,
        help="A first credit officer approved; another credit officer or a credit manager "
        "must approve too before the decision takes effect.",
    )
    four_eyes_reasons = fields.Text(
        string="Why a Second Approval Is Needed",
        compute="_compute_four_eyes_reasons",
        help="The credit policy's four-eyes rules this decision meets, with today's figures.",
    )

    @api.depends("state", "first_approved_by_id")
    def _compute_awaiting_second_approval(self):
        for record in self:
            record.awaiting_second_approval = bool(
                record.first_approved_by_id and record.state == record._four_eyes_waiting_state
            )

    @api.depends_context("lang")
    def _compute_four_eyes_reasons(self):
        for record in self:
            waiting = record.state == record._four_eyes_waiting_state and record.id
            record.four_eyes_reasons = (
                "\n".join(record._four_eyes_messages(record._four_eyes_reasons()))
                if waiting
                else False
            )

    # ------------------------------------------------------------------
    # the guard
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if any(FOUR_EYES_FIELDS & vals.keys() for vals in vals_list) and not audit_writer_open(
            self.env
        ):
            self._raise_audit_write(set().union(*(FOUR_EYES_FIELDS & v.keys() for v in vals_list)))
        records = super().create(vals_list)
        records._check_four_eyes()
        return records

    def write(self, vals):
        if FOUR_EYES_FIELDS & vals.keys() and not audit_writer_open(self.env):
            self._raise_audit_write(FOUR_EYES_FIELDS & vals.keys())
        watched = self._four_eyes_watched_fields & vals.keys()
        before = {}
        if watched:
            before = {
                record: {name: record[name] for name in watched}
                for record in self.sudo().filtered("first_approved_by_id")
            }
        result = super().write(vals)
        changed = self.browse(
            [
                record.id
                for record, values in before.items()
                if any(record[name] != value for name, value in values.items())
            ]
        )
        if changed:
            changed._four_eyes_withdraw()
        if {"state", "decided_by_id", *FOUR_EYES_FIELDS} & vals.keys():
            self._check_four_eyes()
        return result

    def _check_four_eyes(self):
        """The invariant: an approved record that the policy's four-eyes rules catch has two
        approvers, both credit officers (or managers), and not the same person."""
        officers = "credit_management.group_credit_officer"
        for record in self.sudo():
            if record.state != record._four_eyes_approved_state:
                continue
            if not record._four_eyes_reasons():
                continue
            first, second = record.first_approved_by_id, record.decided_by_id
            if not (
                core_four_eyes.may_approve_second(first.id or None, second.id or None)
                and first.has_group(officers)
                and second.has_group(officers)
            ):
                raise ValidationError(
                    _(
                        "%(record)s needs the approval of two different credit officers (or a "
                        "credit officer and a credit manager):\n%(reasons)s",
                        record=record.display_name,
                        reasons="\n".join(record._four_eyes_messages(record._four_eyes_reasons())),
                    )
                )

    # ------------------------------------------------------------------
    # what the rules judge
    # ------------------------------------------------------------------
    def _four_eyes_facts(self, **decision):
        """{order_amount, limit_before, new_limit, overdue_amount} for the core's
        ``second_approval_reasons``; ``decision``: the values of the decision being taken
        when they are not on the record yet (e.g. a hold's temporary limit)."""
        return {}

    def _four_eyes_reasons(self, **decision):
        """The reason codes why this decision needs a second approval (empty: it does not),
        from the policy and the figures of now."""
        self.ensure_one()
        record = self.sudo()
        policy = self.env["credit.policy"].sudo()._for_company(record.company_id)
        if not policy.four_eyes_enabled:
            return ()
        facts = {
            name: Decimal(str(value)) if value is not None else None
            for name, value in record._four_eyes_facts(**decision).items()
        }
        return core_four_eyes.second_approval_reasons(policy._four_eyes_core(), **facts)

    def _four_eyes_overdue(self):
        """What the customer owes past its due dates today, in company currency."""
        self.ensure_one()
        pair = (self.company_id.id, self.partner_id.commercial_partner_id.id)
        return (
            self.env["credit.exposure"].sudo()._exposure_by_partner([pair])[pair]["overdue_amount"]
        )

    def _four_eyes_messages(self, reasons):
        self.ensure_one()
        record = self.sudo()
        policy = self.env["credit.policy"].sudo()._for_company(record.company_id)
        currency = record.company_id.currency_id
        messages = {
            core_four_eyes.REASON_HOLD_AMOUNT: _(
                "The order amount is above %(amount)s.",
                amount=currency.format(policy.four_eyes_hold_amount),
            ),
            core_four_eyes.REASON_LIMIT_AMOUNT: _(
                "The new limit is above %(amount)s.",
                amount=currency.format(policy.four_eyes_limit_amount),
            ),
            core_four_eyes.REASON_OVERDUE_RAISE: _(
                "The limit is raised for a customer with overdue money."
            ),
        }
        return [messages[reason] for reason in reasons]

    # ------------------------------------------------------------------
    # the decision methods' part
    # ------------------------------------------------------------------
    def _four_eyes_split(self, reason="", **decision):
        """Called by an approval, after its own checks, before anything is decided: records
        the first approval of those that need a second one and have none yet, and returns
        the records whose approval takes effect now (no second approval needed, or this is
        the second). The same user approving twice is refused."""
        needed = {record: record._four_eyes_reasons(**decision) for record in self}
        for record, reasons in needed.items():
            if reasons and record.first_approved_by_id == self.env.user:
                raise UserError(
                    _(
                        "You gave the first approval of %(record)s: another credit officer or a "
                        "credit manager must give the second.",
                        record=record.display_name,
                    )
                )
        first = self.browse(
            [r.id for r, reasons in needed.items() if reasons and not r.first_approved_by_id]
        )
        for record in first:
            record._four_eyes_first_approve(reason, needed[record], **decision)
        return self - first

    def _four_eyes_first_approval_values(self, reason, **decision):
        return {
            "first_approved_by_id": self.env.uid,
            "first_approved_on": fields.Datetime.now(),
            "first_approval_reason": reason or False,
        }

    def _four_eyes_first_approve(self, reason, reasons, **decision):
        """Record this user's first approval, tell the record, and ask the second approvers."""
        self.ensure_one()
        values = self._four_eyes_first_approval_values(reason, **decision)
        reason = values["first_approval_reason"]
        with audit_writer(self.env):
            self.write(values)
        messages = self._four_eyes_messages(reasons)
        self.sudo().activity_feedback(["mail.mail_activity_data_todo"])
        self.sudo().message_post(
            body=Markup("<p>%s</p><ul>%s</ul>")
            % (
                _(
                    "First approval by %(user)s: %(reason)s. Waiting for the second approval "
                    "of another credit officer or a credit manager.",
                    user=self.env.user.name,
                    reason=reason or _("no reason given"),
                ),
                Markup("").join(Markup("<li>%s</li>") % message for message in messages),
            ),
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        for user in self._four_eyes_second_approvers():
            self.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                summary=_("Second approval needed"),
                note=_(
                    "First approved by %(user)s. %(reasons)s",
                    user=self.env.user.name,
                    reasons=" ".join(messages),
                ),
                user_id=user.id,
            )

    def _four_eyes_second_approvers(self):
        """Who is asked for the second approval: the policy's second approver, else the
        company's credit managers, never the first approver (nor OdooBot)."""
        self.ensure_one()
        record = self.sudo()
        company = record.company_id
        first = record.first_approved_by_id
        policy = self.env["credit.policy"].sudo()._for_company(company)
        chosen = policy.four_eyes_user_id
        if chosen and chosen != first and chosen.active:
            return chosen
        managers = self.env.ref("credit_management.group_credit_manager").sudo().users
        return managers.filtered(
            lambda u: (
                u.active
                and not u.share
                and u.id != SUPERUSER_ID
                and u != first
                and company in u.company_ids
            )
        )

    def _four_eyes_withdraw(self):
        """What the first approver approved changed: the approval no longer stands."""
        for record in self:
            approver = record.sudo().first_approved_by_id
            with audit_writer(self.env):
                record.sudo().write(dict.fromkeys(FOUR_EYES_FIELDS, False))
            record.sudo().message_post(
                body=_(
                    "The first approval by %(user)s is withdrawn: the decision changed after it. "
                    "It needs a first and a second approval again.",
                    user=approver.name,
                ),
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
