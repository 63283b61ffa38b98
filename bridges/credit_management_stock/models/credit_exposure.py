from odoo import _lt, api, models

from odoo.addons.credit_management.credit_management import checks as core_checks
from odoo.addons.credit_management.models.credit_exposure import CreditRule

CHECKPOINT_DELIVERY = "delivery"
"""Rules run before goods leave for a customer, besides the customer rules."""


def _stop_deliveries_message(values):
    if values.get("reason"):
        return _lt("Deliveries to this customer are stopped: %(reason)s")
    return _lt("Deliveries to this customer are stopped.")


class CreditExposure(models.AbstractModel):
    _inherit = "credit.exposure"

    @api.model
    def _credit_rules(self):
        """The delivery checkpoint's own rule: "Deliveries Stopped" on the credit file,
        reported first. No switch of its own: the policy's *Check Deliveries* switches the
        whole checkpoint."""
        rule = CreditRule(
            core_checks.RULE_STOP_DELIVERIES,
            core_checks.stop_deliveries,
            _stop_deliveries_message,
            figures={"reason": "text"},
            checkpoints=frozenset({CHECKPOINT_DELIVERY}),
            sequence=5,
            label=_lt("Deliveries stopped"),
            facts=lambda file: {
                "deliveries_stopped": bool(file.stop_deliveries),
                "stop_reason": file.stop_deliveries_reason or "",
            },
        )
        return sorted([*super()._credit_rules(), rule], key=lambda r: r.sequence)
