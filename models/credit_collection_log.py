from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from .credit_dunning_level import CHANNELS

LOG_CHANNELS = [*CHANNELS, ("other", "Other"), ("security", "Security called")]


class CreditCollectionLog(models.Model):
    """The collection log (催收记录): every contact with a customer about money it owes —
    time, channel, collector, what was said and what the customer answered. E-mails and
    letters sent by dunning runs log themselves; calls and visits are logged by the
    collector, by hand or when marking the activity done."""

    _name = "credit.collection.log"
    _description = "Collection Log Entry"
    _order = "date desc, id desc"
    _check_company_auto = True

    date = fields.Datetime(required=True, default=fields.Datetime.now)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        domain="[('parent_id', '=', False)]",
    )
    file_id = fields.Many2one(
        "credit.file", string="Credit File", compute="_compute_file_id", store=True, index=True
    )

    @api.depends("partner_id", "company_id")
    def _compute_file_id(self):
        files = self.env["credit.file"].search(
            [
                ("partner_id", "in", self.partner_id.commercial_partner_id.ids),
                ("company_id", "in", self.company_id.ids),
            ]
        )
        by_key = {(f.partner_id.id, f.company_id.id): f for f in files}
        for log in self:
            log.file_id = by_key.get(
                (log.partner_id.commercial_partner_id.id, log.company_id.id), False
            )

    channel = fields.Selection(LOG_CHANNELS, required=True, default="phone")
    collector_id = fields.Many2one("res.users", default=lambda self: self.env.user, index=True)
    communication_id = fields.Many2one(
        "credit.dunning.communication", check_company=True, index=True, ondelete="set null"
    )
    level_id = fields.Many2one(related="communication_id.level_id", string="Dunning Level")
    security_id = fields.Many2one(
        "credit.security",
        check_company=True,
        index="btree_not_null",
        ondelete="set null",
        help="The guarantee, insurance, collateral or letter of credit drawn on.",
    )
    content = fields.Text(required=True, help="What was sent or said.")
    customer_answer = fields.Text(help="What the customer answered: reasons, plans, excuses.")
    promise_ids = fields.One2many("credit.payment.promise", "log_id", string="Promises")
    is_automatic = fields.Boolean(
        string="Logged by the System",
        readonly=True,
        help="Written by the system (a dunning e-mail or letter sent, a dispute): only "
        "credit officers may change or delete it.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and not self._is_officer():
            for vals in vals_list:
                vals.pop("is_automatic", None)
        return super().create(vals_list)

    def write(self, vals):
        self._check_automatic()
        return super().write(vals)

    def unlink(self):
        self._check_automatic()
        return super().unlink()

    def _is_officer(self):
        return self.env.user.has_group("credit_management.group_credit_officer")

    def _check_automatic(self):
        if self.env.su or self._is_officer():
            return
        if any(log.is_automatic for log in self):
            raise AccessError(
                _("Only credit officers can change or delete what the system logged.")
            )

    def action_promise(self):
        """Record the customer's promise to pay, from this contact."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "credit.payment.promise",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_log_id": self.id,
                "default_partner_id": self.partner_id.id,
                "default_company_id": self.company_id.id,
                "default_move_line_ids": self.communication_id.line_ids.move_line_id.ids,
            },
        }
