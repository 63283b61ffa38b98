from odoo import models

EMPTY_BACKGROUND = b"background-image: url();"


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _render_qweb_html(self, report_ref, docids, data=None):
        """The addon's reports without the empty ``background-image: url();`` Odoo's
        external layouts write when the company has no background image: wkhtmltopdf
        resolves an empty URL to the server's root and fetches ``/``, which redirects to the
        web client, a read/write request on the primary database for every PDF, even one
        served from a read replica."""
        html, kind = super()._render_qweb_html(report_ref, docids, data=data)
        report = self._get_report(report_ref)
        if report.report_name.startswith("credit_management.") and EMPTY_BACKGROUND in html:
            html = html.replace(EMPTY_BACKGROUND, b"background-image: none;")
        return html, kind
