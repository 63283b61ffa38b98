"""The checks of scripts/multiserver: the credit gate and the addon's scheduled jobs, through
two Odoo servers on one database. Run by scripts/multiserver (which starts the servers);
prints one line per check and exits 1 when one fails.

Data is set up and verified through a direct connection to the database (Odoo's registry,
as a script on the server would); everything the users do goes through the servers, over
XML-RPC, in parallel threads released together by a barrier."""

# Odoo is imported inside functions, after its configuration is loaded.
# ruff: noqa: PLC0415

from __future__ import annotations

import argparse
import contextlib
import re
import sys
import threading
import xmlrpc.client
from datetime import timedelta

SALES_LOGIN = "ms_sales"
ADMIN = ("admin", "admin")
LIMIT = 10_000.0
ORDER_AMOUNT = 3_000.0
ORDERS_PER_ROUND = 8  # 3 fit in the limit (9,000), 5 must be held
TIMEOUT = 300


def load_odoo(conf: str, db: str):
    import odoo

    odoo.tools.config.parse_config(["-c", conf, "-d", db])
    return odoo


@contextlib.contextmanager
def admin_env(odoo, db: str):
    """A superuser environment on the database, committed at the end."""
    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry

    registry = Registry(db)
    with registry.cursor() as cr:
        yield api.Environment(cr, SUPERUSER_ID, {})


class Server:
    def __init__(self, url: str, db: str, login: str, password: str):
        self.url, self.db, self.password = url, db, password
        common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common", allow_none=True)
        self.uid = common.authenticate(db, login, password, {})
        if not self.uid:
            raise SystemExit(f"cannot log in as {login} on {url}")

    def call(self, model: str, method: str, *args):
        proxy = xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/object", allow_none=True)
        return proxy.execute_kw(self.db, self.uid, self.password, model, method, list(args))


def rpc_call(server: Server, model: str, method: str, record_id: int):
    """A call of ``method`` on one record through ``server``, to run later."""
    return lambda: server.call(model, method, [record_id])


def confirm_call(server: Server, order_id: int):
    return rpc_call(server, "sale.order", "action_confirm", order_id)


def in_parallel(calls):
    """Run the (callable) calls in threads released together; [(result or exception)]."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=TIMEOUT)
            results[index] = call()
        except Exception as error:  # reported by the caller
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=2 * TIMEOUT)
    if any(thread.is_alive() for thread in threads):
        raise SystemExit("a call through the servers hangs")
    return results


# --------------------------------------------------------------------------------------------
# Set-up
# --------------------------------------------------------------------------------------------


def set_up(odoo, db: str) -> dict:
    """The salesperson, a product and term, and the main company's currency."""
    from odoo import Command

    with admin_env(odoo, db) as env:
        user = env["res.users"].search([("login", "=", SALES_LOGIN)])
        if not user:
            user = env["res.users"].create(
                {
                    "name": "Multi-server Salesperson",
                    "login": SALES_LOGIN,
                    "password": SALES_LOGIN,
                    "groups_id": [
                        Command.link(env.ref("sales_team.group_sale_salesman").id),
                        Command.link(env.ref("credit_management.group_credit_user").id),
                    ],
                }
            )
        product = env["product.product"].create(
            {"name": "Multi-server goods", "type": "service", "taxes_id": [Command.clear()]}
        )
        return {"user": user.id, "product": product.id}


def new_round(odoo, db: str, data: dict, number: int) -> dict:
    """A customer rated A with a limit of 10,000 and 8 quotations of 3,000 by the
    salesperson."""
    from odoo import Command

    from odoo.addons.credit_management.models.credit_decision_mixin import audit_writer

    with admin_env(odoo, db) as env:
        today = odoo.fields.Date.context_today(env["res.partner"])
        customer = env["res.partner"].create(
            {"name": f"Multi-server Customer {number}", "is_company": True}
        )
        with audit_writer(env):
            env["credit.file"].create(
                {
                    "partner_id": customer.id,
                    "company_id": env.company.id,
                    "grade_id": env.ref("credit_management.grade_a").id,
                    "credit_limit": LIMIT,
                    "credit_days": 30,
                    "rating_date": today,
                    "valid_until": today + timedelta(days=60),
                }
            )
        orders = env["sale.order"].create(
            [
                {
                    "partner_id": customer.id,
                    "user_id": data["user"],
                    "order_line": [
                        Command.create(
                            {
                                "product_id": data["product"],
                                "product_uom_qty": 1,
                                "price_unit": ORDER_AMOUNT,
                                "tax_id": [Command.clear()],
                            }
                        )
                    ],
                }
                for _n in range(ORDERS_PER_ROUND)
            ]
        )
        return {"customer": customer.id, "orders": orders.ids}


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------


CONCURRENCY = re.compile(r"could not serialize access|deadlock detected|concurrent update")


