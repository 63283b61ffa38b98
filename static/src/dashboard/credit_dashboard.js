/** @odoo-module **/
/* global Chart */
import { Component, onWillStart, onWillUnmount, useEffect, useRef, useState } from "@odoo/owl";
import { loadBundle } from "@web/core/assets";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { Layout } from "@web/search/layout";
import { formatFloat, formatMonetary } from "@web/views/fields/formatters";

/**
 * One Chart.js chart (the library Odoo ships, bundle web.chartjs_lib, as the graph view
 * loads it). A click on a bar or point calls onClick with its index.
 */
export class CreditChart extends Component {
    static template = "credit_management.CreditChart";
    static props = {
        config: Object,
        onClick: { type: Function, optional: true },
        height: { type: Number, optional: true },
    };
    static defaultProps = { height: 240 };

    setup() {
        this.canvasRef = useRef("canvas");
        this.chart = null;
        onWillStart(() => loadBundle("web.chartjs_lib"));
        useEffect(
            () => {
                this.renderChart();
            },
            () => [this.props.config]
        );
        onWillUnmount(() => this.chart?.destroy());
    }

    renderChart() {
        this.chart?.destroy();
        const config = this.props.config;
        this.chart = new Chart(this.canvasRef.el, {
            ...config,
            options: {
                maintainAspectRatio: false,
                ...config.options,
                onClick: (_event, elements) => {
                    if (elements.length && this.props.onClick) {
                        this.props.onClick(elements[0].index);
                    }
                },
                onHover: (event, elements) => {
                    event.native.target.style.cursor = elements.length ? "pointer" : "default";
                },
            },
        });
    }
}

/**
 * The credit cockpit: every tile's figures from credit.dashboard.get_dashboard_data (one
 * call, read-only), each tile opening the records behind it.
 */
export class CreditDashboard extends Component {
    static template = "credit_management.CreditDashboard";
    static components = { Layout, CreditChart };
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.actionService = useService("action");
        this.periods = [
            { days: 30, label: _t("30 days") },
            { days: 90, label: _t("90 days") },
            { days: 365, label: _t("12 months") },
        ];
        this.state = useState({ periodDays: 90, data: null });
        this.charts = {};
        onWillStart(() => this.load());
    }

    get display() {
        return { controlPanel: {} };
    }

    async load() {
        const data = await this.orm.call("credit.dashboard", "get_dashboard_data", [], {
            period_days: this.state.periodDays,
        });
        this.charts = this.buildCharts(data);
        this.state.data = data;
    }

    async setPeriod(days) {
        this.state.periodDays = days;
        await this.load();
    }

    open(action) {
        if (action) {
            this.actionService.doAction(action);
        }
    }

    // ------------------------------------------------------------------
    // formatting
    // ------------------------------------------------------------------
    money(value) {
        if (value === null || value === undefined) {
            return "—";
        }
        return formatMonetary(value, { currencyId: this.state.data.currency_id });
    }

    number(value, digits = 1) {
        if (value === null || value === undefined) {
            return "—";
        }
        return formatFloat(value, { digits: [16, digits] });
    }

    kpiValue(kpi, value) {
        if (value === null || value === undefined) {
            return "—";
        }
        if (kpi.unit === "amount") {
            return this.money(value);
        }
        if (kpi.unit === "percent") {
            return `${this.number(value)} %`;
        }
        return this.number(value);
    }

    percent(value) {
        return value === null || value === undefined ? "—" : `${this.number(value)} %`;
    }

    previousText(value) {
        return _t("previous: %s", value);
    }

    daysText(days) {
        return _t("%s days", days);
    }

    get scopeText() {
        const { period, companies } = this.state.data;
        return _t(
            "%(from)s – %(to)s compared with %(previousFrom)s – %(previousTo)s; %(companies)s",
            {
                from: period.date_from,
                to: period.date_to,
                previousFrom: period.previous_from,
                previousTo: period.previous_to,
                companies: companies.join(", "),
            }
        );
    }

    get waitingText() {
        return _t("waiting, %s held", this.money(this.state.data.holds.amount));
    }

    get decisionText() {
        const holds = this.state.data.holds;
        return _t("median decision time (average %(average)s, %(count)s decided)", {
            average: this.hours(holds.average_hours),
            count: holds.decided,
        });
    }

    get concentrationText() {
        const concentration = this.state.data.concentration;
        return _t("%(share)s of the exposure, HHI %(hhi)s", {
            share: this.percent(concentration.top_share),
            hhi: this.number(concentration.hhi, 4),
        });
    }

    hours(value) {
        return value === null || value === undefined ? "—" : _t("%s h", this.number(value));
    }

    /** "▲ 12.5 %" and its colour: green when the change goes the good way. */
    changeText(change) {
        if (!change || !change.direction) {
            return "";
        }
        const arrow = { up: "▲", down: "▼", flat: "=" }[change.direction];
        return change.percent === null ? arrow : `${arrow} ${this.number(Math.abs(change.percent))} %`;
    }

    changeClass(change, better) {
        if (!change || !change.direction || change.direction === "flat") {
            return "text-muted";
        }
        return change.direction === better ? "text-success" : "text-danger";
    }

    // ------------------------------------------------------------------
    // charts
    // ------------------------------------------------------------------
    buildCharts(data) {
        const grades = data.grades.bars;
        const trend = data.trend;
        const levels = data.effectiveness.by_level;
        return {
            grades: {
                type: "bar",
                data: {
                    labels: grades.map((bar) => bar.label),
                    datasets: [
                        {
                            label: _t("Exposure"),
                            data: grades.map((bar) => bar.exposure),
                            backgroundColor: "#714B67",
                        },
                    ],
                },
                options: { plugins: { legend: { display: false } } },
            },
            trend: {
                type: "bar",
                data: {
                    labels: trend.map((point) => point.date),
                    datasets: [
                        {
                            type: "line",
                            label: _t("DSO (days)"),
                            data: trend.map((point) => point.dso),
                            borderColor: "#E46F78",
                            backgroundColor: "#E46F78",
                            yAxisID: "days",
                        },
                        {
                            label: _t("Overdue"),
                            data: trend.map((point) => point.overdue),
                            backgroundColor: "#F4A261",
                            yAxisID: "amount",
                        },
                        {
                            label: _t("Receivables"),
                            data: trend.map((point) => point.receivables),
                            backgroundColor: "#017E84",
                            yAxisID: "amount",
                        },
                    ],
                },
                options: {
                    scales: {
                        amount: { type: "linear", position: "left", beginAtZero: true },
                        days: {
                            type: "linear",
                            position: "right",
                            beginAtZero: true,
                            grid: { drawOnChartArea: false },
                        },
                    },
                },
            },
            levels: {
                type: "bar",
                data: {
                    labels: levels.map((level) => level.label),
                    datasets: [1, 2, 3].map((index, position) => ({
                        label: _t("Paid in %s days", data.effectiveness.windows[position]),
                        data: levels.map((level) => level[`share_${index}`]),
                        backgroundColor: ["#B7E4C7", "#52B788", "#1B4332"][position],
                    })),
                },
                options: { scales: { y: { beginAtZero: true, max: 100 } } },
            },
        };
    }

    openGrade(index) {
        this.open(this.state.data.grades.bars[index]?.action);
    }

    openMonth(index) {
        this.open(this.state.data.trend[index]?.action);
    }

    openLevel(index) {
        this.open(this.state.data.effectiveness.by_level[index]?.action);
    }
}

registry.category("actions").add("credit_management.dashboard", CreditDashboard);
