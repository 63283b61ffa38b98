from . import (
    credit_aging_report,
    credit_aging_report_item,
    credit_aging_report_line,
    credit_aging_xlsx,
    credit_concentration,
    credit_dashboard,
    credit_dunning_letter,
    credit_kpi_dashboard,
    customer_statement,
    report_credit_aging,
)
