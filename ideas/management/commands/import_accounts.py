"""`manage.py import_accounts FILE.csv`: create or update accounts from a CRM export."""

from ideas.management.commands._csv_import import ImportCommand


class Command(ImportCommand):
    help = (
        "Import accounts from a CSV file (e.g. a CRM export). Accounts are matched on CRM id, "
        "then email domain, then name, so importing the same file again changes nothing. "
        "Exit code 1 when some rows failed, 2 when the file was refused."
    )
    kind = "accounts"
