"""Stage 3, privacy: personal information masked before anything is analysed; small cells closed.

:mod:`.masker` (with :mod:`.names`, :mod:`.patterns`, :mod:`.lexicon`) replaces names, e-mail
addresses and phone numbers with placeholders; :mod:`.suppress` hides every count below
:data:`~rsnet_analysis.contract.MIN_CELL` so that it can neither be read nor worked out.
"""

from rsnet_analysis.privacy.lexicon import PLACEHOLDERS
from rsnet_analysis.privacy.masker import PiiMasker, find_pii, mask_pii
from rsnet_analysis.privacy.patterns import PiiSpan
from rsnet_analysis.privacy.suppress import (
    complementary_mask,
    merge_small_segments,
    suppress_small_cells,
)

__all__ = [
    "PLACEHOLDERS",
    "PiiMasker",
    "PiiSpan",
    "complementary_mask",
    "find_pii",
    "mask_pii",
    "merge_small_segments",
    "suppress_small_cells",
]
