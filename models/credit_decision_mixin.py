from contextlib import contextmanager

from odoo import _, api, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

_AUDIT_WRITERS = {}
"""{id of a transaction: depth of the decision methods now writing audit fields in it}. It
lives in the server's memory, per transaction (``env.transaction``), where no RPC caller can
put anything (a context key would not do: RPC callers set the context), and unlike
``cr.precommit.data`` it survives the flushes and savepoints inside a decision. An entry
exists only while a decision method runs."""


@contextmanager
def audit_writer(env):
    """Open the audit fields of every credit record for the code inside the block: only the
    decision methods (and the checks that record their figures) use it."""
    key = id(env.transaction)
    _AUDIT_WRITERS[key] = _AUDIT_WRITERS.get(key, 0) + 1
    try:
        yield
    finally:
        _AUDIT_WRITERS[key] -= 1
        if not _AUDIT_WRITERS[key]:
            del _AUDIT_WRITERS[key]


def audit_writer_open(env):
    """True inside a decision method, or for the superuser while modules load (install,
    upgrade, data and demo files)."""
    return id(env.transaction) in _AUDIT_WRITERS or (env.su and env.registry._init)


class CreditDecisionMixin(models.AbstractModel):
    """Records an officer decides once (reviews, limit requests, credit holds).

    Their audit fields (``_credit_audit_fields``: the state, the decision, the figures it was
    taken on, who decided and when) are the record of a decision: they change only through
    the model's decision methods, which check the deciding user's groups and the
    self-approval policy. A direct ``create`` or ``write`` of them is refused for every user,
    managers included."""

    _name = "credit.decision.mixin"
    _description = "Credit Decision"

    _credit_audit_fields = frozenset()
    """Fields written only by the decision methods."""

    _credit_audit_defaults = {}
    """Values the audit fields may have on a record created directly (e.g. a request in its
    first state); any other value needs a decision method."""

    @api.model_create_multi
    def create(self, vals_list):
        if not audit_writer_open(self.env):
            for vals in vals_list:
                forged = {
                    name
                    for name in self._credit_audit_fields & vals.keys()
                    if vals[name] != self._credit_audit_defaults.get(name, False)
                    and vals[name] not in (None, [])
                }
                if forged:
                    self._raise_audit_write(forged)
        return super().create(vals_list)

    def write(self, vals):
        if self._credit_audit_fields & vals.keys() and not audit_writer_open(self.env):
            self._raise_audit_write(self._credit_audit_fields & vals.keys())
        return super().write(vals)

    def _raise_audit_write(self, names):
        labels = sorted(self._fields[name]._description_string(self.env) for name in names)
        raise AccessError(
            _(
                "%(model)s: %(fields)s record a credit decision and change only through its "
                "buttons (approve, reject, …), which check who may decide.",
                model=self._description,
                fields=", ".join(labels),
            )
        )

    def _audit_writer(self):
        """``with records._audit_writer():`` lets a decision method write audit fields."""
        return audit_writer(self.env)

    def _lock_for_decision(self):
        """Lock the records being decided until the end of the transaction and read their
        state again, so two officers deciding at the same moment cannot both act."""
        if self:
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM %s WHERE id = ANY(%s) FOR UPDATE",
                    SQL.identifier(self._table),
                    self.ids,
                )
            )
        self.invalidate_recordset(["state"])
