"""Stage 5, challenges: which challenge each answer raises, named or new.

The codebook (:mod:`.codebook`, rule language in :mod:`.rules`) is prior knowledge;
:mod:`.coding` codes answers with it; :mod:`.features` vectorises the cached tokens;
:mod:`.discover` clusters answers into named challenges and new themes, names and describes
them; :mod:`.evaluate` compares a run with hand labels.
"""

from rsnet_analysis.challenges.codebook import Challenge, Codebook, CodingSettings, Rule
from rsnet_analysis.challenges.coding import code_records, score_records
from rsnet_analysis.challenges.discover import (
    CLUSTER_COLUMNS,
    ChallengeResult,
    discover_challenges,
    is_label_term,
)
from rsnet_analysis.challenges.evaluate import Evaluation, align_labels, evaluate, load_labels
from rsnet_analysis.challenges.rules import RuleSyntaxError, parse_rule

__all__ = [
    "CLUSTER_COLUMNS",
    "Challenge",
    "ChallengeResult",
    "Codebook",
    "CodingSettings",
    "Evaluation",
    "Rule",
    "RuleSyntaxError",
    "align_labels",
    "code_records",
    "discover_challenges",
    "evaluate",
    "is_label_term",
    "load_labels",
    "parse_rule",
    "score_records",
]
