"""Stage 5, challenges: which challenge each answer raises, named or new.

The codebook (:mod:`.codebook`, rule language in :mod:`.rules`) is prior knowledge; :mod:`.coding`
gives every answer its rule evidence; :mod:`.features` and :mod:`.vectors` build the answer
vectors once; :mod:`.discover` assigns every answer to a named challenge, a new theme
(:mod:`.themes`) or the miscellany (:mod:`.partition`, :mod:`.assign`, :mod:`.autok`), and
describes them (:mod:`.naming`, :mod:`.describe`, :mod:`.stability`); :mod:`.stream` does the same
for inputs too large to hold, fitting on a sample; :mod:`.evaluate` compares a run with hand labels.
"""

from rsnet_analysis.challenges.codebook import Challenge, Codebook, CodingSettings, Rule
from rsnet_analysis.challenges.coding import RuleScores, score_records
from rsnet_analysis.challenges.describe import unit_names
from rsnet_analysis.challenges.discover import DOMAIN_SHARE, ChallengeResult, discover_challenges
from rsnet_analysis.challenges.evaluate import Evaluation, align_labels, evaluate, load_labels
from rsnet_analysis.challenges.naming import MISC_LABEL, is_label_term
from rsnet_analysis.challenges.rules import RuleSyntaxError, parse_rule
from rsnet_analysis.challenges.stream import PARTITION_SAMPLE, discover_streaming
from rsnet_analysis.challenges.vectors import word_vectors_version

__all__ = [
    "DOMAIN_SHARE",
    "MISC_LABEL",
    "PARTITION_SAMPLE",
    "Challenge",
    "ChallengeResult",
    "Codebook",
    "CodingSettings",
    "Evaluation",
    "Rule",
    "RuleScores",
    "RuleSyntaxError",
    "align_labels",
    "discover_challenges",
    "discover_streaming",
    "evaluate",
    "is_label_term",
    "load_labels",
    "parse_rule",
    "score_records",
    "unit_names",
    "word_vectors_version",
]
