"""KH Coder style analyses: frequency list, KWIC, co-occurrence, characteristic words."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import networkx as nx  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from rsnet_analysis import explore  # noqa: E402
from rsnet_analysis.report import cooccurrence_figure  # noqa: E402


def _records(rows: list[tuple[str, str, list[str], str, str]]) -> pd.DataFrame:
    """Build a small record table: (record_id, status, tokens, 自治体区分, text_masked)."""
    return pd.DataFrame(
        {
            "record_id": [r[0] for r in rows],
            "respondent": [r[0] for r in rows],
            "status": [r[1] for r in rows],
            "tokens": [r[2] for r in rows],
            "自治体区分": [r[3] for r in rows],
            "text_original": ["山田太郎です。" + r[4] for r in rows],
            "text_masked": [r[4] for r in rows],
        }
    )


TOKENS_TABLE = _records(
    [
        ("s:2", "kept", ["研修", "予算", "研修"], "市", "研修の予算がない。研修も足りない。"),
        ("s:3", "kept", ["研修", "モチベーション"], "市", "研修へのモチベーションが低い。"),
        ("s:4", "kept", ["予算", "時間"], "町", "予算も時間もない。"),
        ("s:5", "duplicate", ["研修", "予算"], "町", "研修の予算がない。"),
        ("s:6", "non_answer", [], "町", "特になし"),
    ]
)


# -- frequency list ------------------------------------------------------------------------------
def test_frequency_from_cached_tokens_counts_kept_rows_only() -> None:
    table = explore.frequency_table(TOKENS_TABLE)
    assert list(table.columns) == ["term", "pos", "count", "documents"]
    assert table.to_dict("records") == [
        {"term": "研修", "pos": "", "count": 3, "documents": 2},
        {"term": "予算", "pos": "", "count": 2, "documents": 2},
        {"term": "モチベーション", "pos": "", "count": 1, "documents": 1},
        {"term": "時間", "pos": "", "count": 1, "documents": 1},
    ]


def test_frequency_top_limits_rows() -> None:
    assert explore.frequency_table(TOKENS_TABLE, top=2)["term"].tolist() == ["研修", "予算"]
    assert len(explore.frequency_table(TOKENS_TABLE, top=None)) == 4


POS_TEXTS = _records(
    [
        ("a:2", "kept", [], "市", "研修の予算が足りない。"),
        ("a:3", "kept", [], "市", "職員のモチベーションが低い。"),
        ("a:4", "kept", [], "町", "新しい研修を企画したい。研修は大事です。"),
        ("a:5", "empty", [], "町", ""),
    ]
)


@pytest.mark.parametrize(
    ("pos", "expected"),
    [
        (
            "名詞",
            [("研修", "名詞", 3, 2), ("モチベーション", "名詞", 1, 1), ("予算", "名詞", 1, 1),
             ("企画", "名詞", 1, 1), ("職員", "名詞", 1, 1)],
        ),
        ("動詞", [("足りる", "動詞", 1, 1)]),
        ("形容詞", [("低い", "形容詞", 1, 1), ("新しい", "形容詞", 1, 1)]),
        (["動詞", "形容詞"], [("低い", "形容詞", 1, 1), ("新しい", "形容詞", 1, 1), ("足りる", "動詞", 1, 1)]),
        ("助詞", []),  # only content words are counted
    ],
)
def test_frequency_filters_part_of_speech(pos: str | list[str], expected: list[tuple]) -> None:
    table = explore.frequency_table(POS_TEXTS, pos=pos, top=None)
    got = [tuple(r) for r in table.itertuples(index=False)]
    # 大事 is a 形状詞 in UniDic; it must not leak into the noun list
    assert got == expected


def test_frequency_with_tokenizer_fills_pos() -> None:
    from rsnet_analysis.text import JapaneseTokenizer

    table = explore.frequency_table(POS_TEXTS, JapaneseTokenizer(), top=3)
    assert table.iloc[0].to_dict() == {"term": "研修", "pos": "名詞", "count": 3, "documents": 2}
    assert (table["pos"] != "").all()


CONTENT_POS = ["名詞", "動詞", "形容詞", "形状詞"]


@pytest.mark.parametrize("pos", ["名詞", "動詞", ["形容詞", "形状詞"], CONTENT_POS])
def test_frequency_by_pos_from_the_cache_equals_tokenising_again(sample_kept: pd.DataFrame, pos) -> None:
    """The cached ``token_pos`` gives the same list as analysing every ``text_masked`` again."""
    from rsnet_analysis.text import JapaneseTokenizer

    cached = explore.frequency_table(sample_kept, pos=pos, top=None)
    again = explore.frequency_table(sample_kept, JapaneseTokenizer(), pos=pos, top=None)
    assert len(cached) > 10
    pd.testing.assert_frame_equal(cached, again)


def test_explore_never_tokenises_when_the_cache_is_there(
    sample_kept: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rsnet_analysis.explore import terms
    from rsnet_analysis.text import JapaneseTokenizer

    expected = explore.frequency_table(sample_kept, JapaneseTokenizer(), pos=CONTENT_POS, top=None)

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("tokenised again")

    monkeypatch.setattr(terms, "_default_tokenizer", refuse)
    monkeypatch.setattr(JapaneseTokenizer, "tag", refuse)
    pd.testing.assert_frame_equal(explore.frequency_table(sample_kept, pos=CONTENT_POS, top=None), expected)
    explore.frequency_table(sample_kept)
    explore.cooccurrence(sample_kept)
    explore.characteristic_words(sample_kept, "自治体区分")
    with pytest.raises(AssertionError, match="tokenised again"):  # without the column: the old path
        explore.frequency_table(sample_kept.drop(columns=["token_pos"]), pos="名詞")


def test_frequency_by_pos_reads_the_cached_parts_of_speech() -> None:
    table = TOKENS_TABLE.assign(token_pos=[["名詞", "名詞", "動詞"], ["名詞", "名詞"], ["名詞", "名詞"], ["名詞", "名詞"], []])
    got = explore.frequency_table(table, pos="名詞", top=None)
    assert [tuple(r) for r in got.itertuples(index=False)] == [
        ("予算", "名詞", 2, 2), ("研修", "名詞", 2, 2), ("モチベーション", "名詞", 1, 1), ("時間", "名詞", 1, 1),
    ]
    assert explore.frequency_table(table, pos="動詞", top=None).values.tolist() == [["研修", "動詞", 1, 1]]
    broken = table.assign(token_pos=[["名詞"], [], [], [], []])
    with pytest.raises(ValueError, match="token_pos"):
        explore.frequency_table(broken, pos="名詞")


def test_frequency_of_empty_table_has_columns() -> None:
    table = explore.frequency_table(TOKENS_TABLE.iloc[0:0])
    assert list(table.columns) == ["term", "pos", "count", "documents"]
    assert table.empty


# -- KWIC ----------------------------------------------------------------------------------------
KWIC_TABLE = _records(
    [
        ("s:10", "kept", [], "市", "職員のリスキリングが進まない。"),
        ("s:9", "kept", [], "市", "リスキリングとDX、\nそしてリスキリング。"),
        ("t:2", "kept", [], "町", "〔氏名〕です。dxの研修をしたい。"),
        ("s:11", "duplicate", [], "町", "リスキリングが大事。"),
    ]
)


@pytest.mark.parametrize(
    ("keyword", "width", "expected"),
    [
        (
            "リスキリング",
            4,
            [
                ("s:9", "", "リスキリング", "とDX、"),
                ("s:9", " そして", "リスキリング", "。"),  # the line break shows as a space
                ("s:10", "職員の", "リスキリング", "が進まな"),
            ],
        ),
        ("ＤＸ", 2, [("s:9", "グと", "DX", "、 "), ("t:2", "す。", "dx", "の研")]),
        ("氏名", 1, [("t:2", "〔", "氏名", "〕")]),
        ("山田", 5, []),  # unmasked text is never searched
        ("存在しない語", 5, []),
    ],
)
def test_kwic(keyword: str, width: int, expected: list[tuple[str, str, str, str]]) -> None:
    table = explore.kwic(KWIC_TABLE, keyword, width=width)
    assert list(table.columns) == ["record_id", "left", "keyword", "right"]
    assert [tuple(r) for r in table.itertuples(index=False)] == expected


@pytest.mark.parametrize(("keyword", "width"), [("", 5), ("  ", 5), ("DX", -1)])
def test_kwic_rejects_bad_arguments(keyword: str, width: int) -> None:
    with pytest.raises(ValueError):
        explore.kwic(KWIC_TABLE, keyword, width=width)


# -- co-occurrence -------------------------------------------------------------------------------
CO_TABLE = _records(
    [
        ("c:2", "kept", ["研修", "予算"], "市", ""),
        ("c:3", "kept", ["研修", "予算", "時間"], "市", ""),
        ("c:4", "kept", ["研修", "予算"], "市", ""),
        ("c:5", "kept", ["研修", "時間"], "町", ""),
        ("c:6", "kept", ["異動", "担当者"], "町", ""),
        ("c:7", "kept", ["異動", "担当者", "研修"], "町", ""),
        ("c:8", "duplicate", ["異動", "予算"], "町", ""),
    ]
)


def test_cooccurrence_jaccard_and_order() -> None:
    edges = explore.cooccurrence(CO_TABLE, min_jaccard=0.0)
    got = [(r.term_a, r.term_b, r.jaccard, r.co_documents) for r in edges.itertuples(index=False)]
    assert got == [
        ("担当者", "異動", 1.0, 2),
        ("予算", "研修", 0.6, 3),
        ("時間", "研修", 0.4, 2),
    ]
    assert edges.loc[1, ["documents_a", "documents_b"]].tolist() == [3, 5]


@pytest.mark.parametrize(
    ("kwargs", "pairs"),
    [
        ({"min_jaccard": 0.5}, [("担当者", "異動"), ("予算", "研修")]),
        ({"min_jaccard": 0.0, "max_edges": 1}, [("担当者", "異動")]),
        ({"min_jaccard": 0.0, "top_terms": 2}, [("予算", "研修")]),
        ({"min_jaccard": 0.0, "min_co_documents": 3}, [("予算", "研修")]),
        ({"min_jaccard": 0.0, "min_co_documents": 1}, [("担当者", "異動"), ("予算", "研修"), ("時間", "研修"),
                                                       ("予算", "時間"), ("担当者", "研修"), ("異動", "研修")]),
    ],
)
def test_cooccurrence_thresholds(kwargs: dict, pairs: list[tuple[str, str]]) -> None:
    edges = explore.cooccurrence(CO_TABLE, **kwargs)
    assert list(zip(edges["term_a"], edges["term_b"], strict=True)) == pairs


def test_cooccurrence_graph_and_plot_are_deterministic() -> None:
    edges = explore.cooccurrence(CO_TABLE, min_jaccard=0.0)
    graph = explore.cooccurrence_graph(edges)
    assert isinstance(graph, nx.Graph)
    assert list(graph.nodes) == sorted(graph.nodes)
    assert graph.nodes["研修"]["documents"] == 5
    assert graph.edges["予算", "研修"]["jaccard"] == 0.6
    assert graph.nodes["担当者"]["community"] != graph.nodes["研修"]["community"]

    first = cooccurrence_figure(edges)
    second = cooccurrence_figure(edges)
    assert isinstance(first, Figure)
    pos_1 = [tuple(t.get_position()) for t in first.axes[0].texts]
    pos_2 = [tuple(t.get_position()) for t in second.axes[0].texts]
    assert pos_1 == pos_2
    assert sorted(t.get_text() for t in first.axes[0].texts) == sorted(graph.nodes)


def test_plot_cooccurrence_without_edges_says_so() -> None:
    fig = cooccurrence_figure(explore.cooccurrence(CO_TABLE, min_jaccard=1.1))
    assert "見つかりません" in fig.axes[0].texts[0].get_text()


def test_cooccurrence_tokenizes_when_tokens_are_missing() -> None:
    table = POS_TEXTS.drop(columns=["tokens"])
    edges = explore.cooccurrence(table, min_jaccard=0.0, min_co_documents=1)
    assert ("予算", "研修") in set(zip(edges["term_a"], edges["term_b"], strict=True))


# -- characteristic words ------------------------------------------------------------------------
def _segment_table() -> pd.DataFrame:
    rows = []
    for i in range(6):  # 市: 6 respondents, mostly about 予算
        rows.append((f"x:{i + 2}", "kept", ["予算", "研修"] if i < 4 else ["研修"], "市", ""))
    for i in range(5):  # 町: 5 respondents, about 異動
        rows.append((f"y:{i + 2}", "kept", ["異動", "研修"] if i < 3 else ["時間"], "町", ""))
    for i in range(3):  # 村: 3 respondents only -> never described
        rows.append((f"z:{i + 2}", "kept", ["村独自"], "村", ""))
    rows.append(("n:2", "kept", ["予算"], "", ""))  # no segment: counts overall only
    rows.append(("d:2", "duplicate", ["異動"], "市", ""))
    return _records(rows)


def test_characteristic_words_table() -> None:
    table = explore.characteristic_words(_segment_table(), "自治体区分", top=2)
    assert list(table.columns) == [
        "segment", "term", "count", "segment_documents", "share_in_segment", "share_overall", "lift", "jaccard",
    ]
    got = [(r.segment, r.term, r.count, r.jaccard) for r in table.itertuples(index=False)]
    # 市: 予算 in 4 of 6 answers; 予算 in 5 answers overall -> 4 / (6 + 5 - 4)
    #     研修 in 6 of 6; 研修 in 9 overall -> 6 / 9
    # 町: 異動 3 of 5, 3 overall -> 0.6; 時間 2 of 5, 2 overall -> 0.4; 研修 3 / 11 comes third
    assert got == [
        ("市", "研修", 6, round(6 / 9, 6)),
        ("市", "予算", 4, round(4 / 7, 6)),
        ("町", "異動", 3, 0.6),
        ("町", "時間", 2, 0.4),
    ]
    row = table.iloc[2]
    assert row["share_in_segment"] == 0.6
    assert row["share_overall"] == round(3 / 15, 6)
    assert row["lift"] == 3.0


@pytest.mark.parametrize(
    ("kwargs", "segments"),
    [
        ({}, ["市", "町"]),  # 村 has 3 respondents (< 5)
        ({"min_documents": 3}, ["市", "村", "町"]),
        ({"min_documents": 6}, ["市"]),
        ({"min_count": 4}, ["市"]),  # 町's terms are in at most 3 answers
    ],
)
def test_characteristic_words_excludes_small_segments(kwargs: dict, segments: list[str]) -> None:
    table = explore.characteristic_words(_segment_table(), "自治体区分", **kwargs)
    assert sorted(set(table["segment"])) == segments


def test_characteristic_words_counts_respondents_not_answers() -> None:
    table = _segment_table()
    table.loc[table["自治体区分"].eq("町"), "respondent"] = ["p1", "p1", "p2", "p2", "p3"]
    got = explore.characteristic_words(table, "自治体区分")
    assert "町" not in set(got["segment"])


def test_characteristic_words_unknown_column() -> None:
    with pytest.raises(KeyError, match="地域"):
        explore.characteristic_words(_segment_table(), "地域")


def test_outputs_never_contain_unmasked_text() -> None:
    tables = [
        explore.kwic(KWIC_TABLE, "です", width=10),
        explore.frequency_table(KWIC_TABLE.drop(columns=["tokens"]), top=None),
    ]
    for table in tables:
        assert not table.astype(str).apply(lambda col: col.str.contains("山田")).any().any()
