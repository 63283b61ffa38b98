from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..credit_management import concentration as core_concentration
from ..credit_management import dashboard as core_dashboard
from ..credit_management import kpis as core_kpis
from ..models.credit_kpi import DEFAULT_PERIOD_DAYS

TREND_MONTHS = 12
MAX_PERIOD_DAYS = 3660
DECIDED_STATES = ("approved", "rejected")
KPI_AMOUNTS = (
    "credit_sales",
    "opening_ar",
    "closing_ar",
    "current_ar",
    "overdue_ar",
    "written_off",
)


class CreditDashboard(models.AbstractModel):
    """The credit cockpit (信用驾驶舱), the app's landing page: every tile's figures in one
    call (:meth:`get_dashboard_data`) read by a few SQL aggregates through the engines that
    compute them elsewhere — exposure and limits (``credit.budget._concentration``, the
    concentration report's source), the aging engine's open items as of each month-end,
    the KPIs of ``credit.kpi`` for this period and the previous one, holds, and the
    collection effectiveness view. It writes nothing (``@api.readonly``: over RPC it runs on
    the read-only cursor, a replica where there is one).

    Scope: the companies selected in the company switcher (``env.companies``), every figure
    converted into the current company's currency at today's rate; ratios (DSO, shares,
    utilisation) are computed on the converted sums, utilisation per customer in its own
    company's currency. Company-wide figures: credit officers and managers only."""

    _name = "credit.dashboard"
    _description = "Credit Dashboard"

    # ------------------------------------------------------------------
    # entry point
    # ------------------------------------------------------------------
    @api.readonly
    @api.model
    def get_dashboard_data(self, period_days=None, date_to=None):
        """All the tiles of the dashboard for the period of ``period_days`` days (default
        90) ending on ``date_to`` (default today), compared with the period of the same
        length before it. JSON-ready: numbers, strings, and the window actions each tile
        opens (``action`` keys)."""
        self._check_dashboard_access()
        period_days = DEFAULT_PERIOD_DAYS if period_days is None else period_days
        if (
            isinstance(period_days, bool)
            or not isinstance(period_days, int)
            or not 1 <= period_days <= MAX_PERIOD_DAYS
        ):
            raise UserError(
                self.env._(
                    "The period of the credit dashboard is a whole number of days between 1 "
                    "and %(max)s.",
                    max=MAX_PERIOD_DAYS,
                )
            )
        try:
            date_to = fields.Date.to_date(date_to) if date_to else fields.Date.context_today(self)
        except (TypeError, ValueError) as error:
            raise UserError(
                self.env._("The credit dashboard's end date is not a date: %s", date_to)
            ) from error
        date_from = date_to - timedelta(days=period_days - 1)
        previous_from, previous_to = core_dashboard.previous_period(date_from, date_to)
        companies = self.env.companies
        currency = self.env.company.currency_id
        # read past the record rules and the aging engine's salesperson filter: the group
        # check above is the boundary, the companies are the user's selected ones
        dashboard = self.sudo().with_context(active_test=True)
        rates = dashboard._rates(companies, currency, date_to)
        positions = dashboard._positions(companies, rates)
        return {
            "currency_id": currency.id,
            "companies": companies.mapped("name"),
            "period": {
                "days": period_days,
                "date_from": fields.Date.to_string(date_from),
                "date_to": fields.Date.to_string(date_to),
                "previous_from": fields.Date.to_string(previous_from),
                "previous_to": fields.Date.to_string(previous_to),
            },
            "kpis": dashboard._kpi_tiles(companies, rates, date_from, date_to),
            "grades": dashboard._grade_tile(companies, positions),
            "utilisation": dashboard._utilisation_tile(companies, positions),
            "holds": dashboard._holds_tile(companies, rates, date_from, date_to),
            "trend": dashboard._trend_tile(companies, rates, date_to),
            "concentration": dashboard._concentration_tile(positions),
            "effectiveness": dashboard._effectiveness_tile(companies, rates, date_from, date_to),
        }

    def _check_dashboard_access(self):
        if not self.env.user.has_group("credit_management.group_credit_officer"):
            raise AccessError(
                self.env._(
                    "Only credit officers and credit managers see the company-wide credit "
                    "dashboard."
                )
            )

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------
    def _rates(self, companies, currency, on_date):
        """{company id: rate} from each company's currency to ``currency`` on ``on_date``."""
        Currency = self.env["res.currency"]
        return {
            company.id: Currency._get_conversion_rate(
                company.currency_id, currency, self.env.company, on_date
            )
            for company in companies
        }

    @staticmethod
    def _number(value, digits=2):
        return None if value is None else round(float(value), digits)

    def _window(self, xmlid, domain, name=None, context=None):
        """The window action ``xmlid`` narrowed to ``domain``: what a tile opens."""
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = domain
        action["context"] = context or {}
        if name:
            action["name"] = name
        return action

    def _aging_action(self, companies, as_of):
        """The aged receivables as of ``as_of``, for the same companies: the open items
        behind the receivable figures."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "credit_management.credit_aging_report_action"
        )
        action["context"] = {
            "default_as_of": fields.Date.to_string(as_of),
            "default_company_ids": companies.ids,
        }
        return action

    @staticmethod
    def _day_bounds(date_from, date_to):
        """[start, end) datetimes (UTC, as stored) of the days [date_from, date_to]."""
        return (
            fields.Datetime.to_string(fields.Datetime.to_datetime(date_from)),
            fields.Datetime.to_string(fields.Datetime.to_datetime(date_to + timedelta(days=1))),
        )

    # ------------------------------------------------------------------
    # exposure, grades, limits, concentration
    # ------------------------------------------------------------------
    def _positions(self, companies, rates):
        """Every customer holding credit in ``companies`` (the concentration's positions:
        ``credit.budget._concentration``), with its credit file's id, grade and unlimited
        flag: [{"company_id", "partner_id", "file_id", "grade_id", "unlimited", "limit",
        "exposure" (company currency), "exposure_converted"}]."""
        Budget = self.env["credit.budget"]
        self.env["credit.file"].flush_model(
            ["active", "company_id", "grade_id", "partner_id", "unlimited"]
        )
        files = {
            (company_id, partner_id): (file_id, grade_id, unlimited)
            for file_id, company_id, partner_id, grade_id, unlimited in self.env.execute_query(
                SQL(
                    """
                SELECT f.id, f.company_id, f.partner_id, f.grade_id, f.unlimited
                  FROM credit_file f
                 WHERE f.active AND f.company_id = ANY(%s)
                    """,
                    companies.ids,
                )
            )
        }
        positions = []
        for company in companies:
            for position in Budget._concentration(company)["positions"]:
                file_id, grade_id, unlimited = files.get(
                    (company.id, position["partner_id"]), (None, None, False)
                )
                positions.append(
                    {
                        "company_id": company.id,
                        "partner_id": position["partner_id"],
                        "file_id": file_id,
                        "grade_id": grade_id,
                        "unlimited": bool(unlimited),
                        "limit": position["limit"],
                        "exposure": position["exposure"],
                        "exposure_converted": position["exposure"] * rates[company.id],
                    }
                )
        return positions

    def _grade_tile(self, companies, positions):
        """Exposure by grade: the sum of the exposures of the customers whose credit file
        has each grade (AAA first), then files without a grade, then customers with open
        receivables but no credit file; each bar opens those files (or customers)."""
        by_grade = defaultdict(lambda: {"exposure": 0.0, "count": 0})
        no_file = []
        for position in positions:
            if position["file_id"] is None:
                no_file.append(position)
                continue
            bucket = by_grade[position["grade_id"] or False]
            bucket["exposure"] += position["exposure_converted"]
            bucket["count"] += 1
        grades = self.env["credit.grade"].search([])
        bars = []
        for grade in [*grades, False]:
            values = by_grade.get(grade.id if grade else False)
            if not values:
                continue
            bars.append(
                {
                    "key": grade.code if grade else "unrated",
                    "label": grade.code if grade else self.env._("Unrated"),
                    "exposure": self._number(values["exposure"]),
                    "count": values["count"],
                    "action": self._window(
                        "credit_management.credit_dashboard_file_action",
                        [
                            ("company_id", "in", companies.ids),
                            ("grade_id", "=", grade.id if grade else False),
                        ],
                        name=self.env._(
                            "Credit Files: %(grade)s",
                            grade=grade.code if grade else self.env._("Unrated"),
                        ),
                    ),
                }
            )
        if no_file:
            bars.append(
                {
                    "key": "no_file",
                    "label": self.env._("No Credit File"),
                    "exposure": self._number(sum(p["exposure_converted"] for p in no_file)),
                    "count": len(no_file),
                    "action": self._window(
                        "credit_management.credit_dashboard_partner_action",
                        [("id", "in", sorted({p["partner_id"] for p in no_file}))],
                        name=self.env._("Customers Owing without a Credit File"),
                    ),
                }
            )
        return {
            "bars": bars,
            "total": self._number(sum(p["exposure_converted"] for p in positions)),
        }

    def _utilisation_tile(self, companies, positions):
        """Limit utilisation: the credit files (not unlimited) whose exposure is above 80 %
        of their limit in force, and above 100 % (a limit of 0 with money owed is over it).
        Customers without a credit file have no limit to use and are not counted. The
        exposure is computed, not stored: the click-through lists the files by id."""
        bands = defaultdict(list)
        with_limit = 0
        for position in positions:
            if position["file_id"] is None or position["unlimited"]:
                continue
            with_limit += 1
            band = core_dashboard.utilisation_band(position["exposure"], position["limit"])
            if band:
                bands[core_dashboard.UTILISATION_WATCH].append(position["file_id"])
                if band == core_dashboard.UTILISATION_OVER:
                    bands[core_dashboard.UTILISATION_OVER].append(position["file_id"])
        result = {"files": with_limit}
        names = {
            core_dashboard.UTILISATION_WATCH: self.env._("Customers over 80% of Their Limit"),
            core_dashboard.UTILISATION_OVER: self.env._("Customers over Their Limit"),
        }
        for band, name in names.items():
            ids = sorted(bands[band])
            result[band] = {
                "count": len(ids),
                "action": self._window(
                    "credit_management.credit_dashboard_file_action",
                    [("id", "in", ids)],
                    name=name,
                ),
            }
        return result

    def _concentration_tile(self, positions):
        """The ten customers with the largest exposure and their share of the total
        (``credit_management.concentration``, as the concentration report), a customer's
        positions in several companies added up."""
        by_partner = defaultdict(float)
        for position in positions:
            by_partner[position["partner_id"]] += position["exposure_converted"]
        ranked = sorted(by_partner.items(), key=lambda item: (-item[1], item[0]))
        shares = core_concentration.shares(amount for _partner, amount in ranked)
        summary = core_concentration.concentration(amount for _partner, amount in ranked)
        top = [
            (partner_id, amount, share)
            for (partner_id, amount), share in zip(ranked, shares, strict=True)
            if amount > 0
        ][: core_concentration.TOP_N]
        partners = self.env["res.partner"].browse([partner_id for partner_id, *_rest in top])
        names = dict(zip(partners.ids, partners.mapped("display_name"), strict=True))
        return {
            "customers": [
                {
                    "partner_id": partner_id,
                    "name": names[partner_id],
                    "exposure": self._number(amount),
                    "share": self._number(core_concentration.share_percent(share), 1),
                }
                for partner_id, amount, share in top
            ],
            "total": self._number(summary.total),
            "top_share": self._number(core_concentration.share_percent(summary.top_share), 1),
            "hhi": self._number(summary.hhi, 4),
            "action": self._window(
                "credit_management.credit_dashboard_partner_action",
                [("id", "in", [partner_id for partner_id, *_rest in top])],
                name=self.env._("Top 10 Customers by Exposure"),
            ),
        }

    # ------------------------------------------------------------------
    # holds
    # ------------------------------------------------------------------
    def _holds_tile(self, companies, rates, date_from, date_to):
        """Holds waiting (count, amount held) and the decision times of the holds decided
        in the period and in the previous one: hours from the hold to the decision, median
        and average (one SQL aggregate)."""
        previous_from, previous_to = core_dashboard.previous_period(date_from, date_to)
        start, end = self._day_bounds(date_from, date_to)
        previous_start = self._day_bounds(previous_from, previous_to)[0]
        self.env["credit.hold"].flush_model(
            ["state", "company_id", "order_amount", "decided_on", "create_date"]
        )
        rows = self.env.execute_query(
            SQL(
                """
            SELECT company_id, COUNT(*), COALESCE(SUM(order_amount), 0)
              FROM credit_hold
             WHERE company_id = ANY(%s) AND state = 'pending'
          GROUP BY company_id
                """,
                companies.ids,
            )
        )
        waiting = sum(count for _company, count, _amount in rows)
        amount = sum(float(amount) * rates[company] for company, _count, amount in rows)
        times = self.env.execute_query(
            SQL(
                """
            WITH decided AS (
                SELECT decided_on >= %(start)s AS current,
                       EXTRACT(EPOCH FROM decided_on - create_date) / 3600.0 AS hours
                  FROM credit_hold
                 WHERE company_id = ANY(%(companies)s)
                   AND state IN %(decided)s
                   AND decided_on >= %(previous_start)s AND decided_on < %(end)s
            )
            SELECT current, COUNT(*),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY hours), AVG(hours)
              FROM decided
          GROUP BY current
                """,
                companies=companies.ids,
                decided=DECIDED_STATES,
                start=start,
                end=end,
                previous_start=previous_start,
            )
        )
        by_period = {current: (count, median, average) for current, count, median, average in times}
        current = by_period.get(True, (0, None, None))
        previous = by_period.get(False, (0, None, None))
        company_domain = [("company_id", "in", companies.ids)]
        return {
            "waiting": waiting,
            "amount": self._number(amount),
            "decided": current[0],
            "median_hours": self._number(current[1], 1),
            "average_hours": self._number(current[2], 1),
            "previous": {
                "decided": previous[0],
                "median_hours": self._number(previous[1], 1),
                "average_hours": self._number(previous[2], 1),
            },
            "median_change": self._change(current[1], previous[1]),
            "action": self._window(
                "credit_management.credit_dashboard_hold_action",
                [("state", "=", "pending"), *company_domain],
                name=self.env._("Holds Waiting for a Decision"),
            ),
            "decided_action": self._window(
                "credit_management.credit_dashboard_hold_action",
                [
                    ("state", "in", list(DECIDED_STATES)),
                    ("decided_on", ">=", start),
                    ("decided_on", "<", end),
                    *company_domain,
                ],
                name=self.env._("Holds Decided in the Period"),
            ),
        }

    # ------------------------------------------------------------------
    # overdue and DSO over 12 month-ends
    # ------------------------------------------------------------------
    def _trend_tile(self, companies, rates, date_to):
        """Receivables, overdue and DSO at each of the last 12 month-ends on or before
        ``date_to``: the items open at the end of that day as the books stood then (the
        aging engine's ``_open_items_sql``, one aggregate per month-end, all sent in one
        statement) and the credit sales of the month ending there.

        DSO at a month-end = receivables / credit sales of that month x days of the month
        (``credit_management.kpis.dso``); overdue = the part due before the month-end."""
        ends = core_dashboard.month_ends(date_to, TREND_MONTHS)
        Engine = self.env["credit.aging.engine"]
        Kpi = self.env["credit.kpi"]
        Kpi._flush_lines()
        per_month = [
            SQL(
                """
            SELECT %(as_of)s::date AS as_of, items.company_id,
                   SUM(items.residual) AS total,
                   SUM(items.residual) FILTER (WHERE items.due_date < %(as_of)s) AS overdue
              FROM (%(items)s) items
          GROUP BY items.company_id
                """,
                as_of=as_of,
                items=Engine._open_items_sql(as_of, companies.ids),
            )
            for as_of in ends
        ]
        open_rows = self.env.execute_query(SQL(" UNION ALL ").join(per_month))
        sales_rows = self.env.execute_query(
            SQL(
                """
            SELECT aml.company_id, date_trunc('month', aml.date)::date, SUM(aml.balance)
              FROM account_move_line aml
              JOIN account_move am ON am.id = aml.move_id
             WHERE %(receivable)s
               AND am.move_type IN ('out_invoice', 'out_refund')
               AND aml.date BETWEEN %(date_from)s AND %(date_to)s
          GROUP BY 1, 2
                """,
                receivable=Kpi._receivable_items(companies.ids),
                date_from=ends[0].replace(day=1),
                date_to=ends[-1],
            )
        )
        totals = defaultdict(lambda: [0.0, 0.0])
        for as_of, company, total, overdue in open_rows:
            totals[as_of][0] += float(total or 0) * rates[company]
            totals[as_of][1] += float(overdue or 0) * rates[company]
        sales = defaultdict(float)
        for company, month, amount in sales_rows:
            sales[month] += float(amount or 0) * rates[company]
        points = []
        for as_of in ends:
            total, overdue = totals[as_of]
            month_sales = sales[as_of.replace(day=1)]
            points.append(
                {
                    "date": fields.Date.to_string(as_of),
                    "receivables": self._number(total),
                    "overdue": self._number(overdue),
                    "credit_sales": self._number(month_sales),
                    "overdue_ratio": self._number(core_kpis.overdue_ratio(overdue, total), 1),
                    "dso": self._number(core_kpis.dso(total, month_sales, as_of.day), 1),
                    "action": self._aging_action(companies, as_of),
                }
            )
        return points

    # ------------------------------------------------------------------
    # KPIs, this period against the previous one
    # ------------------------------------------------------------------
    def _period_amounts(self, companies, rates, date_from, date_to):
        """The KPI amounts of ``credit.kpi._kpis`` for the period, converted and added up
        over the companies."""
        kpis = self.env["credit.kpi"]._kpis(companies.ids, date_from, date_to)
        totals = dict.fromkeys(KPI_AMOUNTS, 0.0)
        for company in companies:
            values = kpis[(company.id, None)]
            for name in KPI_AMOUNTS:
                totals[name] += float(values[name] or 0) * rates[company.id]
        return totals

    @staticmethod
    def _ratios(amounts, days):
        """The KPIs of the dashboard from the amounts of a period (core formulas)."""
        return {
            "credit_sales": amounts["credit_sales"],
            "closing_ar": amounts["closing_ar"],
            "overdue_ar": amounts["overdue_ar"],
            "dso": core_kpis.dso(amounts["closing_ar"], amounts["credit_sales"], days),
            "cei": core_kpis.collection_effectiveness_index(
                amounts["opening_ar"],
                amounts["credit_sales"],
                amounts["closing_ar"],
                amounts["current_ar"],
            ),
            "overdue_ratio": core_kpis.overdue_ratio(amounts["overdue_ar"], amounts["closing_ar"]),
            "bad_debt_ratio": core_kpis.bad_debt_ratio(
                amounts["written_off"], amounts["credit_sales"]
            ),
        }

    def _kpi_labels(self):
        """(name, label, unit, better) of the KPIs compared; ``better`` says which way is
        good news (for the arrow's colour)."""
        _ = self.env._
        return [
            ("credit_sales", _("Credit Sales"), "amount", "up"),
            ("closing_ar", _("Receivables"), "amount", "down"),
            ("overdue_ar", _("Overdue"), "amount", "down"),
            ("dso", _("DSO (days)"), "days", "down"),
            ("cei", _("Collection Effectiveness Index"), "percent", "up"),
            ("overdue_ratio", _("Overdue Ratio"), "percent", "down"),
            ("bad_debt_ratio", _("Bad-Debt Ratio"), "percent", "down"),
        ]

    def _change(self, current, previous):
        change = core_dashboard.change(current, previous)
        return {
            "delta": self._number(change.delta),
            "percent": self._number(change.percent, 1),
            "direction": change.direction,
        }

    def _kpi_tiles(self, companies, rates, date_from, date_to):
        """The KPIs of the period next to those of the previous period of the same length,
        with the change (delta, percentage, direction); each opens the aged receivables at
        the end of the period."""
        days = (date_to - date_from).days + 1
        previous_from, previous_to = core_dashboard.previous_period(date_from, date_to)
        current = self._ratios(self._period_amounts(companies, rates, date_from, date_to), days)
        previous = self._ratios(
            self._period_amounts(companies, rates, previous_from, previous_to), days
        )
        action = self._aging_action(companies, date_to)
        return [
            {
                "name": name,
                "label": label,
                "unit": unit,
                "better": better,
                "current": self._number(current[name]),
                "previous": self._number(previous[name]),
                "change": self._change(current[name], previous[name]),
                "action": action,
            }
            for name, label, unit, better in self._kpi_labels()
        ]

    # ------------------------------------------------------------------
    # collections
    # ------------------------------------------------------------------
    def _effectiveness_tile(self, companies, rates, date_from, date_to):
        """Collection effectiveness by dunning level and by channel (``credit.dunning.
        effectiveness``: every sent communication, the share of the amount dunned paid
        within the company's windows), each opening the sent communications counted; and
        the contacts logged in the period by channel, opening the collection log."""
        Effectiveness = self.env["credit.dunning.effectiveness"]
        rows = Effectiveness.search_read(
            [("company_id", "in", companies.ids)],
            [
                "company_id",
                "level_id",
                "level_days",
                "channel",
                "communication_count",
                "amount_dunned",
                "paid_1",
                "paid_2",
                "paid_3",
            ],
        )
        windows = self.env.company._credit_dunning_windows()
        channels = dict(Effectiveness._fields["channel"]._description_selection(self.env))
        by_level, by_channel = {}, {}
        for row in rows:
            rate = rates[row["company_id"][0]]
            level_id, level_name = row["level_id"] or (False, "")
            for groups, key, label, order in (
                (by_level, level_id, level_name, row["level_days"]),
                (by_channel, row["channel"], channels.get(row["channel"], row["channel"]), 0),
            ):
                group = groups.setdefault(
                    key,
                    {"key": key, "label": label, "order": order, "count": 0, "dunned": 0.0}
                    | {f"paid_{index}": 0.0 for index in (1, 2, 3)},
                )
                group["count"] += row["communication_count"]
                group["dunned"] += row["amount_dunned"] * rate
                for index in (1, 2, 3):
                    group[f"paid_{index}"] += row[f"paid_{index}"] * rate
        sent = [("state", "=", "sent"), ("company_id", "in", companies.ids)]

        def finish(groups, field_name, name_format):
            result = []
            for group in sorted(groups.values(), key=lambda g: (g["order"], str(g["key"]))):
                for index in (1, 2, 3):
                    paid = group[f"paid_{index}"]
                    group[f"share_{index}"] = self._number(
                        paid / group["dunned"] * 100 if group["dunned"] else None, 1
                    )
                    group[f"paid_{index}"] = self._number(paid)
                group["dunned"] = self._number(group["dunned"])
                group["action"] = self._window(
                    "credit_management.credit_dashboard_communication_action",
                    [(field_name, "=", group["key"]), *sent],
                    name=name_format % group["label"],
                )
                group.pop("order")
                result.append(group)
            return result

        start, end = self._day_bounds(date_from, date_to)
        self.env["credit.collection.log"].flush_model(["company_id", "date", "channel"])
        logs = self.env.execute_query(
            SQL(
                """
            SELECT channel, COUNT(*)
              FROM credit_collection_log
             WHERE company_id = ANY(%s) AND date >= %s AND date < %s
          GROUP BY channel
          ORDER BY channel
                """,
                companies.ids,
                start,
                end,
            )
        )
        log_channels = dict(
            self.env["credit.collection.log"]._fields["channel"]._description_selection(self.env)
        )
        return {
            "windows": list(windows),
            "by_level": finish(by_level, "level_id", self.env._("Sent: %s")),
            "by_channel": finish(by_channel, "channel", self.env._("Sent: %s")),
            "contacts": [
                {
                    "key": channel,
                    "label": log_channels.get(channel, channel),
                    "count": count,
                    "action": self._window(
                        "credit_management.credit_dashboard_collection_log_action",
                        [
                            ("channel", "=", channel),
                            ("company_id", "in", companies.ids),
                            ("date", ">=", start),
                            ("date", "<", end),
                        ],
                        name=self.env._(
                            "Contacts of the Period: %s", log_channels.get(channel, channel)
                        ),
                    ),
                }
                for channel, count in logs
            ],
        }
