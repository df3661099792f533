"""The kind of every statement: rule evidence first, a classifier learnt from the strong rules next.

:func:`classify_statements`, once per run on the kept records:

1. **Rule evidence** (:func:`~.evidence.score_kinds`): the rule file's terms and rules on the text,
   plus the context (question header as weak evidence, speaker, note heading).
2. **Strong rules**: a statement whose best kind has at least ``strong_score`` evidence and leads
   the next kind by ``strong_margin`` keeps that kind. The classifier never overrules it; when the
   classifier disagrees, the reason says so.
3. **Classifier**: a :class:`~sklearn.linear_model.LogisticRegression` on the shared answer
   features (:class:`~rsnet_analysis.challenges.features.AnswerVectorizer` over ``text_masked`` and
   ``lemmas``), trained on this corpus's strong-rule statements (kinds with at least
   ``min_train_per_kind`` of them; seeded). Its probabilities add
   ``classifier_weight * (p * n_kinds - 1)`` to the rule evidence of the other statements.
4. **Fallback**: a statement whose combined evidence stays below ``min_score`` takes the kind the
   question's header hints at, else ``default_kind``.

``kind_confidence`` is the softmax of the combined evidence at the chosen kind.

For inputs too large to hold, :func:`fit_kind_model` fits steps 2-3 on a sample and
``classify_statements(chunk, model=...)`` applies that model to every chunk.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from rsnet_analysis.challenges.features import AnswerVectorizer, feature_frame
from rsnet_analysis.contract import KIND_COLUMNS, KINDS
from rsnet_analysis.statements.evidence import KindEvidence, score_kinds
from rsnet_analysis.statements.kinds import KindSettings, StatementKinds
from rsnet_analysis.statements.reasons import kind_reason

__all__ = [
    "KindClassifier",
    "KindModel",
    "absorb_evidence",
    "absorbed_kinds",
    "classify_statements",
    "fit_kind_model",
    "strong_rules",
]

#: Statements the vectorizer and the classifier are fitted on, at most (the rest are transformed).
FIT_SAMPLE = 20000
#: Statements vectorised and predicted at a time (the classifier's features, bounded memory).
PREDICT_CHUNK = 4096


def absorbed_kinds(scores: np.ndarray, hints: np.ndarray, settings: KindSettings) -> list[tuple[str, ...]]:
    """Per statement, the kinds whose evidence :func:`absorb_evidence` counted for its best kind."""
    out: list[tuple[str, ...]] = []
    best = np.argmax(absorb_evidence(scores, hints, settings), axis=1) if len(scores) else []
    for i, b in enumerate(best):
        out.append(
            tuple(
                r.absorbs for r in settings.absorb
                if KINDS.index(r.kind) == b
                and scores[i, KINDS.index(r.absorbs)] - hints[i, KINDS.index(r.absorbs)] > 0
                and scores[i, b] - hints[i, b] >= r.at
            )
        )
    return out


def absorb_evidence(scores: np.ndarray, hints: np.ndarray, settings: KindSettings) -> np.ndarray:
    """Apply the ``absorb`` settings: a kind whose evidence reaches ``at`` adds the other's.

    Parameters
    ----------
    scores : numpy.ndarray
        ``(n, len(KINDS))`` rule evidence (not modified).
    hints : numpy.ndarray
        The part of ``scores`` from the question's header: weak evidence, neither counted towards
        ``at`` nor absorbed.
    settings : KindSettings

    Returns
    -------
    numpy.ndarray
        The evidence the kind is decided on.
    """
    out = scores.copy()
    own = scores - hints
    for rule in settings.absorb:
        k, a = KINDS.index(rule.kind), KINDS.index(rule.absorbs)
        take = own[:, k] >= rule.at
        out[take, k] += own[take, a]
        own[take, k] += own[take, a]
    return out


def strong_rules(scores: np.ndarray, settings: KindSettings) -> tuple[np.ndarray, np.ndarray]:
    """The best rule kind of every statement and whether its rule is strong.

    Parameters
    ----------
    scores : numpy.ndarray
        ``(n, len(KINDS))`` rule evidence.
    settings : KindSettings
        ``strong_score`` and ``strong_margin``.

    Returns
    -------
    best : numpy.ndarray of int
        Column of the best kind (ties: the earlier kind of :data:`~rsnet_analysis.contract.KINDS`).
    strong : numpy.ndarray of bool
    """
    if len(scores) == 0:
        return np.zeros(0, dtype=int), np.zeros(0, dtype=bool)
    best = np.argmax(scores, axis=1)
    top = scores[np.arange(len(scores)), best]
    second = np.sort(scores, axis=1)[:, -2]
    strong = (top >= settings.strong_score) & (top - second >= settings.strong_margin)
    return best, strong


@dataclass(frozen=True)
class KindClassifier:
    """Classifier probabilities for every statement, over the kinds it learnt.

    Attributes
    ----------
    proba : numpy.ndarray
        ``(n, len(KINDS))`` probabilities (0 for kinds it did not learn).
    learnt : tuple of str
        The kinds it was trained on.
    n_train : int
        Strong-rule statements it was trained on.
    """

    proba: np.ndarray
    learnt: tuple[str, ...]
    n_train: int

    def lift(self) -> np.ndarray:
        """``p * n_learnt - 1`` for the learnt kinds, 0 elsewhere."""
        out = np.zeros_like(self.proba)
        cols = [KINDS.index(k) for k in self.learnt]
        out[:, cols] = self.proba[:, cols] * len(cols) - 1.0
        return out


@dataclass(frozen=True)
class KindModel:
    """The classifier of kinds fitted on some statements, to apply to others (large inputs).

    Attributes
    ----------
    vectorizer : AnswerVectorizer
        The answer features, fitted on at most :data:`FIT_SAMPLE` statements.
    model : LogisticRegression
        Trained on the strong-rule statements.
    n_train : int
        Statements it was trained on.
    """

    vectorizer: AnswerVectorizer
    model: LogisticRegression
    n_train: int


def _frame(records: pd.DataFrame) -> pd.DataFrame:
    return feature_frame(
        records["text_masked"].fillna("").astype(str).tolist(),
        [list(x) if isinstance(x, list | tuple) else [] for x in records["lemmas"].tolist()],
    )


def _train(
    frame: pd.DataFrame, best: np.ndarray, strong: np.ndarray, settings: KindSettings, seed: int
) -> KindModel | None:
    """Train on the strong-rule statements; None when fewer than two kinds have enough."""
    counts = np.bincount(best[strong], minlength=len(KINDS))
    learnt = [j for j in range(len(KINDS)) if counts[j] >= settings.min_train_per_kind]
    train = np.flatnonzero(strong & np.isin(best, learnt))
    if len(learnt) < 2:
        return None
    rng = np.random.default_rng([seed, 57])
    if len(train) > FIT_SAMPLE:
        train = np.sort(rng.choice(train, FIT_SAMPLE, replace=False))
    fit_rows = np.arange(len(frame))
    if len(fit_rows) > FIT_SAMPLE:
        fit_rows = np.sort(rng.choice(len(frame), FIT_SAMPLE, replace=False))
    vectorizer = AnswerVectorizer().fit(frame.iloc[fit_rows])
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000, random_state=seed)
    model.fit(vectorizer.transform(frame.iloc[train]), best[train])
    return KindModel(vectorizer, model, int(len(train)))


def _predict(fitted: KindModel, frame: pd.DataFrame) -> KindClassifier:
    """The classifier's probabilities for every statement of ``frame``."""
    # the features of all statements never exist at once (bounded memory); a row's features
    # depend only on the fitted vocabulary and the row itself, so chunking changes nothing
    model = fitted.model
    proba = np.zeros((len(frame), len(KINDS)))
    for start in range(0, len(frame), PREDICT_CHUNK):
        rows = slice(start, start + PREDICT_CHUNK)
        proba[rows, model.classes_] = model.predict_proba(fitted.vectorizer.transform(frame.iloc[rows]))
    return KindClassifier(proba, tuple(KINDS[j] for j in model.classes_), fitted.n_train)


