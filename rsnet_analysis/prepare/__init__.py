"""Stage 4, prepare: the record table (cleaned and masked text, a status for every row, tokens).

:func:`build_record_table` accounts for every input row: it is analysed (``kept``) or excluded
with a reason (``empty``, ``non_answer``, ``error_value``, ``duplicate``; :mod:`.status`).
"""

from rsnet_analysis.prepare.records import TextPreparer, build_record_table
from rsnet_analysis.prepare.status import (
    NON_ANSWERS,
    assign_statuses,
    is_excel_error,
    is_non_answer,
    status_counts,
)

__all__ = [
    "NON_ANSWERS",
    "TextPreparer",
    "assign_statuses",
    "build_record_table",
    "is_excel_error",
    "is_non_answer",
    "status_counts",
]
