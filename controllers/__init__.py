from . import credit_aging, credit_report
