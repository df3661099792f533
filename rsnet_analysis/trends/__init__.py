"""Stage 6, trends: waves, segments, emerging challenges and sub-groups (suppressed tables).

Everything here works on the record table (one row per input row, see ``docs/architecture.md``) and only
looks at rows whose ``status`` is ``kept``. All counts are **respondents**, not rows: a respondent who
wrote three answers about the same challenge in one wave counts once.

The challenge unit
------------------
Each kept record has one *challenge unit* (:func:`challenge_unit`): its codebook key (``challenge``)
when the codebook names it, otherwise ``cluster:<id>`` for its cluster, so that unnamed challenges are
tracked, compared and flagged too. Only the **primary** challenge counts; ``challenge_secondary`` is
ignored, so every record contributes to exactly one unit and shares are comparable between waves.
Clusters must be comparable across waves: the challenge stage fits them once on all waves together,
and this module relies on that.

Small cells
-----------
``MIN_CELL = 5``. Every table function returns the **suppressed** table by default (``suppress=True``),
ready to be written: counts below 5 (zero included, so that "nobody" and "a few" look the same) become
the string ``"<5"``, and every figure computed from such a count (shares, intervals, changes, residuals,
p-values) is blanked (NaN, written as an empty cell). When a suppressed cell could be recovered by
subtraction from a derivable total (a wave, a segment or a challenge row with exactly one suppressed
cell), the next smallest cell of that line is suppressed too. Pass ``suppress=False`` to get the raw
numbers for charts or further computation; those raw tables must never be written or shown as they are.
Segment values with fewer than 5 respondents in total are merged into ``その他`` (and dropped when
``その他`` is still below 5), see :func:`merge_small_segments` and :func:`segment_notices`.
"""

from rsnet_analysis.trends.emerging import EMERGING_COLUMNS, find_emerging
from rsnet_analysis.trends.segments import (
    MUNICIPALITY_KINDS,
    SEGMENT_COLUMNS,
    segment_notices,
    segment_table,
    segments_all,
)
from rsnet_analysis.trends.stats import (
    adjusted_residuals,
    bh_adjust,
    two_proportion_test,
    wilson_interval,
)
from rsnet_analysis.trends.subgroups import SUBGROUP_COLUMNS, propose_subgroups, regional_groups
from rsnet_analysis.trends.waves import (
    TREND_COLUMNS,
    assign_waves,
    wave_notices,
    wave_order,
    wave_trends,
)

__all__ = [
    "EMERGING_COLUMNS",
    "MUNICIPALITY_KINDS",
    "SEGMENT_COLUMNS",
    "SUBGROUP_COLUMNS",
    "TREND_COLUMNS",
    "adjusted_residuals",
    "assign_waves",
    "bh_adjust",
    "find_emerging",
    "propose_subgroups",
    "regional_groups",
    "segment_notices",
    "segment_table",
    "segments_all",
    "two_proportion_test",
    "wave_notices",
    "wave_order",
    "wave_trends",
    "wilson_interval",
]
