import xlsxwriter

from odoo import api, fields, models
from odoo.tools import SQL

from ..credit_management import aging as core_aging
from ..models.credit_aging_report import REPORTING_COLUMNS

FETCH_SIZE = 5_000
"""Rows fetched from PostgreSQL at a time while writing the detail sheet."""


class ReportCreditAgingXlsx(models.AbstractModel):
    """The aged receivables as an XLSX workbook: a "Summary" sheet (one row per customer,
    the report's lines) and a "Detail" sheet (every open item). Written with xlsxwriter in
    ``constant_memory`` mode straight to a file, rows streamed from PostgreSQL in chunks,
    so memory stays flat however big the ledger is."""

    _name = "report.credit_management.report_credit_aging_xlsx"
    _description = "Aged Receivables XLSX"

    @api.model
    def _write_workbook(self, report, path):
        """Write ``report`` (whose lines are computed) to the file ``path``."""
        report.ensure_one()
        workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_numbers": False})
        try:
            styles = _Styles(workbook)
            labels = report._bucket_labels()
            self._write_summary(workbook, styles, report, labels)
            self._write_detail(workbook, styles, report, labels)
        finally:
            workbook.close()

    # ------------------------------------------------------------------
    def _header_lines(self, report):
        _ = self.env._
        return [
            _("Aged Receivables as of %s", fields.Date.to_string(report.as_of)),
            _(
                "Aged by: %(basis)s - Companies: %(companies)s - Currency: %(currency)s",
                basis=report._basis_label(),
                companies=", ".join(report.company_ids.mapped("name")),
                currency=report.currency_id.name,
            ),
        ]

    def _write_title(self, sheet, styles, report):
        for row, text in enumerate(self._header_lines(report)):
            sheet.write_string(row, 0, text, styles.title if row == 0 else styles.text)
        return 3  # the header row of the table

    def _write_summary(self, workbook, styles, report, labels):
        _ = self.env._
        sheet = workbook.add_worksheet(_("Summary"))
        count = len(labels)
        currency_fmt = styles.money(report.currency_id)
        titles = [
            (_("Company"), 24),
            (_("Customer"), 36),
            (_("Salesperson"), 22),
            (_("Grade"), 8),
            (_("Total"), 16),
            *((label, 14) for label in labels),
            (_("Company Currency"), 10),
            (_("Total in Company Currency"), 18),
        ]
        header_row = self._write_title(sheet, styles, report)
        for col, (title, width) in enumerate(titles):
            sheet.set_column(col, col, width)
            sheet.write_string(header_row, col, title, styles.header)
        self.env["credit.aging.report.line"].flush_model()
        rows = self.env.execute_query(
            SQL(
                """
                SELECT company.name, partner.complete_name, user_partner.name,
                       grade.code, line.total, %(buckets)s,
                       cur.name, cur.symbol, cur.decimal_places, cur.position,
                       line.total_company
                  FROM credit_aging_report_line line
                  JOIN res_company company ON company.id = line.company_id
                  JOIN res_currency cur ON cur.id = line.company_currency_id
             LEFT JOIN res_partner partner ON partner.id = line.partner_id
             LEFT JOIN res_users u ON u.id = line.user_id
             LEFT JOIN res_partner user_partner ON user_partner.id = u.partner_id
             LEFT JOIN credit_grade grade ON grade.id = line.grade_id
                 WHERE line.report_id = %(report)s
              ORDER BY company.name, line.total DESC, line.id
                """,
                buckets=SQL(", ").join(
                    SQL("line.%s", SQL.identifier(column)) for column in REPORTING_COLUMNS[:count]
                ),
                report=report.id,
            )
        )
        totals = [0.0] * (count + 1)
        row = header_row
        for company, customer, salesperson, grade, total, *rest in rows:
            buckets, (currency, symbol, digits, position, total_company) = (
                rest[:count],
                rest[count:],
            )
            row += 1
            sheet.write_string(row, 0, company or "")
            sheet.write_string(row, 1, customer or _("(no customer)"))
            sheet.write_string(row, 2, salesperson or "")
            sheet.write_string(row, 3, grade or "")
            for col, amount in enumerate([total, *buckets], start=4):
                sheet.write_number(row, col, float(amount), currency_fmt)
                totals[col - 4] += float(amount)
            sheet.write_string(row, 5 + count, currency)
            sheet.write_number(
                row, 6 + count, float(total_company), styles.number(symbol, digits, position)
            )
        last_data_row = row
        row += 1
        sheet.write_string(row, 0, _("Total"), styles.total_label)
        for col in range(1, 4):
            sheet.write_blank(row, col, None, styles.total_label)
        for col, amount in enumerate(totals, start=4):
            sheet.write_number(
                row, col, report.currency_id.round(amount), styles.money(report.currency_id, True)
            )
        sheet.freeze_panes(header_row + 1, 2)
        sheet.autofilter(header_row, 0, max(last_data_row, header_row), len(titles) - 1)

    def _write_detail(self, workbook, styles, report, labels):
        _ = self.env._
        sheet = workbook.add_worksheet(_("Detail"))
        rates = report._rates()
        titles = [
            (_("Company"), 24),
            (_("Customer"), 36),
            (_("Document"), 20),
            (_("Type"), 14),
            (_("Account"), 12),
            (_("Date"), 11),
            (_("Due Date"), 11),
            (_("Days"), 7),
            (_("Age"), 14),
            (_("Company Currency"), 10),
            (_("Open Amount"), 16),
            (_("Currency"), 9),
            (_("Open Amount in Currency"), 18),
            (_("Open Amount in %s", report.currency_id.name), 18),
        ]
        header_row = self._write_title(sheet, styles, report)
        for col, (title, width) in enumerate(titles):
            sheet.set_column(col, col, width)
            sheet.write_string(header_row, col, title, styles.header)
        move_types = dict(
            self.env["account.move"]._fields["move_type"]._description_selection(self.env)
        )
        items = self.env["credit.aging.engine"]._open_items_sql(
            report.as_of, report.company_ids.ids, report.basis, **report._engine_filters()
        )
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                SELECT company.name, partner.complete_name, am.name, am.move_type,
                       COALESCE(account.code_store->>(items.company_id::text),
                                account.code_store->>split_part(company.parent_path, '/', 1)),
                       items.date,
                       items.due_date, items.days,
                       width_bucket(items.days, %(thresholds)s::int[]),
                       ccur.name, ccur.symbol, ccur.decimal_places, ccur.position,
                       items.residual, cur.name, cur.symbol, cur.decimal_places, cur.position,
                       items.residual_currency, items.company_id
                  FROM (%(items)s) items
                  JOIN res_company company ON company.id = items.company_id
                  JOIN res_currency ccur ON ccur.id = company.currency_id
                  JOIN account_move am ON am.id = items.move_id
                  JOIN account_account account ON account.id = items.account_id
             LEFT JOIN res_currency cur ON cur.id = items.currency_id
             LEFT JOIN res_partner partner ON partner.id = items.partner_id
              ORDER BY company.name, partner.complete_name, items.partner_id, items.due_date,
                       items.line_id
                """,
                thresholds=core_aging.sql_thresholds(report._bounds()),
                items=items,
            )
        )
        reporting = report.currency_id
        reporting_fmt = styles.money(reporting)
        reporting_digits = reporting.decimal_places
        rates = {company: float(rate) for company, rate in rates.items()}
        # no ORM call from here on: it would run its queries on the cursor being read
        no_customer = _("(no customer)")
        total = 0.0
        row = header_row
        while chunk := cr.fetchmany(FETCH_SIZE):
            for (
                company,
                customer,
                document,
                move_type,
                account,
                date,
                due_date,
                days,
                bucket,
                company_currency,
                company_symbol,
                company_digits,
                company_position,
                residual,
                currency,
                symbol,
                digits,
                position,
                residual_currency,
                company_id,
            ) in chunk:
                row += 1
                converted = round(float(residual) * rates[company_id], reporting_digits)
                total += converted
                sheet.write_string(row, 0, company)
                sheet.write_string(row, 1, customer or no_customer)
                sheet.write_string(row, 2, document or "")
                sheet.write_string(row, 3, move_types.get(move_type, move_type))
                sheet.write_string(row, 4, account or "")
                sheet.write_datetime(row, 5, date, styles.date)
                sheet.write_datetime(row, 6, due_date, styles.date)
                sheet.write_number(row, 7, days)
                sheet.write_string(row, 8, labels[bucket])
                sheet.write_string(row, 9, company_currency)
                sheet.write_number(
                    row,
                    10,
                    float(residual),
                    styles.number(company_symbol, company_digits, company_position),
                )
                sheet.write_string(row, 11, currency or "")
                sheet.write_number(
                    row,
                    12,
                    float(residual_currency),
                    styles.number(symbol, digits, position) if currency else None,
                )
                sheet.write_number(row, 13, converted, reporting_fmt)
        last_data_row = row
        row += 1
        sheet.write_string(row, 0, _("Total"), styles.total_label)
        for col in range(1, 13):
            sheet.write_blank(row, col, None, styles.total_label)
        sheet.write_number(row, 13, reporting.round(total), styles.money(reporting, True))
        sheet.freeze_panes(header_row + 1, 3)
        sheet.autofilter(header_row, 0, max(last_data_row, header_row), len(titles) - 1)


class _Styles:
    """The workbook's formats, number formats made once per currency."""

    def __init__(self, workbook):
        self.workbook = workbook
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.text = workbook.add_format({"italic": True})
        self.header = workbook.add_format(
            {
                "bold": True,
                "bg_color": "#DDE4EE",
                "border": 1,
                "text_wrap": True,
                "valign": "vcenter",
                "align": "center",
            }
        )
        self.total_label = workbook.add_format({"bold": True, "top": 2})
        self.date = workbook.add_format({"num_format": "yyyy-mm-dd"})
        self._money = {}

    def money(self, currency, total=False):
        return self.number(
            currency.symbol or currency.name, currency.decimal_places, currency.position, total
        )

    def number(self, symbol, digits, position, total=False):
        """The number format of amounts in a currency (symbol, decimal places, position),
        made once per workbook."""
        key = (symbol, digits, position, total)
        if key not in self._money:
            decimals = "0" * (digits or 0)
            number = "#,##0" + (f".{decimals}" if decimals else "")
            symbol = (symbol or "").replace('"', "")
            pattern = f'"{symbol}" {number}' if position == "before" else f'{number} "{symbol}"'
            props = {"num_format": pattern}
            if total:
                props.update({"bold": True, "top": 2})
            self._money[key] = self.workbook.add_format(props)
        return self._money[key]