def _strong(found: KindEvidence, book: StatementKinds) -> tuple[KindEvidence, np.ndarray, np.ndarray]:
    """Rule evidence after absorption, the best rule kind and whether it is strong, per statement."""
    ev = KindEvidence(absorb_evidence(found.scores, found.hints, book.settings), found.hints, found.matched)
    best, strong = strong_rules(ev.scores, book.settings)
    return ev, best, strong


def fit_kind_model(
    records: pd.DataFrame, *, seed: int = 0, kinds: StatementKinds | None = None
) -> KindModel | None:
    """Fit the classifier of :func:`classify_statements` on ``records``, to apply to other statements.

    For inputs too large to classify at once: fit on a sample, then pass the model to
    :func:`classify_statements` for every chunk (the rule evidence is always the chunk's own).

    Parameters
    ----------
    records : pandas.DataFrame
        Statements as for :func:`classify_statements`.
    seed : int, default 0
    kinds : StatementKinds, optional

    Returns
    -------
    KindModel or None
        None when fewer than two kinds have enough strong-rule statements to learn from.
    """
    _check_columns(records)
    book = kinds if kinds is not None else StatementKinds.load()
    if len(records) == 0:
        return None
    _ev, best, strong = _strong(score_kinds(records, book), book)
    return _train(_frame(records), best, strong, book.settings, seed)


