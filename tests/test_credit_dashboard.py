"""The credit dashboard (信用驾驶舱): every tile's figures against a small ledger computed by
hand, the records each tile opens, the period comparison, who may see it, and that it
writes nothing (it runs on the read-only cursor)."""

from datetime import date, datetime

import psycopg2

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.sql_db import Savepoint
from odoo.tests import HttpCase, freeze_time, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from ..models.credit_decision_mixin import audit_writer
from .common import CreditOrderCommon


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestCreditDashboard(CreditOrderCommon):
    """The ledger on 2024-06-30 (company currency; the period: the 30 days 1-30 June,
    the previous one 2-31 May):

    | customer | credit file        | invoice                    | paid       |
    | Alpha    | A, limit 10,000    | 9,000 of 10 Apr due 10 May | no         |
    | Bravo    | A, limit 5,000     | 6,000 of 5 Jun due 5 Jul   | no         |
    | Charlie  | BBB, limit 20,000  | 4,000 of 15 May due 14 Jun | on 20 Jun  |
    | Delta    | not rated, limit 0 | -                          |            |
    | Echo     | none               | 1,000 of 1 Jun due 11 Jun  | no         |

    Exposure today: Alpha 9,000, Bravo 6,000, Echo 1,000 (total 16,000): by grade A 15,000
    (2 files), BBB 0 (1), unrated 0 (1), no credit file 1,000 (1). Utilisation: Alpha 90 %
    (over 80), Bravo 120 % (over 80 and over 100); 4 files with a limit. Top 10: Alpha
    56.25 %, Bravo 37.5 %, Echo 6.25 %; HHI = 0.31640625 + 0.140625 + 0.00390625 =
    0.4609375.

    Month-ends: 30 Apr: 9,000 open, none overdue, April sales 9,000: DSO 9,000 / 9,000 x
    30 = 30. 31 May: 13,000 open (Alpha overdue 9,000), May sales 4,000: DSO 13,000 / 4,000
    x 31 = 100.75. 30 Jun: 16,000 open, overdue 9,000 + 1,000 = 10,000, June sales 7,000:
    DSO 16,000 / 7,000 x 30 = 68.57.

    KPIs of June: credit sales 7,000, receivables 16,000 of which 6,000 not due, opening
    13,000: DSO 68.57, CEI (13,000 + 7,000 - 16,000) / (13,000 + 7,000 - 6,000) = 28.57 %,
    overdue ratio 62.5 %. Of 2-31 May: sales 4,000, receivables 13,000 of which 4,000 not
    due, opening (1 May) 9,000: DSO 13,000 / 4,000 x 30 = 97.5, CEI 0 %, overdue ratio
    69.23 %. DSO change 68.5714 - 97.5 = -28.93 (-29.67 %), sales +75 %.

    Holds: waiting Bravo 1,000 and Alpha 2,500 (2, 3,500); decided in June after 4, 24 and
    8 hours (median 8, average 12), in May after 48 hours (median change -83.3 %); a voided
    one is not counted.

    Dunning: a phone call to Alpha sent 20 May over 9,000 (unpaid), a visit to Charlie sent
    15 June over 4,000 (paid 20 June, within 7 days); a call to Bravo still to send.
    Contacts logged in June: two phone calls (one in May, not counted)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alpha, cls.alpha_file = cls._rated("Alpha", "A", 10_000.0)
        cls.bravo, cls.bravo_file = cls._rated("Bravo", "A", 5_000.0)
        cls.charlie, cls.charlie_file = cls._rated("Charlie", "BBB", 20_000.0)
        cls.delta = cls._customer("Delta")
        cls.delta_file = cls._file(cls.delta)
        cls.echo = cls._customer("Echo")
        cls.alpha_invoice = cls._invoice(cls.alpha, "2024-04-10", "2024-05-10", 9_000.0)
        cls._invoice(cls.bravo, "2024-06-05", "2024-07-05", 6_000.0)
        cls.charlie_invoice = cls._invoice(cls.charlie, "2024-05-15", "2024-06-14", 4_000.0)
        cls._pay(cls.charlie_invoice, "2024-06-20")
        cls._invoice(cls.echo, "2024-06-01", "2024-06-11", 1_000.0)
        cls._holds()
        cls._dunning()
        cls._logs()

    @classmethod
    def _holds(cls):
        Hold = cls.env["credit.hold"]
        cls.holds = Hold
        for partner, amount, state, created, decided in (
            (cls.bravo, 1_000.0, "pending", "2024-06-28 09:00:00", None),
            (cls.alpha, 2_500.0, "pending", "2024-06-29 09:00:00", None),
            (cls.alpha, 100.0, "approved", "2024-06-10 06:00:00", "2024-06-10 10:00:00"),
            (cls.bravo, 200.0, "rejected", "2024-06-19 12:00:00", "2024-06-20 12:00:00"),
            (cls.charlie, 300.0, "approved", "2024-06-24 16:00:00", "2024-06-25 00:00:00"),
            (cls.charlie, 400.0, "approved", "2024-05-13 12:00:00", "2024-05-15 12:00:00"),
            (cls.charlie, 500.0, "voided", "2024-06-01 12:00:00", "2024-06-02 12:00:00"),
        ):
            order = cls._quotation(partner, amount)
            with audit_writer(cls.env):
                hold = Hold.create(
                    {
                        "order_id": order.id,
                        "partner_id": partner.id,
                        "company_id": cls.company.id,
                        "state": state,
                        "order_amount": amount,
                        "decided_on": decided,
                    }
                )
            cls.env.flush_all()
            cls.env.cr.execute(
                "UPDATE credit_hold SET create_date = %s WHERE id = %s", (created, hold.id)
            )
            cls.holds |= hold
        cls.env.invalidate_all()

    @classmethod
    def _dunning(cls):
        policy = cls.env["credit.dunning.policy"].create(
            {
                "name": "Dashboard",
                "company_id": cls.company.id,
                "level_ids": [
                    Command.create({"name": "Call", "days": 10, "channel": "phone"}),
                    Command.create({"name": "Visit", "days": 30, "channel": "visit"}),
                ],
            }
        )
        cls.call, cls.visit = policy.level_ids.sorted("days")
        run = cls.env["credit.dunning.run"]._get_or_create(cls.company, date(2024, 6, 30))
        Communication = cls.env["credit.dunning.communication"]
        cls.communications = Communication
        for partner, level, invoice, sent in (
            (cls.alpha, cls.call, cls.alpha_invoice, "2024-05-20 10:00:00"),
            (cls.charlie, cls.visit, cls.charlie_invoice, "2024-06-15 10:00:00"),
            (cls.bravo, cls.call, None, None),
        ):
            communication = Communication.create(
                {
                    "run_id": run.id,
                    "company_id": cls.company.id,
                    "date": date(2024, 6, 30),
                    "partner_id": partner.id,
                    "level_id": level.id,
                    "level_days": level.days,
                    "channel": level.channel,
                }
            )
            if invoice:
                line = invoice.line_ids.filtered(
                    lambda item: item.account_id.account_type == "asset_receivable"
                )
                cls.env["credit.dunning.communication.line"].create(
                    {
                        "communication_id": communication.id,
                        "run_id": run.id,
                        "company_id": cls.company.id,
                        "move_line_id": line.id,
                        "move_id": invoice.id,
                        "amount_residual": invoice.amount_total,
                    }
                )
                with audit_writer(cls.env):
                    communication.write({"state": "sent", "sent_date": sent})
            cls.communications |= communication

    @classmethod
    def _logs(cls):
        Log = cls.env["credit.collection.log"]
        cls.logs = Log
        for when, channel in (
            ("2024-06-10 09:00:00", "phone"),
            ("2024-06-12 09:00:00", "phone"),
            ("2024-05-20 09:00:00", "email"),
        ):
            cls.logs |= Log.create(
                {
                    "date": when,
                    "company_id": cls.company.id,
                    "partner_id": cls.alpha.id,
                    "channel": channel,
                    "content": "Asked for payment",
                }
            )

    def _data(self, user=None, **kwargs):
        Dashboard = self.env["credit.dashboard"].with_user(user or self.officer)
        return Dashboard.with_company(self.company).get_dashboard_data(period_days=30, **kwargs)

    def _records(self, action):
        return self.env[action["res_model"]].with_user(self.officer).search(action["domain"])

    # ------------------------------------------------------------------
    # tiles
    # ------------------------------------------------------------------
    def test_exposure_by_grade_adds_up_each_grades_customers(self):
        grades = self._data()["grades"]
        bars = {bar["key"]: bar for bar in grades["bars"]}
        self.assertEqual(list(bars), ["A", "BBB", "unrated", "no_file"])
        self.assertEqual((bars["A"]["exposure"], bars["A"]["count"]), (15_000.0, 2))
        self.assertEqual((bars["BBB"]["exposure"], bars["BBB"]["count"]), (0.0, 1))
        self.assertEqual((bars["unrated"]["exposure"], bars["unrated"]["count"]), (0.0, 1))
        self.assertEqual((bars["no_file"]["exposure"], bars["no_file"]["count"]), (1_000.0, 1))
        self.assertEqual(grades["total"], 16_000.0)

    def test_each_grade_opens_exactly_the_files_counted(self):
        bars = {bar["key"]: bar for bar in self._data()["grades"]["bars"]}
        self.assertEqual(self._records(bars["A"]["action"]), self.alpha_file | self.bravo_file)
        self.assertEqual(self._records(bars["BBB"]["action"]), self.charlie_file)
        self.assertEqual(self._records(bars["unrated"]["action"]), self.delta_file)
        self.assertEqual(self._records(bars["no_file"]["action"]), self.echo)

    def test_limit_utilisation_counts_customers_over_80_and_over_100_percent(self):
        utilisation = self._data()["utilisation"]
        self.assertEqual(utilisation["files"], 4)
        self.assertEqual(utilisation["over_80"]["count"], 2)
        self.assertEqual(utilisation["over_100"]["count"], 1)
        self.assertEqual(
            self._records(utilisation["over_80"]["action"]), self.alpha_file | self.bravo_file
        )
        self.assertEqual(self._records(utilisation["over_100"]["action"]), self.bravo_file)

    def test_holds_waiting_and_decision_times(self):
        holds = self._data()["holds"]
        self.assertEqual((holds["waiting"], holds["amount"]), (2, 3_500.0))
        self.assertEqual(holds["decided"], 3)
        self.assertEqual(holds["median_hours"], 8.0)
        self.assertEqual(holds["average_hours"], 12.0)
        self.assertEqual(
            holds["previous"], {"decided": 1, "median_hours": 48.0, "average_hours": 48.0}
        )
        self.assertEqual(holds["median_change"]["delta"], -40.0)
        self.assertEqual(holds["median_change"]["percent"], -83.3)
        self.assertEqual(holds["median_change"]["direction"], "down")
        self.assertEqual(
            self._records(holds["action"]), self.holds.filtered(lambda h: h.state == "pending")
        )
        self.assertEqual(
            self._records(holds["decided_action"]),
            self.holds.filtered(
                lambda h: (
                    h.state in ("approved", "rejected") and h.decided_on >= datetime(2024, 6, 1)
                )
            ),
        )

    def test_overdue_and_dso_at_the_last_twelve_month_ends(self):
        trend = self._data()["trend"]
        self.assertEqual(len(trend), 12)
        self.assertEqual(trend[0]["date"], "2023-07-31")
        by_date = {point["date"]: point for point in trend}
        self.assertEqual(
            [
                by_date["2024-03-31"]["receivables"],
                by_date["2024-03-31"]["overdue"],
                by_date["2024-03-31"]["dso"],
            ],
            [0.0, 0.0, None],
        )
        april, may, june = by_date["2024-04-30"], by_date["2024-05-31"], by_date["2024-06-30"]
        self.assertEqual(
            (april["receivables"], april["overdue"], april["dso"]), (9_000.0, 0.0, 30.0)
        )
        self.assertEqual(
            (may["receivables"], may["overdue"], may["credit_sales"]), (13_000.0, 9_000.0, 4_000.0)
        )
        self.assertEqual(may["dso"], 100.8)  # 100.75, one decimal
        self.assertEqual(may["overdue_ratio"], 69.2)
        self.assertEqual(
            (june["receivables"], june["overdue"], june["dso"]), (16_000.0, 10_000.0, 68.6)
        )

    def test_a_month_end_opens_the_aged_receivables_as_of_that_day(self):
        may = {point["date"]: point for point in self._data()["trend"]}["2024-05-31"]
        action = may["action"]
        self.assertEqual(action["res_model"], "credit.aging.report")
        self.assertEqual(action["context"]["default_as_of"], "2024-05-31")
        report = (
            self.env["credit.aging.report"]
            .with_user(self.officer)
            .with_context(**action["context"])
            .create({})
        )
        shown = report.action_show()
        lines = (
            self.env["credit.aging.report.line"]
            .with_user(self.officer)
            .with_context(**shown["context"])
            .search(shown["domain"])
        )
        self.assertAlmostEqual(sum(lines.mapped("total")), 13_000.0, places=2)
        self.assertAlmostEqual(
            sum(lines.mapped("total")) - sum(lines.mapped("r0")), 9_000.0, places=2
        )

    def test_top_ten_customers_with_their_share_of_the_exposure(self):
        concentration = self._data()["concentration"]
        self.assertEqual(
            [(c["name"], c["exposure"], c["share"]) for c in concentration["customers"]],
            [("Alpha", 9_000.0, 56.2), ("Bravo", 6_000.0, 37.5), ("Echo", 1_000.0, 6.2)],
        )
        self.assertEqual(concentration["top_share"], 100.0)
        self.assertEqual(concentration["hhi"], 0.4609)
        self.assertEqual(concentration["total"], 16_000.0)
        self.assertEqual(
            self._records(concentration["action"]), self.alpha | self.bravo | self.echo
        )

    def test_collection_effectiveness_by_level_and_channel(self):
        effectiveness = self._data()["effectiveness"]
        self.assertEqual(effectiveness["windows"], [7, 30, 60])
        by_level = {row["label"]: row for row in effectiveness["by_level"]}
        self.assertEqual(list(by_level), ["Call", "Visit"])
        self.assertEqual(
            [by_level["Call"][k] for k in ("count", "dunned", "share_1", "share_3")],
            [1, 9_000.0, 0.0, 0.0],
        )
        self.assertEqual(
            [by_level["Visit"][k] for k in ("count", "dunned", "paid_1", "share_1", "share_3")],
            [1, 4_000.0, 4_000.0, 100.0, 100.0],
        )
        self.assertEqual(self._records(by_level["Call"]["action"]), self.communications[0])
        by_channel = {row["key"]: row for row in effectiveness["by_channel"]}
        self.assertEqual(set(by_channel), {"phone", "visit"})
        self.assertEqual(self._records(by_channel["visit"]["action"]), self.communications[1])
        self.assertEqual(
            [(c["key"], c["count"]) for c in effectiveness["contacts"]], [("phone", 2)]
        )
        self.assertEqual(
            self._records(effectiveness["contacts"][0]["action"]),
            self.logs.filtered(lambda log: log.channel == "phone"),
        )

    # ------------------------------------------------------------------
    # period comparison
    # ------------------------------------------------------------------
    def test_kpis_compare_the_period_with_the_previous_one(self):
        data = self._data()
        self.assertEqual(
            data["period"],
            {
                "days": 30,
                "date_from": "2024-06-01",
                "date_to": "2024-06-30",
                "previous_from": "2024-05-02",
                "previous_to": "2024-05-31",
            },
        )
        kpis = {kpi["name"]: kpi for kpi in data["kpis"]}
        expected = {
            "credit_sales": (7_000.0, 4_000.0, 3_000.0, 75.0, "up"),
            "closing_ar": (16_000.0, 13_000.0, 3_000.0, 23.1, "up"),
            "overdue_ar": (10_000.0, 9_000.0, 1_000.0, 11.1, "up"),
            "dso": (68.57, 97.5, -28.93, -29.7, "down"),
            "cei": (28.57, 0.0, 28.57, None, "up"),
            "overdue_ratio": (62.5, 69.23, -6.73, -9.7, "down"),
            "bad_debt_ratio": (0.0, 0.0, 0.0, None, "flat"),
        }
        for name, (current, previous, delta, percent, direction) in expected.items():
            kpi = kpis[name]
            self.assertEqual(
                (
                    kpi["current"],
                    kpi["previous"],
                    kpi["change"]["delta"],
                    kpi["change"]["percent"],
                    kpi["change"]["direction"],
                ),
                (current, previous, delta, percent, direction),
                name,
            )

    def test_the_dashboard_kpis_are_those_of_the_kpi_screen(self):
        kpis = {kpi["name"]: kpi for kpi in self._data()["kpis"]}
        screen = self.env["credit.kpi.dashboard"].create(
            {"company_id": self.company.id, "date_from": "2024-06-01", "date_to": "2024-06-30"}
        )
        self.assertAlmostEqual(screen.credit_sales, kpis["credit_sales"]["current"], places=2)
        self.assertEqual(screen.dso, "68.6")

    def test_the_kpi_screen_compares_with_the_previous_period(self):
        screen = self.env["credit.kpi.dashboard"].create(
            {"company_id": self.company.id, "date_from": "2024-06-01", "date_to": "2024-06-30"}
        )
        self.assertEqual(
            (screen.previous_date_from, screen.previous_date_to),
            (date(2024, 5, 2), date(2024, 5, 31)),
        )
        rows = {name: values for name, *values in screen._period_comparison()}
        current, previous, change = rows["dso"]
        self.assertAlmostEqual(float(current), 68.5714, places=4)
        self.assertAlmostEqual(float(previous), 97.5, places=4)
        self.assertAlmostEqual(float(change.percent), -29.67, places=2)
        current, previous, change = rows["credit_sales"]
        self.assertEqual(
            (float(current), float(previous), float(change.percent)), (7_000, 4_000, 75)
        )
        self.assertIn("97.5", screen.period_comparison)
        self.assertIn("▼ 29.7 %", screen.period_comparison)
        self.assertIn("text-success", screen.period_comparison)  # DSO down: good news

    def test_a_period_of_no_days_is_refused(self):
        for days in (0, -5, 10_000, "90", True):
            with self.assertRaises(UserError):
                self.env["credit.dashboard"].with_user(self.officer).get_dashboard_data(
                    period_days=days
                )

    def test_an_end_date_that_is_no_date_is_refused(self):
        with self.assertRaises(UserError):
            self.env["credit.dashboard"].with_user(self.officer).get_dashboard_data(
                date_to="not a date"
            )

    def test_an_earlier_end_date_moves_the_period(self):
        data = self._data(date_to="2024-05-31")
        self.assertEqual(data["period"]["date_from"], "2024-05-02")
        kpis = {kpi["name"]: kpi for kpi in data["kpis"]}
        self.assertEqual(kpis["dso"]["current"], 97.5)
        self.assertEqual(data["trend"][-1]["date"], "2024-05-31")

    # ------------------------------------------------------------------
    # access and read-only
    # ------------------------------------------------------------------
    def test_salespeople_get_no_company_wide_figures(self):
        for user in (self.salesperson, self.credit_user, self.plain_employee):
            with self.assertRaises(AccessError):
                self._data(user)

    def test_credit_managers_see_the_dashboard(self):
        self.assertEqual(self._data(self.manager)["holds"]["waiting"], 2)

    def test_the_dashboard_method_is_marked_read_only(self):
        method = type(self.env["credit.dashboard"]).get_dashboard_data
        self.assertTrue(getattr(method, "_readonly", False))

    def test_the_dashboard_runs_in_a_read_only_transaction(self):
        """As Odoo's test cursor simulates the read-only connection: SET TRANSACTION READ
        ONLY inside a savepoint; any write (flushed or not) would fail."""
        self.env.flush_all()
        cr = self.env.cr
        savepoint = Savepoint(cr._obj)
        try:
            cr._obj.execute("SET TRANSACTION READ ONLY")
            data = self._data()
            self.env.flush_all()
            self.assertEqual(data["holds"]["waiting"], 2)
            with (
                self.assertRaises(psycopg2.errors.ReadOnlySqlTransaction),
                Savepoint(cr._obj),
            ):
                cr._obj.execute("UPDATE res_company SET name = name")
        finally:
            savepoint.close(rollback=True)
        self.env.invalidate_all()


@tagged("post_install", "-at_install")
class TestCreditDashboardInTheBrowser(HttpCase):
    """The dashboard's web assets compile, its page loads, and its data comes over RPC on
    the read-only cursor for the demo credit officer, never for the demo salesperson."""

    def test_dashboard_assets_compile(self):
        bundle = self.env["ir.qweb"]._get_asset_bundle("web.assets_backend")
        paths = [asset.url for asset in bundle.javascripts + bundle.stylesheets]
        self.assertIn("/credit_management/static/src/dashboard/credit_dashboard.js", paths)
        self.assertIn("/credit_management/static/src/dashboard/credit_dashboard.scss", paths)
        self.assertIn(
            "/credit_management/static/src/dashboard/credit_dashboard.xml",
            [template.url for template in bundle.templates],
        )
        bundle.css()
        self.assertFalse(bundle.css_errors)
        self.assertIn(b"credit_management.dashboard", bundle.js().raw)

    def test_the_dashboard_page_loads_for_an_officer(self):
        self.authenticate("credit_officer", "credit_officer")
        response = self.url_open("/odoo/credit-dashboard")
        self.assertEqual(response.status_code, 200)
        action = self.env.ref("credit_management.menu_credit_dashboard").action
        self.assertEqual(action, self.env.ref("credit_management.action_credit_dashboard"))

    def _call(self, login):
        self.authenticate(login, login)
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw/credit.dashboard/get_dashboard_data",
            {
                "model": "credit.dashboard",
                "method": "get_dashboard_data",
                "args": [],
                "kwargs": {"period_days": 90},
            },
        )

    def test_an_officer_reads_the_dashboard_over_rpc(self):
        data = self._call("credit_officer")
        self.assertEqual(len(data["trend"]), 12)
        self.assertEqual(data["period"]["days"], 90)

    @mute_logger("odoo.http")
    def test_a_salesperson_is_refused_over_rpc(self):
        with self.assertRaises(JsonRpcException) as refused:
            self._call("credit_sales")
        self.assertIn("AccessError", str(refused.exception))

    def test_the_dashboard_renders_its_tiles_and_opens_the_holds_waiting(self):
        """A smoke run in the browser (skipped where Chrome is missing): the tiles render,
        the charts draw, and a click on the holds waiting opens their list."""
        code = """
            const waitFor = (selector) => new Promise((resolve, reject) => {
                let tries = 0;
                const timer = setInterval(() => {
                    const element = document.querySelector(selector);
                    if (element) {
                        clearInterval(timer);
                        resolve(element);
                    } else if (++tries > 300) {
                        clearInterval(timer);
                        reject(new Error("not found: " + selector));
                    }
                }, 100);
            });
            (async () => {
                await waitFor(".o_credit_dashboard .o_credit_tile_trend canvas");
                await waitFor(".o_credit_dashboard .o_credit_tile_kpi.o_credit_tile_dso");
                await waitFor(".o_credit_dashboard .o_credit_tile_concentration");
                (await waitFor(".o_credit_tile_holds_waiting")).click();
                await waitFor(".o_list_view");
                console.log("test successful");
            })().catch((error) => console.error(error.message));
        """
        self.browser_js(
            "/odoo/action-credit_management.action_credit_dashboard",
            code,
            login="credit_officer",
            timeout=120,
        )
