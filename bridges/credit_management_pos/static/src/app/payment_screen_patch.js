import { _t } from "@web/core/l10n/translation";
import { patch } from "@web/core/utils/patch";
import { AlertDialog } from "@web/core/confirmation_dialog/confirmation_dialog";
import { ConnectionLostError } from "@web/core/network/rpc";
import { useEffect, useState } from "@odoo/owl";
import { PaymentScreen } from "@point_of_sale/app/screens/payment_screen/payment_screen";

/**
 * Credit control on the payment screen: the customer's grade, available credit and overdue
 * money under the amount due; a Customer Account (pay later) payment is checked by the
 * server's credit rules when it is added and when the order is validated, and refused with
 * the failed rules and figures. Cash and card payments give no credit: never checked.
 * Offline, the till cannot ask: the server judges the order when it syncs, and holds it for
 * a credit officer if it fails.
 */
patch(PaymentScreen.prototype, {
    setup() {
        super.setup(...arguments);
        this.creditInfo = useState({ partnerId: false, data: null });
        useEffect(
            (partnerId) => {
                this.loadCreditInfo(partnerId);
            },
            () => [this.currentOrder?.get_partner()?.id]
        );
    },
    creditCheck(partnerId, amount) {
        return this.pos.data.call("pos.order", "credit_pos_check", [
            this.pos.config.id,
            partnerId,
            amount,
        ]);
    },
    async loadCreditInfo(partnerId) {
        this.creditInfo.partnerId = partnerId || false;
        this.creditInfo.data = null;
        if (!partnerId) {
            return;
        }
        try {
            const data = await this.creditCheck(partnerId, 0);
            if (this.creditInfo.partnerId === partnerId) {
                this.creditInfo.data = data;
            }
        } catch {
            // offline: nothing to show, the server judges the order when it syncs
        }
    },
    creditPayLaterAmount() {
        return this.paymentLines
            .filter((line) => line.payment_method_id.type === "pay_later")
            .reduce((total, line) => total + line.get_amount(), 0);
    },
    /**
     * Ask the server whether the customer may leave the order's pay-later amount on its
     * account; tell the cashier why not. True when refused.
     */
    async creditRefused() {
        const partner = this.currentOrder.get_partner();
        const amount = this.creditPayLaterAmount();
        if (!partner || amount <= 0) {
            return false;
        }
        let verdict;
        try {
            verdict = await this.creditCheck(partner.id, amount);
        } catch (error) {
            if (error instanceof ConnectionLostError) {
                return false;
            }
            throw error;
        }
        if (!verdict.blocked) {
            return false;
        }
        this.dialog.add(AlertDialog, {
            title: _t("Customer account refused"),
            body: _t(
                "%(customer)s cannot pay %(amount)s on customer account:\n%(reasons)s\n\nTake another payment method, or ask a credit officer.",
                {
                    customer: verdict.partner,
                    amount: verdict.amount,
                    reasons: verdict.reasons.map((reason) => `- ${reason}`).join("\n"),
                }
            ),
            contentClass: "o_credit_pos_refused",
        });
        return true;
    },
    async addNewPaymentLine(paymentMethod) {
        const result = await super.addNewPaymentLine(...arguments);
        if (result && paymentMethod.type === "pay_later" && (await this.creditRefused())) {
            const line = this.paymentLines.at(-1);
            if (line && line.payment_method_id.id === paymentMethod.id) {
                this.currentOrder.remove_paymentline(line);
            }
            return false;
        }
        return result;
    },
    async _isOrderValid(isForceValidate) {
        const valid = await super._isOrderValid(...arguments);
        if (!valid) {
            return valid;
        }
        return !(await this.creditRefused());
    },
});
