from . import credit_grade
