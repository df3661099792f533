"""Compare a run with hand-coded labels: cluster agreement and codebook coding quality.

Scoring rules
-------------
* Only records with ``status == "kept"`` that have a gold label are scored (records without a
  ``status`` column count as kept). With ``split`` given, only labels of that split are used.
* **Cluster metrics** (V-measure, NMI, ARI from :mod:`sklearn.metrics`) compare ``cluster`` with the
  gold label, every distinct label being its own class, including ``none`` and labels that are not
  codebook keys (such as ``generative_ai``). A missing cluster counts as one extra cluster ``-1``.
* **Codebook metrics** compare ``challenge`` with the gold label after mapping every gold label that
  is not a codebook key to ``""`` (none), and an empty or missing prediction to ``""`` as well.
  ``accuracy`` and Cohen's ``kappa`` use all scored records, ``""`` included. ``macro_f1`` is the
  unweighted mean of the per-key F1 over the codebook keys that occur at least once among the
  *gold* labels of the scored records (``""`` is not averaged in; a key never predicted nor present
  in gold is left out; a key present in gold but never predicted counts with F1 = 0). Per-key
  precision, recall and F1 are reported for every codebook key present in gold or predictions.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn import metrics

from rsnet_analysis.errors import InputError

__all__ = ["Evaluation", "evaluate", "load_labels"]

NONE_LABEL = ""
_LABEL_COLUMNS = ("record_id", "label")


@dataclass
class Evaluation:
    """Agreement of a run with hand-coded labels.

    Attributes
    ----------
    n : int
        Number of scored records.
    split : str or None
        The label split used (``None``: all).
    v_measure, nmi, ari : float
        Cluster agreement with the gold labels (NaN when nothing was scored).
    accuracy, macro_f1, kappa : float
        Codebook coding agreement (NaN when nothing was scored).
    macro_keys : list of str
        The codebook keys averaged in ``macro_f1`` (those present in the gold labels).
    per_key : pandas.DataFrame
        ``key, precision, recall, f1, support, predicted`` sorted by key.
    confusion : pandas.DataFrame
        Gold (rows) × predicted (columns) counts, labels sorted with ``""`` shown as ``(none)`` last.
    """

    n: int
    split: str | None
    v_measure: float
    nmi: float
    ari: float
    accuracy: float
    macro_f1: float
    kappa: float
    macro_keys: list[str] = field(default_factory=list)
    per_key: pd.DataFrame = field(default_factory=pd.DataFrame)
    confusion: pd.DataFrame = field(default_factory=pd.DataFrame)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dictionary (NaN becomes ``None``).

        Returns
        -------
        dict
        """

        def num(x: float) -> float | None:
            return None if x is None or not np.isfinite(x) else round(float(x), 6)

        per_key = {
            str(r.key): {
                "precision": num(r.precision),
                "recall": num(r.recall),
                "f1": num(r.f1),
                "support": int(r.support),
                "predicted": int(r.predicted),
            }
            for r in self.per_key.itertuples(index=False)
        }
        confusion = {
            str(g): {str(p): int(v) for p, v in row.items()}
            for g, row in self.confusion.to_dict(orient="index").items()
        }
        out = {
            "n": int(self.n),
            "split": self.split,
            "clusters": {
                "v_measure": num(self.v_measure),
                "nmi": num(self.nmi),
                "ari": num(self.ari),
            },
            "codebook": {
                "accuracy": num(self.accuracy),
                "macro_f1": num(self.macro_f1),
                "kappa": num(self.kappa),
                "macro_keys": list(self.macro_keys),
                "per_key": per_key,
                "confusion": confusion,
            },
        }
        json.dumps(out)  # fail here, not in the caller, if something is not serialisable
        return out

    def format_text(self) -> str:
        """A readable summary (Japanese with English metric names).

        Returns
        -------
        str
        """

        def f(x: float) -> str:
            return "—" if not np.isfinite(x) else f"{x:.3f}"

        split = self.split or "全件 / all"
        lines = [
            f"評価対象 / scored records: {self.n}（split: {split}）",
            "クラスタ / clusters:",
            f"  V-measure {f(self.v_measure)}  NMI {f(self.nmi)}  ARI {f(self.ari)}",
            "コードブック課題 / codebook challenges:",
            f"  正解率 accuracy {f(self.accuracy)}  macro-F1 {f(self.macro_f1)}"
            f"  Cohen's kappa {f(self.kappa)}",
            f"  macro-F1 の対象キー / keys averaged: {' '.join(self.macro_keys) or '—'}",
        ]
        if len(self.per_key):
            lines.append("  key                  precision recall  f1     support predicted")
            for r in self.per_key.itertuples(index=False):
                lines.append(
                    f"  {r.key:<20} {f(r.precision):>9} {f(r.recall):>6} {f(r.f1):>6}"
                    f" {int(r.support):>7} {int(r.predicted):>9}"
                )
        if len(self.confusion):
            lines.append("混同行列 / confusion (行=正解 rows=gold, 列=予測 columns=predicted):")
            lines.extend("  " + line for line in self.confusion.to_string().splitlines())
        return "\n".join(lines)


