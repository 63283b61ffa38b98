from . import (
    test_pos_credit_check,
    test_pos_exposure,
    test_pos_parallel,
    test_pos_tour,
    test_translations,
)
