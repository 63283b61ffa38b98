from odoo import _, api, fields, models

from .credit_decision_mixin import audit_writer

WARNING_KINDS = [
    ("slower_payments", "Payments getting slower"),
    ("broken_promise", "Broken payment promise"),
    ("order_jump", "Order far beyond the limit"),
    ("bank_changes", "Frequent bank account changes"),
    ("bankruptcy", "Bankruptcy filing"),
    ("concentration", "Concentration of credit exposure"),
    ("other", "Other"),
]


class CreditWarning(models.Model):
    """A warning sign (危险信号) on a customer: act at once. Raised from data by the
    scheduled job or by hand; open until the officer resolves or dismisses it."""

    _name = "credit.warning"
    _description = "Credit Warning Sign"
    _inherit = ["credit.decision.mixin"]
    _order = "date desc, id desc"
    # resolved and dismissed are the officer's decisions (``action_resolve``/``_dismiss``)
    _credit_audit_fields = frozenset({"state"})
    _credit_audit_defaults = {"state": "open"}

    file_id = fields.Many2one("credit.file", required=True, ondelete="cascade", index=True)
    partner_id = fields.Many2one(related="file_id.partner_id", store=True, string="Customer")
    company_id = fields.Many2one(related="file_id.company_id", store=True)
    kind = fields.Selection(WARNING_KINDS, required=True)
    date = fields.Date(required=True, default=fields.Date.context_today)
    details = fields.Text()
    state = fields.Selection(
        [("open", "Open"), ("resolved", "Resolved"), ("dismissed", "Dismissed")],
        default="open",
        required=True,
    )

    @api.model
    def _raise(self, file, kind, details):
        """Record a warning sign unless the same kind is already open on the file; log it on
        the file and give the officer an activity."""
        if self.search_count(
            [("file_id", "=", file.id), ("kind", "=", kind), ("state", "=", "open")]
        ):
            return self.browse()
        warning = self.sudo().create({"file_id": file.id, "kind": kind, "details": details})
        label = dict(self._fields["kind"]._description_selection(self.env))[kind]
        file.message_post(
            body=_("Warning sign: %(sign)s. %(details)s", sign=label, details=details)
        )
        officer = file.officer_id or file._policy().officer_id
        if officer:
            file.activity_schedule(
                "mail.mail_activity_data_warning",
                summary=_("Warning sign: %(sign)s", sign=label),
                note=details,
                user_id=officer.id,
            )
        return warning

    def action_resolve(self):
        return self._decide("resolved")

    def action_dismiss(self):
        return self._decide("dismissed")

    def _decide(self, state):
        self.env["credit.file"]._check_officer()
        with audit_writer(self.env):
            self.write({"state": state})
        return True
