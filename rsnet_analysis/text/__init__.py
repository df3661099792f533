"""Stage 2, text: normalisation (pure ``str -> str`` functions) and the Japanese tokenizer.

:mod:`.normalize` cleans answers before masking; :mod:`.tokenizer` turns masked answers into
content-word terms (fugashi + unidic-lite, with the domain dictionary and stop words of
:mod:`.dictionary`); :mod:`.classify` decides what each MeCab node is.
"""

from rsnet_analysis.text.dictionary import load_domain_terms, load_stopwords, unidic_lite_version
from rsnet_analysis.text.normalize import clean_text, make_pipeline
from rsnet_analysis.text.tokenizer import DEFAULT_POS, JapaneseTokenizer, Token

__all__ = [
    "DEFAULT_POS",
    "JapaneseTokenizer",
    "Token",
    "clean_text",
    "load_domain_terms",
    "load_stopwords",
    "make_pipeline",
    "unidic_lite_version",
]
