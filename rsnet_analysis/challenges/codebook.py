"""The challenge codebook: a versioned YAML taxonomy of the challenges the network recognises.

The codebook (``resources/codebook.yaml`` by default, or a user file) lists the challenges. Each
has a Japanese ``name``, a ``short`` label, a ``description``, weighted seed ``terms`` and coding
``rules`` (:mod:`rsnet_analysis.challenges.rules`).
"""

from __future__ import annotations

import importlib.resources
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from rsnet_analysis.challenges.rules import Node, RuleSyntaxError, parse_rule
from rsnet_analysis.errors import InputError

_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Rule:
    """A coding rule with its weight.

    Attributes
    ----------
    expr : str
        The rule text as written.
    weight : float
        Evidence added to the challenge's score when the rule matches.
    node : Node
        The parsed expression.
    """

    expr: str
    weight: float
    node: Node = field(repr=False, compare=False)


@dataclass(frozen=True)
class Challenge:
    """One challenge of the codebook.

    Attributes
    ----------
    key : str
        Identifier (``polarization`` …).
    name : str
        Japanese name (``人材の二極化``).
    short : str
        Short label for charts.
    description : str
        What belongs here.
    terms : tuple of (str, float)
        Seed terms (casefolded) and their weights.
    rules : tuple of Rule
        Coding rules.
    """

    key: str
    name: str
    short: str
    description: str
    terms: tuple[tuple[str, float], ...]
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class CodingSettings:
    """Thresholds of :func:`code_records` (``settings:`` in the YAML).

    Attributes
    ----------
    min_score : float
        Evidence score an answer needs to be rule-coded with a challenge.
    secondary_ratio : float
        A further challenge is secondary when its score reaches ``min_score`` and this share of the
        primary score.
    min_probability : float
        Classifier probability needed to code an answer the rules left open.
    min_similarity : float
        Cosine similarity to the challenge centroid needed as well.
    min_train_per_key : int
        Rule-coded answers a challenge needs before the adaptive step learns it.
    adaptive_weight : float
        Evidence the classifier adds per unit of probability lift over a uniform guess
        (``probability * n_challenges - 1``) when weighing an answer the rules left open.
    """

    min_score: float = 2.0
    secondary_ratio: float = 0.5
    min_probability: float = 0.55
    min_similarity: float = 0.12
    min_train_per_key: int = 3
    adaptive_weight: float = 1.0



def reject_unknown_fields(raw: Mapping[Any, Any], allowed: Iterable[str], source: str, where: str, what: str) -> None:
    """Raise :class:`InputError` naming the fields of ``raw`` that are not ``allowed``.

    Parameters
    ----------
    raw : Mapping
        A block of a rule file.
    allowed : iterable of str
        Its known fields.
    source : str
        The file, for the message.
    where : str
        The block in Japanese, with its particle (``"settings の"``; ``""`` at the top level).
    what : str
        The same in English (``"settings"``, ``"top-level fields"``).
    """
    known = set(allowed)
    unknown = sorted(set(map(str, raw)) - known)
    if unknown:
        raise InputError(f"{source}: {where}不明な項目 {unknown}（使える項目: {sorted(known)}） / unknown {what} {unknown}")


def read_rule_file(path: str | Path | None, packaged: str, what: tuple[str, str]) -> tuple[str, str]:
    """The text of a YAML rule file and its name for messages: the packaged one when ``path`` is None.

    Parameters
    ----------
    path : str, Path or None
        The user's file.
    packaged : str
        The file of ``rsnet_analysis/resources`` used when ``path`` is None.
    what : (str, str)
        What the file is, in Japanese and in English, for the error messages.

    Returns
    -------
    (str, str)
        The text (UTF-8, a BOM allowed) and the source name.

    Raises
    ------
    InputError
        When the file is missing or not UTF-8.
    """
    if path is None:
        ref = importlib.resources.files("rsnet_analysis") / "resources" / packaged
        return ref.read_text(encoding="utf-8"), f"{packaged}（同梱）"
    p = Path(path)
    ja, en = what
    if not p.is_file():
        raise InputError(f"{ja}が見つかりません: {p} / {en} file not found: {p}")
    try:
        return p.read_text(encoding="utf-8-sig"), str(p)
    except UnicodeDecodeError as exc:
        raise InputError(f"{p}: {ja}は UTF-8 で保存してください / the {en} must be UTF-8 ({exc})") from exc

@dataclass(frozen=True)
class Codebook:
    """A versioned challenge taxonomy.

    Attributes
    ----------
    version : int
        Codebook version (increase it whenever terms or rules change).
    updated : str
        Date of the last change.
    challenges : tuple of Challenge
        The challenges in file order.
    settings : CodingSettings
        Coding thresholds.
    source : str
        Where it was loaded from.
    """

    version: int
    updated: str
    challenges: tuple[Challenge, ...]
    settings: CodingSettings = field(default_factory=CodingSettings)
    source: str = "<memory>"

    @classmethod
    def load(cls, path: str | Path | None = None) -> Codebook:
        """Load and validate a codebook.

        Parameters
        ----------
        path : str or Path, optional
            A YAML codebook; the one shipped with the package when omitted.

        Returns
        -------
        Codebook

        Raises
        ------
        InputError
            When the file is missing, is not valid YAML, or a field or rule is wrong; the message
            names the file, the challenge key and the bad field or rule.
        """
        text, source = read_rule_file(path, "codebook.yaml", ("コードブック", "codebook"))
        return cls.from_yaml(text, source=source)

    @classmethod
    def from_yaml(cls, text: str, *, source: str = "<string>") -> Codebook:
        """Build a codebook from YAML text.

        Parameters
        ----------
        text : str
            YAML document.
        source : str
            Name used in error messages.

        Returns
        -------
        Codebook
        """
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" {mark.line + 1}行目" if mark is not None else ""
            raise InputError(
                f"{source}{where}: YAML として読めません / not valid YAML: {exc}"
            ) from exc
        return cls.from_dict(data, source=source)

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "<dict>") -> Codebook:
        """Build and validate a codebook from parsed YAML.

        Parameters
        ----------
        data : mapping
            With ``version``, ``updated``, optional ``settings`` and ``challenges``.
        source : str
            Name used in error messages.

        Returns
        -------
        Codebook
        """
        if not isinstance(data, Mapping):
            raise InputError(
                f"{source}: コードブックの最上位はマッピング（version, challenges …）です"
                " / the codebook must be a mapping with version and challenges"
            )
        allowed = {"version", "updated", "description", "settings", "challenges"}
        reject_unknown_fields(data, allowed, source, "", "top-level fields")
        version = data.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise InputError(
                f"{source}: version は1以上の整数です（{version!r}） / version must be a positive integer"
            )
        updated = str(data.get("updated", ""))
        settings = _parse_settings(data.get("settings") or {}, source)
        raw = data.get("challenges")
        if not isinstance(raw, Mapping) or not raw:
            raise InputError(
                f"{source}: challenges に課題を1つ以上書いてください（キー: 名前・説明・語・ルール）"
                " / challenges must be a non-empty mapping of key -> definition"
            )
        challenges = tuple(_parse_challenge(str(k), v, source) for k, v in raw.items())
        return cls(version, updated, challenges, settings, source)

    @property
    def keys(self) -> list[str]:
        """Challenge keys in file order."""
        return [c.key for c in self.challenges]

    def challenge(self, key: str) -> Challenge:
        """Return the challenge with this key.

        Parameters
        ----------
        key : str
            Challenge key.

        Returns
        -------
        Challenge
        """
        for c in self.challenges:
            if c.key == key:
                return c
        raise KeyError(key)

    def name(self, key: str) -> str:
        """Japanese name of a challenge (``""`` for the empty key, the key if unknown).

        Parameters
        ----------
        key : str
            Challenge key.

        Returns
        -------
        str
        """
        if not key:
            return ""
        try:
            return self.challenge(key).name
        except KeyError:
            return key

    def short(self, key: str) -> str:
        """Short label of a challenge (the key if unknown).

        Parameters
        ----------
        key : str
            Challenge key.

        Returns
        -------
        str
        """
        try:
            return self.challenge(key).short
        except KeyError:
            return key


_CHALLENGE_FIELDS = {"name", "short", "description", "terms", "rules"}


def _parse_settings(raw: Any, source: str) -> CodingSettings:
    if not isinstance(raw, Mapping):
        raise InputError(f"{source}: settings はマッピングです / settings must be a mapping")
    defaults = CodingSettings()
    reject_unknown_fields(raw, defaults.__dataclass_fields__, source, "settings の", "settings")
    values: dict[str, Any] = {}
    for name, value in raw.items():
        default = getattr(defaults, name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError(
                f"{source}: settings.{name} は数値です（{value!r}） / settings.{name} must be a number"
            )
        values[name] = type(default)(value)
    return CodingSettings(**values)


def _weight(value: Any, source: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(
            f"{source}: {where} の重みは数値です（{value!r}） / weight must be a number"
        )
    return float(value)


def _parse_terms(raw: Any, source: str, key: str) -> tuple[tuple[str, float], ...]:
    where = f"challenges.{key}.terms"
    items: list[tuple[Any, Any]] = []
    if raw is None:
        return ()
    if isinstance(raw, Mapping):
        items = list(raw.items())
    elif isinstance(raw, list):
        for item in raw:
            if isinstance(item, Mapping):
                items.extend(item.items())
            else:
                items.append((item, 1.0))
    else:
        raise InputError(
            f"{source}: {where} は語のリストか「語: 重み」のマッピングです / terms must be a list or mapping"
        )
    out: dict[str, float] = {}
    for term, weight in items:
        if not isinstance(term, str | int | float) or not str(term).strip():
            raise InputError(f"{source}: {where} に空の語があります / empty term in {where}")
        out[str(term).strip().casefold()] = _weight(weight, source, f"{where}.{term}")
    return tuple(out.items())


def _parse_rules(raw: Any, source: str, key: str) -> tuple[Rule, ...]:
    where = f"challenges.{key}.rules"
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise InputError(f"{source}: {where} はリストです / rules must be a list")
    rules = []
    for item in raw:
        weight = 2.0
        if isinstance(item, Mapping):
            extra = sorted(set(map(str, item)) - {"rule", "weight"})
            if "rule" not in item or extra:
                raise InputError(
                    f"{source}: {where} の各要素は文字列か {{rule: …, weight: …}} です（{dict(item)!r}）"
                    " / each rule is a string or a mapping with rule and weight"
                )
            expr = item["rule"]
            weight = _weight(item.get("weight", 2.0), source, f"{where} {expr!r}")
        else:
            expr = item
        if not isinstance(expr, str):
            raise InputError(
                f"{source}: {where}: ルールは文字列です（{expr!r}） / rule must be a string"
            )
        try:
            node = parse_rule(expr)
        except RuleSyntaxError as exc:
            raise InputError(f"{source}: 課題 {key} のルール {expr!r}: {exc.message}") from exc
        rules.append(Rule(expr, weight, node))
    return tuple(rules)


def _parse_challenge(key: str, raw: Any, source: str) -> Challenge:
    if not _KEY_RE.match(key):
        raise InputError(
            f"{source}: 課題キー {key!r} は半角英小文字・数字・_ で書いてください"
            " / challenge keys use lowercase ASCII letters, digits and _"
        )
    if not isinstance(raw, Mapping):
        raise InputError(
            f"{source}: 課題 {key} は name, description, terms, rules を持つマッピングです"
            f" / challenge {key} must be a mapping"
        )
    unknown = sorted(set(map(str, raw)) - _CHALLENGE_FIELDS)
    if unknown:
        raise InputError(
            f"{source}: 課題 {key} に不明な項目 {unknown}（使える項目: {sorted(_CHALLENGE_FIELDS)}）"
            f" / unknown fields {unknown} in challenge {key}"
        )
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InputError(
            f"{source}: 課題 {key} に name（日本語名）がありません / {key} needs a name"
        )
    terms = _parse_terms(raw.get("terms"), source, key)
    rules = _parse_rules(raw.get("rules"), source, key)
    if not terms and not rules:
        raise InputError(
            f"{source}: 課題 {key} に terms も rules もありません / {key} needs terms or rules"
        )
    return Challenge(
        key=key,
        name=name.strip(),
        short=str(raw.get("short") or name).strip(),
        description=str(raw.get("description") or "").strip(),
        terms=terms,
        rules=rules,
    )
