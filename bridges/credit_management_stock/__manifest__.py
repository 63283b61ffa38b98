{
    "name": "Customer Credit Management - Deliveries",
    "summary": "Credit checkpoint on deliveries: customers on hold, with deliveries stopped, "
    "over their limit or overdue are not shipped until a credit officer releases them",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "author": "credit_management contributors",
    "website": "https://github.com/credit-management/credit_management",
    "license": "LGPL-3",
    "depends": ["credit_management", "sale_stock"],
    "data": [
        "views/credit_policy_views.xml",
        "views/credit_hold_views.xml",
        "views/stock_picking_views.xml",
    ],
    "uninstall_hook": "uninstall_hook",
    "auto_install": True,
    "installable": True,
}
