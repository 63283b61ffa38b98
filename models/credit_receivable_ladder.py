"""The open receivables of every customer by due date, kept up to date by the database.

The credit gate needs, for one customer, the sum of its open receivable items, the overdue
part and the oldest overdue due date. Read from ``account_move_line`` that is one aggregate
over every open item of the customer (100,000 for a big one), too slow to run on each order
confirmation. So PostgreSQL keeps a *ladder*: ``credit_receivable_ladder`` holds rows
(company, commercial partner, due date) with the open residual, the residual of the items
that are owed (positive) and how many those are. It is a log of changes: triggers on
``account_move_line``, ``res_partner`` and ``account_account`` insert the change of every
write that opens, closes, moves or re-amounts an open receivable item, whatever wrote it
(ORM, SQL, imports). An item inserted open or deleted open adds its row (triggers per row,
filtered by a WHEN condition: inserting draft items costs nothing). Updates, where
reconciliations and payments write many items at once, are handled once per statement on
its transition tables (the old and new rows): one row per (company, partner, due date) the
statement changed, net, so a reconciliation of 10,000 items due on 300 dates adds 300 rows
for a few microseconds per item, where a trigger per row cost a function call and an INSERT
each; a statement that touches no open item leaves at its first check (see bench/README.md,
order confirmation benchmark). Reading sums the rows of the
customer (a few hundred, one per due date); a daily job folds the rows of each (company,
partner, due date) into one.

Inserting, never updating, means two transactions posting or reconciling items of the same
customer never wait for each other on a ladder row. Everything is exact: the amounts are
PostgreSQL ``numeric`` sums of ``amount_residual``.

Definitions match those of the exposure (see ``credit.exposure._exposure_by_partner``): items
of posted entries, on ``asset_receivable`` accounts, not reconciled, with a partner; due
date = maturity date, else the entry date; keyed on the partner's commercial partner.
"""

from odoo import api, models

TABLE = "credit_receivable_ladder"

# One item's contribution, with a sign, for the row-level triggers (insert, delete).
_CONTRIBUTION = """
    INSERT INTO credit_receivable_ladder
           (company_id, partner_id, due_date, residual, owed_residual, owed_items)
    SELECT {row}.company_id, COALESCE(p.commercial_partner_id, p.id),
           COALESCE({row}.date_maturity, {row}.date),
           {sign} * {row}.amount_residual,
           {sign} * GREATEST({row}.amount_residual, 0),
           {sign} * (CASE WHEN {row}.amount_residual > 0 THEN 1 ELSE 0 END)
      FROM res_partner p, account_account a
     WHERE p.id = {row}.partner_id
       AND a.id = {row}.account_id
       AND a.account_type = 'asset_receivable';
"""

_OPEN_ROW = (
    "{row}.parent_state = 'posted' AND {row}.reconciled IS NOT TRUE "
    "AND {row}.partner_id IS NOT NULL AND {row}.amount_residual <> 0"
)

# The contributions of the rows of a transition table (``{rows}``: the statement's new or old
# rows) that are open receivable items, with a sign: (company, commercial partner, due date,
# residual, owed residual, owed items).
_CONTRIBUTIONS = """
    SELECT r.company_id, COALESCE(p.commercial_partner_id, p.id) AS partner_id,
           COALESCE(r.date_maturity, r.date) AS due_date,
           {sign} * r.amount_residual AS residual,
           {sign} * GREATEST(r.amount_residual, 0) AS owed_residual,
           {sign} * (CASE WHEN r.amount_residual > 0 THEN 1 ELSE 0 END) AS owed_items
      FROM {rows} r
      JOIN res_partner p ON p.id = r.partner_id
      JOIN account_account a ON a.id = r.account_id
     WHERE r.parent_state = 'posted' AND r.reconciled IS NOT TRUE
       AND r.amount_residual <> 0 AND a.account_type = 'asset_receivable'
"""

# One ladder row per (company, partner, due date) the statement changed, net of what it took
# out and put back: an UPDATE that changes nothing the ladder sums (a label, a tax tag) nets to
# zero and writes no row.
_RECORD = """
    INSERT INTO credit_receivable_ladder
           (company_id, partner_id, due_date, residual, owed_residual, owed_items)
    SELECT company_id, partner_id, due_date,
           SUM(residual), SUM(owed_residual), SUM(owed_items)
      FROM ({changes}) changes
  GROUP BY company_id, partner_id, due_date
    HAVING SUM(residual) <> 0 OR SUM(owed_residual) <> 0 OR SUM(owed_items) <> 0;
"""

