from . import credit_aging
