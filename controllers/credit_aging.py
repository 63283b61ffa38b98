import json
import os
import tempfile

from werkzeug.wsgi import wrap_file

from odoo import fields, http
from odoo.http import content_disposition, request

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CreditAgingController(http.Controller):
    @http.route("/credit_management/aging/xlsx", type="http", auth="user", readonly=True)
    def aging_xlsx(self, options=None):
        """The aged receivables for ``options`` (the report's options as JSON, from the
        *Export XLSX* button) as an XLSX download. Read-only: Odoo 18 serves it on a
        read-only cursor, on the replica with ``db_replica_host``; the options are in the
        URL, not a record id, because the replica may not have the record yet. What the
        user may see is decided by the aging engine, whatever the options say. The
        workbook is written to a temporary file and streamed from it (no copy in
        memory)."""
        try:
            values = json.loads(options or "")
        except ValueError as error:
            raise request.not_found() from error
        report = request.env["credit.aging.report"]._from_options(values)
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
