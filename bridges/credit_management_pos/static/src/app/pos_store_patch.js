import { _t } from "@web/core/l10n/translation";
import { patch } from "@web/core/utils/patch";
import { PosStore } from "@point_of_sale/app/store/pos_store";

/**
 * An order sold on customer account while the till could not ask (offline), or that lost a
 * race for the customer's last credit to another till, is recorded by the server and held
 * for a credit officer: the cashier is told when the sync brings it back.
 */
patch(PosStore.prototype, {
    postSyncAllOrders(orders) {
        super.postSyncAllOrders(...arguments);
        this.creditHoldsTold ??= new Set();
        for (const order of orders || []) {
            const raw = order.raw || {};
            if (raw.credit_hold_state !== "pending" || this.creditHoldsTold.has(order.id)) {
                continue;
            }
            this.creditHoldsTold.add(order.id);
            this.notification.add(
                _t(
                    "%(order)s was sold on customer account although the credit checks failed: a credit officer has been asked to decide.\n%(reasons)s",
                    { order: raw.pos_reference || raw.name, reasons: raw.credit_hold_message || "" }
                ),
                { title: _t("Credit hold"), type: "warning", sticky: true }
            );
        }
    },
});
