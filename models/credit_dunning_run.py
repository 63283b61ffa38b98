import logging
import time
from collections import defaultdict
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..credit_management import dunning as core_dunning
from ..credit_management.numbers import to_decimal
from .ir_cron import cron_time_limit, job_started_at

_logger = logging.getLogger(__name__)

SEND_SECONDS_PARAM = "credit_management.dunning_send_seconds"
SEND_SECONDS = 20.0
"""Default seconds of sending per transaction of the background job."""
FIRST_CHUNK = 2
"""Communications of the first chunk of a batch while the sending rate is not known."""
MAX_CHUNK = 100
"""Most communications whose PDFs are rendered in one report call."""
_seconds_per_communication = {}
"""Sending rate of the last batch of this process, per database: sizes the first chunk of
the next batch."""


def _clock():
    """Seconds, for the time budget of a batch (tests replace it)."""
    return time.time()


class CreditDunningRun(models.Model):
    """The dunning run of one company for one day (scheduled daily, or started by hand for
    a date): it finds, per customer, the open items and the level each has reached, creates
    one communication per customer and level (previewed before anything goes out), then
    sends them in batches in the background.

    Runs are idempotent: there is one run per company and date, and the item states written
    in the same transaction as the communications make a second computation find nothing
    new. Sending goes communication by communication, each batch committed by the scheduled
    job, so an interrupted sending resumes with the communications still to send.
    """

    _name = "credit.dunning.run"
    _description = "Dunning Run"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")

    @api.depends("date", "company_id")
    def _compute_name(self):
        for run in self:
            run.name = _("Dunning run of %(date)s", date=run.date or "")

    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(
        required=True,
        default=fields.Date.context_today,
        help="The day the run dunns for: items are aged and fees charged as of this date.",
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("computed", "To Send"),
            ("sending", "Sending"),
            ("done", "Done"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
    )
    communication_ids = fields.One2many(
        "credit.dunning.communication", "run_id", string="Communications"
    )
    communication_count = fields.Integer(compute="_compute_counts")
    to_send_count = fields.Integer(string="To Send", compute="_compute_counts")
    failed_count = fields.Integer(string="Failed", compute="_compute_counts")
    amount_due = fields.Monetary(
        string="Amount Dunned", compute="_compute_counts", currency_field="currency_id"
    )

    @api.depends("communication_ids.state", "communication_ids.amount_due")
    def _compute_counts(self):
        for run in self:
            active = run.communication_ids.filtered(lambda c: c.state != "cancel")
            run.communication_count = len(active)
            run.to_send_count = len(active.filtered(lambda c: c.state == "draft"))
            run.failed_count = len(active.filtered(lambda c: c.state == "failed"))
            run.amount_due = sum(active.mapped("amount_due"))

    _sql_constraints = [
        ("company_date_unique", "unique(company_id, date)", "One dunning run per company and day."),
    ]

    @api.onchange("company_id", "date")
    def _onchange_existing_run(self):
        """Told as soon as the form opens, not when saving: the company has a run for
        this day already."""
        if not (self.company_id and self.date):
            return None
        existing = self._existing_run(self.company_id, self.date)
        if not existing or existing == self._origin:
            return None
        return {
            "warning": {
                "title": _("A run exists for this day"),
                "message": _(
                    "%(company)s has a dunning run of %(date)s already: open it from the "
                    "list (or with Today's Run) instead of creating another one.",
                    company=self.company_id.display_name,
                    date=self.date,
                ),
            }
        }

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            company = self.env["res.company"].browse(vals.get("company_id") or self.env.company.id)
            date = fields.Date.to_date(vals.get("date")) or fields.Date.context_today(self)
            if self._existing_run(company, date):
                raise UserError(
                    _(
                        "%(company)s has a dunning run of %(date)s already: open it instead "
                        "of creating another one.",
                        company=company.display_name,
                        date=date,
                    )
                )
        return super().create(vals_list)

    def _existing_run(self, company, date):
        return self.sudo().search([("company_id", "=", company.id), ("date", "=", date)], limit=1)

    # ------------------------------------------------------------------
    # starting
    # ------------------------------------------------------------------
    @api.model
    def action_open_today(self):
        """Today's run of the current company, opened: the existing one, else a new one."""
        self.env["credit.file"]._check_officer()
        company = self.env.company
        today = fields.Date.context_today(self)
        run = self._existing_run(company, today).sudo(False) or self.create(
            {"company_id": company.id, "date": today}
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": run.id,
            "views": [(False, "form")],
            "target": "current",
        }

    @api.model
    def _get_or_create(self, company, date):
        """The run of ``company`` for ``date``, created if there is none (concurrent callers
        meet on the unique constraint)."""
        run = self.search([("company_id", "=", company.id), ("date", "=", date)], limit=1)
        return run or self.create({"company_id": company.id, "date": date})

    def action_compute(self):
        """Compute (or complete) the communications of the run: the preview."""
        self.env["credit.file"]._check_officer()
        for run in self:
            if run.state not in ("draft", "computed"):
                raise UserError(
                    _(
                        "The run of %(date)s is being sent or done: nothing is recomputed.",
                        date=run.date,
                    )
                )
            run._compute_communications()
            run.state = "computed"
        return True

    def action_send(self):
        """Send the previewed communications in the background, in batches."""
        self.env["credit.file"]._check_officer()
        for run in self:
            if run.state != "computed":
                raise UserError(_("Compute the run before sending it."))
        self.write({"state": "sending"})
        self.env.ref("credit_management.ir_cron_dunning_send")._trigger()
        return True

    def action_view_communications(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "credit_management.credit_dunning_communication_action"
        )
        action["domain"] = [("run_id", "=", self.id)]
        action["context"] = {"search_default_group_level": 1}
        return action

    # ------------------------------------------------------------------
    # computation
    # ------------------------------------------------------------------
    def _compute_communications(self):
        """Create the run's communications and items in bulk and move the items' states to
        the level reached, in one transaction:

        1. one SQL read of the company's open receivable items (posted, not reconciled,
           positive residual, not disputed) due by the run's date plus the earliest reminder
           lead time, with each customer's policy (credit file, else grade, else company
           default) and each item's dunning state;
        2. the core picks the level due for each item (``dunning.next_level``);
        3. ``INSERT ... SELECT FROM unnest(...)`` of the communications (one per customer and
           level), of their items and of the item states, ``ON CONFLICT`` keeping what is
           already there, then the amounts and fees of the communications touched.
        """
        self.ensure_one()
        self._cancel_older_drafts()
        policies = self.env["credit.dunning.policy"].search(
            [("company_id", "=", self.company_id.id)]
        )
        default = policies.filtered("is_default")[:1]
        levels = {
            policy.id: tuple(level._to_core() for level in policy.level_ids) for policy in policies
        }
        gaps = {policy.id: policy.min_days_between for policy in policies}
        level_records = {level.id: level for level in policies.level_ids}
        if not level_records:
            return
        lead = max(0, -min(level.days for level in level_records.values()))
        rows = self._net_of_credits(self._read_candidates(default, lead))
        groups = defaultdict(list)
        for row in rows:
            partner_id, residual, due, policy_id = row[2], row[3], row[4], row[5]
            last_level, last_date = row[8], row[9]
            if policy_id not in levels:
                continue
            item = core_dunning.ItemState(
                due=due,
                open_amount=to_decimal(residual),
                last_level=last_level,
                last_date=last_date,
            )
            level = core_dunning.next_level(levels[policy_id], item, self.date, gaps[policy_id])
            if level is None:
                continue
            groups[(partner_id, level.key)].append(row)
        if not groups:
            return
        self._insert_communications(groups, level_records)

    def _net_of_credits(self, rows):
        """The candidate items once each customer's unapplied credits (credit notes and
        payments not matched yet) are applied, oldest items first
        (``dunning.net_of_credits``): an item they cover is left out, the one they cover in
        part is dunned for what is left (its amount in currency in proportion); a customer
        who owes nothing in all (open balance, due or not, <= 0) is not dunned. ``rows`` are
        ``_read_candidates``'s, whose last two columns (balance, credits) are dropped."""
        balances = {}
        by_partner = defaultdict(list)
        for row in rows:
            balances[row[2]] = row[-2:]
            by_partner[row[2]].append(row[:-2])
        netted = []
        currencies = {}
        for partner, partner_rows in by_partner.items():
            balance, credits = balances[partner]
            left = core_dunning.net_of_credits(
                [(index, row[4], row[3]) for index, row in enumerate(partner_rows)],
                credits,
                balance,
            )
            for index, row in enumerate(partner_rows):
                if index not in left:
                    continue
                residual = to_decimal(row[3])
                if left[index] != residual:
                    in_currency = row[11]
                    if row[12]:
                        currency = currencies.setdefault(
                            row[12], self.env["res.currency"].browse(row[12])
                        )
                        in_currency = currency.round(
                            float(to_decimal(row[11]) * left[index] / residual)
                        )
                    row = list(row)
                    row[3], row[11] = left[index], in_currency
                    row = tuple(row)
                netted.append(row)
        return netted

    def _cancel_older_drafts(self):
        """A level is reached when its communication is sent, not when it is previewed:
        the communications of earlier runs of the company still waiting in their preview
        are cancelled, which puts their items back where they were, so this run proposes
        them again at the level due today (runs being sent keep theirs)."""
        older = self.env["credit.dunning.communication"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("state", "=", "draft"),
                ("run_id.date", "<", self.date),
                ("run_id.state", "in", ("draft", "computed")),
            ]
        )
        if older:
            older._cancel_drafts()

    def _read_candidates(self, default_policy, lead):
        """The company's open debit items due by the run's date plus the lead days, not
        disputed, with their customer's dunning policy, file, collector and dunning state
        (the open items of the aging engine, as the ledger stands), and whether the item is
        a fee invoice's (which bears no interest: no fee on fees). Each row ends with its
        customer's open balance and unapplied credits (every open item, due or not), read
        in the same pass over the open items, for ``_net_of_credits``."""
        self.env["account.move"].flush_model(["credit_dunning_communication_id"])
        self.env["credit.file"].flush_model(
            ["company_id", "dunning_policy_id", "grade_id", "officer_id", "partner_id"]
        )
        self.env["credit.dunning.policy"].flush_model(
            ["active", "collector_id", "company_id", "grade_ids", "is_default"]
        )
        self.env["credit.dunning.item.state"].flush_model()
        items = self.env["credit.aging.engine"]._open_items_sql(None, [self.company_id.id])
        return self.env.execute_query(
            SQL(
                """
            WITH open_items AS MATERIALIZED (%(items)s),
            balances AS (
                SELECT bp.commercial_partner_id AS partner_id, SUM(oi.residual) AS balance,
                       -SUM(LEAST(oi.residual, 0)) AS credits
                  FROM open_items oi
                  JOIN res_partner bp ON bp.id = oi.partner_id
                 GROUP BY bp.commercial_partner_id
            )
            SELECT items.line_id, items.move_id, p.commercial_partner_id, items.residual,
                   items.due_date,
                   COALESCE(own.id, by_grade.policy_id, %(default)s) AS policy_id,
                   f.id, COALESCE(f.officer_id, pol.collector_id),
                   st.level_id, st.level_date, st.interest_date,
                   items.residual_currency, items.currency_id,
                   fee_move.credit_dunning_communication_id IS NOT NULL AS is_fee,
                   bal.balance, bal.credits
              FROM open_items items
              JOIN res_partner p ON p.id = items.partner_id
              JOIN balances bal ON bal.partner_id = p.commercial_partner_id
              JOIN account_move fee_move ON fee_move.id = items.move_id
         LEFT JOIN credit_file f
                ON f.partner_id = p.commercial_partner_id AND f.company_id = items.company_id
         LEFT JOIN credit_dunning_policy own
                ON own.id = f.dunning_policy_id AND own.active
         LEFT JOIN LATERAL (
                    SELECT rel.credit_dunning_policy_id AS policy_id
                      FROM credit_dunning_policy_credit_grade_rel rel
                      JOIN credit_dunning_policy gp ON gp.id = rel.credit_dunning_policy_id
                     WHERE rel.credit_grade_id = f.grade_id
                       AND gp.company_id = items.company_id AND gp.active
                     LIMIT 1
                ) by_grade ON TRUE
         LEFT JOIN credit_dunning_policy pol
                ON pol.id = COALESCE(own.id, by_grade.policy_id, %(default)s)
         LEFT JOIN credit_dunning_item_state st ON st.move_line_id = items.line_id
             WHERE items.residual > 0
               AND items.due_date <= %(horizon)s
               AND st.disputed IS NOT TRUE
                """,
                items=items,
                default=default_policy.id or None,
                horizon=self.date + timedelta(days=lead),
            )
        )

    def _insert_communications(self, groups, level_records):
        currency = self.company_id.currency_id
        keys = list(groups)
        first = [groups[key][0] for key in keys]
        uid = self.env.uid
        comm_rows = self.env.execute_query(
            SQL(
                """
            INSERT INTO credit_dunning_communication
                   (run_id, company_id, date, partner_id, file_id, policy_id, level_id,
                    level_days, channel, collector_id, state, item_count, amount_due,
                    fee_amount, interest_amount, total_amount,
                    create_uid, create_date, write_uid, write_date)
            SELECT %(run)s, %(company)s, %(date)s, v.partner_id, v.file_id, lv.policy_id,
                   lv.id, lv.days, lv.channel, v.collector_id, 'draft', 0, 0, 0, 0, 0,
                   %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
              FROM unnest(%(partners)s::int[], %(levels)s::int[], %(files)s::int[],
                          %(collectors)s::int[]) AS v(partner_id, level_id, file_id, collector_id)
              JOIN credit_dunning_level lv ON lv.id = v.level_id
                ON CONFLICT (run_id, partner_id, level_id) DO UPDATE
                   SET write_date = EXCLUDED.write_date
                 WHERE credit_dunning_communication.state = 'draft'
            RETURNING id, partner_id, level_id
                """,
                run=self.id,
                company=self.company_id.id,
                date=self.date,
                uid=uid,
                partners=[key[0] for key in keys],
                levels=[key[1] for key in keys],
                files=[row[6] for row in first],
                collectors=[row[7] for row in first],
            )
        )
        # a communication of this run already sent, failed or left out takes no new item
        comm_of = {(partner, level): comm for comm, partner, level in comm_rows}
        line_values = defaultdict(list)
        for key, rows in groups.items():
            if key not in comm_of:
                continue
            level = level_records[key[1]]
            for row in rows:
                (
                    line_id,
                    move_id,
                    _partner,
                    residual,
                    due,
                    _policy,
                    _file,
                    _collector,
                    last_level,
                    last_date,
                    interest_date,
                    residual_currency,
                    currency_id,
                    is_fee,
                ) = row
                if level.fee_type == core_dunning.FEE_INTEREST and not is_fee:
                    start = max(due, interest_date) if interest_date else due
                    interest_days = max(0, (self.date - start).days)
                else:
                    interest_days = 0
                for name, value in (
                    ("comm", comm_of[key]),
                    ("line", line_id),
                    ("move", move_id),
                    ("due", due),
                    ("days", (self.date - due).days),
                    ("residual", residual),
                    ("residual_currency", residual_currency),
                    ("currency", currency_id),
                    ("interest_days", interest_days),
                    ("prev_level", last_level),
                    ("prev_date", last_date),
                    ("prev_interest", interest_date),
                    ("new_interest", self.date if interest_days else interest_date),
                ):
                    line_values[name].append(value)
        if not comm_of:
            return
        self.env.execute_query(
            SQL(
                """
            WITH v AS (
                SELECT * FROM unnest(%(comm)s::int[], %(line)s::int[], %(move)s::int[],
                                     %(due)s::date[], %(days)s::int[], %(residual)s::numeric[],
                                     %(interest_days)s::int[], %(prev_level)s::int[],
                                     %(prev_date)s::date[], %(prev_interest)s::date[],
                                     %(new_interest)s::date[],
                                     %(residual_currency)s::numeric[], %(currency)s::int[])
                    AS v(comm, line, move, due, days, residual, interest_days, prev_level,
                         prev_date, prev_interest, new_interest, residual_currency, currency)
            ),
            inserted AS (
                INSERT INTO credit_dunning_communication_line
                       (communication_id, run_id, company_id, move_line_id, move_id,
                        date_maturity, days_overdue, amount_residual, interest_days,
                        previous_level_id, previous_level_date, previous_interest_date,
                        previous_communication_id, amount_residual_currency, currency_id,
                        create_uid, create_date, write_uid, write_date)
                SELECT v.comm, %(run)s, %(company)s, v.line, v.move, v.due, v.days, v.residual,
                       v.interest_days, v.prev_level, v.prev_date, v.prev_interest,
                       st.communication_id, v.residual_currency, v.currency,
                       %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
                  FROM v
             LEFT JOIN credit_dunning_item_state st ON st.move_line_id = v.line
                    ON CONFLICT (run_id, move_line_id) DO NOTHING
             RETURNING communication_id, move_line_id, move_id
            )
            INSERT INTO credit_dunning_item_state
                   (move_line_id, move_id, company_id, partner_id, level_id, level_date,
                    communication_id, interest_date, disputed,
                    create_uid, create_date, write_uid, write_date)
            SELECT i.move_line_id, i.move_id, %(company)s, c.partner_id, c.level_id, %(date)s,
                   i.communication_id, v.new_interest, FALSE,
                   %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
              FROM inserted i
              JOIN v ON v.line = i.move_line_id
              JOIN credit_dunning_communication c ON c.id = i.communication_id
                ON CONFLICT (move_line_id) DO UPDATE
                   SET level_id = EXCLUDED.level_id,
                       level_date = EXCLUDED.level_date,
                       communication_id = EXCLUDED.communication_id,
                       interest_date = EXCLUDED.interest_date,
                       write_uid = EXCLUDED.write_uid,
                       write_date = EXCLUDED.write_date
                """,
                run=self.id,
                company=self.company_id.id,
                date=self.date,
                uid=uid,
                **line_values,
            )
        )
        self._update_amounts(list(comm_of.values()), level_records, currency)
        self.env["credit.dunning.communication"].invalidate_model()
        self.env["credit.dunning.communication.line"].invalidate_model()
        self.env["credit.dunning.item.state"].invalidate_model()

    def _update_amounts(self, comm_ids, level_records, currency):
        """Amount dunned, item count, fee and interest of the communications touched, from
        all their items (a communication completed by a second computation is summed
        again); communications sent or left out are never rewritten. The items of fee
        invoices count in the amount dunned but are not chargeable: no interest, and no
        fixed fee for a communication of fees alone (``core_dunning.communication_fee``)."""
        self.env["account.move"].flush_model(["credit_dunning_communication_id"])
        rows = self.env.execute_query(
            SQL(
                """
            SELECT c.id, c.level_id, l.amount_residual, l.interest_days,
                   m.credit_dunning_communication_id IS NULL AS chargeable
              FROM credit_dunning_communication c
              JOIN credit_dunning_communication_line l ON l.communication_id = c.id
              JOIN account_move m ON m.id = l.move_id
             WHERE c.id = ANY(%(ids)s) AND c.state IN ('draft', 'failed')
                """,
                ids=comm_ids,
            )
        )
        items = defaultdict(list)
        level_of = {}
        for comm_id, level_id, residual, interest_days, chargeable in rows:
            items[comm_id].append(
                core_dunning.InterestItem(to_decimal(residual), interest_days, chargeable)
            )
            level_of[comm_id] = level_id
        rounding = to_decimal(currency.rounding)
        ids, counts, dues, fees, interests = [], [], [], [], []
        for comm_id, comm_items in items.items():
            level = level_records[level_of[comm_id]]
            core_fee = level._core_fee()
            fee = interest = to_decimal(0)
            if level.fee_type == core_dunning.FEE_FIXED:
                fee = core_dunning.communication_fee(core_fee, comm_items, rounding)
            elif level.fee_type == core_dunning.FEE_INTEREST:
                interest = core_dunning.communication_fee(core_fee, comm_items, rounding)
            ids.append(comm_id)
            counts.append(len(comm_items))
            dues.append(sum((i.open_amount for i in comm_items), to_decimal(0)))
            fees.append(fee)
            interests.append(interest)
        self.env.execute_query(
            SQL(
                """
            UPDATE credit_dunning_communication c
               SET item_count = v.count, amount_due = v.due, fee_amount = v.fee,
                   interest_amount = v.interest, total_amount = v.due + v.fee + v.interest
              FROM unnest(%(ids)s::int[], %(counts)s::int[], %(dues)s::numeric[],
                          %(fees)s::numeric[], %(interests)s::numeric[])
                   AS v(id, count, due, fee, interest)
             WHERE c.id = v.id
                """,
                ids=ids,
                counts=counts,
                dues=dues,
                fees=fees,
                interests=interests,
            )
        )

    # ------------------------------------------------------------------
    # sending
    # ------------------------------------------------------------------
    @api.model
    def _send_seconds(self):
        """Seconds a batch of the background job sends before it is committed: the system
        parameter ``credit_management.dunning_send_seconds`` (default 20), at least one
        second and at most a quarter of the scheduler's real-time limit, so that a batch
        never comes near the limit at which the worker is killed and its work lost."""
        value = self.env["ir.config_parameter"].sudo().get_param(SEND_SECONDS_PARAM)
        try:
            seconds = float(value) if value else SEND_SECONDS
        except ValueError:
            _logger.warning("%s is not a number of seconds: %r", SEND_SECONDS_PARAM, value)
            seconds = SEND_SECONDS
        limit = cron_time_limit()
        if limit:
            seconds = min(seconds, limit / 4)
        return max(1.0, seconds)

    def _send_batch(self, limit=None, seconds=None):
        """Send the communications of the runs being sent for about ``seconds`` (default
        ``_send_seconds``), and no more than ``limit`` of them when given; a run with
        nothing left to send is done. Returns (sent, remaining).

        The communications go in chunks whose PDFs are rendered in one report call per
        report (one wkhtmltopdf process for many letters instead of one per letter, see
        ``credit.dunning.communication._send_chunk``). Each chunk is sized on the time a
        communication took so far (in this batch, else in the previous one, else
        ``FIRST_CHUNK`` communications) to fill what is left of the budget; none is
        started when not even one communication fits in it."""
        budget = self._send_seconds() if seconds is None else seconds
        # sending reads invoices, renders their PDFs and queues mail: system work, done as
        # superuser once an officer (or the scheduler) has decided to send
        Communication = self.env["credit.dunning.communication"].sudo()
        domain = [("run_id", "in", self.ids), ("state", "=", "draft")]
        start = _clock()
        dbname = self.env.cr.dbname
        rate = _seconds_per_communication.get(dbname)
        size = max(1, min(MAX_CHUNK, int(budget / rate))) if rate else FIRST_CHUNK
        sent, last_id = 0, 0
        while not limit or sent < limit:
            if limit:
                size = min(size, limit - sent)
            chunk = Communication.search([*domain, ("id", ">", last_id)], limit=size, order="id")
            if not chunk:
                break
            chunk._send_chunk()
            sent += len(chunk)
            last_id = chunk[-1].id
            elapsed = _clock() - start
            per_communication = elapsed / sent
            if per_communication > 0:
                _seconds_per_communication[dbname] = per_communication
            left = budget - elapsed
            if left < per_communication:
                break
            size = min(MAX_CHUNK, int(left / per_communication) if per_communication else MAX_CHUNK)
        remaining = Communication.search_count(domain)
        if not remaining:
            self.sudo().filtered(lambda r: r.state == "sending").write({"state": "done"})
        return sent, remaining

    # ------------------------------------------------------------------
    # scheduled jobs
    # ------------------------------------------------------------------
    @api.model
    def _cron_compute_daily(self):
        """Every morning: the run of the day for each company with an active dunning policy
        (a default one or not: customers may be dunned by their own or their grade's
        policy), computed and waiting in the preview for an officer to send it.

        "The day" is the company's own date: today in the time zone of the company's
        address (its partner), else in the time zone of the user running the job. Each
        company is computed in a savepoint of its own: an error in one is logged and leaves
        the others' runs in place."""
        if not self.env["ir.cron"]._credit_claim_job("dunning_daily"):
            return
        companies = self.env["credit.dunning.policy"].sudo().search([]).company_id
        for company in companies:
            tz = company.partner_id.tz or self.env.user.tz
            today = fields.Date.context_today(self.with_context(tz=tz))
            try:
                with self.env.cr.savepoint():
                    run = self.with_company(company)._get_or_create(company, today)
                    if run.state in ("draft", "computed"):
                        run._compute_communications()
                        run.state = "computed"
            except Exception:  # one company's trouble never stops the others
                _logger.exception("Dunning run of %s for %s failed", company.name, today)

    @api.model
    def _cron_send(self):
        """Send the runs being sent, one batch of ``_send_seconds`` per call; the scheduler
        commits after each call and calls again while communications remain (we report
        them with ``_notify_progress``).

        Odoo 18 makes up to ten such calls in a row inside one real-time limit of its
        worker; when the calls of this job have used half of it, the job hands over
        instead of starting a batch that could be killed with the worker: it reports no
        progress (which ends the series of calls) and triggers itself, so the next call
        starts in a fresh time window."""
        if not self.env["ir.cron"]._credit_claim_job("dunning_send"):
            return
        runs = self.search([("state", "=", "sending")])
        if not runs:
            return
        Cron = self.env["ir.cron"]
        budget = self._send_seconds()
        left = self._cron_time_left()
        if left is not None and left < budget:
            remaining = (
                self.env["credit.dunning.communication"]
                .sudo()
                .search_count([("run_id", "in", runs.ids), ("state", "=", "draft")])
            )
            self.env.ref("credit_management.ir_cron_dunning_send")._trigger()
            Cron._notify_progress(done=0, remaining=remaining)
            return
        sent, remaining = runs._send_batch(seconds=budget)
        Cron._notify_progress(done=sent, remaining=remaining)

    @api.model
    def _cron_time_left(self):
        """Seconds left, in the scheduler's current time window, for the calls of this job:
        half of the real-time limit minus what the job has used so far (the other half is
        the margin for the other jobs of the same worker call and for a batch ending late).
        None outside a scheduled job or without a limit."""
        limit = cron_time_limit()
        started = job_started_at()
        if not (limit and started and self.env.context.get("cron_id")):
            return None
        return limit / 2 - (_clock() - started)
