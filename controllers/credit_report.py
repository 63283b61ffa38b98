import json
from urllib.parse import urlsplit

from odoo import http
from odoo.http import request

from odoo.addons.web.controllers.report import ReportController

READ_ONLY_REPORTS = frozenset(
    {
        "credit_management.report_credit_aging",
        "credit_management.report_customer_statement",
    }
)
"""The addon's reports that only read: the aged receivables and the customer statements,
rendered from their report data, writing nothing."""


def requested_report(data):
    """The report name in ``/report/download``'s ``data`` (the JSON list [report URL,
    report type] the web client posts), or None."""
    try:
        url = json.loads(data or "")[0]
        parts = urlsplit(url).path.split("/")  # /report/<converter>/<name>[/<docids>]
    except (ValueError, TypeError, IndexError, KeyError, AttributeError):
        return None
    return parts[3] if len(parts) > 3 and parts[1] == "report" else None


class CreditReportController(ReportController):
    def _credit_download_readonly(self):
        """Whether a ``/report/download`` request is for one of ``READ_ONLY_REPORTS``: Odoo
        18 declares the route read/write for every report (some store their PDF as an
        attachment), while the PDF it downloads comes from ``/report/pdf``, read-only.
        Decided per request, as ``/web/dataset/call_kw`` decides per method."""
        return requested_report(request.get_http_params().get("data")) in READ_ONLY_REPORTS

    @http.route(readonly=_credit_download_readonly)
    def report_download(self, data, context=None, token=None, readonly=True):
        """The web client downloads a PDF through this route: the addon's reads go to the
        read-only cursor (a replica with ``db_replica_host``), the other reports as before."""
        return super().report_download(data, context=context, token=token, readonly=readonly)
