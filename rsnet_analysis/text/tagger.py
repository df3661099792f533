"""One MeCab pass per text, shared: the masker and the tokenizer read the same tagging.

:class:`MorphTagger` wraps a fugashi Tagger (unidic-lite). :meth:`MorphTagger.tag` runs MeCab once
and returns a :class:`Tagged` record: the morphemes' surfaces, their character offsets in the text
and their raw feature strings. :meth:`MorphTagger.feature` gives the named fields of a raw feature
string (decoded once per distinct string and cached), so no other module indexes a MeCab feature
by position or touches fugashi's node objects.

The Tagger is built on first use and dropped when pickling, so objects holding a
:class:`MorphTagger` can be cloned and sent to worker processes. :func:`shared_tagger` returns one
instance per process, so the dictionary is loaded once.

Speed
-----
Walking fugashi's node objects, or reading every feature string from MeCab's output, costs about
half as much again as MeCab's own analysis. :meth:`MorphTagger.tag` asks MeCab for one short
string per text instead (``parse()`` with an output format of a *key* per morpheme, separated by
U+001F; no white space, which MeCab would print as an empty field for nearly every morpheme) and
splits it in C. The key of a dictionary word is its surface
and word cost (the shortest output that tells the entries apart; each field printed costs MeCab
time); the first time a key is seen, MeCab lists every
dictionary entry of that surface (``--all-morphs``) and the key stands for the one entry it
matches, whose surface and feature string are cached (a key that matches two entries is never
used: such a text is tagged by walking the nodes). The key of an unknown word is U+001E, its
surface, U+001E and its feature string. Surfaces and feature strings are then read from the
caches in C (``map``), so the morphemes of a text share the cached string objects. The offsets
follow from the lengths, shifted past MeCab's white space (space, tab, line feed and vertical tab)
where the text has some, and the joined surfaces are compared with the text without that white
space; a text that does not match (or holds U+001E or U+001F) is tagged by walking the nodes. The result is
the same either way (``MorphTagger(via_parse=False)`` always walks the nodes; the tests compare the
two). A feature string is split into fields as fugashi splits it.

Memory
------
A key names a dictionary entry, so the caches of dictionary words hold at most one item per entry
of unidic-lite that the texts use (a few thousand for a survey; every one of them would be some
tens of MB). Unknown words are cached per surface, which has no such bound: when more than
:data:`MAX_UNKNOWN_KEYS` unknown keys are cached they are all forgotten (an unknown key is decoded
from the key itself, so forgetting one changes no result).
"""

from __future__ import annotations

import csv
import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import accumulate
from typing import Any, NamedTuple

__all__ = ["MAX_UNKNOWN_KEYS", "Feature", "MorphTagger", "Tagged", "shared_tagger"]

_UNSAFE = re.compile("[\x00\ud800-\udfff]")

