"""The data of each report kind, registered with reviews.reports.kinds.register.

Each builder reads what its report prints, once, and returns it as plain values, so that the data
hash changes exactly when the printed content would: names, levels as their Vietnamese labels,
numbers and ISO dates; never model objects, never the time of the run. Only presentation derived
from something else goes in `extra`: the Party header of the issuing organisation, dated the day the
file is made like the footer's "Tạo lúc" and the "as of" date of its figures (the print date), so a rerun that
finds the data unchanged keeps the old file with its old date. What changes with the date (which commitments
are overdue) is counted in the data, so the old file's figures still hold.

Every builder runs a fixed number of queries whatever the number of members, commitments or cells.

One module per kind (programme, individual, cell_summary, organisation_rollup) and what they share in
_common; importing this package registers every builder.
"""

from reviews.commitment_figures import SHARED_REPORT_LEVEL
from reviews.reports.contexts._common import LEVEL_SHORT
from reviews.reports.contexts.cell_summary import cell_summary_report
from reviews.reports.contexts.individual import individual_report
from reviews.reports.contexts.organisation_rollup import OPEN_STATES, organisation_rollup_report
from reviews.reports.contexts.programme import programme_report

__all__ = [
    "LEVEL_SHORT",
    "OPEN_STATES",
    "SHARED_REPORT_LEVEL",
    "cell_summary_report",
    "individual_report",
    "organisation_rollup_report",
    "programme_report",
]
