from . import test_credit_grade, test_security, test_translations
