{
    "name": "Customer Credit Management",
    "summary": "Credit files, nine-grade ratings, credit limits and terms, order credit "
    "control, receivable aging and collections",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "author": "credit_management contributors",
    "website": "https://github.com/credit-management/credit_management",
    "license": "LGPL-3",
    "depends": ["mail", "account", "sale_management"],
    "external_dependencies": {"python": ["xlsxwriter"]},
    "data": [
        "security/credit_security.xml",
        "security/ir.model.access.csv",
        "data/credit_grade_data.xml",
        "views/credit_grade_views.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/credit_users_demo.xml",
    ],
    "application": True,
    "installable": True,
}
