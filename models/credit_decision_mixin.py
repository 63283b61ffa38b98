from odoo import models
from odoo.tools import SQL


class CreditDecisionMixin(models.AbstractModel):
    """Records an officer decides once (reviews, limit requests, credit holds)."""

    _name = "credit.decision.mixin"
    _description = "Credit Decision"

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
