"""A synthetic corpus of known structure: answers drawn from ``k`` topics with their own words.

Each topic has 8 words of its own; an answer takes 4-7 of its topic's words and 1-3 words shared
by all topics (as real answers share 職員, 研修, 必要 …), so topics overlap as real ones do.
Topics take turns, so even 20 answers hold every topic.
"""

from __future__ import annotations

import numpy as np

SHARED = ["職員", "研修", "必要", "業務", "推進", "取り組み", "状況", "対応", "検討", "実施"]
STEMS = [
    "予算", "異動", "講座", "企業", "目標", "意欲", "格差", "定着", "事例", "理解", "計画", "評価",
    "窓口", "端末", "通信", "契約", "会議", "資料", "規程", "申請", "広報", "統計", "防災", "観光",
]


def topic_words(k: int) -> list[list[str]]:
    """``k`` disjoint vocabularies of 8 words each."""
    return [[f"{STEMS[t % len(STEMS)]}{chr(0x30A2 + t)}{j}" for j in range(8)] for t in range(k)]


def synthetic_corpus(n: int, k: int, seed: int = 0) -> tuple[list[str], list[list[str]], list[int]]:
    """``n`` answers from ``k`` topics: texts, lemma lists and the true topic of each."""
    rng = np.random.default_rng(seed)
    vocab = topic_words(k)
    texts, lemmas, truth = [], [], []
    for i in range(n):
        t = i % k
        words = list(rng.choice(vocab[t], size=int(rng.integers(4, 8)), replace=False))
        words += list(rng.choice(SHARED, size=int(rng.integers(1, 4)), replace=False))
        rng.shuffle(words)
        texts.append("、".join(words) + "。")
        lemmas.append(words)
        truth.append(t)
    return texts, lemmas, truth
