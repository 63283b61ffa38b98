import os
import tempfile

from werkzeug.wsgi import wrap_file

from odoo import fields, http
from odoo.http import content_disposition, request

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CreditAgingController(http.Controller):
    @http.route("/credit_management/aging/<int:report_id>/xlsx", type="http", auth="user")
    def aging_xlsx(self, report_id):
        """The aged receivables of ``report_id`` as an XLSX download. The workbook is
        written to a temporary file and streamed from it (no copy in memory)."""
        # another user's report is not found, as a missing one (its lines are read in SQL)
        report = request.env["credit.aging.report"]._readable(report_id)
        if not report:
            raise request.not_found()
        handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="credit_aging_")
        os.close(handle)
        try:
            request.env["report.credit_management.report_credit_aging_xlsx"]._write_workbook(
                report, path
            )
            size = os.path.getsize(path)
            # the open file stays readable after unlinking: nothing is left behind
            stream = open(path, "rb")  # noqa: SIM115 (closed by the response)
        finally:
            os.unlink(path)
        filename = request.env._("Aged Receivables %s.xlsx", fields.Date.to_string(report.as_of))
        response = request.make_response(
            wrap_file(request.httprequest.environ, stream),
            headers=[
                ("Content-Type", XLSX_MIMETYPE),
                ("Content-Length", str(size)),
                ("Content-Disposition", content_disposition(filename)),
            ],
        )
        response.direct_passthrough = True
        return response
