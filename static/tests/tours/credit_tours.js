/** @odoo-module **/
/**
 * Browser tours of the three credit roles, run by tests/test_tours.py in headless Chromium,
 * once in English and once in Simplified Chinese (one tour per role and language).
 *
 * Steps find elements by field names, button names, menu xmlids and Odoo's classes, never by
 * a label, so they run unchanged in both languages; each tour also checks a few texts of the
 * addon in the user's language (TEXTS), which proves the screens are translated.
 * The records the tours work on (customers, product, the held order, the invoice) are made
 * by the Python test; their names are not translated.
 */

import { browser } from "@web/core/browser/browser";
import { formatDate } from "@web/core/l10n/dates";
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const { DateTime } = luxon;

/** Names of the records tests/test_tours.py builds. */
export const TOUR_RECORDS = {
    salesCustomer: "Tour Sales Customer",
    product: "Tour Crane",
    heldCustomer: "Tour Held Customer",
    agingCustomer: "Tour Aging Customer",
};

/** Texts of the addon each tour expects on screen, per language (from i18n/zh_CN.po). */
const TEXTS = {
    en_US: {
        holdTitle: "Credit hold", // the notification after confirming (sale_order.py)
        holdRibbon: "Credit Hold", // the ribbon of a held quotation (sale_order_views.xml)
        decisionTitle: "Credit Decision", // the decision wizard (its action's name)
        reason: "Customer paid a deposit by wire transfer",
        agingTitle: "Aged Receivables as of", // the lines' breadcrumb (credit_aging_report.py)
        notDue: "Not due", // the first bucket's column
        dashboardGrades: "Exposure by Grade", // a tile of the credit dashboard
    },
    zh_CN: {
        holdTitle: "信用冻结",
        holdRibbon: "信用冻结",
        decisionTitle: "信用审批",
        reason: "客户已电汇预付款",
        agingTitle: "应收账款账龄分析表（截至",
        notDue: "未到期",
        dashboardGrades: "按等级统计的信用占用",
    },
};

/** The last day of the previous month: the as-of date of the accountant's aging. */
export function lastMonthEnd() {
    return DateTime.now().startOf("month").minus({ days: 1 }).startOf("day");
}

/** Open the credit app, then a menu item: `section` is the xmlid of a section of the
 * navbar, `item` that of an entry of its dropdown (or nothing when the section is itself
 * the entry). */
function openCreditMenu(section, item) {
    const steps = [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the credit app",
            trigger: '.o_app[data-menu-xmlid="credit_management.menu_credit_root"]',
            run: "click",
        },
        {
            content: `Open the menu ${section}`,
            trigger: `.o_menu_sections [data-menu-xmlid="${section}"]`,
            run: "click",
        },
    ];
    if (item) {
        steps.push({
            content: `Open ${item}`,
            trigger: `.dropdown-item[data-menu-xmlid="${item}"]`,
            run: "click",
        });
    }
    return steps;
}

/** The hold queue may open as a kanban: once the held customer's card or row is there,
 * show the list (the next steps read its rows). */
function switchToList(recordText) {
    return {
        content: "Show the list view",
        trigger: `.o_data_row:contains("${recordText}"), .o_kanban_record:contains("${recordText}")`,
        run() {
            const listSwitch = document.querySelector(".o_switch_view.o_list:not(.active)");
            if (listSwitch) {
                listSwitch.click();
            }
        },
    };
}

