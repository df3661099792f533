"""Stage 5.5, statements: what kind of statement each record is (課題・取り組み・成果・要望・進行・その他).

Runs after the challenges stage and before trends. :mod:`.kinds` loads the versioned rule file
(``resources/statement_kinds.yaml``, written in the codebook's rule language and parsed by the
codebook's own loader); :mod:`.evidence` scores every statement with the challenge stage's
evidence scorer; :mod:`.classify` adds a classifier trained on the corpus's strong-rule
statements and decides the kind, its confidence and its reason (:mod:`.reasons`).
"""

from rsnet_analysis.statements.classify import (
    KindClassifier,
    KindModel,
    absorb_evidence,
    absorbed_kinds,
    classify_statements,
    fit_kind_model,
    strong_rules,
)
from rsnet_analysis.statements.evidence import KindEvidence, rule_text, score_kinds
from rsnet_analysis.statements.kinds import CONTEXT_FIELDS, KindSettings, StatementKinds
from rsnet_analysis.statements.reasons import clue_label

__all__ = [
    "CONTEXT_FIELDS",
    "KindClassifier",
    "KindModel",
    "KindEvidence",
    "KindSettings",
    "StatementKinds",
    "absorb_evidence",
    "absorbed_kinds",
    "classify_statements",
    "fit_kind_model",
    "clue_label",
    "rule_text",
    "score_kinds",
    "strong_rules",
]
