{
    "name": "Customer Credit Management - Point of Sale",
    "summary": "Credit control at the point of sale: sales on customer account (pay later) are "
    "checked like sale orders, and held for a credit officer when they fail",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "author": "credit_management contributors",
    "website": "https://github.com/credit-management/credit_management",
    "license": "LGPL-3",
    "depends": ["credit_management", "point_of_sale"],
    "data": [
        "views/credit_policy_views.xml",
        "views/credit_hold_views.xml",
        "views/pos_order_views.xml",
    ],
    "assets": {
        "point_of_sale._assets_pos": [
            "credit_management_pos/static/src/app/**/*",
        ],
        "web.assets_tests": [
            "credit_management_pos/static/tests/tours/**/*",
        ],
    },
    "uninstall_hook": "uninstall_hook",
    "auto_install": True,
    "installable": True,
}
