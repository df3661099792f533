"""Stage 6, explore: KH Coder style analyses of the answers, the ones Japanese analysts think in.

- :func:`frequency_table`: frequency list (抽出語リスト) with a part-of-speech filter;
- :func:`kwic`: KWIC concordance (コンコーダンス) on the masked text;
- :func:`cooccurrence`, :func:`cooccurrence_graph`: co-occurrence
  network (共起ネットワーク) with Jaccard coefficients (drawn by
  :func:`rsnet_analysis.report.cooccurrence_figure` with a fixed-seed layout);
- :func:`characteristic_words`: words characteristic of each segment (特徴語), such as each kind
  of municipality.

All functions take the record table (``records.build_record_table`` with its cached ``tokens``
and, for the part-of-speech filter, ``token_pos`` columns: nothing is tokenized again when they
are there), use only rows whose ``status`` is ``kept``, read only ``text_masked`` (never the
unmasked text), and return sorted, deterministic tables. A "document" is one answer (one kept
record); counts of documents therefore count answers, not words.
"""

from rsnet_analysis.explore.cooccurrence import (
    COOCCURRENCE_COLUMNS,
    cooccurrence,
    cooccurrence_graph,
)
from rsnet_analysis.explore.terms import (
    CHARACTERISTIC_COLUMNS,
    FREQUENCY_COLUMNS,
    KWIC_COLUMNS,
    MIN_SEGMENT_RESPONDENTS,
    characteristic_words,
    frequency_table,
    kept_records,
    kwic,
)

__all__ = [
    "CHARACTERISTIC_COLUMNS",
    "COOCCURRENCE_COLUMNS",
    "FREQUENCY_COLUMNS",
    "KWIC_COLUMNS",
    "MIN_SEGMENT_RESPONDENTS",
    "characteristic_words",
    "cooccurrence",
    "cooccurrence_graph",
    "frequency_table",
    "kept_records",
    "kwic",
]