#: Separates the fields of MeCab's output; an unknown word's key starts with _UNK.
_SEP, _UNK = "\x1f", "\x1e"
#: The key of a dictionary word: surface and word cost. (unidic-lite has no part-of-speech ids
#: and gives every entry the same left and right context id; the rare key that two entries of a
#: surface share is found by ``_learn`` and never used.)
_KEY = "%m,%pw"
_PARSE_ARGS = (
    "--output-format-type= --bos-format= --eos-format= "
    f"--node-format={_KEY}{_SEP} --unk-format={_UNK}%m{_UNK}%H{_SEP}"
)
#: White space as MeCab sees it (unidic-lite's char.def): skipped between morphemes, never in one.
_SPACE = re.compile("[ \t\n\x0b]+")
#: Unknown-word keys cached at most (then forgotten, see the module docstring): about 15 MB.
MAX_UNKNOWN_KEYS = 50_000
#: Every dictionary entry of a surface: key, status (0 = dictionary word), byte span, feature.
_ENTRY_FORMAT = f"{_KEY}{_SEP}%s{_SEP}%ps{_SEP}%pe{_SEP}%H{_SEP}"
_ENTRY_ARGS = (
    "--all-morphs --output-format-type= --bos-format= --eos-format= "
    f"--node-format={_ENTRY_FORMAT} --unk-format={_ENTRY_FORMAT}"
)

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

    Parameters
    ----------
    via_parse : bool, default True
        Read MeCab's output string (fast, see the module docstring); False walks fugashi's node
        objects for every text. Both give the same :class:`Tagged`.

    Examples
    --------
    >>> t = MorphTagger()
    >>> tagged = t.tag("人材育成")
    >>> tagged.surfaces, [t.feature(f).pos1 for f in tagged.features]
    (['人材', '育成'], ['名詞', '名詞'])
    """

    def __init__(self, *, via_parse: bool = True) -> None:
        self.via_parse = via_parse
        self.__setstate__({"via_parse": via_parse})

    def __getstate__(self) -> dict[str, Any]:
        return {"via_parse": self.via_parse}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.via_parse = bool(state.get("via_parse", True))
        self._tagger: Any = None
        self._entries: Any = None  # the --all-morphs tagger, built when a key is new
        self._features: dict[str, Feature] = {}
        self._raw_of: dict[str, str] = {}  # key -> raw feature string
        self._surface_of: dict[str, str] = {}  # key -> surface
        self._unknown_keys: list[str] = []  # the unknown-word keys of the two caches above
        self._ambiguous: set[str] = set()
        self._ahead: dict[str, Tagged] = {}  # texts tagged ahead (see ahead())
        self._fields: tuple[int, ...] = (0, -1, -1, -1)

    def __repr__(self) -> str:
        return "MorphTagger()" if self.via_parse else "MorphTagger(via_parse=False)"

    def _get(self) -> Any:
        if self._tagger is None:
            self._tagger = _fugashi_tagger(_PARSE_ARGS)
            names = self._tagger("東京")[0].feature._fields  # the dictionary's field names
            self._fields = (len(names), *(names.index(f) if f in names else -1 for f in _NAMED))
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
        if self._ahead:
            tagged = self._ahead.get(text)
            if tagged is not None:
                return tagged
        text, out = self._parse(text)
        return self._read(text, out)

    def tag_many(self, texts: Sequence[str]) -> list[Tagged]:
        """Run MeCab over every text, then read every output: ``[tag(t) for t in texts]``, faster.

        MeCab and the reading of its output each run over the whole list in turn, so the memory
        each of them works on (MeCab's dictionary, the caches of keys) stays in the processor's
        caches: on batches of 200 answers this took about 0.83 of the time of one
        :meth:`tag` call per text (``benchmarks/bench_tokenizer.py``).

        Parameters
        ----------
        texts : sequence of str
            Any texts (a few hundred at a time: every output string is held until it is read).

        Returns
        -------
        list of Tagged
            One per text, equal to :meth:`tag`'s.
        """
        parsed = [self._parse(text) for text in texts]
        return [self._read(text, out) for text, out in parsed]

    @contextmanager
    def ahead(self, texts: Iterable[str]) -> Iterator[None]:
        """Tag ``texts`` now (:meth:`tag_many`); inside the block, :meth:`tag` of one of them is a lookup.

        For code that tags texts one at a time between other work (the masker): the texts it
        will tag are tagged together first, which is faster (see :meth:`tag_many`). A text not
        among them is tagged as usual; the results are the same either way.

        Parameters
        ----------
        texts : iterable of str
            The texts expected to be tagged inside the block (a few hundred).

        Yields
        ------
        None
        """
        unique = list(dict.fromkeys(texts))
        before, self._ahead = self._ahead, dict(zip(unique, self.tag_many(unique), strict=True))
        try:
            yield
        finally:
            self._ahead = before

    def _parse(self, text: str) -> tuple[str, str | None]:
        """The text as tagged (NUL and lone surrogates replaced) and MeCab's output; None: walk the nodes."""
        if "\x00" in text:  # NUL ends a C string
            text = _UNSAFE.sub(" ", text)
        if self.via_parse and _SEP not in text and _UNK not in text:
            tagger = self._get() if self._tagger is None else self._tagger
            try:
                return text, tagger.parse(text)
            except UnicodeEncodeError:  # lone surrogates cannot be encoded
                return self._parse(_UNSAFE.sub(" ", text))
        return text, None

    def _read(self, text: str, out: str | None) -> Tagged:
        """The :class:`Tagged` of a text from MeCab's output (or from its nodes when that cannot be used)."""
        if out is not None:
            tagged = self._tag_parsed(text, out)
            if tagged is not None:
                return tagged
        if _UNSAFE.search(text):
            text = _UNSAFE.sub(" ", text)
        return self._tag_nodes(text, self._get() if self._tagger is None else self._tagger)

    def _tag_parsed(self, text: str, out: str) -> Tagged | None:
        """The :class:`Tagged` of MeCab's output string; None when it cannot be used."""
        if not out:  # every morpheme writes a key: no output, no morpheme
            return Tagged(text, [], [], [])
        keys = out.split(_SEP)  # the key of each morpheme (the last _SEP is stripped)
        surfaces = self._surfaces(keys)
        if surfaces is None:
            return None
        starts = list(accumulate(map(len, surfaces), initial=0))
        starts.pop()
        joined = "".join(surfaces)
        if joined != text:  # white space between some morphemes, or a text MeCab did not cover
            if _SPACE.sub("", text) != joined:
                return None
            starts = _shifted(starts, _SPACE.finditer(text))
        return Tagged(text, surfaces, starts, list(map(self._raw_of.__getitem__, keys)))

    def _surfaces(self, keys: list[str]) -> list[str] | None:
        """The surface of each key (new keys learnt first); None when a key is ambiguous."""
        surfaces = list(map(self._surface_of.get, keys))
        if None in surfaces:
            if not self._learn(keys):
                return None
            surfaces = list(map(self._surface_of.__getitem__, keys))
        return surfaces  # type: ignore[return-value]  # no None left

    def _learn(self, keys: list[str]) -> bool:
        """Find the surface and feature string of every new key; False when one is ambiguous."""
        new = set(keys).difference(self._raw_of)
        if len(self._unknown_keys) + len(new) > MAX_UNKNOWN_KEYS:  # before learning: none of keys is dropped
            self._forget_unknown()
            new = set(keys).difference(self._raw_of)
        for key in new:
            if key in self._ambiguous:
                return False
            if key.startswith(_UNK):
                surface, sep, raw = key[1:].partition(_UNK)
                if not sep:  # pragma: no cover - MeCab always writes both
                    return False
                self._unknown_keys.append(key)
                self._remember(key, surface, raw)
                continue
            surface = key.rsplit(",", 1)[0]
            for entry, raws in self._entries_of(surface).items():
                if len(raws) == 1:
                    self._remember(entry, surface, raws.pop())
                else:
                    self._ambiguous.add(entry)
            if key not in self._raw_of:
                self._ambiguous.add(key)
                return False
        return True

    def _forget_unknown(self) -> None:
        """Drop the cached unknown-word keys (their feature strings stay decoded: a handful)."""
        for key in self._unknown_keys:
            self._raw_of.pop(key, None)
            self._surface_of.pop(key, None)
        self._unknown_keys.clear()

    def _entries_of(self, surface: str) -> dict[str, set[str]]:
        """Every dictionary entry whose surface is ``surface``: key -> its feature strings."""
        if self._entries is None:
            self._entries = _fugashi_tagger(_ENTRY_ARGS)
        parts = self._entries.parse(surface).split(_SEP)
        size = str(len(surface.encode("utf-8")))
        found: dict[str, set[str]] = {}
        for i in range(0, len(parts) - 4, 5):
            key, status, start, end, raw = parts[i : i + 5]
            if status == "0" and start == "0" and end == size:
                found.setdefault(key, set()).add(raw)
        return found

    def _remember(self, key: str, surface: str, raw: str) -> None:
        self._raw_of[key] = raw
        self._surface_of[key] = surface
        if raw not in self._features:
            self._features[raw] = self._decode(raw)

    def _decode(self, raw: str) -> Feature:
        """Split a raw feature string as fugashi does (as CSV when a field is quoted)."""
        n_fields, lemma, orth_base, kana = self._fields
        fields: list[Any] = next(csv.reader([raw])) if '"' in raw else raw.split(",")
        fields += [None] * (n_fields - len(fields))

        def at(i: int) -> str | None:
            return _field(fields[i]) if 0 <= i < len(fields) else None

        return Feature(str(fields[0]), at(1), at(2), at(3), at(lemma), at(orth_base), at(kana))

    def _tag_nodes(self, text: str, tagger: Any) -> Tagged:
        """Walk fugashi's nodes (the reference path)."""
        features = self._features
        surfaces: list[str] = []
        starts: list[int] = []
        raws: list[str] = []
        pos = 0
        for node in tagger(text):
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

    def cache_info(self) -> dict[str, int]:
        """Sizes of the caches (see *Memory* in the module docstring).

        Returns
        -------
        dict of str to int
            ``keys``: cached MeCab keys (dictionary and unknown words); ``unknown_keys``: those of
            unknown words, at most ``max_unknown_keys`` (:data:`MAX_UNKNOWN_KEYS`); ``features``:
            decoded feature strings.
        """
        return {
            "keys": len(self._raw_of),
            "unknown_keys": len(self._unknown_keys),
            "max_unknown_keys": MAX_UNKNOWN_KEYS,
            "features": len(self._features),
        }

    def feature(self, raw: str) -> Feature:
        """The named fields of a raw feature string returned by :meth:`tag`."""
        return self._features[raw]


def _shifted(starts: list[int], runs: Iterator[re.Match[str]]) -> list[int]:
    """Offsets in the text of morphemes that start at ``starts`` once its white space ``runs`` are removed."""
    shifted: list[int] = []
    done = add = 0
    for run in runs:
        a, b = run.span()
        i = bisect_left(starts, a - add, done)  # the first morpheme after this run
        shifted += [start + add for start in starts[done:i]] if add else starts[done:i]
        add += b - a
        done = i
    shifted += [start + add for start in starts[done:]]
    return shifted


#: Feature fields read by name besides the four parts of speech.
_NAMED = ("lemma", "orthBase", "kana")


def _fugashi_tagger(args: str) -> Any:
    """A fugashi Tagger over unidic-lite with MeCab options ``args``."""
    try:
        import fugashi
    except ImportError as exc:  # pragma: no cover - dependency is declared
        raise ImportError(
            "fugashi が見つかりません。`pip install fugashi unidic-lite` を実行してください。 "
            "fugashi is missing: run `pip install fugashi unidic-lite`."
        ) from exc
    try:
        return fugashi.Tagger(args)
    except RuntimeError as exc:  # pragma: no cover - depends on the installation
        raise RuntimeError(_DICT_HELP) from exc


_SHARED: MorphTagger | None = None


def shared_tagger() -> MorphTagger:
    """The process-wide tagger (the dictionary is loaded once per process)."""
    global _SHARED
    if _SHARED is None:
        _SHARED = MorphTagger()
    return _SHARED
