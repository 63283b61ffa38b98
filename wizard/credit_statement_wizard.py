from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import split_every

from ..credit_management import statement as core_statement
from ..report.customer_statement import STATEMENT_CONTEXT_KEY, STATEMENT_PARTNERS_KEY

PERIODS = [
    (core_statement.PRESET_LAST_MONTH, "Last Month"),
    (core_statement.PRESET_THIS_MONTH, "This Month"),
    (core_statement.PRESET_CUSTOM, "Custom"),
]
SEND_CHUNK = 50
"""Statements rendered and queued per chunk in batch sending (the cache is released
between chunks; the mails themselves leave through the mail queue)."""


class CreditStatementWizard(models.TransientModel):
    """Print or e-mail customer statements (对账单) for a period: for the selected
    customers, or for every customer with a balance or movements."""

    _name = "credit.statement.wizard"
    _description = "Customer Statements"

    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        domain=lambda self: [("id", "in", self.env.user.company_ids.ids)],
    )
    period = fields.Selection(PERIODS, required=True, default=core_statement.PRESET_LAST_MONTH)
    date_from = fields.Date(
        string="From",
        compute="_compute_dates",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
    )
    date_to = fields.Date(
        string="To",
        compute="_compute_dates",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
    )

    @api.depends("period")
    def _compute_dates(self):
        today = fields.Date.context_today(self)
        for wizard in self:
            if wizard.period == core_statement.PRESET_CUSTOM:
                if not wizard.date_from or not wizard.date_to:
                    period = core_statement.month_period(today)
                    wizard.date_from = wizard.date_from or period.date_from
                    wizard.date_to = wizard.date_to or today
                continue
            period = core_statement.preset_period(wizard.period, today)
            wizard.date_from = period.date_from
            wizard.date_to = period.date_to

    customer_scope = fields.Selection(
        [
            ("selected", "Selected Customers"),
            ("active", "All Customers with a Balance or Movements"),
        ],
        string="Customers",
        required=True,
        default=lambda self: "selected" if self._default_partners() else "active",
    )
    partner_ids = fields.Many2many(
        "res.partner",
        string="Selected Customers",
        domain="[('parent_id', '=', False)]",
        default=lambda self: self._default_partners(),
    )
    partner_count = fields.Integer(string="Number of Customers", compute="_compute_partner_count")

    @api.depends("partner_ids", "customer_scope")
    def _compute_partner_count(self):
        for wizard in self:
            wizard.partner_count = (
                len(wizard.partner_ids.commercial_partner_id)
                if wizard.customer_scope == "selected"
                else 0
            )

    state = fields.Selection([("draft", "Draft"), ("done", "Sent")], default="draft")
    sent_count = fields.Integer(string="Statements Sent", readonly=True)
    missing_email_partner_ids = fields.Many2many(
        "res.partner",
        "credit_statement_wizard_missing_email_rel",
        string="Customers without E-mail",
        readonly=True,
        help="No statement was sent to these customers: give them an e-mail address, or "
        "print their statement.",
    )

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if wizard.date_from and wizard.date_to and wizard.date_from > wizard.date_to:
                raise UserError(_("The statement period cannot end before it starts."))

    def _default_partners(self):
        context = self.env.context
        if context.get("active_model") == "res.partner" and context.get("active_ids"):
            return self.env["res.partner"].browse(context["active_ids"]).commercial_partner_id
        if context.get("active_model") == "credit.file" and context.get("active_ids"):
            return self.env["credit.file"].browse(context["active_ids"]).partner_id
        return self.env["res.partner"]

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------
    def _report(self):
        return self.env["report.credit_management.report_customer_statement"]

    def _options(self):
        self.ensure_one()
        if self.company_id not in self.env.user.company_ids:
            raise AccessError(
                _(
                    "You may not print statements of %(company)s.",
                    company=self.company_id.display_name,
                )
            )
        return self._report()._statement_options_context(
            self.company_id, self.date_from, self.date_to
        )

    def _customers(self):
        """The commercial partners to print, checked against the user's rights."""
        self.ensure_one()
        report = self._report()
        if self.state == "done":
            # after a batch: the customers without e-mail, to print instead
            partners = self.missing_email_partner_ids
        elif self.customer_scope == "active":
            partners = report._customers_with_activity(
                self.company_id, self.date_from, self.date_to
            )
            if not partners:
                raise UserError(
                    _(
                        "No customer has a balance or movements in %(company)s for this period.",
                        company=self.company_id.display_name,
                    )
                )
        else:
            partners = self.partner_ids.commercial_partner_id
            if not partners:
                raise UserError(_("Select the customers whose statement you want."))
        report._check_statement_access(partners, self.company_id)
        return partners

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_print(self):
        """The statements as one PDF, each in its customer's language."""
        self.ensure_one()
        options = self._options()
        partners = self._customers()
        # the customers go in the data too: with data, the web client asks for the PDF
        # without document ids in its URL (/report/pdf/<report>?options=...)
        return self.env.ref("credit_management.action_report_customer_statement").report_action(
            partners, data={STATEMENT_CONTEXT_KEY: options, STATEMENT_PARTNERS_KEY: partners.ids}
        )

    def action_send(self):
        """Open the mail composer with the statement template and PDF for one customer."""
        self.ensure_one()
        options = self._options()
        partners = self._customers()
        if len(partners) != 1:
            raise UserError(_("Send statements to several customers in batch."))
        template = self.env.ref("credit_management.mail_template_customer_statement")
        return {
            "type": "ir.actions.act_window",
            "name": _("Send Customer Statement"),
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": "res.partner",
                "default_res_ids": partners.ids,
                "default_template_id": template.id,
                "default_composition_mode": "comment",
                "default_email_layout_xmlid": "mail.mail_notification_light",
                "force_email": True,
                # the template speaks for the statement's company (subject, body)
                "allowed_company_ids": [self.company_id.id]
                + [company.id for company in self.env.companies if company != self.company_id],
                STATEMENT_CONTEXT_KEY: options,
            },
        }

    def action_send_batch(self):
        """Queue one e-mail per customer with its own statement PDF, posted in the
        customer's chatter. Customers without an e-mail address are listed back on the
        wizard, not skipped silently."""
        self.ensure_one()
        options = self._options()
        partners = self._customers()
        without_email = partners.filtered(lambda partner: not partner.email)
        to_send = partners - without_email
        template = self.env.ref("credit_management.mail_template_customer_statement")
        # the user's right to these statements was checked above; posting in the customers'
        # chatter must not also need the right to edit customers (the author stays the user)
        Partner = self.env["res.partner"].sudo().with_company(self.company_id)
        for ids in split_every(SEND_CHUNK, to_send.ids):
            chunk = Partner.browse(ids)
            chunk.with_context(
                mail_notify_force_send=False, **{STATEMENT_CONTEXT_KEY: options}
            ).message_post_with_source(
                template, message_type="comment", subtype_xmlid="mail.mt_comment"
            )
            self.env.flush_all()
            self.env.invalidate_all()
        self.write(
            {
                "state": "done",
                "sent_count": len(to_send),
                "missing_email_partner_ids": [fields.Command.set(without_email.ids)],
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }
