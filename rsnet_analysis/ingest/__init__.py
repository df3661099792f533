"""Stage 1, ingest: survey exports and session notes become one raw table.

Paths and decoding (:mod:`.paths`, :mod:`.decode`), per-format tables (:mod:`.sheets`), Markdown
notes (:mod:`.notes`), column roles (:mod:`.roles`), survey rows (:mod:`.survey`), dates and
regions. :func:`read_inputs` is the entry point.
"""

from rsnet_analysis.ingest.dates import parse_date, to_iso
from rsnet_analysis.ingest.paths import SUPPORTED_SUFFIXES, sample_inputs
from rsnet_analysis.ingest.reader import ColumnRoles, ReadResult, read_inputs
from rsnet_analysis.ingest.regions import REGIONS, add_region, region_of

__all__ = [
    "REGIONS",
    "SUPPORTED_SUFFIXES",
    "ColumnRoles",
    "ReadResult",
    "add_region",
    "parse_date",
    "read_inputs",
    "region_of",
    "sample_inputs",
    "to_iso",
]
