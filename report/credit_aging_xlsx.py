import itertools
import os
import re
import zipfile
from datetime import date as Date

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from odoo import api, fields, models
from odoo.tools import SQL

from ..credit_management import aging as core_aging
from .credit_aging_report import REPORTING_COLUMNS

FETCH_SIZE = 5_000
"""Rows fetched from PostgreSQL at a time while writing the detail sheet."""

CURSOR_NAME = "credit_aging_xlsx_detail"
_CURSOR_NUMBERS = itertools.count(1)
EXCEL_EPOCH = Date(1899, 12, 30).toordinal()
"""Excel's serial number of a date (after 1900-02-28) is its ordinal minus this one."""
EXCEL_STRING_MAX = 32_767
_XML_SPECIAL = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _cell_text(value):
    """The rest of a ``<c r="...`` element holding ``value`` as an inline string, from the
    closing ``>`` of its start tag to its content's end (no content when empty): XML
    special characters escaped, characters XML cannot hold written as Excel's ``_xHHHH_``,
    leading or trailing blanks preserved, cut at Excel's limit."""
    if not value:
        return ">"
    value = value[:EXCEL_STRING_MAX]
    if _XML_SPECIAL.search(value):
        value = _XML_INVALID.sub(lambda match: f"_x{ord(match.group()):04X}_", value)
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    space = ' xml:space="preserve"' if value[0].isspace() or value[-1].isspace() else ""
    return f' t="inlineStr"><is><t{space}>{value}</t></is>'


