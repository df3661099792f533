"""Stage 4, prepare: the record table (cleaned and masked text, a status for every row, tokens).

:func:`build_record_table` accounts for every input row: it is analysed (``kept``) or excluded
with a reason (``empty``, ``non_answer``, ``error_value``, ``duplicate``; :mod:`.status`).
Masking and tokenising run in worker processes for large inputs (:mod:`.workers`);
:func:`stream_record_table` builds the table of a large input chunk by chunk (:mod:`.stream`).
"""

from rsnet_analysis.prepare.records import TextPreparer, build_record_table
from rsnet_analysis.prepare.status import (
    NON_ANSWERS,
    assign_statuses,
    is_excel_error,
    is_non_answer,
    status_counts,
)
from rsnet_analysis.prepare.stream import KeptAnswers, StreamedRecords, stream_record_table
from rsnet_analysis.prepare.workers import default_jobs

__all__ = [
    "NON_ANSWERS",
    "KeptAnswers",
    "StreamedRecords",
    "TextPreparer",
    "assign_statuses",
    "build_record_table",
    "default_jobs",
    "is_excel_error",
    "is_non_answer",
    "status_counts",
    "stream_record_table",
]
