from odoo import api, models

from .credit_aging_report import OPTIONS_KEY, REPORTING_COLUMNS


class ReportCreditAging(models.AbstractModel):
    """Values of the aged receivables PDF: the report's lines (``credit.aging.report.line``,
    the screen's SQL model) in the reporting currency, with totals and each bucket's share
    of the total. Computed here, writing nothing: ``/report/pdf`` is a read-only route."""

    _name = "report.credit_management.report_credit_aging"
    _description = "Aged Receivables PDF"

    @api.model
    def _get_report_values(self, docids, data=None):
        """The report's options come in ``data`` (the print button's action); printed
        from saved options (``docids``), only the user's own are read (record rules)."""
        Report = self.env["credit.aging.report"]
        if data and data.get(OPTIONS_KEY):
            docs = Report._from_options(data[OPTIONS_KEY])
        else:
            docs = Report.browse(docids)
            docs.check_access("read")
        return {
            "doc_ids": docids,
            "doc_model": "credit.aging.report",
            "docs": docs,
            "report_values": {report.id: self._report_values(report) for report in docs},
        }

    @api.model
    def _report_values(self, report):
        labels = report._bucket_labels()
        count = len(labels)
        columns = REPORTING_COLUMNS[:count]
        rows = []
        for line in report._lines().sorted(lambda line: (line.company_id.name, -line.total)):
            rows.append(
                {
                    "company": line.company_id.name,
                    "customer": line.partner_id.display_name or self.env._("(no customer)"),
                    "salesperson": line.user_id.name or "",
                    "grade": line.grade_id.display_name or "",
                    "total": line.total,
                    "buckets": [line[column] for column in columns],
                }
            )
        currency = report.currency_id
        totals = [currency.round(sum(row["buckets"][i] for row in rows)) for i in range(count)]
        total = currency.round(sum(row["total"] for row in rows))
        shares = [
            f"{100.0 * amount / total:.1f}" if not currency.is_zero(total) else "-"
            for amount in totals
        ]
        filters = [
            records.mapped("display_name")
            for records in (
                report.partner_ids,
                report.salesperson_ids,
                report.grade_ids,
                report.account_ids,
            )
        ]
        return {
            "labels": labels,
            "rows": rows,
            "totals": totals,
            "total": total,
            "shares": shares,
            "basis": report._basis_label(),
            "companies": ", ".join(report.company_ids.mapped("name")),
            "multi_company": len(report.company_ids) > 1,
            "converted": any(company.currency_id != currency for company in report.company_ids),
            "filters": "; ".join(", ".join(names) for names in filters if names),
        }