// ---------------------------------------------------------------------------------------
// 1. The salesperson confirms a quotation beyond the customer's limit: it is held.
// ---------------------------------------------------------------------------------------
function salespersonSteps(texts) {
    return [
        ...stepUtils.goToAppSteps("sale.sale_menu_root", "Open Sales"),
        {
            content: "New quotation",
            trigger: ".o_control_panel .o_list_button_add",
            run: "click",
        },
        {
            content: "Choose the customer over its limit",
            trigger: ".o_form_view .o_field_widget[name=partner_id] input",
            run: `edit ${TOUR_RECORDS.salesCustomer}`,
        },
        {
            trigger: `.o-autocomplete--dropdown-menu a:contains("${TOUR_RECORDS.salesCustomer}")`,
            run: "click",
        },
        {
            content: "Add a product line",
            trigger: ".o_field_widget[name=order_line] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "Choose the product",
            trigger: ".o_field_widget[name=order_line] .o_selected_row [name=product_template_id] input",
            run: `edit ${TOUR_RECORDS.product}`,
        },
        {
            trigger: `.o-autocomplete--dropdown-menu a:contains("${TOUR_RECORDS.product}")`,
            run: "click",
        },
        {
            content: "The line has its product",
            trigger: `.o_field_widget[name=order_line] [name=product_template_id] input:value("${TOUR_RECORDS.product}")`,
        },
        {
            content: "The line is priced",
            trigger:
                '.o_field_widget[name=order_line] .o_data_row [name=price_subtotal]:contains("5,000.00")',
        },
        {
            content: "Confirm the quotation (saves it, runs the credit checks)",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_confirm]:enabled",
            run: "click",
            timeout: 30000,
        },
        {
            content: "The salesperson is told the order is on credit hold",
            trigger: `.o_notification:contains("${texts.holdTitle}")`,
            timeout: 30000,
        },
        {
            content: "The form still shows the quotation, on credit hold",
            // the ribbon of a held quotation (the lead: adjust if the held-order banner changes)
            trigger: `.o_form_view .o_widget_web_ribbon:contains("${texts.holdRibbon}")`,
        },
        {
            content: "It is still a quotation, saved (not a new one)",
            trigger:
                ".o_form_view .o_statusbar_status button[data-value=draft][aria-checked=true]",
            run() {
                const customer = document.querySelector(
                    ".o_form_view .o_field_widget[name=partner_id] input"
                );
                if (!customer || !customer.value.includes(TOUR_RECORDS.salesCustomer)) {
                    throw new Error("the form does not show the quotation that was confirmed");
                }
            },
        },
    ];
}

// ---------------------------------------------------------------------------------------
// 2. The credit officer releases the held order from the hold queue, with a reason.
// ---------------------------------------------------------------------------------------
function officerSteps(texts) {
    return [
        ...openCreditMenu(
            "credit_management.menu_credit_control",
            "credit_management.menu_credit_hold"
        ),
        switchToList(TOUR_RECORDS.heldCustomer),
        {
            content: "Open the hold waiting in the queue",
            trigger: `.o_list_view .o_data_row:contains("${TOUR_RECORDS.heldCustomer}") td.o_data_cell`,
            run: "click",
        },
        {
            content: "Decide",
            // the hold form's primary action button (its name is the wizard action's id); the
            // next step checks the decision wizard opened
            trigger: ".o_form_view .o_statusbar_buttons button.btn-primary[type=action]",
            run: "click",
        },
        {
            content: "The decision wizard opens, in the user's language",
            trigger: `.modal .modal-title:contains("${texts.decisionTitle}")`,
        },
        {
            content: "Release this order",
            trigger: ".modal .o_field_widget[name=decision] input[data-value=approve_once]",
            run: "click",
        },
        {
            content: "Say why",
            trigger: ".modal .o_field_widget[name=reason] textarea",
            run: `edit ${texts.reason}`,
        },
        {
            content: "Confirm the decision",
            trigger: ".modal .modal-footer button[name=action_decide]",
            run: "click",
            timeout: 30000,
        },
        {
            content: "The hold is approved",
            trigger:
                "body:not(:has(.modal)) .o_form_view .o_statusbar_status button[data-value=approved][aria-checked=true]",
            timeout: 30000,
        },
        {
            content: "Open the order",
            trigger: ".o_form_view .o_field_widget[name=order_id] a",
            run: "click",
        },
        {
            content: "The order is confirmed",
            trigger:
                ".o_form_view .o_statusbar_status button[data-value=sale][aria-checked=true]",
        },
    ];
}

// ---------------------------------------------------------------------------------------
// 3. The accountant ages the receivables as of a month-end, downloads the XLSX, and opens
//    the dashboard.
// ---------------------------------------------------------------------------------------

/** What the action service asked the browser to download (an ir.actions.act_url opened
 * with target "self" or "download" goes through browser.location.assign): kept here
 * instead of leaving the page, so that the tour can fetch and check the file. */
const downloads = { urls: [], restore: null };

function interceptDownloads() {
    const original = Object.getOwnPropertyDescriptor(browser, "location");
    const location = window.location;
    // a proxy of an empty object (a proxy of the location itself may not change its
    // read-only `assign`)
    const intercepted = new Proxy(
        {},
        {
            get(target, property) {
                if (property === "assign") {
                    return (url) => {
                        downloads.urls.push(String(url));
                        document.body.classList.add("o_credit_tour_download_requested");
                    };
                }
                const value = location[property];
                return typeof value === "function" ? value.bind(location) : value;
            },
        }
    );
    Object.defineProperty(browser, "location", {
        get: () => intercepted,
        set: original.set,
        configurable: true,
    });
    downloads.restore = () => {
        Object.defineProperty(browser, "location", original);
        document.body.classList.remove("o_credit_tour_download_requested");
    };
}