class ReportCreditAgingXlsx(models.AbstractModel):
    """The aged receivables as an XLSX workbook: a "Summary" sheet (one row per customer,
    the report's lines, ``credit.aging.report.line._lines_sql``) and a "Detail" sheet
    (every open item). xlsxwriter writes the workbook (formats, titles, headers, widths,
    frozen panes, autofilters) to a draft file; the data rows of both sheets are then
    written as XML, one template per row, while the draft is copied to ``path`` (see
    ``_RowStream``). The open items come from a server-side cursor ``FETCH_SIZE`` at a
    time and go to the file in chunks, so memory stays flat however big the ledger is."""

    _name = "report.credit_management.report_credit_aging_xlsx"
    _description = "Aged Receivables XLSX"

    @api.model
    def _write_workbook(self, report, path):
        """Write ``report`` (a ``credit.aging.report``, saved or held in memory) to the file
        ``path``. Reads only: the summary from the screen's SQL model, the detail from the
        engine's open items through a server-side cursor (allowed in a read-only
        transaction, on a replica too)."""
        report.ensure_one()
        draft = f"{path}.draft"
        workbook = xlsxwriter.Workbook(
            draft, {"constant_memory": True, "strings_to_numbers": False}
        )
        workbook.use_zip64()  # as the final file's sheets (see _rewrite)
        try:
            try:
                styles = _Styles(workbook)
                labels = report._bucket_labels()
                currencies = self._currency_formats(styles)
                streams = [
                    self._write_summary(workbook, styles, report, labels, currencies),
                    self._write_detail(workbook, styles, report, labels, currencies),
                ]
            finally:
                workbook.close()
            _rewrite(draft, path, streams)
        finally:
            if os.path.exists(draft):
                os.unlink(draft)

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

    def _currency_formats(self, styles):
        """{currency id: (its code as cell text, its amount format)} of every currency
        (archived ones too: old items may be in them)."""
        return {
            currency["id"]: (
                _cell_text(currency["name"]),
                styles.number(currency["symbol"], currency["decimal_places"], currency["position"]),
            )
            for currency in self.env["res.currency"]
            .with_context(active_test=False)
            .search_read([], ["name", "symbol", "decimal_places", "position"])
        }

    @staticmethod
    def _placeholder(sheet, row, formats, currencies):
        """Write the placeholder row of a ``_RowStream``: one blank cell per format the
        streamed rows use, so that each has a style id."""
        cells = [*formats.values(), *(fmt for _text, fmt in currencies.values())]
        for col, fmt in enumerate(cells):
            sheet.write_blank(row, col, None, fmt)

    @staticmethod
    def _styles_ids(formats, currencies):
        """The style ids of the formats and currencies once the workbook is closed."""
        return (
            {key: fmt.xf_index for key, fmt in formats.items()},
            {key: (text, fmt.xf_index) for key, (text, fmt) in currencies.items()},
        )

    def _totals_row(self, row, last_col, label_style, total_text, amounts):
        """The XML of a totals row: the label, blanks in its style up to the amounts,
        ``amounts`` as (column, value, style id) at the end."""
        first_amount = amounts[0][0] if amounts else last_col + 1
        cells = [f'<c r="A{row}" s="{label_style}"{total_text}</c>']
        cells += [
            f'<c r="{xl_col_to_name(col)}{row}" s="{label_style}"/>'
            for col in range(1, first_amount)
        ]
        cells += [
            f'<c r="{xl_col_to_name(col)}{row}" s="{style}"><v>{value!r}</v></c>'
            for col, value, style in amounts
        ]
        return f'<row r="{row}" spans="1:{last_col + 1}">{"".join(cells)}</row>'

    def _write_summary(self, workbook, styles, report, labels, currencies):
        """The "Summary" sheet, one row per customer (the report's lines): titles and
        header by xlsxwriter, the rows as XML (see ``_RowStream``)."""
        _ = self.env._
        sheet = workbook.add_worksheet(_("Summary"))
        count = len(labels)
        reporting = report.currency_id
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
        placeholder = header_row + 1
        formats = {
            "total_label": styles.total_label,
            "total": styles.money(reporting, True),
            "reporting": styles.money(reporting),
        }
        self._placeholder(sheet, placeholder, formats, currencies)
        sheet.freeze_panes(header_row + 1, 2)
        sheet.autofilter(header_row, 0, placeholder, len(titles) - 1)

        lines = self.env["credit.aging.report.line"]._lines_sql(report)
        rows = self.env.execute_query(
            SQL(
                """
                SELECT company.name, partner.complete_name, user_partner.name,
                       grade.code, line.total::float8, %(buckets)s,
                       line.company_currency_id, line.total_company::float8
                  FROM (%(lines)s) line
                  JOIN res_company company ON company.id = line.company_id
             LEFT JOIN res_partner partner ON partner.id = line.partner_id
             LEFT JOIN res_users u ON u.id = line.user_id
             LEFT JOIN res_partner user_partner ON user_partner.id = u.partner_id
             LEFT JOIN credit_grade grade ON grade.id = line.grade_id
              ORDER BY company.name, line.total DESC, line.id
                """,
                buckets=SQL(", ").join(
                    SQL("line.%s::float8", SQL.identifier(column))
                    for column in REPORTING_COLUMNS[:count]
                ),
                lines=lines,
            )
        )
        no_customer = _cell_text(_("(no customer)"))
        total_text = _cell_text(_("Total"))
        round_amount = reporting.round
        last_col = len(titles) - 1
        amount_cols = [xl_col_to_name(col) for col in range(4, 5 + count)]
        currency_col = xl_col_to_name(5 + count)
        company_total_col = xl_col_to_name(6 + count)

        def produce(first_row):
            style, currency_styles = self._styles_ids(formats, currencies)
            amount_style = style["reporting"]
            spans = f"1:{last_col + 1}"

            def chunks():
                totals = [0.0] * (count + 1)
                texts = {}
                parts = []
                row = first_row - 1
                for (
                    company,
                    customer,
                    salesperson,
                    grade,
                    *amounts,
                    currency_id,
                    company_total,
                ) in rows:
                    row += 1
                    for index, amount in enumerate(amounts):
                        totals[index] += amount
                    for value in (company, salesperson, grade):
                        if value not in texts:
                            texts[value] = _cell_text(value)
                    currency, currency_style = currency_styles[currency_id]
                    parts.append(
                        f'<row r="{row}" spans="{spans}">'
                        f'<c r="A{row}"{texts[company]}</c>'
                        f'<c r="B{row}"{_cell_text(customer) if customer else no_customer}</c>'
                        f'<c r="C{row}"{texts[salesperson]}</c>'
                        f'<c r="D{row}"{texts[grade]}</c>'
                        + "".join(
                            f'<c r="{col}{row}" s="{amount_style}"><v>{amount!r}</v></c>'
                            for col, amount in zip(amount_cols, amounts, strict=True)
                        )
                        + f'<c r="{currency_col}{row}"{currency}</c>'
                        f'<c r="{company_total_col}{row}" s="{currency_style}">'
                        f"<v>{company_total!r}</v></c></row>"
                    )
                    if len(parts) >= FETCH_SIZE:
                        yield "".join(parts)
                        parts = []
                yield "".join(parts)
                yield self._totals_row(
                    row + 1,
                    last_col,
                    style["total_label"],
                    total_text,
                    [
                        (col, round_amount(amount), style["total"])
                        for col, amount in enumerate(totals, start=4)
                    ],
                )

            end = first_row + len(rows)
            return end, end - 1, chunks()

        return _RowStream(sheet, placeholder, produce)

    def _write_detail(self, workbook, styles, report, labels, currencies):
        """The "Detail" sheet, one row per open item: titles and header by xlsxwriter, the
        rows streamed from a server-side cursor into the file (see ``_RowStream``)."""
        _ = self.env._
        sheet = workbook.add_worksheet(_("Detail"))
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
        reporting = report.currency_id
        placeholder = header_row + 1
        formats = {
            "total_label": styles.total_label,
            "total": styles.money(reporting, True),
            "date": styles.date,
            "reporting": styles.money(reporting),
        }
        self._placeholder(sheet, placeholder, formats, currencies)
        sheet.freeze_panes(header_row + 1, 3)
        sheet.autofilter(header_row, 0, placeholder, len(titles) - 1)

        engine = self.env["credit.aging.engine"]
        items = engine._visible_open_items_sql(
            report.as_of, report.company_ids._origin.ids, report.basis, **report._engine_filters()
        )
        rates = report._rates()
        query = SQL(
            """
            SELECT company.name, partner.complete_name, am.name, am.move_type,
                   COALESCE(account.code_store->>(items.company_id::text),
                            account.code_store->>split_part(company.parent_path, '/', 1)),
                   items.date, items.due_date, items.days,
                   width_bucket(items.days, %(thresholds)s::int[]),
                   company.currency_id, items.residual::float8,
                   items.currency_id, items.residual_currency::float8,
                   ROUND(items.residual * %(rate)s, %(digits)s)::float8
              FROM (%(items)s) items
              JOIN res_company company ON company.id = items.company_id
              JOIN account_move am ON am.id = items.move_id
              JOIN account_account account ON account.id = items.account_id
         LEFT JOIN res_partner partner ON partner.id = items.partner_id
          ORDER BY company.name, partner.complete_name, items.partner_id, items.due_date,
                   items.line_id
            """,
            thresholds=core_aging.sql_thresholds(report._bounds()),
            items=items,
            digits=reporting.decimal_places,
            # a CASE, not a join: a join on a list of rates misleads the planner's estimates
            rate=SQL(
                "CASE items.company_id %s END",
                SQL(" ").join(
                    SQL("WHEN %s THEN %s::numeric", company, rate)
                    for company, rate in rates.items()
                ),
            ),
        )
        move_types = {
            key: _cell_text(label)
            for key, label in self.env["account.move"]
            ._fields["move_type"]
            ._description_selection(self.env)
        }
        texts = {
            "labels": [_cell_text(label) for label in labels],
            "no_customer": _cell_text(_("(no customer)")),
            "total": _cell_text(_("Total")),
            "move_types": move_types,
        }
        round_amount = reporting.round

        def produce(first_row):
            # the items are sorted by the server anyway: count them first (MOVE), then
            # read them FETCH_SIZE at a time, never all in memory
            cr = self.env.cr
            engine._tune_session()
            cursor = SQL.identifier(f"{CURSOR_NAME}_{next(_CURSOR_NUMBERS)}")
            cr.execute(SQL("DECLARE %s SCROLL CURSOR FOR %s", cursor, query))
            cr.execute(SQL("MOVE FORWARD ALL IN %s", cursor))
            end = first_row + cr.rowcount  # the totals row
            cr.execute(SQL("MOVE ABSOLUTE 0 IN %s", cursor))
            style, currency_styles = self._styles_ids(formats, currencies)
            chunks = self._detail_chunks(cursor, first_row, texts, style, currency_styles)

            def with_totals():
                total = yield from chunks
                yield self._totals_row(
                    end,
                    len(titles) - 1,
                    style["total_label"],
                    texts["total"],
                    [(len(titles) - 1, round_amount(total), style["total"])],
                )

            return end, end - 1, with_totals()

        return _RowStream(sheet, placeholder, produce)

    def _detail_chunks(self, cursor, first_row, texts, style, currency_styles):
        """XML of the detail rows from ``cursor``, one chunk per fetch; returns the total
        in the reporting currency."""
        cr = self.env.cr
        date_style, reporting_style = style["date"], style["reporting"]
        move_types, labels = texts["move_types"], texts["labels"]
        no_customer = texts["no_customer"]
        cache = {}  # companies and accounts: few distinct values
        serials = {}  # dates
        customer = customer_text = None
        total = 0.0
        row = first_row - 1
        try:
            while True:
                cr.execute(SQL("FETCH FORWARD %s FROM %s", FETCH_SIZE, cursor))
                chunk = cr.fetchall()
                if not chunk:
                    break
                parts = []
                for (
                    company,
                    partner,
                    document,
                    move_type,
                    account,
                    date,
                    due_date,
                    days,
                    bucket,
                    company_currency_id,
                    residual,
                    currency_id,
                    residual_currency,
                    converted,
                ) in chunk:
                    row += 1
                    total += converted
                    if partner != customer:
                        customer = partner
                        customer_text = _cell_text(partner) if partner else no_customer
                    if (company_text := cache.get(company)) is None:
                        company_text = cache[company] = _cell_text(company)
                    if (account_text := cache.get(account)) is None:
                        account_text = cache[account] = _cell_text(account)
                    if (date_serial := serials.get(date)) is None:
                        date_serial = serials[date] = date.toordinal() - EXCEL_EPOCH
                    if (due_serial := serials.get(due_date)) is None:
                        due_serial = serials[due_date] = due_date.toordinal() - EXCEL_EPOCH
                    company_currency, company_style = currency_styles[company_currency_id]
                    if currency_id:
                        currency, currency_style = currency_styles[currency_id]
                        currency_style = f' s="{currency_style}"'
                    else:
                        currency, currency_style = ">", ""
                    parts.append(
                        f'<row r="{row}" spans="1:14">'
                        f'<c r="A{row}"{company_text}</c>'
                        f'<c r="B{row}"{customer_text}</c>'
                        f'<c r="C{row}"{_cell_text(document)}</c>'
                        f'<c r="D{row}"{move_types.get(move_type) or _cell_text(move_type)}</c>'
                        f'<c r="E{row}"{account_text}</c>'
                        f'<c r="F{row}" s="{date_style}"><v>{date_serial}</v></c>'
                        f'<c r="G{row}" s="{date_style}"><v>{due_serial}</v></c>'
                        f'<c r="H{row}"><v>{days}</v></c>'
                        f'<c r="I{row}"{labels[bucket]}</c>'
                        f'<c r="J{row}"{company_currency}</c>'
                        f'<c r="K{row}" s="{company_style}"><v>{residual!r}</v></c>'
                        f'<c r="L{row}"{currency}</c>'
                        f'<c r="M{row}"{currency_style}><v>{residual_currency!r}</v></c>'
                        f'<c r="N{row}" s="{reporting_style}"><v>{converted!r}</v></c>'
                        "</row>"
                    )
                yield "".join(parts)
        finally:
            cr.execute(SQL("CLOSE %s", cursor))
        return total


