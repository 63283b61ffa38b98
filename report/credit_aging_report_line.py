from odoo import api, fields, models

from ..credit_management import aging as core_aging


class CreditAgingReportLine(models.TransientModel):
    """One customer of an aged receivables report: its open receivables by age bucket, in
    its company's currency (``b0`` … ``b7``) and in the reporting currency (``r0`` …
    ``r7``). Bucket 0 is "Not due"; the titles of the others depend on the report's bounds
    and are set on the list view from the action's context."""

    _name = "credit.aging.report.line"
    _description = "Aged Receivables Line"
    _order = "total desc, id"
    _rec_name = "partner_id"

    report_id = fields.Many2one(
        "credit.aging.report", required=True, readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    grade_id = fields.Many2one("credit.grade", readonly=True)
    company_currency_id = fields.Many2one("res.currency", readonly=True)
    currency_id = fields.Many2one("res.currency", string="Reporting Currency", readonly=True)
    total_company = fields.Monetary(
        string="Total (Company Currency)",
        currency_field="company_currency_id",
        readonly=True,
        aggregator="sum",
    )
    total = fields.Monetary(currency_field="currency_id", readonly=True, aggregator="sum")

    b0 = fields.Monetary(
        string="Not Due (Company Currency)",
        currency_field="company_currency_id",
        readonly=True,
        aggregator="sum",
    )
    b1 = fields.Monetary(
        string="Bucket 1 (Company Currency)",
        currency_field="company_currency_id",
        readonly=True,
        aggregator="sum",
    )
    b2 = fields.Monetary(
        string="Bucket 2 (Company Currency)",
        currency_field="company_currency_id",
        readonly=True,
        aggregator="sum",
    )
    b3 = fields.Monetary(
        string="Bucket 3 (Company Currency)",
        currency_field="company_currency_id",
        readonly=True,
        aggregator="sum",
    )
    b4 = fields.Monetary(
        string="Bucket 4 (Company Currency)",
        currency_field="company_currency_id",
        readonly=True,
        aggregator="sum",
    )
    b5 = fields.Monetary(
        string="Bucket 5 (Company Currency)",
        currency_field="company_currency_id",
        readonly=True,
        aggregator="sum",
    )
    b6 = fields.Monetary(
        string="Bucket 6 (Company Currency)",
        currency_field="company_currency_id",
        readonly=True,
        aggregator="sum",
    )
    b7 = fields.Monetary(
        string="Bucket 7 (Company Currency)",
        currency_field="company_currency_id",
        readonly=True,
        aggregator="sum",
    )
    r0 = fields.Monetary(
        string="Not Due", currency_field="currency_id", readonly=True, aggregator="sum"
    )
    r1 = fields.Monetary(
        string="Bucket 1", currency_field="currency_id", readonly=True, aggregator="sum"
    )
    r2 = fields.Monetary(
        string="Bucket 2", currency_field="currency_id", readonly=True, aggregator="sum"
    )
    r3 = fields.Monetary(
        string="Bucket 3", currency_field="currency_id", readonly=True, aggregator="sum"
    )
    r4 = fields.Monetary(
        string="Bucket 4", currency_field="currency_id", readonly=True, aggregator="sum"
    )
    r5 = fields.Monetary(
        string="Bucket 5", currency_field="currency_id", readonly=True, aggregator="sum"
    )
    r6 = fields.Monetary(
        string="Bucket 6", currency_field="currency_id", readonly=True, aggregator="sum"
    )
    r7 = fields.Monetary(
        string="Bucket 7", currency_field="currency_id", readonly=True, aggregator="sum"
    )

    @api.model
    def _get_view_cache_key(self, view_id=None, view_type="form", **options):
        key = super()._get_view_cache_key(view_id, view_type, **options)
        return (*key, tuple(self.env.context.get("credit_aging_labels") or ()))

    @api.model
    def _get_view(self, view_id=None, view_type="form", **options):
        """Bucket columns titled with the report's buckets (context ``credit_aging_labels``),
        the columns beyond its last bucket hidden."""
        arch, view = super()._get_view(view_id, view_type, **options)
        labels = self.env.context.get("credit_aging_labels")
        if labels and view_type in ("list", "pivot"):
            for index in range(core_aging.MAX_BUCKETS):
                for prefix in ("b", "r"):
                    for node in arch.xpath(f"//field[@name='{prefix}{index}']"):
                        if index < len(labels):
                            title = labels[index]
                            if prefix == "b":
                                title = self.env._("%s (company currency)", title)
                            node.set("string", title)
                        elif view_type == "list":
                            node.set("column_invisible", "1")
                        else:
                            node.getparent().remove(node)
        return arch, view

    def action_open_items(self):
        """The open items behind this line, as they stood on the report date."""
        self.ensure_one()
        self.env["credit.aging.report.item"]._fill(self)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._(
                "Open items of %(customer)s as of %(date)s",
                customer=self.partner_id.display_name or "",
                date=fields.Date.to_string(self.report_id.as_of),
            ),
            "res_model": "credit.aging.report.item",
            "view_mode": "list",
            "domain": [("line_id", "=", self.id)],
            "context": {"credit_aging_labels": self.report_id._bucket_labels()},
            "target": "current",
        }