def _display(label: str) -> str:
    return "(none)" if label == NONE_LABEL else label


def _sort_labels(labels: Iterable[str]) -> list[str]:
    uniq = set(labels)
    return sorted(x for x in uniq if x != NONE_LABEL) + ([NONE_LABEL] if NONE_LABEL in uniq else [])


def _scored_records(records: pd.DataFrame, labels: pd.DataFrame, split: str | None) -> pd.DataFrame:
    """Kept records with their gold label (of ``split``; the last one per record id), by record id.

    Parameters
    ----------
    records : pandas.DataFrame
        The run's record table.
    labels : pandas.DataFrame
        ``record_id``, ``label`` and optionally ``split``.
    split : str or None
        The split to keep (None: all labels).

    Returns
    -------
    pandas.DataFrame
        ``record_id, cluster, challenge, label``.

    Raises
    ------
    InputError
        When ``split`` is given but there is no ``split`` column or no label of that split.
    """
    lab = labels
    if split is not None:
        if "split" not in labels.columns:
            raise InputError(
                f"正解ラベルに split 列がないため split={split!r} で絞れません / labels have no split column"
            )
        lab = labels[labels["split"].astype(str) == split]
        if lab.empty:
            found = sorted(labels["split"].astype(str).unique())
            raise InputError(
                f"split {split!r} のラベルがありません（あるもの: {found}） / no labels in split {split!r}"
            )
    lab = lab.drop_duplicates("record_id", keep="last")[["record_id", "label"]]
    rec = records
    if "status" in rec.columns:
        rec = rec[rec["status"].astype(str) == "kept"]
    rec = rec[["record_id", "cluster", "challenge"]].copy()
    rec["record_id"] = rec["record_id"].astype(str)
    lab = lab.assign(record_id=lab["record_id"].astype(str))
    return rec.merge(lab, on="record_id", how="inner").sort_values("record_id", kind="stable")


def _per_key_scores(gold: list[str], pred: list[str], keyset: set[str]) -> pd.DataFrame:
    """Precision, recall and F1 of every codebook key present in gold or predictions.

    Parameters
    ----------
    gold, pred : list of str
        Gold and predicted codebook keys (``""``: none).
    keyset : set of str
        The codebook keys.

    Returns
    -------
    pandas.DataFrame
        ``key, precision, recall, f1, support, predicted``, sorted by key.
    """
    nan = float("nan")
    shown_keys = sorted(k for k in keyset if k in set(gold) | set(pred))
    rows = []
    g_arr, p_arr = np.array(gold, dtype=object), np.array(pred, dtype=object)
    for k in shown_keys:
        tp = int(np.sum((g_arr == k) & (p_arr == k)))
        support = int(np.sum(g_arr == k))
        predicted = int(np.sum(p_arr == k))
        precision = tp / predicted if predicted else 0.0
        recall = tp / support if support else nan
        if support == 0:
            f1 = 0.0
        else:
            f1 = 2 * tp / (support + predicted)
        rows.append((k, precision, recall, f1, support, predicted))
    return pd.DataFrame(rows, columns=["key", "precision", "recall", "f1", "support", "predicted"])


