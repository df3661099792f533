"""One MeCab pass per text, shared: the masker and the tokenizer read the same tagging.

:class:`MorphTagger` wraps a fugashi Tagger (unidic-lite). :meth:`MorphTagger.tag` runs MeCab once
and returns a :class:`Tagged` record: the morphemes' surfaces, their character offsets in the text
and their raw feature strings. :meth:`MorphTagger.feature` gives the named fields of a raw feature
string (decoded once per distinct string and cached), so no other module indexes a MeCab feature
by position or touches fugashi's node objects.

The Tagger is built on first use and dropped when pickling, so objects holding a
:class:`MorphTagger` can be cloned and sent to worker processes. :func:`shared_tagger` returns one
instance per process, so the dictionary is loaded once.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

__all__ = ["Feature", "MorphTagger", "Tagged", "shared_tagger"]

_UNSAFE = re.compile("[\x00\ud800-\udfff]")

_DICT_HELP = (
    "MeCab の辞書が見つかりません。`pip install unidic-lite` で辞書を入れてから再実行してください。\n"
    "The MeCab dictionary was not found. Install it with `pip install unidic-lite` and run again."
)


class Feature(NamedTuple):
    """The fields of a morpheme the analysis uses (UniDic names; None where MeCab gives none).

    Unknown words (``kintone``) have no lemma and no written base form: ``lemma`` and
    ``orthBase`` are None, and readers fall back to the surface.
    """

    pos1: str
    pos2: str | None
    pos3: str | None
    pos4: str | None
    lemma: str | None
    orthBase: str | None  # noqa: N815 - UniDic's field name
    kana: str | None = None  # the reading in katakana (ユウコ for 裕子); None for unknown words


class Tagged(NamedTuple):
    """One text as MeCab saw it.

    Attributes
    ----------
    text : str
        The text that was tagged (NUL and lone surrogates replaced by spaces, one for one).
    surfaces : list of str
        The morphemes, in order (white space is not a morpheme).
    starts : list of int
        Character offset of each morpheme in ``text``.
    features : list of str
        Raw feature string of each morpheme (decode with :meth:`MorphTagger.feature`).
    """

    text: str
    surfaces: list[str]
    starts: list[int]
    features: list[str]


def _field(value: Any) -> str | None:
    return None if value in (None, "", "*") else str(value)


class MorphTagger:
    """A picklable fugashi + unidic-lite tagger with a cache of decoded features.

    Examples
    --------
    >>> t = MorphTagger()
    >>> tagged = t.tag("人材育成")
    >>> tagged.surfaces, [t.feature(f).pos1 for f in tagged.features]
    (['人材', '育成'], ['名詞', '名詞'])
    """

    def __init__(self) -> None:
        self._tagger: Any = None
        self._features: dict[str, Feature] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._tagger = None
        self._features = {}

    def __repr__(self) -> str:
        return "MorphTagger()"

    def _get(self) -> Any:
        if self._tagger is None:
            try:
                import fugashi
            except ImportError as exc:  # pragma: no cover - dependency is declared
                raise ImportError(
                    "fugashi が見つかりません。`pip install fugashi unidic-lite` を実行してください。 "
                    "fugashi is missing: run `pip install fugashi unidic-lite`."
                ) from exc
            try:
                self._tagger = fugashi.Tagger()
            except RuntimeError as exc:  # pragma: no cover - depends on the installation
                raise RuntimeError(_DICT_HELP) from exc
        return self._tagger

    def tag(self, text: str) -> Tagged:
        """Run MeCab once over ``text``.

        Parameters
        ----------
        text : str
            Any text.

        Returns
        -------
        Tagged
            Surfaces, offsets and raw features of every morpheme.
        """
        if _UNSAFE.search(text):  # NUL ends a C string; lone surrogates cannot be encoded
            text = _UNSAFE.sub(" ", text)
        features = self._features
        surfaces: list[str] = []
        starts: list[int] = []
        raws: list[str] = []
        pos = 0
        for node in self._get()(text):
            surface = node.surface
            ws = node.white_space
            if ws:
                pos += len(ws)
            if not text.startswith(surface, pos):  # pragma: no cover - defensive resync
                found = text.find(surface, pos)
                pos = found if found >= 0 else pos
            raw = node.feature_raw
            if raw not in features:
                f = node.feature
                features[raw] = Feature(
                    str(f.pos1),
                    _field(f.pos2),
                    _field(f.pos3),
                    _field(f.pos4),
                    _field(getattr(f, "lemma", None)),
                    _field(getattr(f, "orthBase", None)),
                    _field(getattr(f, "kana", None)),
                )
            surfaces.append(surface)
            starts.append(pos)
            raws.append(raw)
            pos += len(surface)
        return Tagged(text, surfaces, starts, raws)

    def feature(self, raw: str) -> Feature:
        """The named fields of a raw feature string returned by :meth:`tag`."""
        return self._features[raw]


_SHARED: MorphTagger | None = None


def shared_tagger() -> MorphTagger:
    """The process-wide tagger (the dictionary is loaded once per process)."""
    global _SHARED
    if _SHARED is None:
        _SHARED = MorphTagger()
    return _SHARED