async function checkXlsxDownload() {
    downloads.restore();
    const url = downloads.urls.at(-1);
    if (!url || !url.includes("/credit_management/aging/")) {
        throw new Error(`no aged receivables XLSX was requested (got ${url})`);
    }
    const response = await browser.fetch(url);
    if (!response.ok) {
        throw new Error(`the XLSX download failed: HTTP ${response.status}`);
    }
    const type = response.headers.get("Content-Type") || "";
    if (!type.includes("spreadsheetml.sheet")) {
        throw new Error(`the download is not an XLSX workbook: ${type}`);
    }
    const disposition = response.headers.get("Content-Disposition") || "";
    if (!disposition.includes("attachment") || !disposition.includes(".xlsx")) {
        throw new Error(`the download is not offered as an .xlsx file: ${disposition}`);
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    // an XLSX workbook is a zip archive: "PK"
    if (bytes.length < 1000 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) {
        throw new Error(`the XLSX is not a workbook (${bytes.length} bytes)`);
    }
}

function accountantAgingSteps(texts) {
    return [
        ...openCreditMenu(
            "credit_management.menu_credit_receivables",
            "credit_management.menu_credit_aging"
        ),
        {
            content: "As of the last month-end",
            trigger: ".modal .o_field_widget[name=as_of] input",
            run: async (helpers) => {
                await helpers.edit(formatDate(lastMonthEnd()));
            },
        },
        {
            content: "Close the date picker",
            trigger: ".modal .o_form_view .oe_title h1",
            run: "click",
        },
        {
            content: "The date is the month-end",
            trigger: `.modal .o_field_widget[name=as_of] input:value("${formatDate(lastMonthEnd())}")`,
        },
        {
            content: "Export the XLSX",
            trigger: ".modal .modal-footer button[name=action_export_xlsx]",
            async run(helpers) {
                interceptDownloads();
                await helpers.click();
            },
            timeout: 30000,
        },
        {
            content: "The workbook downloads",
            trigger: "body.o_credit_tour_download_requested",
            run: checkXlsxDownload,
            timeout: 30000,
        },
        {
            content: "Show the aged receivables",
            trigger: ".modal .modal-footer button[name=action_show]",
            run: "click",
            timeout: 30000,
        },
        {
            content: "The lines are titled with the month-end, in the user's language",
            trigger: `.o_breadcrumb .active:contains("${texts.agingTitle}")`,
            timeout: 30000,
        },
        {
            content: "The first bucket is the money not yet due",
            trigger: `.o_list_view thead th:contains("${texts.notDue}")`,
        },
        {
            content: "The customer owing money is listed",
            trigger: `.o_list_view .o_data_row:contains("${TOUR_RECORDS.agingCustomer}")`,
        },
    ];
}

/** The accountant opens the credit dashboard (Credit → Dashboard). */
function creditDashboardSteps(texts) {
    return [
        ...openCreditMenu("credit_management.menu_credit_dashboard"),
        {
            content: "The credit dashboard opens with its KPI tiles",
            trigger: ".o_credit_dashboard .o_credit_tile_kpi",
            timeout: 30000,
        },
        {
            content: "Its exposure by grade is titled in the user's language",
            trigger: `.o_credit_dashboard .o_credit_tile_grades .card-header:contains("${texts.dashboardGrades}")`,
        },
    ];
}

function accountantDashboardSteps(texts) {
    return creditDashboardSteps(texts);
}

const tours = registry.category("web_tour.tours");
for (const [lang, texts] of Object.entries(TEXTS)) {
    tours.add(`credit_management_salesperson_${lang}`, {
        url: "/odoo",
        steps: () => salespersonSteps(texts),
    });
    tours.add(`credit_management_officer_${lang}`, {
        url: "/odoo",
        steps: () => officerSteps(texts),
    });
    tours.add(`credit_management_accountant_${lang}`, {
        url: "/odoo",
        steps: () => [...accountantAgingSteps(texts), ...accountantDashboardSteps(texts)],
    });
}
