"""The check run by ``scripts/replica`` against an Odoo server whose read-only cursors go to
a streaming replica (``db_replica_host``/``db_replica_port``).

Logged in over JSON-RPC as the demo's credit manager (admin), it saves the options of the
aged receivables and of a customer statement (writes, on the primary), then runs each heavy
read as the web client does and reads, around each one, the database's counters in
``pg_stat_database`` on both servers: transactions, tuples read, tuples written. A heavy
read passes when the replica counted its reads (transactions and tuples) and the primary
counted no write and fewer tuples read than the replica. Then it confirms an order and
checks that it was written on the primary (and reached the replica). Exit code 0 when
everything passed.

PostgreSQL reports a backend's counters when it has been idle for a moment (at most about
ten seconds later): the check waits ``--settle`` seconds after each step."""

import argparse
import json
import re
import sys
import time
from urllib.parse import urlencode

import psycopg2
import requests

COUNTERS = """
    SELECT xact_commit + xact_rollback,
           tup_returned + tup_fetched,
           tup_inserted + tup_updated + tup_deleted
      FROM pg_stat_database WHERE datname = %s
"""


class Server:
    """One PostgreSQL server (unix socket directory and port)."""

    def __init__(self, name, spec, db):
        self.name = name
        self.host, self.port = spec.rsplit(":", 1)
        self.db = db

    def _connect(self, dbname):
        return psycopg2.connect(host=self.host, port=int(self.port), dbname=dbname)

    def counters(self):
        with self._connect("postgres") as conn, conn.cursor() as cr:
            cr.execute(COUNTERS, [self.db])
            xacts, read, written = cr.fetchone()
        conn.close()
        return {"xacts": xacts, "read": read, "written": written}

    def value(self, query, params=()):
        conn = self._connect(self.db)
        try:
            with conn.cursor() as cr:
                cr.execute(query, params)
                row = cr.fetchone()
                return row and row[0]
        finally:
            conn.close()