def _check_columns(records: pd.DataFrame) -> None:
    missing = [c for c in ("text_masked", "tokens", "lemmas") if c not in records.columns]
    if missing:
        raise KeyError(f"classify_statements needs the columns {missing} (build_record_table)")


def _softmax_at(total: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    if len(total) == 0:
        return np.zeros(0)
    z = np.exp(total - total.max(axis=1, keepdims=True))
    return z[np.arange(len(total)), chosen] / z.sum(axis=1)


def _decide(
    ev: KindEvidence, clf: KindClassifier | None, settings: KindSettings
) -> tuple[np.ndarray, np.ndarray, list[str], np.ndarray, np.ndarray]:
    """Chosen kind, confidence, how it was decided, best rule kind and combined evidence."""
    best, strong = strong_rules(ev.scores, settings)
    total = ev.scores + (settings.classifier_weight * clf.lift() if clf is not None else 0.0)
    chosen = np.where(strong, best, np.argmax(total, axis=1) if len(total) else best)
    how = ["rule" if s else "combined" for s in strong]
    default = KINDS.index(settings.default_kind)
    for i in np.flatnonzero(~strong):
        if total[i, chosen[i]] < settings.min_score:
            hinted = ev.hints[i].max() > 0
            chosen[i] = int(np.argmax(ev.hints[i])) if hinted else default
            how[i] = "fallback"
    return chosen, _softmax_at(total, chosen), how, best, total


def _classifier_view(clf: KindClassifier | None, i: int) -> tuple[str, float] | None:
    """The classifier's most probable kind for statement ``i`` and its probability."""
    if clf is None:
        return None
    j = int(np.argmax(clf.proba[i]))
    return KINDS[j], float(clf.proba[i, j])


def classify_statements(
    records: pd.DataFrame,
    *,
    seed: int = 0,
    kinds: StatementKinds | None = None,
    model: KindModel | None | str = "fit",
) -> pd.DataFrame:
    """Give every statement its kind, a confidence and a reason (see the module docstring).

    Parameters
    ----------
    records : pandas.DataFrame
        The kept records of the record table (:func:`~rsnet_analysis.prepare.build_record_table`),
        with ``text_masked``, ``tokens`` and ``lemmas``; ``question``, ``組織名`` and ``グループ``
        are used when present (survey answers and session-note statements alike).
    seed : int, default 0
        Seed of every random step (the classifier's ``random_state`` and sampling).
    kinds : StatementKinds, optional
        The rule file; the shipped ``statement_kinds.yaml`` when omitted.
    model : KindModel, None or "fit", default "fit"
        ``"fit"`` trains the classifier on these statements; a :class:`KindModel`
        (:func:`fit_kind_model`, fitted on a sample of a large input) is applied instead; None
        uses the rules alone.

    Returns
    -------
    pandas.DataFrame
        Aligned with ``records`` (same index and order), columns
        :data:`~rsnet_analysis.contract.KIND_COLUMNS`: ``kind`` (one of
        :data:`~rsnet_analysis.contract.KINDS`), ``kind_confidence`` (0-1, rounded to 4 places)
        and ``kind_reason`` (Japanese).

    Raises
    ------
    KeyError
        When ``text_masked``, ``tokens`` or ``lemmas`` is missing.
    ValueError
        When ``model`` is a string other than ``"fit"``.
    """
    _check_columns(records)
    if isinstance(model, str) and model != "fit":
        raise ValueError(f"model は KindModel、None、\"fit\" のどれかです / unknown model {model!r}")
    book = kinds if kinds is not None else StatementKinds.load()
    if len(records) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in KIND_COLUMNS}, index=records.index)
    found = score_kinds(records, book)
    ev, best, strong = _strong(found, book)
    frame = _frame(records)
    fitted = _train(frame, best, strong, book.settings, seed) if isinstance(model, str) else model
    clf = _predict(fitted, frame) if fitted is not None else None
    chosen, conf, how, best, _total = _decide(ev, clf, book.settings)
    absorbed = absorbed_kinds(found.scores, found.hints, book.settings)
    reasons = [
        kind_reason(
            book, KINDS[chosen[i]], how[i], KINDS[best[i]], round(float(ev.scores[i, best[i]]), 2),
            ev.matched[i], _classifier_view(clf, i), absorbed[i],
        )
        for i in range(len(records))
    ]
    return pd.DataFrame(
        {
            "kind": [KINDS[j] for j in chosen],
            "kind_confidence": np.round(conf, 4),
            "kind_reason": reasons,
        },
        index=records.index,
    )[list(KIND_COLUMNS)]
