from programmes.importing.command import ImportCommand
from programmes.models import ImportKind


class Command(ImportCommand):
    help = "Import roster from a CSV or XLSX file; nothing is written if any row is wrong."
    kind = ImportKind.ROSTER