class Odoo:
    """A JSON-RPC session with the Odoo server."""

    def __init__(self, url, db):
        self.url = url.rstrip("/")
        self.db = db
        self.http = requests.Session()
        self.calls = 0
        self._csrf = None

    def rpc(self, path, params):
        self.calls += 1
        response = self.http.post(
            self.url + path,
            json={"jsonrpc": "2.0", "method": "call", "params": params, "id": self.calls},
            timeout=600,
        )
        response.raise_for_status()
        data = response.json()
        if data.get("error"):
            error = data["error"].get("data", {}).get("message") or data["error"]
            raise RuntimeError(f"{path}: {error}")
        return data["result"]

    def call(self, model, method, *args, button=False, **kwargs):
        kind = "call_button" if button else "call_kw"
        return self.rpc(
            f"/web/dataset/{kind}/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def csrf_token(self):
        """The session's CSRF token, as the web client has it (in the page it loads)."""
        if not self._csrf:
            page = self.get("/odoo").text
            match = re.search(r'csrf_token: "([^"]+)"', page)
            if not match:
                raise RuntimeError("no CSRF token in /odoo")
            self._csrf = match.group(1)
        return self._csrf

    def get(self, path):
        response = self.http.get(self.url + path, timeout=600)
        response.raise_for_status()
        return response


class Check:
    def __init__(self, args):
        self.odoo = Odoo(args.url, args.db)
        self.primary = Server("primary", args.primary, args.db)
        self.replica = Server("replica", args.replica, args.db)
        self.settle = args.settle
        self.results = []

    def _window(self, step):
        """Run ``step`` between two readings of both servers' counters."""
        time.sleep(self.settle)
        before = {server.name: server.counters() for server in (self.primary, self.replica)}
        started = time.perf_counter()
        detail = step()
        elapsed = time.perf_counter() - started
        time.sleep(self.settle)
        after = {server.name: server.counters() for server in (self.primary, self.replica)}
        delta = {
            name: {key: after[name][key] - before[name][key] for key in after[name]}
            for name in after
        }
        return elapsed, delta["primary"], delta["replica"], detail

    def measure(self, label, step, heavy=True):
        """A heavy read passes when the replica counted its transactions and tuples and the
        primary wrote nothing and read less. The database's counters also count
        PostgreSQL's own visits: the autovacuum launcher sends a worker into each database
        every ``autovacuum_naptime`` (a minute), which reads the catalogs on the primary
        (2 transactions, some 7,000 tuples here). A heavy read that fails only on the
        primary's reads is therefore measured once more: a read Odoo sends to the primary
        does so every time, a visit of autovacuum does not come back within the minute."""
        attempts = []
        for _attempt in range(2 if heavy else 1):
            elapsed, primary, replica, detail = self._window(step)
            if heavy:
                replica_ok = replica["xacts"] > 0 and replica["read"] > 0
                ok = replica_ok and primary["written"] == 0 and primary["read"] < replica["read"]
                retry = replica_ok and primary["written"] == 0 and not ok
            else:
                ok = primary["written"] > 0 and bool(detail and detail.get("ok"))
                retry = False
            attempts.append((primary, replica))
            if ok or not retry:
                break
        if len(attempts) > 1:
            first = attempts[0][0]
            detail = dict(
                detail or {},
                **{
                    "measured again, first primary": (
                        f"{first['xacts']}/{first['read']}/{first['written']}"
                    )
                },
            )
        self.results.append((label, ok, elapsed, primary, replica, detail))
        return ok

    # ------------------------------------------------------------------
    # the steps, as the web client runs them
    # ------------------------------------------------------------------
    def aging_options(self):
        report_id = self.odoo.call("credit.aging.report", "create", {})
        report_id = report_id[0] if isinstance(report_id, list) else report_id
        return report_id, {
            # discard_logo_check: as after the document layout's first-time configurator
            button: self.odoo.call(
                "credit.aging.report",
                button,
                [report_id],
                button=True,
                context={"discard_logo_check": True},
            )
            for button in ("action_show", "action_print_pdf", "action_export_xlsx")
        }

    def aging_screen(self, action):
        context = action["context"]
        lines = self.odoo.call(
            "credit.aging.report.line",
            "web_search_read",
            specification={"partner_id": {"fields": {"display_name": {}}}, "total": {}},
            domain=action["domain"],
            limit=80,
            context=context,
        )
        groups = self.odoo.call(
            "credit.aging.report.line",
            "web_read_group",
            domain=action["domain"],
            fields=["total:sum"],
            groupby=["user_id"],
            context=context,
        )
        records = [line for line in lines["records"] if line["partner_id"]]
        drill = self.odoo.call(
            "credit.aging.report.line",
            "action_open_items",
            [records[0]["id"]],
            button=True,
            context=context,
        )
        items = self.odoo.call(
            "credit.aging.report.item",
            "web_search_read",
            specification={"move_id": {"fields": {"display_name": {}}}, "residual": {}},
            domain=drill["domain"],
            limit=80,
            context=drill["context"],
        )
        return {
            "customers": lines["length"],
            "groups": groups["length"],
            "items of the first": items["length"],
        }

    def aging_xlsx(self, action):
        response = self.odoo.get(action["url"])
        assert response.content[:2] == b"PK", "not an XLSX"
        return {"bytes": len(response.content)}

    def report_pdf(self, action):
        """The PDF as the web client downloads it: ``/report/download`` posted with the
        report's URL (``/report/pdf/<report>?options=...&context=...``)."""
        query = urlencode(
            {"options": json.dumps(action["data"]), "context": json.dumps(action["context"])}
        )
        url = f"/report/pdf/{action['report_name']}?{query}"
        response = self.odoo.http.post(
            self.odoo.url + "/report/download",
            data={
                "data": json.dumps([url, "qweb-pdf"]),
                "context": json.dumps({}),
                "csrf_token": self.odoo.csrf_token(),
            },
            timeout=600,
        )
        response.raise_for_status()
        assert response.content[:4] == b"%PDF", "not a PDF"
        return {"bytes": len(response.content)}

    def statement_action(self, partner_id):
        wizard = self.odoo.call(
            "credit.statement.wizard",
            "create",
            {
                "period": "custom",
                "date_from": "2000-01-01",
                "customer_scope": "selected",
                "partner_ids": [[6, 0, [partner_id]]],
            },
            context={"active_model": "res.partner", "active_ids": [partner_id]},
        )
        wizard = wizard[0] if isinstance(wizard, list) else wizard
        return self.odoo.call(
            "credit.statement.wizard",
            "action_print",
            [wizard],
            button=True,
            context={"discard_logo_check": True},
        )

    def worklist(self):
        rows = self.odoo.call(
            "credit.collection.worklist",
            "web_search_read",
            specification={"partner_id": {"fields": {"display_name": {}}}, "priority": {}},
            domain=[],
            limit=80,
        )
        return {"customers": rows["length"]}

    def confirm_order(self, partner_ids):
        """Confirm a small order of a well-rated customer (the first that passes)."""
        product = self.odoo.call(
            "product.product",
            "search_read",
            [("sale_ok", "=", True)],
            ["id"],
            limit=1,
            order="list_price",
        )[0]["id"]
        for partner_id in partner_ids:
            order = self.odoo.call(
                "sale.order",
                "create",
                {
                    "partner_id": partner_id,
                    "order_line": [
                        [0, 0, {"product_id": product, "product_uom_qty": 1, "price_unit": 10.0}]
                    ],
                },
            )
            order = order[0] if isinstance(order, list) else order
            self.odoo.call("sale.order", "action_confirm", [order], button=True)
            state = self.primary.value("SELECT state FROM sale_order WHERE id = %s", [order])
            if state == "sale":
                for _ in range(20):
                    if (
                        self.replica.value("SELECT state FROM sale_order WHERE id = %s", [order])
                        == "sale"
                    ):
                        break
                    time.sleep(0.5)
                replicated = self.replica.value(
                    "SELECT state FROM sale_order WHERE id = %s", [order]
                )
                return {"ok": True, "order": order, "on the replica": replicated}
        return {"ok": False, "why": "no candidate customer passed the credit checks"}

    # ------------------------------------------------------------------
    def run(self):
        odoo = self.odoo
        session = odoo.rpc(
            "/web/session/authenticate", {"db": odoo.db, "login": "admin", "password": "admin"}
        )
        uid = session["uid"]
        if not odoo.call("res.users", "has_group", [uid], "credit_management.group_credit_manager"):
            print("FAIL: admin is not a credit manager in this database")
            return 1
        files = odoo.call(
            "credit.file",
            "search_read",
            [("grade_id.code", "in", ["AAA", "AA", "A"]), ("partner_id", "!=", False)],
            ["partner_id"],
            order="credit_limit desc",
        )
        partners = [file["partner_id"][0] for file in files]
        if not partners:
            print("FAIL: no rated customer in the demo database")
            return 1
        _report, actions = self.aging_options()
        statement = self.statement_action(partners[0])
        steps = [
            (
                "aged receivables: list, groups, drill-down",
                lambda: self.aging_screen(actions["action_show"]),
            ),
            ("aged receivables: XLSX", lambda: self.aging_xlsx(actions["action_export_xlsx"])),
            ("aged receivables: PDF", lambda: self.report_pdf(actions["action_print_pdf"])),
            ("customer statement: PDF", lambda: self.report_pdf(statement)),
            ("collection worklist", self.worklist),
        ]
        # once before measuring: bundles, registry caches and the like are made on first use
        for _label, step in steps:
            step()
        for label, step in steps:
            self.measure(label, step)
        self.measure("order confirmation", lambda: self.confirm_order(partners), heavy=False)
        return self.report()

    def report(self):
        print()
        print(
            f"{'step':45} {'time':>7}  {'primary xact/read/written':>27}  "
            f"{'replica xact/read/written':>27}  result"
        )
        for label, ok, elapsed, primary, replica, detail in self.results:
            counts = [
                f"{side['xacts']}/{side['read']}/{side['written']}" for side in (primary, replica)
            ]
            print(
                f"{label:45} {elapsed:6.2f}s  {counts[0]:>27}  {counts[1]:>27}  "
                f"{'ok' if ok else 'FAILED'}  {detail}"
            )
        failed = [label for label, ok, *_rest in self.results if not ok]
        print()
        if failed:
            print(f"FAIL: read replica check: {', '.join(failed)}")
            return 1
        print(
            "PASS: read replica check: aged receivables (screen, XLSX, PDF), statements and "
            "the worklist read on the replica; the order confirmed on the primary"
        )
        return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--primary", required=True, help="socket directory:port")
    parser.add_argument("--replica", required=True, help="socket directory:port")
    parser.add_argument("--settle", type=float, default=11.0)
    sys.exit(Check(parser.parse_args()).run())


if __name__ == "__main__":
    main()