def _confusion(gold: list[str], pred: list[str]) -> pd.DataFrame:
    """Gold (rows) x predicted (columns) counts, labels sorted with ``""`` shown as ``(none)`` last.

    Parameters
    ----------
    gold, pred : list of str
        Gold and predicted codebook keys (``""``: none).

    Returns
    -------
    pandas.DataFrame
    """
    labels_sorted = _sort_labels(gold + pred)
    index = {lab: i for i, lab in enumerate(labels_sorted)}
    cm = np.zeros((len(labels_sorted), len(labels_sorted)), dtype=np.int64)
    np.add.at(cm, ([index[g] for g in gold], [index[p] for p in pred]), 1)
    names = [_display(x) for x in labels_sorted]
    return pd.DataFrame(
        cm, index=pd.Index(names, name="gold"), columns=pd.Index(names, name="predicted")
    )


def evaluate(
    records: pd.DataFrame,
    labels: pd.DataFrame,
    *,
    split: str | None = None,
    codebook_keys: Sequence[str],
) -> Evaluation:
    """Score clusters and codebook challenges against hand-coded labels.

    Parameters
    ----------
    records : pandas.DataFrame
        The run's record table with ``record_id``, ``cluster``, ``challenge`` and (optionally)
        ``status``; only ``kept`` records are scored.
    labels : pandas.DataFrame
        ``record_id``, ``label`` and optionally ``split`` (see :func:`load_labels`).
    split : str, optional
        Score only labels of this split (``dev`` or ``test``).
    codebook_keys : sequence of str
        Keys of the codebook used; gold labels outside it count as none (``""``).

    Returns
    -------
    Evaluation
        See the module docstring for exactly how each figure is computed.

    Raises
    ------
    InputError
        When a required column is missing or the split does not exist.
    """
    for col in ("record_id", "cluster", "challenge"):
        if col not in records.columns:
            raise InputError(f"記録表に列 {col} がありません / records lack column {col!r}")
    for col in _LABEL_COLUMNS:
        if col not in labels.columns:
            raise InputError(f"正解ラベルに列 {col} がありません / labels lack column {col!r}")
    merged = _scored_records(records, labels, split)

    keys = [str(k) for k in codebook_keys]
    keyset = set(keys)
    gold_raw = merged["label"].fillna("").astype(str).str.strip().tolist()
    clusters = pd.to_numeric(merged["cluster"], errors="coerce").fillna(-1).astype(int).tolist()
    gold = [g if g in keyset else NONE_LABEL for g in gold_raw]
    pred = [
        p if p in keyset else NONE_LABEL
        for p in merged["challenge"].fillna("").astype(str).str.strip().tolist()
    ]
    n = len(merged)
    nan = float("nan")
    if n == 0:
        return Evaluation(0, split, nan, nan, nan, nan, nan, nan)

    v = metrics.v_measure_score(gold_raw, clusters)
    nmi = metrics.normalized_mutual_info_score(gold_raw, clusters)
    ari = metrics.adjusted_rand_score(gold_raw, clusters)

    acc = metrics.accuracy_score(gold, pred)
    kappa = (
        metrics.cohen_kappa_score(gold, pred)
        if len(set(gold) | set(pred)) > 1
        else (1.0 if gold == pred else 0.0)
    )
    gold_keys = sorted(k for k in keyset if k in set(gold))
    per_key = _per_key_scores(gold, pred, keyset)
    macro = float(per_key.set_index("key").loc[gold_keys, "f1"].mean()) if gold_keys else nan
    return Evaluation(
        n=n,
        split=split,
        v_measure=float(v),
        nmi=float(nmi),
        ari=float(ari),
        accuracy=float(acc),
        macro_f1=macro,
        kappa=float(kappa),
        macro_keys=gold_keys,
        per_key=per_key,
        confusion=_confusion(gold, pred),
    )