def check_race(odoo, db: str, servers: list[Server], data: dict, rounds: int) -> list[str]:
    """Each round: the 8 quotations confirmed at the same moment, alternately through each
    server. At most 3 may be confirmed (9,000 of 10,000); every other one is held, or its
    request was refused by a concurrency error that Odoo's retries (5) did not absorb: then
    it was rolled back and is still a quotation without hold, which the salesperson
    confirms again. Any other error fails the check."""
    problems = []
    fit = int(LIMIT // ORDER_AMOUNT)
    for number in range(1, rounds + 1):
        race = new_round(odoo, db, data, number)
        results = in_parallel(
            [
                confirm_call(servers[i % len(servers)], order)
                for i, order in enumerate(race["orders"])
            ]
        )
        refused = {
            order: result
            for order, result in zip(race["orders"], results, strict=True)
            if isinstance(result, Exception)
        }
        errors = [r for r in refused.values() if not CONCURRENCY.search(str(r))]
        with admin_env(odoo, db) as env:
            orders = env["sale.order"].browse(race["orders"])
            confirmed = orders.filtered(lambda o: o.state == "sale")
            held = (orders - confirmed).filtered(
                lambda o: o.credit_hold_ids.filtered(lambda h: h.state == "pending")
            )
            rolled_back = orders.browse(list(refused)).filtered(
                lambda o: o.state in ("draft", "sent") and not o.credit_hold_ids
            )
            spent = sum(confirmed.mapped("amount_total"))
        line = (
            f"round {number}: {len(confirmed)} confirmed ({spent:,.2f} of {LIMIT:,.2f}), "
            f"{len(held)} held, {len(refused)} refused by a concurrency error and rolled back"
        )
        bad = []
        if spent > LIMIT or len(confirmed) > fit:
            bad.append("more than the limit was spent")
        if len(confirmed) + len(held) + len(rolled_back) != len(orders):
            bad.append("an order is neither confirmed, held nor rolled back")
        if len(confirmed) + len(refused) < fit:
            bad.append(f"fewer than {fit} confirmed though the credit covers them")
        bad += [str(error) for error in errors]
        print(("ok    " if not bad else "FAIL  ") + line)
        problems.extend(f"{line}: {what}" for what in bad)
    return problems


def check_policy_cache(odoo, db: str, sellers: list[Server], admins: list[Server], data) -> list:
    """The policy in force is cached in each server's memory (``ormcache``): a change made
    through one server must reach the checks of the other. A customer with a limit of
    10,000.00 and 3 orders of 3,000.00 confirmed through server 2; its 4th order is held
    there (the shared policy checks the limit: server 2's workers have it cached). Server 1
    gives the company its own policy without the limit rule: the 5th order, through server
    2, is confirmed. Server 1 deletes that policy: the 6th, through server 2, is held."""
    problems = []
    race = new_round(odoo, db, data, 0)
    orders = race["orders"]
    first, other = admins[0], sellers[-1]
    for order in orders[:3]:
        other.call("sale.order", "action_confirm", [order])
    steps = []

    def state(order):
        return other.call("sale.order", "read", [order], ["state"])[0]["state"]

    other.call("sale.order", "action_confirm", [orders[3]])
    steps.append(("over the limit with the shared policy: held", state(orders[3]) != "sale"))
    with admin_env(odoo, db) as env:
        company = env.company.id
        shared = env["credit.policy"]._for_company(env.company).id
    own = first.call(
        "credit.policy", "copy", [shared], {"company_id": company, "check_limit": False}
    )
    own = own[0] if isinstance(own, list) else own
    other.call("sale.order", "action_confirm", [orders[4]])
    steps.append(
        ("the company's own policy without the limit rule: confirmed", state(orders[4]) == "sale")
    )
    first.call("credit.policy", "unlink", [own])
    other.call("sale.order", "action_confirm", [orders[5]])
    steps.append(("that policy deleted, the shared one again: held", state(orders[5]) != "sale"))
    for label, ok in steps:
        print(
            ("ok    " if ok else "FAIL  ")
            + f"policy changed on server 1, checked on server 2: {label}"
        )
        if not ok:
            problems.append(f"policy cache across servers: {label}")
    return problems


JOB_LOCKED = re.compile(r"currently being executed|cannot be modified right now")


def duplicates(env) -> list[str]:
    """Records the addon's jobs create that may exist once only, counted more than once."""
    env.cr.execute(
        """
        SELECT 'open reviews of file ' || file_id, COUNT(*) FROM credit_review
         WHERE state IN ('draft', 'to_approve') GROUP BY file_id HAVING COUNT(*) > 1
        UNION ALL
        SELECT 'open warning signs ' || kind || ' of file ' || file_id, COUNT(*)
          FROM credit_warning WHERE state = 'open' GROUP BY file_id, kind HAVING COUNT(*) > 1
        UNION ALL
        SELECT 'dunning runs of company ' || company_id || ' on ' || date, COUNT(*)
          FROM credit_dunning_run GROUP BY company_id, date HAVING COUNT(*) > 1
        UNION ALL
        SELECT 'activities ' || res_model || ' ' || res_id || ' ' || COALESCE(summary, ''),
               COUNT(*)
          FROM mail_activity WHERE res_model LIKE 'credit.%%'
      GROUP BY res_model, res_id, summary, user_id HAVING COUNT(*) > 1
        """
    )
    return [f"{what}: {count} times" for what, count in env.cr.fetchall()]


def check_jobs(odoo, db: str, admins: list[Server]) -> list[str]:
    """Every scheduled job of the addon, started on both servers at the same moment: once
    as Odoo's *Run Manually* (Odoo's job lock lets one run, the other is refused at once),
    once through its server action (no Odoo lock: the addon's own claim makes the second
    skip). No other error, and no record the jobs create twice."""
    problems = []
    with admin_env(odoo, db) as env:
        crons = [
            (env.ref(f"credit_management.{data.name}"))
            for data in env["ir.model.data"].search(
                [("module", "=", "credit_management"), ("model", "=", "ir.cron")]
            )
        ]
        admin = env["res.users"].search([("login", "=", ADMIN[0])])
        Access = env["ir.model.access"].with_user(admin)
        # a server action on a model the user may not write is refused to them (Odoo); the
        # job's claim is then checked in the test suite only (tests/test_cron_concurrency.py)
        jobs = [
            (
                cron.id,
                cron.ir_actions_server_id.id,
                cron.name,
                Access.check(cron.model_id.model, "write", raise_exception=False),
            )
            for cron in crons
        ]
    for cron_id, action_id, name, writable in jobs:
        manual = in_parallel(
            [rpc_call(s, "ir.cron", "method_direct_trigger", cron_id) for s in admins]
        )
        refused = [r for r in manual if isinstance(r, Exception)]
        unexpected = [r for r in refused if not JOB_LOCKED.search(str(r))]
        line = (
            f"job {name}: run manually on both servers ({len(manual) - len(refused)} ran, "
            f"{len(refused)} refused by Odoo's job lock)"
        )
        failed = []
        if writable:
            action = in_parallel(
                [rpc_call(s, "ir.actions.server", "run", action_id) for s in admins]
            )
            failed = [r for r in action if isinstance(r, Exception)]
            line += f", its action on both ({len(failed)} errors)"
        else:
            line += ", its action not run (its model is not open to users)"
        bad = unexpected + failed
        print(("ok    " if not bad else "FAIL  ") + line)
        problems.extend(f"{line}: {error}" for error in bad)
    with admin_env(odoo, db) as env:
        found = duplicates(env)
    print(("ok    " if not found else "FAIL  ") + f"no duplicate records ({len(found)} found)")
    problems.extend(found)
    return problems


def seed_job_data(odoo, db: str) -> None:
    """Work for the jobs: a customer with a rating over a year old (re-rating), a temporary
    limit that ended yesterday, an overdue posted invoice (cases, dunning)."""
    from odoo import Command

    from odoo.addons.credit_management.models.credit_decision_mixin import audit_writer

    with admin_env(odoo, db) as env:
        today = odoo.fields.Date.context_today(env["res.partner"])
        customer = env["res.partner"].create(
            {"name": "Multi-server Job Customer", "is_company": True, "email": "job@example.com"}
        )
        with audit_writer(env):
            env["credit.file"].create(
                {
                    "partner_id": customer.id,
                    "company_id": env.company.id,
                    "grade_id": env.ref("credit_management.grade_b").id,
                    "credit_limit": 5_000.0,
                    "credit_days": 30,
                    "rating_date": today - timedelta(days=400),
                    "valid_until": today + timedelta(days=30),
                    "temporary_limit": 1_000.0,
                    "temporary_limit_until": today - timedelta(days=1),
                }
            )
        invoice = env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": customer.id,
                "invoice_date": today - timedelta(days=90),
                "invoice_date_due": today - timedelta(days=60),
                "invoice_line_ids": [
                    Command.create({"name": "Goods", "price_unit": 2_500.0, "tax_ids": []})
                ],
            }
        )
        invoice.action_post()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conf", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("urls", nargs="+")
    args = parser.parse_args(argv)
    odoo = load_odoo(args.conf, args.db)
    data = set_up(odoo, args.db)
    sellers = [Server(url, args.db, SALES_LOGIN, SALES_LOGIN) for url in args.urls]
    admins = [Server(url, args.db, *ADMIN) for url in args.urls]
    print(f"{len(args.urls)} servers: {', '.join(args.urls)}")
    problems = check_race(odoo, args.db, sellers, data, args.rounds)
    seed_job_data(odoo, args.db)
    problems += check_jobs(odoo, args.db, admins)
    problems += check_policy_cache(odoo, args.db, sellers, admins, data)
    for problem in problems:
        print(f"problem: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
