from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.credit_management.models.credit_decision_mixin import audit_writer
from odoo.addons.credit_management.models.credit_exposure import CHECKPOINT_CUSTOMER

from .credit_exposure import CHECKPOINT_DELIVERY


class StockPicking(models.Model):
    """The delivery checkpoint: goods do not leave for a customer who is on credit hold,
    whose deliveries are stopped, who is over the credit limit now or whose overdue money
    breaks the grade's rules ("a customer over its limit or with overdue money is not shipped
    on a salesperson's say-so", credit domain doc). ``button_validate`` (backend button,
    batch transfers, the backorder wizard, RPC) records a credit hold for the officers and
    tells the user why; ``_action_done``, which every validation path ends in, refuses with
    an error. Either way nothing of the refused deliveries is validated."""

    _inherit = "stock.picking"

    credit_hold_ids = fields.One2many(
        "credit.hold",
        "picking_id",
        string="Credit Holds",
        groups="credit_management.group_credit_user",
    )
    credit_hold_state = fields.Selection(
        [
            ("pending", "Credit hold"),
            ("approved", "Credit released"),
            ("rejected", "Credit rejected"),
        ],
        compute="_compute_credit_hold_state",
        store=True,
        index="btree_not_null",
        string="Credit Status",
    )

    @api.depends("credit_hold_ids.state")
    def _compute_credit_hold_state(self):
        for picking in self:
            last = picking.credit_hold_ids.filtered(lambda h: h.state != "cancelled")[:1]
            picking.credit_hold_state = last.state if last else False

    # ------------------------------------------------------------------
    # the checkpoint
    # ------------------------------------------------------------------
    def button_validate(self):
        refused = self._credit_refused_deliveries()
        if refused:
            holds = self._credit_hold_deliveries(refused)
            return holds._credit_delivery_notification()
        return super().button_validate()

    def _action_done(self):
        refused = self._credit_refused_deliveries()
        if refused:
            raise UserError(self._credit_refusal_message(refused))
        return super()._action_done()

    def _credit_checked_deliveries(self):
        """The pickings the checkpoint looks at: deliveries to customers not done yet, in
        companies whose credit policy checks deliveries. Receipts (customer returns included),
        internal transfers and returns to vendors pass."""
        deliveries = self.filtered(
            lambda p: (
                p.picking_type_code == "outgoing"
                and p.location_dest_id.usage == "customer"
                and p.state not in ("done", "cancel")
                and p.partner_id
            )
        )
        Policy = self.env["credit.policy"].sudo()
        checks = {c: Policy._for_company(c).check_deliveries for c in deliveries.company_id}
        return deliveries.filtered(lambda p: checks[p.company_id])

    def _credit_refused_deliveries(self):
        """{delivery: (credit file, CheckFacts, failures)} of the deliveries refused now: the
        customer-level rules (``credit.exposure._customer_credit_check``: hold, limit,
        overdue, as the policy enables them) and the delivery rules ("deliveries stopped" on
        the credit file, registered in ``credit.exposure._credit_rules``), judged per company
        on the commercial partner. A delivery released by a credit
        officer (approved hold) passes; a customer without credit file is not judged."""
        deliveries = self._credit_checked_deliveries()
        if not deliveries:
            return {}
        released = (
            self.env["credit.hold"]
            .sudo()
            .search([("picking_id", "in", deliveries.ids), ("state", "=", "approved")])
            .picking_id
        )
        deliveries -= released
        checks = self.env["credit.exposure"]._customer_credit_check(
            {(p.company_id.id, p.partner_id.commercial_partner_id.id) for p in deliveries},
            checkpoints=(CHECKPOINT_CUSTOMER, CHECKPOINT_DELIVERY),
        )
        refused = {}
        for picking in deliveries:
            check = checks.get((picking.company_id.id, picking.partner_id.commercial_partner_id.id))
            if not check:
                continue
            file, facts, failures = check
            if failures:
                refused[picking] = (file, facts, failures)
        return refused

    @api.model
    def _credit_refusal_message(self, refused):
        Hold = self.env["credit.hold"]
        parts = []
        for picking, (file, _facts, failures) in refused.items():
            reasons = Hold._failure_messages(failures, picking.company_id.currency_id)
            parts.append(
                _(
                    "Credit control refuses to validate %(delivery)s for %(customer)s:\n"
                    "%(reasons)s",
                    delivery=picking.name,
                    customer=file.partner_id.display_name,
                    reasons="\n".join(f"- {reason}" for reason in reasons),
                )
            )
        parts.append(_("A credit officer must release these deliveries first."))
        return "\n\n".join(parts)

    @api.model
    def _credit_hold_deliveries(self, refused):
        """Record a pending credit hold for each refused delivery (the one already waiting
        is brought up to date), with a message on the delivery and an activity for the
        customer's credit officer; return the holds."""
        Hold = self.env["credit.hold"].sudo()
        holds = Hold.browse()
        for picking, (file, facts, failures) in refused.items():
            values = {
                **Hold._check_values(
                    file.partner_id, picking.company_id, file.grade_id, facts, failures
                ),
                "requester_id": self.env.uid,
                "order_amount": 0.0,
            }
            hold = Hold.search([("picking_id", "=", picking.id), ("state", "=", "pending")])[:1]
            with audit_writer(self.env):
                if hold:
                    hold.write(values)
                    holds |= hold
                    continue
                hold = Hold.create({"picking_id": picking.id, **values})
            holds |= hold
            reasons = Hold._failure_messages(failures, picking.company_id.currency_id)
            picking.sudo().message_post(
                body=Markup("<p>%s</p><ul>%s</ul>")
                % (
                    _("Credit hold: the delivery waits for a credit officer."),
                    Markup("").join(Markup("<li>%s</li>") % reason for reason in reasons),
                )
            )
            hold._ask_officer(file, hold.name, reasons)
        return holds

    # ------------------------------------------------------------------
    # release
    # ------------------------------------------------------------------
    def action_credit_release(self):
        """Open the credit decision on this delivery's waiting hold (credit officers)."""
        self.ensure_one()
        if not self.env["credit.hold"]._can_decide():
            raise AccessError(_("Only credit officers can release deliveries."))
        hold = (
            self.env["credit.hold"]
            .sudo()
            .search([("picking_id", "=", self.id), ("state", "=", "pending")], limit=1)
        )
        if not hold:
            raise UserError(_("This delivery is not waiting for a credit release."))
        return {
            "type": "ir.actions.act_window",
            "name": _("Credit Release"),
            "res_model": "credit.hold.decision",
            "view_mode": "form",
            "target": "new",
            "context": {"default_hold_ids": hold.ids},
        }
