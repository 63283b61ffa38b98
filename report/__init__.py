from . import credit_aging_report, credit_aging_xlsx, credit_dunning_letter, customer_statement