class _RowStream:
    """The data rows of a sheet, written as XML straight into the XLSX after xlsxwriter
    closed the workbook (xlsxwriter spends 15-30 µs of Python per cell; one template per
    row is several times faster). xlsxwriter writes everything else: titles, header,
    widths, frozen panes, autofilter, and one placeholder row at the 0-based ``row``
    whose cells carry every format the rows use, so that each has its style id once the
    workbook is closed. ``produce(first_row)`` returns ``(end, filter_end, chunks)``: the
    1-based last row it writes, the 1-based last row of the autofilter, and an iterator
    of XML text whose rows start at the 1-based ``first_row``. The placeholder row is
    replaced by these chunks, the dimension and the autofilter follow them."""

    def __init__(self, sheet, row, produce):
        self.sheet = sheet
        self.row = row
        self.produce = produce
        self.end = self.filter_end = self.chunks = None

    @property
    def entry(self):
        return f"xl/worksheets/sheet{self.sheet.index + 1}.xml"

    def start(self):
        self.end, self.filter_end, self.chunks = self.produce(self.row + 1)

    def write_to(self, source, target):
        """Copy the sheet's XML from the ``source`` zip into the ``target`` zip with the
        produced rows in place of the placeholder row, in chunks of about 1 MB."""
        xml = source.read(self.entry).decode()
        start = xml.index(f'<row r="{self.row + 1}"')
        end = xml.index("</row>", start) + len("</row>")
        last_column = xl_col_to_name(self.sheet.filter_range[1])
        head = re.sub(
            r'<dimension ref="[^"]*"/>',
            f'<dimension ref="A1:{last_column}{self.end}"/>',
            xml[:start],
            count=1,
        )
        tail = re.sub(
            r'(<autoFilter ref="[A-Z]+\d+:[A-Z]+)\d+"',
            lambda match: f'{match.group(1)}{self.filter_end}"',
            xml[end:],
            count=1,
        )
        # the target's compression; ZIP64 for a sheet that may pass 2 GiB (millions of
        # open items: 10M receivable lines gave more), which Excel reads as well
        with target.open(self.entry, "w", force_zip64=True) as handle:
            handle.write(head.encode())
            batch, size = [], 0
            for text in self.chunks:
                batch.append(text)
                size += len(text)
                if size > 1 << 20:
                    handle.write("".join(batch).encode())
                    batch, size = [], 0
            handle.write("".join(batch).encode())
            handle.write(tail.encode())

    def fix_workbook(self, xml):
        """The end of the autofilter's defined name in ``xl/workbook.xml``."""
        return re.sub(
            rf'(<definedName name="_xlnm\._FilterDatabase" localSheetId="{self.sheet.index}"'
            r"[^>]*>[^<]*\$)\d+(</definedName>)",
            lambda match: f"{match.group(1)}{self.filter_end}{match.group(2)}",
            xml,
            count=1,
        )


def _rewrite(source_path, target_path, streams):
    """Copy the XLSX at ``source_path`` to ``target_path``, each stream's sheet with its
    produced rows."""
    for stream in streams:
        stream.start()
    by_entry = {stream.entry: stream for stream in streams}
    with (
        zipfile.ZipFile(source_path) as source,
        zipfile.ZipFile(target_path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target,
    ):
        for info in source.infolist():
            if info.filename in by_entry:
                by_entry[info.filename].write_to(source, target)
            elif info.filename == "xl/workbook.xml":
                xml = source.read(info).decode()
                for stream in streams:
                    xml = stream.fix_workbook(xml)
                target.writestr(info, xml.encode())
            else:
                target.writestr(info, source.read(info))


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