# The contributions of the open items of one partner (as a contact) or one account, with a
# sign, by company, commercial partner and due date: used when a contact changes commercial
# partner or an account changes type.
_MOVE_ITEMS = """
    INSERT INTO credit_receivable_ladder
           (company_id, partner_id, due_date, residual, owed_residual, owed_items)
    SELECT aml.company_id, x.commercial_id, COALESCE(aml.date_maturity, aml.date),
           x.sign * SUM(aml.amount_residual),
           x.sign * SUM(GREATEST(aml.amount_residual, 0)),
           x.sign * COUNT(*) FILTER (WHERE aml.amount_residual > 0)
      FROM account_move_line aml
      JOIN account_account a ON a.id = aml.account_id
      JOIN res_partner p ON p.id = aml.partner_id
     CROSS JOIN LATERAL (VALUES {signs}) AS x(commercial_id, sign)
     WHERE {where}
       AND aml.parent_state = 'posted' AND aml.reconciled IS NOT TRUE
       AND aml.amount_residual <> 0
       AND x.commercial_id IS NOT NULL
     GROUP BY aml.company_id, x.commercial_id, x.sign, COALESCE(aml.date_maturity, aml.date);
"""

INSTALL = f"""
CREATE TABLE IF NOT EXISTS credit_receivable_ladder (
    id bigserial PRIMARY KEY,
    company_id integer NOT NULL,
    partner_id integer NOT NULL,
    due_date date NOT NULL,
    residual numeric NOT NULL,
    owed_residual numeric NOT NULL,
    owed_items integer NOT NULL
);
COMMENT ON TABLE credit_receivable_ladder IS
    'credit_management: open receivables by company, commercial partner and due date, '
    'kept by triggers (see models/credit_receivable_ladder.py)';
CREATE INDEX IF NOT EXISTS credit_receivable_ladder_partner_idx
    ON credit_receivable_ladder (partner_id, company_id)
    INCLUDE (due_date, residual, owed_residual, owed_items);

CREATE OR REPLACE FUNCTION credit_management_ladder_aml() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        {_CONTRIBUTION.format(row="OLD", sign="-1")}
    ELSE
        {_CONTRIBUTION.format(row="NEW", sign="1")}
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION credit_management_ladder_aml_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- most updates of journal items touch no open item (product lines, drafts): out at once
    IF NOT EXISTS (SELECT 1 FROM old_rows r WHERE {_OPEN_ROW.format(row="r")})
       AND NOT EXISTS (SELECT 1 FROM new_rows r WHERE {_OPEN_ROW.format(row="r")}) THEN
        RETURN NULL;
    END IF;
    {
    _RECORD.format(
        changes=_CONTRIBUTIONS.format(rows="old_rows", sign="-1")
        + " UNION ALL "
        + _CONTRIBUTIONS.format(rows="new_rows", sign="1")
    )
}
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION credit_management_ladder_partner() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    {
    _MOVE_ITEMS.format(
        signs="(OLD.commercial_partner_id, -1), (NEW.commercial_partner_id, 1)",
        where="aml.partner_id = NEW.id AND a.account_type = 'asset_receivable'",
    )
}
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION credit_management_ladder_account() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    {
    _MOVE_ITEMS.format(
        signs="(COALESCE(p.commercial_partner_id, p.id), "
        "CASE WHEN NEW.account_type = 'asset_receivable' THEN 1 ELSE -1 END)",
        where="aml.account_id = NEW.id",
    )
}
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS credit_management_ladder_insert ON account_move_line;
CREATE TRIGGER credit_management_ladder_insert
    AFTER INSERT ON account_move_line FOR EACH ROW
    WHEN ({_OPEN_ROW.format(row="NEW")})
    EXECUTE FUNCTION credit_management_ladder_aml();
DROP TRIGGER IF EXISTS credit_management_ladder_update ON account_move_line;
CREATE TRIGGER credit_management_ladder_update
    AFTER UPDATE ON account_move_line
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION credit_management_ladder_aml_update();
DROP TRIGGER IF EXISTS credit_management_ladder_delete ON account_move_line;
CREATE TRIGGER credit_management_ladder_delete
    AFTER DELETE ON account_move_line FOR EACH ROW
    WHEN ({_OPEN_ROW.format(row="OLD")})
    EXECUTE FUNCTION credit_management_ladder_aml();
DROP TRIGGER IF EXISTS credit_management_ladder_partner ON res_partner;
CREATE TRIGGER credit_management_ladder_partner
    AFTER UPDATE OF commercial_partner_id ON res_partner FOR EACH ROW
    WHEN (OLD.commercial_partner_id IS DISTINCT FROM NEW.commercial_partner_id)
    EXECUTE FUNCTION credit_management_ladder_partner();
DROP TRIGGER IF EXISTS credit_management_ladder_account ON account_account;
CREATE TRIGGER credit_management_ladder_account
    AFTER UPDATE OF account_type ON account_account FOR EACH ROW
    WHEN (OLD.account_type IS DISTINCT FROM NEW.account_type
          AND 'asset_receivable' IN (OLD.account_type, NEW.account_type))
    EXECUTE FUNCTION credit_management_ladder_account();
"""

