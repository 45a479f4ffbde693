from programmes.importing.command import ImportCommand
from programmes.models import ImportKind


class Command(ImportCommand):
    help = (
        "Import positions from a CSV or XLSX file (see programmes.importing); nothing is written if any row is wrong."
    )
    kind = ImportKind.POSITIONS
