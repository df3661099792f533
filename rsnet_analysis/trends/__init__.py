"""Stage 6, trends: the table of counts and its views, waves, segments and sub-groups.

Everything here works on the record table (one row per input row) and only counts rows whose
``status`` is ``kept``. Survey answers are counted in **respondents** (a respondent who wrote three
answers about the same challenge in one wave counts once); session-note statements are counted as
**statements** per event and never added to respondents.

- :mod:`.counts`: the one table of counts (question, source, wave, challenge) with shares, Wilson
  intervals, tests of change (BH adjusted) and the wording a report may use; every other output is a
  view of it (:mod:`.views`: ``trends.csv``, ``emerging.csv``).
- :mod:`.waves`: which wave an answer belongs to (year, fiscal year, half, quarter, file).
- :mod:`.segments`: which segment values are shown (small ones merged into その他), and in which order.
- :mod:`.subgroups`: sub-groups (分科会) and regional groups of municipalities.
- :mod:`.practices`: members' practices and results tied to their challenge and municipality, and
  pairings of members who raise a challenge with members who reported on it.

The challenge unit of a record is its codebook key for a named challenge, ``cluster:<id>`` for a new
theme or the miscellany (:func:`rsnet_analysis.contract.challenge_unit`). Only the primary challenge
counts, so shares are comparable between waves. Every table leaves this package suppressed: counts
below 5 (zero included) become ``"<5"``, figures derived from them are blanked, and a line with a
single hidden cell gets a second one (complementary suppression).
"""

from rsnet_analysis.trends.counts import (
    ALL_WAVES,
    ALPHA,
    COUNT_COLUMNS,
    challenge_counts,
    suppress_counts,
)
from rsnet_analysis.trends.practices import (
    PRACTICE_COLUMNS,
    municipality_names,
    pair_practices,
    practice_rows,
)
from rsnet_analysis.trends.segments import (
    MUNICIPALITY_KINDS,
    merge_notices,
    segment_key,
    segment_merges,
)
from rsnet_analysis.trends.stats import (
    adjusted_residuals,
    bh_adjust,
    two_proportion_test,
    wilson_interval,
)
from rsnet_analysis.trends.subgroups import (
    MAX_MEMBERS,
    SUBGROUP_COLUMNS,
    propose_subgroups,
    regional_groups,
    split_by_place,
)
from rsnet_analysis.trends.tables import TrendTables, build_tables, merge_small_segment_values
from rsnet_analysis.trends.views import (
    CLUSTER_VIEW_COLUMNS,
    EMERGING_COLUMNS,
    SEGMENT_COLUMNS,
    TREND_COLUMNS,
    cluster_rows,
    emerging_rows,
    latest_rows,
    segment_rows,
    trend_rows,
)
from rsnet_analysis.trends.waves import assign_waves, wave_notices, wave_order

__all__ = [
    "ALL_WAVES",
    "ALPHA",
    "CLUSTER_VIEW_COLUMNS",
    "COUNT_COLUMNS",
    "MAX_MEMBERS",
    "EMERGING_COLUMNS",
    "MUNICIPALITY_KINDS",
    "PRACTICE_COLUMNS",
    "SEGMENT_COLUMNS",
    "SUBGROUP_COLUMNS",
    "TREND_COLUMNS",
    "TrendTables",
    "adjusted_residuals",
    "assign_waves",
    "bh_adjust",
    "build_tables",
    "challenge_counts",
    "cluster_rows",
    "emerging_rows",
    "latest_rows",
    "merge_notices",
    "merge_small_segment_values",
    "municipality_names",
    "pair_practices",
    "practice_rows",
    "propose_subgroups",
    "regional_groups",
    "segment_key",
    "segment_merges",
    "segment_rows",
    "split_by_place",
    "suppress_counts",
    "trend_rows",
    "two_proportion_test",
    "wave_notices",
    "wave_order",
    "wilson_interval",
]