UNINSTALL = """
DROP TRIGGER IF EXISTS credit_management_ladder_insert ON account_move_line;
DROP TRIGGER IF EXISTS credit_management_ladder_update ON account_move_line;
DROP TRIGGER IF EXISTS credit_management_ladder_delete ON account_move_line;
DROP TRIGGER IF EXISTS credit_management_ladder_partner ON res_partner;
DROP TRIGGER IF EXISTS credit_management_ladder_account ON account_account;
DROP FUNCTION IF EXISTS credit_management_ladder_aml();
DROP FUNCTION IF EXISTS credit_management_ladder_aml_update();
DROP FUNCTION IF EXISTS credit_management_ladder_partner();
DROP FUNCTION IF EXISTS credit_management_ladder_account();
DROP TABLE IF EXISTS credit_receivable_ladder;
"""

REBUILD = """
LOCK TABLE credit_receivable_ladder IN EXCLUSIVE MODE;
DELETE FROM credit_receivable_ladder;
INSERT INTO credit_receivable_ladder
       (company_id, partner_id, due_date, residual, owed_residual, owed_items)
SELECT aml.company_id, COALESCE(p.commercial_partner_id, p.id),
       COALESCE(aml.date_maturity, aml.date),
       SUM(aml.amount_residual),
       SUM(GREATEST(aml.amount_residual, 0)),
       COUNT(*) FILTER (WHERE aml.amount_residual > 0)
  FROM account_move_line aml
  JOIN account_account a ON a.id = aml.account_id
  JOIN res_partner p ON p.id = aml.partner_id
 WHERE a.account_type = 'asset_receivable'
   AND aml.parent_state = 'posted' AND aml.reconciled IS NOT TRUE
   AND aml.amount_residual <> 0
 GROUP BY 1, 2, 3;
"""

COMPACT = """
WITH keys AS (
    SELECT company_id, partner_id, due_date
      FROM credit_receivable_ladder
  GROUP BY company_id, partner_id, due_date
    HAVING COUNT(*) > 1
), folded AS (
    DELETE FROM credit_receivable_ladder l
     USING keys k
     WHERE l.company_id = k.company_id AND l.partner_id = k.partner_id
       AND l.due_date = k.due_date
 RETURNING l.company_id, l.partner_id, l.due_date, l.residual, l.owed_residual, l.owed_items
)
INSERT INTO credit_receivable_ladder
       (company_id, partner_id, due_date, residual, owed_residual, owed_items)
SELECT company_id, partner_id, due_date, SUM(residual), SUM(owed_residual), SUM(owed_items)
  FROM folded
 GROUP BY company_id, partner_id, due_date
HAVING SUM(residual) <> 0 OR SUM(owed_residual) <> 0 OR SUM(owed_items) <> 0
"""


class CreditReceivableLadder(models.AbstractModel):
    _name = "credit.receivable.ladder"
    _description = "Open Receivables by Due Date (kept by the database)"

    def init(self):
        """Create the table and the triggers (again on each update, so a changed definition
        is taken), and rebuild the ladder from the ledger: a ladder is never trusted across
        an install or update."""
        res = super().init()
        self.env.cr.execute(INSTALL)
        self._rebuild()
        return res

    @api.model
    def _rebuild(self):
        """Recompute the whole ladder from ``account_move_line`` (one aggregate)."""
        self.env.flush_all()
        self.env.cr.execute(REBUILD)

    @api.model
    def _compact(self):
        """Fold the change rows of each (company, partner, due date) into one row and drop
        the ones that sum to nothing. Daily job; reading is correct at any time."""
        self.env.cr.execute(COMPACT)

    @api.model
    def _cron_compact(self):
        if not self.env["ir.cron"]._credit_claim_job("compact_receivable_ladder"):
            return
        self._compact()
