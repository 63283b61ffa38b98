from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

from .credit_info_mixin import CREDIT_READ_GROUPS


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "credit.info.mixin"]

    credit_file_id = fields.Many2one(
        "credit.file",
        compute="_compute_credit_info",
        groups=CREDIT_READ_GROUPS,
    )
    credit_rating_state = fields.Selection(
        [("unrated", "Not rated"), ("valid", "Valid"), ("expired", "Expired")],
        compute="_compute_credit_info",
        groups=CREDIT_READ_GROUPS,
        string="Rating Status",
    )
    credit_open_receivables = fields.Monetary(
        compute="_compute_credit_info",
        groups=CREDIT_READ_GROUPS,
        string="Open Receivables",
        currency_field="credit_currency_id",
    )
    credit_valid_until = fields.Date(
        compute="_compute_credit_info", groups=CREDIT_READ_GROUPS, string="Rating Valid Until"
    )

    @api.depends_context("company")
    def _compute_credit_info(self):
        """Credit information of the commercial entity in the current company, read with
        the rights of the file (a salesperson sees it, read-only)."""
        company = self.env.company
        commercial = self.commercial_partner_id
        files = (
            self.env["credit.file"]
            .sudo()
            .search([("partner_id", "in", commercial.ids), ("company_id", "=", company.id)])
        )
        file_of = {file.partner_id.id: file for file in files}
        Exposure = self.env["credit.exposure"]
        exposures = files._exposure()
        policy = self.env["credit.policy"].sudo()._for_company(company) if files else None
        for partner in self:
            file = file_of.get(partner.commercial_partner_id.id)
            partner.credit_currency_id = company.currency_id
            partner.credit_file_id = file.id if file else False
            partner.credit_grade_id = file.grade_id if file else False
            partner.credit_sales_mode = file.grade_id.sales_mode if file else False
            partner.credit_rating_state = file.rating_state if file else "unrated"
            partner.credit_effective_limit = file.effective_limit if file else 0.0
            partner.credit_days = file.credit_days if file else 0
            partner.credit_valid_until = file.valid_until if file else False
            partner.credit_warning_count = file.open_warning_count if file else 0
            if not file:
                partner.credit_open_receivables = partner.credit_available = 0.0
                continue
            exposure = exposures[file.id]
            partner.credit_open_receivables = exposure["receivables"]
            partner.credit_available = file.effective_limit - float(
                Exposure._limit_exposure(policy, exposure)
            )

    def write(self, vals):
        if "credit_limit" in vals and not self.env.context.get("credit_management_sync"):
            # contacts receive their company's limit through Odoo's commercial-field sync;
            # only a change on the company itself can contradict its credit file
            commercial = self.filtered(lambda p: p == p.commercial_partner_id)
            commercial._check_credit_limit_managed(vals["credit_limit"])
        result = super().write(vals)
        if {"parent_id", "is_company"} & vals.keys():
            # a contact moved to another company takes its confirmed orders to that
            # customer's exposure: they must be covered for it (the credit gate's invariant)
            orders = (
                self.env["sale.order"]
                .sudo()
                .search([("partner_id", "child_of", self.ids), ("state", "=", "sale")])
            )
            orders._credit_touch()
            orders._credit_enforce()
        return result

    def _check_credit_limit_managed(self, new_limit):
        """The limit of a customer with a rating comes from its credit file: refuse a direct
        change that would make Odoo's limit and the rated one disagree."""
        files = (
            self.env["credit.file"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", self.commercial_partner_id.ids),
                    ("company_id", "=", self.env.company.id),
                    ("grade_id", "!=", False),
                ]
            )
        )
        for file in files:
            if float_compare(new_limit or 0.0, file.effective_limit, 2):
                raise UserError(
                    _(
                        "The credit limit of %(customer)s is managed by its credit file "
                        "(%(limit)s). Ask a credit officer for a review or a limit request.",
                        customer=file.partner_id.display_name,
                        limit=file.currency_id.format(file.effective_limit),
                    )
                )

    def action_open_credit_file(self):
        """Open the customer's credit file in the current company (officers create it)."""
        self.ensure_one()
        File = self.env["credit.file"]
        file = File._get_for_partner(self, create=False)
        if not file:
            File._check_officer()
            file = File._get_for_partner(self)
        return {
            "type": "ir.actions.act_window",
            "res_model": "credit.file",
            "res_id": file.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_request_credit_limit(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "credit.limit.request",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }
