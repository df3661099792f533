"""The kind-of-statement rule file: a versioned YAML in the codebook's own language.

``resources/statement_kinds.yaml`` (or a user file) gives, for every kind of
:data:`~rsnet_analysis.contract.KINDS`, a Japanese ``name``, a ``description``, weighted ``terms``
and coding ``rules`` written exactly as in the challenge codebook
(:mod:`rsnet_analysis.challenges.rules`). Each block is validated and parsed by
:meth:`Codebook.from_dict <rsnet_analysis.challenges.Codebook.from_dict>`, so that the evidence
scorer :func:`~rsnet_analysis.challenges.score_records` works on it unchanged: there is one rule
engine in the package, not two.

``context`` holds the same kind of blocks for the columns beside the text: the question's header
(weak evidence), the speaker's organisation and the heading of a session note.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from rsnet_analysis.challenges import Codebook
from rsnet_analysis.challenges.codebook import read_rule_file, reject_unknown_fields
from rsnet_analysis.contract import KINDS
from rsnet_analysis.errors import InputError

__all__ = ["CONTEXT_FIELDS", "Absorb", "KindSettings", "StatementKinds"]

#: The context blocks and the record column each one reads.
CONTEXT_FIELDS: dict[str, str] = {
    "question": "question",
    "speaker": "組織名",
    "section": "グループ",
    "source": "source_type",
}

_TOP_LEVEL = {"version", "updated", "description", "settings", "kinds", "context"}


@dataclass(frozen=True)
class Absorb:
    """A kind that takes in the evidence of another when its own evidence is clear (``absorb:``).

    A result is a practice plus what came of it, so once a statement's outcome evidence reaches
    ``at``, the practice evidence counts for the result too; a wish after a stated difficulty is
    part of the challenge.

    Attributes
    ----------
    kind : str
        The kind that absorbs.
    absorbs : str
        The kind whose evidence it takes in (that kind keeps its own evidence).
    at : float
        Evidence ``kind`` needs first.
    """

    kind: str
    absorbs: str
    at: float


@dataclass(frozen=True)
class KindSettings:
    """Thresholds of :func:`~rsnet_analysis.statements.classify_statements` (``settings:``).

    Attributes
    ----------
    strong_score : float
        Rule evidence of a *strong* rule kind: the classifier never overrules it, and it trains
        the classifier.
    strong_margin : float
        How far a strong rule kind must be ahead of the next kind.
    classifier_weight : float
        Evidence the classifier adds per unit of probability lift over a uniform guess
        (``probability * n_kinds - 1``).
    min_train_per_kind : int
        Strong rule statements a kind needs before the classifier learns it (the classifier is
        used only when two kinds or more have that many).
    min_score : float
        Evidence below which a statement falls back to the question's hinted kind, else to
        ``default_kind``.
    default_kind : str
        The kind of a statement with no evidence at all and no question hint.
    absorb : tuple of Absorb
        Applied in order, before anything else is decided.
    """

    strong_score: float = 3.0
    strong_margin: float = 1.5
    classifier_weight: float = 1.5
    min_train_per_kind: int = 5
    min_score: float = 1.0
    default_kind: str = "challenge"
    absorb: tuple[Absorb, ...] = ()


@dataclass(frozen=True)
class StatementKinds:
    """The kinds of statement and their evidence.

    Attributes
    ----------
    version : int
        Version of the rule file (increase it whenever terms or rules change).
    updated : str
        Date of the last change.
    text : Codebook
        The kinds' terms and rules on the statement text, one entry per kind in
        :data:`~rsnet_analysis.contract.KINDS` order.
    context : dict of str to Codebook
        Terms and rules on the context columns (keys of :data:`CONTEXT_FIELDS`); each holds only
        the kinds it has evidence for.
    settings : KindSettings
        Thresholds.
    source : str
        Where it was loaded from.
    """

    version: int
    updated: str
    text: Codebook
    context: dict[str, Codebook] = field(default_factory=dict)
    settings: KindSettings = field(default_factory=KindSettings)
    source: str = "<memory>"

    @classmethod
    def load(cls, path: str | Path | None = None) -> StatementKinds:
        """Load and validate a rule file.

        Parameters
        ----------
        path : str or Path, optional
            A YAML file; the one shipped with the package when omitted.

        Returns
        -------
        StatementKinds

        Raises
        ------
        InputError
            When the file is missing or not valid, naming the file and the bad field or rule.
        """
        text, source = read_rule_file(path, "statement_kinds.yaml", ("発言の種類のルール", "kind rule"))
        return cls.from_yaml(text, source=source)

    @classmethod
    def from_yaml(cls, text: str, *, source: str = "<string>") -> StatementKinds:
        """Build from YAML text (see :meth:`from_dict`)."""
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise InputError(f"{source}: YAML として読めません / not valid YAML: {exc}") from exc
        return cls.from_dict(data, source=source)

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "<dict>") -> StatementKinds:
        """Build and validate from parsed YAML.

        Parameters
        ----------
        data : mapping
            With ``version``, ``updated``, optional ``settings``, ``kinds`` (one entry per kind of
            :data:`~rsnet_analysis.contract.KINDS`) and optional ``context``.
        source : str
            Name used in error messages.

        Returns
        -------
        StatementKinds
        """
        if not isinstance(data, Mapping):
            raise InputError(f"{source}: 最上位はマッピング（version, kinds …）です / must be a mapping")
        reject_unknown_fields(data, _TOP_LEVEL, source, "", "top-level fields")
        version = data.get("version")
        raw = data.get("kinds")
        if not isinstance(raw, Mapping) or sorted(map(str, raw)) != sorted(KINDS):
            found = sorted(map(str, raw)) if isinstance(raw, Mapping) else raw
            raise InputError(
                f"{source}: kinds には {list(KINDS)} をすべて書いてください（{found}）"
                f" / kinds must define every kind of {list(KINDS)}"
            )
        ordered = {k: raw[k] for k in KINDS}
        text = Codebook.from_dict({"version": version, "challenges": ordered}, source=f"{source} kinds")
        names = {c.key: c.name for c in text.challenges}
        context = _parse_context(data.get("context") or {}, names, version, source)
        settings = _parse_settings(data.get("settings") or {}, source)
        return cls(int(text.version), str(data.get("updated", "")), text, context, settings, source)

    def name(self, kind: str) -> str:
        """Japanese name of a kind (the kind itself when unknown)."""
        return self.text.name(kind)


def _parse_context(raw: Any, names: dict[str, str], version: Any, source: str) -> dict[str, Codebook]:
    """One Codebook-shaped block per context field, each kind named as in ``kinds``."""
    if not isinstance(raw, Mapping):
        raise InputError(f"{source}: context はマッピングです / context must be a mapping")
    reject_unknown_fields(raw, CONTEXT_FIELDS, source, "context の", "context fields")
    out: dict[str, Codebook] = {}
    for name, block in raw.items():
        if not isinstance(block, Mapping) or not set(map(str, block)) <= set(KINDS):
            raise InputError(
                f"{source}: context.{name} は種類（{', '.join(KINDS)}）ごとの terms / rules です"
                f" / context.{name} must map kinds to terms and rules"
            )
        entries = {k: {"name": names[str(k)], **dict(v or {})} for k, v in block.items()}
        where = f"{source} context.{name}"
        out[str(name)] = Codebook.from_dict({"version": version, "challenges": entries}, source=where)
    return out


def _parse_settings(raw: Any, source: str) -> KindSettings:
    if not isinstance(raw, Mapping):
        raise InputError(f"{source}: settings はマッピングです / settings must be a mapping")
    defaults = KindSettings()
    reject_unknown_fields(raw, defaults.__dataclass_fields__, source, "settings の", "settings")
    values: dict[str, Any] = {}
    for name, value in raw.items():
        default = getattr(defaults, name)
        if name == "absorb":
            values[name] = _parse_absorb(value, source)
        elif isinstance(default, str):
            if value not in KINDS:
                raise InputError(
                    f"{source}: settings.{name} は {list(KINDS)} のどれかです（{value!r}）"
                    f" / settings.{name} must be a kind"
                )
            values[name] = str(value)
        elif isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError(
                f"{source}: settings.{name} は数値です（{value!r}） / settings.{name} must be a number"
            )
        else:
            values[name] = type(default)(value)
    return KindSettings(**values)


def _parse_absorb(raw: Any, source: str) -> tuple[Absorb, ...]:
    """``absorb:`` as a list of ``{kind, absorbs, at}``."""
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for item in items:
        ok = isinstance(item, Mapping) and set(map(str, item)) == {"kind", "absorbs", "at"}
        if not ok or item["kind"] not in KINDS or item["absorbs"] not in KINDS:
            raise InputError(
                f"{source}: settings.absorb の各要素は {{kind: 種類, absorbs: 種類, at: 数値}} です（{item!r}）"
                " / each absorb entry needs kind, absorbs (kinds) and at (a number)"
            )
        at = item["at"]
        if isinstance(at, bool) or not isinstance(at, int | float):
            raise InputError(f"{source}: settings.absorb の at は数値です（{at!r}） / at must be a number")
        out.append(Absorb(str(item["kind"]), str(item["absorbs"]), float(at)))
    return tuple(out)
