"""Stage 1, ingest: survey exports and session notes become one raw table.

Paths (:mod:`.paths`); what a file really is (:mod:`.sniff`); decoding (:mod:`.decode`);
per-format readers (:mod:`.formats`, with stray quotes caught by :mod:`.quotes`); the header,
one or two rows (:mod:`.sheets`, :mod:`.headers`); column profiles (:mod:`.profiles`) and roles
(:mod:`.roles`); free-text questions across files (:mod:`.questions`); identifying columns and
their pseudonyms (:mod:`.identity`); one file (:mod:`.files`); survey rows (:mod:`.survey`);
Markdown notes (:mod:`.notes`); dates and regions. :func:`read_inputs` is the entry point;
:func:`iter_inputs` reads large inputs in chunks (:mod:`.chunks`).
"""

from rsnet_analysis.ingest.chunks import (
    STREAM_FILE_BYTES,
    StreamRead,
    iter_inputs,
    stream_bytes,
    streamable,
)
from rsnet_analysis.ingest.dates import parse_date, to_iso
from rsnet_analysis.ingest.paths import SUPPORTED_SUFFIXES, sample_inputs
from rsnet_analysis.ingest.reader import ColumnRoles, ReadResult, read_inputs
from rsnet_analysis.ingest.regions import REGIONS, add_region, region_of
from rsnet_analysis.ingest.survey import EXCEL_ERRORS, is_excel_error

__all__ = [
    "EXCEL_ERRORS",
    "REGIONS",
    "STREAM_FILE_BYTES",
    "SUPPORTED_SUFFIXES",
    "ColumnRoles",
    "ReadResult",
    "StreamRead",
    "add_region",
    "is_excel_error",
    "iter_inputs",
    "parse_date",
    "read_inputs",
    "region_of",
    "sample_inputs",
    "stream_bytes",
    "streamable",
    "to_iso",
]