#: Other headers accepted for the label file's columns (first match wins).
LABEL_COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "record_id": ("id", "ID", "回答ID", "回答者ID", "record", "レコードID"),
    "label": ("code", "challenge", "ラベル", "コード", "課題コード"),
}


def _label_column_aliases(columns: Sequence[str]) -> dict[str, str]:
    """Map an alias header to its standard name when the standard one is absent."""
    present = set(columns)
    renames: dict[str, str] = {}
    for standard, aliases in LABEL_COLUMN_ALIASES.items():
        if standard in present:
            continue
        for alias in aliases:
            if alias in present:
                renames[alias] = standard
                break
    return renames


def align_labels(records: pd.DataFrame, labels: pd.DataFrame, id_col: str | None) -> pd.DataFrame:
    """Key labels by ``record_id`` even when they were written against the input's own id column.

    Parameters
    ----------
    records : pandas.DataFrame
        The run's records (``record_id``, ``status`` and, when known, the input's id column).
    labels : pandas.DataFrame
        From :func:`load_labels`.
    id_col : str or None
        The input's id column (``summary.json``'s ``columns.id``).

    Returns
    -------
    pandas.DataFrame
        ``labels`` with ``record_id`` translated where the ids are the input's ids (the first kept
        record of each id), unchanged when they already are record ids.
    """
    known = set(records["record_id"].astype(str))
    if labels["record_id"].isin(known).mean() >= 0.5 or not id_col or id_col not in records:
        return labels
    kept = records[records["status"].astype(str) == "kept"]
    mapping = kept.drop_duplicates(id_col).set_index(id_col)["record_id"].astype(str)
    out = labels.copy()
    translated = out["record_id"].map(mapping)
    out["record_id"] = translated.fillna(out["record_id"])
    return out


def load_labels(paths: str | Path | Sequence[str | Path]) -> pd.DataFrame:
    """Read one or more hand-coded label CSVs.

    Parameters
    ----------
    paths : str, Path or sequence of them
        CSV files (UTF-8, with or without BOM) with columns ``record_id``, ``label`` and optionally
        ``split``.

    Returns
    -------
    pandas.DataFrame
        ``record_id``, ``label``, ``split`` (``""`` when absent) as strings, in file order; a
        record labelled in two files keeps the later label.

    Raises
    ------
    InputError
        When a file is missing, not UTF-8, or lacks a required column, naming the file.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    frames = []
    for path in paths:
        p = Path(path)
        if not p.is_file():
            raise InputError(f"正解ラベルのファイルがありません: {p} / label file not found: {p}")
        try:
            df = pd.read_csv(p, dtype=str, encoding="utf-8-sig", keep_default_na=False)
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{p}: 正解ラベルは UTF-8（BOM 付き可）で保存してください / labels must be UTF-8: {exc}"
            ) from exc
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise InputError(f"{p}: CSV として読めません / cannot read as CSV: {exc}") from exc
        df.columns = [str(c).strip() for c in df.columns]
        df = df.rename(columns=_label_column_aliases(df.columns))
        missing = [c for c in _LABEL_COLUMNS if c not in df.columns]
        if missing:
            raise InputError(
                f"{p}: 列 {missing} がありません（必要: record_id, label, 任意: split）"
                f" / missing columns {missing}"
            )
        if "split" not in df.columns:
            df["split"] = ""
        df = df[["record_id", "label", "split"]].apply(lambda s: s.str.strip())
        empty = df["record_id"] == ""
        if empty.any():
            row = int(np.flatnonzero(empty.to_numpy())[0]) + 2
            raise InputError(f"{p} {row}行目: record_id が空です / empty record_id at line {row}")
        frames.append(df)
    if not frames:
        raise InputError("正解ラベルのファイルが指定されていません / no label files given")
    out = pd.concat(frames, ignore_index=True)
    return out.drop_duplicates("record_id", keep="last").reset_index(drop=True)
