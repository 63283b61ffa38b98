import * as Chrome from "@point_of_sale/../tests/tours/utils/chrome_util";
import * as Dialog from "@point_of_sale/../tests/tours/utils/dialog_util";
import * as ProductScreen from "@point_of_sale/../tests/tours/utils/product_screen_util";
import * as PaymentScreen from "@point_of_sale/../tests/tours/utils/payment_screen_util";
import * as ReceiptScreen from "@point_of_sale/../tests/tours/utils/receipt_screen_util";
import { registry } from "@web/core/registry";

/**
 * A cashier sells to a customer over its credit limit: the payment screen shows its credit,
 * a Customer Account payment is refused with the failed rules and figures, and paying by
 * cash goes through.
 */
registry.category("web_tour.tours").add("CreditManagementPosOverLimitTour", {
    steps: () =>
        [
            Chrome.startPoS(),
            // 10 letter trays at 5.28 (taxes included): 52.80
            ProductScreen.addOrderline("Letter Tray", "10"),
            ProductScreen.clickPartnerButton(),
            ProductScreen.clickCustomer("Overdrawn Hardware"),
            ProductScreen.clickPayButton(),
            {
                content: "the customer's credit is shown",
                trigger: ".o_credit_pos_info .o_credit_pos_grade:contains('A')",
            },
            {
                content: "its overdue money too",
                trigger: ".o_credit_pos_info .o_credit_pos_overdue.text-danger:contains('100.00')",
            },
            PaymentScreen.clickPaymentMethod("Customer Account"),
            Dialog.is({ title: "Customer account refused" }),
            {
                content: "the popup names the customer",
                trigger: ".modal .o_credit_pos_refused .modal-body:contains('Overdrawn Hardware')",
            },
            {
                content: "the popup names the failed rule",
                trigger: ".modal .o_credit_pos_refused .modal-body:contains('Credit limit exceeded')",
            },
            {
                content: "with its figures: the exposure after this sale",
                trigger: ".modal .o_credit_pos_refused .modal-body:contains('152.80')",
            },
            {
                content: "and the limit",
                trigger: ".modal .o_credit_pos_refused .modal-body:contains('50.00 by')",
            },
            Dialog.confirm(),
            PaymentScreen.emptyPaymentlines("52.8"),
            PaymentScreen.clickPaymentMethod("Cash"),
            PaymentScreen.clickValidate(),
            ReceiptScreen.isShown(),
        ].flat(),
});
