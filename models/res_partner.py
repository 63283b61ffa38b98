import operator as py_operator

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, float_compare

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
    credit_grade_id = fields.Many2one(search="_search_credit_grade_id")
    credit_exposure = fields.Monetary(
        compute="_compute_credit_info",
        groups=CREDIT_READ_GROUPS,
        currency_field="credit_currency_id",
        help="What the customer and its contacts owe or have ordered on credit, as the credit "
        "policy counts it: open receivables, draft invoices and confirmed orders not invoiced "
        "yet.",
    )
    credit_overdue_amount = fields.Monetary(
        compute="_compute_credit_info",
        search="_search_credit_overdue_amount",
        groups=CREDIT_READ_GROUPS,
        string="Overdue",
        currency_field="credit_currency_id",
        help="What the customer owes past its due date, in the company's currency.",
    )
    credit_oldest_overdue_days = fields.Integer(
        compute="_compute_credit_info",
        groups=CREDIT_READ_GROUPS,
        string="Oldest Overdue (days)",
        help="Days since the due date of the oldest item the customer still owes.",
    )
    credit_over_limit = fields.Boolean(
        compute="_compute_credit_info",
        search="_search_credit_over_limit",
        groups=CREDIT_READ_GROUPS,
        string="Over Credit Limit",
        help="The exposure the credit limit is judged on is above the limit in force (customers "
        "with unlimited credit never are).",
    )

    @api.depends_context("company")
    def _compute_credit_info(self):
        """Credit information of the commercial entity in the current company, read with
        the rights of the file (a salesperson sees it, read-only). One search of the files
        and one exposure aggregate (``credit.exposure._exposure_by_partner``) for all the
        partners read: a list of customers costs the same number of queries whatever its
        length. Customers without a credit file show what they owe and nothing of a limit."""
        company = self.env.company
        commercial = self.commercial_partner_id
        partner_ids = [pid for pid in commercial.ids if isinstance(pid, int)]
        files = (
            self.env["credit.file"]
            .sudo()
            .search([("partner_id", "in", partner_ids), ("company_id", "=", company.id)])
        )
        file_of = {file.partner_id.id: file for file in files}
        Exposure = self.env["credit.exposure"]
        exposures = Exposure._exposure_by_partner({(company.id, pid) for pid in partner_ids})
        policy = self.env["credit.policy"].sudo()._for_company(company) if partner_ids else None
        for partner in self:
            commercial_id = partner.commercial_partner_id.id
            file = file_of.get(commercial_id)
            exposure = exposures.get((company.id, commercial_id))
            partner.credit_currency_id = company.currency_id
            partner.credit_file_id = file.id if file else False
            partner.credit_grade_id = file.grade_id if file else False
            partner.credit_sales_mode = file.grade_id.sales_mode if file else False
            partner.credit_rating_state = file.rating_state if file else "unrated"
            partner.credit_effective_limit = file.effective_limit if file else 0.0
            partner.credit_days = file.credit_days if file else 0
            partner.credit_valid_until = file.valid_until if file else False
            partner.credit_warning_count = file.open_warning_count if file else 0
            if not exposure:
                partner.credit_open_receivables = partner.credit_available = 0.0
                partner.credit_exposure = partner.credit_overdue_amount = 0.0
                partner.credit_oldest_overdue_days = 0
                partner.credit_over_limit = False
                continue
            partner.credit_open_receivables = exposure["receivables"]
            partner.credit_exposure = float(Exposure._exposure_total(policy, exposure))
            partner.credit_overdue_amount = exposure["overdue_amount"]
            partner.credit_oldest_overdue_days = exposure["oldest_overdue_days"]
            if not file:
                partner.credit_available = 0.0
                partner.credit_over_limit = False
                continue
            available = file.effective_limit - float(Exposure._limit_exposure(policy, exposure))
            partner.credit_available = available
            partner.credit_over_limit = not file.unlimited and (
                company.currency_id.compare_amounts(available, 0.0) < 0
            )

    def _search_credit_grade_id(self, operator, value):
        """The customers whose credit file in the current company has such a grade."""
        files = (
            self.env["credit.file"]
            .sudo()
            .search([("grade_id", operator, value), ("company_id", "=", self.env.company.id)])
        )
        return [("commercial_partner_id", "in", files.partner_id.ids)]

    @api.model
    def _credit_standing(self, company):
        """{commercial partner id: (exposure entry, credit file or None)} of the customers
        of ``company`` that may owe something or be over their limit: those with a credit
        file, open receivables or a payment dated after today (which puts paid items back
        until its date). One query for the candidates, one exposure aggregate for all:
        what the searches on overdue money and over-limit read."""
        today = fields.Date.context_today(self)
        self.env["credit.exposure"]._exposure_flush_ladder()
        self.env["credit.file"].flush_model(["partner_id", "company_id", "active"])
        rows = self.env.execute_query(
            SQL(
                """
            SELECT partner_id FROM credit_file WHERE company_id = %(company)s AND active
             UNION
            SELECT partner_id FROM credit_receivable_ladder WHERE company_id = %(company)s
             UNION
            SELECT p.commercial_partner_id
              FROM account_move_line aml
              JOIN res_partner p ON p.id = aml.partner_id
             WHERE aml.company_id = %(company)s AND aml.date > %(today)s
               AND (aml.payment_id IS NOT NULL OR aml.statement_line_id IS NOT NULL)
                """,
                company=company.id,
                today=today,
            )
        )
        partner_ids = [pid for (pid,) in rows if pid]
        exposures = self.env["credit.exposure"]._exposure_by_partner(
            {(company.id, pid) for pid in partner_ids}
        )
        files = (
            self.env["credit.file"]
            .sudo()
            .search([("partner_id", "in", partner_ids), ("company_id", "=", company.id)])
        )
        file_of = {file.partner_id.id: file for file in files}
        return {pid: (exposures[(company.id, pid)], file_of.get(pid)) for pid in partner_ids}

    @api.model
    def _credit_search_amount(self, operator, value, amount_of):
        """A domain on the commercial partner for ``amount_of(exposure entry, file)``
        ``operator`` ``value``, customers outside ``_credit_standing`` counting 0."""
        compare = {
            "=": py_operator.eq,
            "!=": py_operator.ne,
            "<": py_operator.lt,
            "<=": py_operator.le,
            ">": py_operator.gt,
            ">=": py_operator.ge,
        }.get(operator)
        if compare is None:
            raise UserError(_("This operation is not supported on credit amounts."))
        value = float(value or 0.0)
        standing = self._credit_standing(self.env.company)
        if compare(0.0, value):
            # customers owing nothing match too: leave out those that do not
            excluded = [
                pid
                for pid, (exp, file) in standing.items()
                if not compare(amount_of(exp, file), value)
            ]
            return [("commercial_partner_id", "not in", excluded)]
        matching = [
            pid for pid, (exp, file) in standing.items() if compare(amount_of(exp, file), value)
        ]
        return [("commercial_partner_id", "in", matching)]

    def _search_credit_overdue_amount(self, operator, value):
        return self._credit_search_amount(
            operator, value, lambda exposure, _file: float(exposure["overdue_amount"])
        )

    def _search_credit_over_limit(self, operator, value):
        if operator not in ("=", "!="):
            raise UserError(_("This operation is not supported on credit amounts."))
        wanted = bool(value) == (operator == "=")
        company = self.env.company
        policy = self.env["credit.policy"].sudo()._for_company(company)
        Exposure = self.env["credit.exposure"]
        over = [
            pid
            for pid, (exposure, file) in self._credit_standing(company).items()
            if file
            and not file.unlimited
            and company.currency_id.compare_amounts(
                float(Exposure._limit_exposure(policy, exposure)), file.effective_limit
            )
            > 0
        ]
        return [("commercial_partner_id", "in" if wanted else "not in", over)]

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

    def action_open_credit_overdue(self):
        """The customer's invoices past their due date and not fully paid (its *Overdue*
        button), in the current company."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["name"] = _("Overdue Invoices")
        action["domain"] = [
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("commercial_partner_id", "=", self.commercial_partner_id.id),
            ("company_id", "=", self.env.company.id),
            ("payment_state", "in", ("not_paid", "partial")),
            ("invoice_date_due", "<", fields.Date.context_today(self)),
        ]
        action["context"] = {"create": False, "default_move_type": "out_invoice"}
        return action

    def action_request_credit_limit(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "credit.limit.request",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }
