"""Stage 3, privacy: personal information masked before anything is analysed; small cells closed.

:mod:`.masker` replaces names, e-mail addresses, phone numbers, IDs and handles, personal web
addresses, street addresses and birth dates with placeholders (:data:`PLACEHOLDERS`), and the
respondent's own name, e-mail and phone from the export wherever they occur (``extra=``). Its
parts: :mod:`.names`, :mod:`.context` and :mod:`.whole` (names in Japanese), :mod:`.latin` (names in
Latin letters), :mod:`.kinds` and :mod:`.address` (the pattern kinds), :mod:`.identity` (per-row
strings), :mod:`.patterns` (e-mail, phone, the detection and line views), :mod:`.lexicon` (word
lists). :mod:`.suppress` hides every count below :data:`~rsnet_analysis.contract.MIN_CELL` so that
it can neither be read nor worked out.
"""

from rsnet_analysis.privacy.lexicon import PLACEHOLDERS
from rsnet_analysis.privacy.masker import PiiMasker, find_pii, mask_pii
from rsnet_analysis.privacy.patterns import PiiSpan
from rsnet_analysis.privacy.suppress import (
    linked_suppression,
    merge_small_segments,
    suppress_small_cells,
)

__all__ = [
    "PLACEHOLDERS",
    "PiiMasker",
    "PiiSpan",
    "linked_suppression",
    "find_pii",
    "mask_pii",
    "merge_small_segments",
    "suppress_small_cells",
]
