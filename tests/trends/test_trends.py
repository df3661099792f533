import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.contingency_tables import Table
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from rsnet_analysis import trends
from rsnet_analysis.contract import MIN_CELL, SUPPRESSED, challenge_unit
from rsnet_analysis.privacy import merge_small_segments, suppress_small_cells
from rsnet_analysis.trends import (
    adjusted_residuals,
    assign_waves,
    bh_adjust,
    propose_subgroups,
    regional_groups,
    two_proportion_test,
    wave_notices,
    wave_order,
    wilson_interval,
)

COUNT_COLUMNS = {"n", "segment_n", "n_latest", "n_previous", "n_members"}

MUNICIPALITIES = [
    ("札幌市", "北海道", "政令指定都市"),
    ("仙台市", "宮城県", "政令指定都市"),
    ("前橋市", "群馬県", "市"),
    ("横浜市", "神奈川県", "政令指定都市"),
    ("長野市", "長野県", "市"),
    ("京都市", "京都府", "政令指定都市"),
    ("広島市", "広島県", "政令指定都市"),
    ("高松市", "香川県", "市"),
    ("福岡市", "福岡県", "政令指定都市"),
    ("那覇市", "沖縄県", "市"),
    ("白川村", "岐阜県", "村"),
]


def record(
    rid,
    respondent,
    date,
    cluster,
    challenge,
    municipality=MUNICIPALITIES[0],
    status="kept",
    **extra,
):
    return {
        "record_id": rid,
        "status": status,
        "respondent": respondent,
        "date": date,
        "source_file": f"survey_{date[:4] or 'x'}.csv",
        "source_type": "survey",
        "cluster": cluster,
        "cluster_label": "",
        "challenge": challenge,
        "challenge_secondary": "",
        "text_masked": "…",
        "自治体名": municipality[0],
        "都道府県": municipality[1],
        "自治体区分": municipality[2],
        "所属部署": extra.get("dept", "DX推進課"),
        "役割": extra.get("role", "DX担当"),
    }


def frame(rows):
    records = pd.DataFrame(rows)
    records["cluster"] = records["cluster"].astype("Int64")
    return records


KEYS = ["polarization", "motivation", "kpi", "turnover"]


@pytest.fixture
def survey():
    """Three yearly waves of 40 respondents; cluster 9 (unnamed) appears only in 2024, cluster 3
    (turnover) is common in 2022-2023 and vanishes in 2024."""
    rng = np.random.default_rng(7)
    rows = []
    for year in (2022, 2023, 2024):
        for r in range(40):
            municipality = MUNICIPALITIES[r % len(MUNICIPALITIES)]
            if year == 2024 and r % 4 == 0:
                cluster, challenge = 9, ""
            elif year < 2024 and r % 4 == 1:
                cluster, challenge = 3, "turnover"
            else:
                cluster = int(rng.integers(3))
                challenge = KEYS[cluster]
            rows.append(
                record(
                    f"survey_{year}:{r + 2}",
                    f"{municipality[0]}-{r}",
                    f"{year}-{1 + r % 12:02d}-10",
                    cluster,
                    challenge,
                    municipality,
                    dept=f"課{r}",
                )
            )
    # excluded rows and an undated row
    rows.append(record("survey_2024:90", "x-1", "2024-05-01", pd.NA, "", status="non_answer"))
    rows.append(record("survey_2024:91", "x-2", "", 1, "motivation"))
    return frame(rows)


@pytest.fixture
def clusters():
    return pd.DataFrame(
        {
            "cluster": [0, 1, 2, 3, 9],
            "size": [0, 0, 0, 0, 10],
            "share": 0.0,
            "label": ["二極化", "モチベーション", "成果指標", "異動", "生成AIの活用"],
            "top_terms": ["", "", "", "", "生成AI ChatGPT ガイドライン"],
            "challenge": KEYS + [""],
            "representative_record_ids": ["", "", "", "", "survey_2023:2 survey_2024:6"],
            "stability": 1.0,
        }
    )


# ------------------------------------------------------------------ statistics against references


def test_wilson_matches_statsmodels():
    counts = np.array([0, 1, 4, 5, 17, 40, 40])
    nobs = np.array([10, 10, 33, 60, 40, 40, 120])
    low, high = wilson_interval(counts, nobs)
    ref_low, ref_high = proportion_confint(counts, nobs, alpha=0.05, method="wilson")
    np.testing.assert_allclose(low, ref_low, atol=1e-12)
    np.testing.assert_allclose(high, ref_high, atol=1e-12)
    low, high = wilson_interval([1], [0])
    assert np.isnan(low[0]) and np.isnan(high[0])


def test_bh_matches_statsmodels():
    p = np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216, 0.9])
    np.testing.assert_allclose(bh_adjust(p), multipletests(p, method="fdr_bh")[1], atol=1e-12)
    with_nan = bh_adjust([0.01, np.nan, 0.04])
    assert np.isnan(with_nan[1])
    np.testing.assert_allclose(
        with_nan[[0, 2]], multipletests([0.01, 0.04], method="fdr_bh")[1], atol=1e-12
    )


def test_two_proportion_test_z_branch_matches_statsmodels():
    p, test = two_proportion_test(30, 100, 45, 110)
    assert test == "z"
    _, ref = proportions_ztest([30, 45], [100, 110])
    assert p == pytest.approx(ref, abs=1e-12)


def test_two_proportion_test_fisher_branch_for_small_counts():
    p, test = two_proportion_test(0, 30, 6, 30)
    assert test == "fisher"
    assert p == pytest.approx(stats.fisher_exact([[0, 30], [6, 24]]).pvalue, abs=1e-12)
    assert np.isnan(two_proportion_test(1, 0, 1, 5)[0])


def test_adjusted_residuals_textbook_table():
    # Agresti, Categorical Data Analysis (2nd ed.), Table 3.2: party identification by gender
    table = np.array([[762, 327, 468], [484, 239, 477]])
    expected = np.array([[4.50, 0.70, -5.32], [-4.50, -0.70, 5.32]])
    np.testing.assert_allclose(adjusted_residuals(table), expected, atol=0.01)
    np.testing.assert_allclose(
        adjusted_residuals(table), Table(table).standardized_resids, atol=1e-10
    )
    assert stats.chi2_contingency(table, correction=False).statistic == pytest.approx(
        30.07, abs=0.01
    )


# ------------------------------------------------------------------ waves


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("year", ["2023", "2023", "2024", "2024", ""]),
        # 年度: April to March, so 2023-03-31 is still 2022年度
        ("fiscal", ["FY2022", "FY2023", "FY2024", "FY2024", ""]),
        ("half", ["2023H1", "2023H2", "2024H1", "2024H2", ""]),
        ("quarter", ["2023Q1", "2023Q3", "2024Q2", "2024Q4", ""]),
        ("file", ["a", "b", "c_2024", "c_2024", "d"]),
    ],
)
def test_assign_waves(period, expected):
    records = pd.DataFrame(
        {
            "date": ["2023-03-31", "2023-07-01", "2024-06-30", "2024-12-01", ""],
            "source_file": ["a.csv", "b.xlsx", "c_2024.csv", "c_2024.csv", "d.md"],
        }
    )
    waves = assign_waves(records, period=period)
    assert waves.tolist() == expected
    assert waves.name == "wave"


def test_assign_waves_rejects_unknown_period():
    with pytest.raises(ValueError, match="period"):
        assign_waves(pd.DataFrame({"date": ["2023-01-01"]}), period="monthly")


def test_wave_order_natural_and_by_date():
    assert wave_order(pd.Series(["2024H1", "", "2023H2", "2024H2", "2023H2"])) == [
        "2023H2",
        "2024H1",
        "2024H2",
    ]
    assert wave_order(pd.Series(["w10", "w2", "w1"])) == ["w1", "w2", "w10"]
    records = pd.DataFrame({"date": ["2024-01-01", "2023-05-01", ""]})
    waves = pd.Series(["spring", "autumn", "notes"])
    assert wave_order(waves, records) == ["autumn", "spring", "notes"]


def test_undated_rows_are_reported_not_dropped(survey):
    waves = assign_waves(survey)
    assert len(waves) == len(survey)
    notices = wave_notices(survey, waves)
    assert len(notices) == 1
    assert "1 件" in notices[0] and "survey_2024:91" in notices[0]
    assert wave_notices(survey[survey["date"] != ""], waves[survey["date"] != ""]) == []


def test_challenge_unit_tracks_unnamed_clusters():
    records = frame(
        [
            record("a:2", "r1", "2023-01-01", 1, "motivation"),
            record("a:3", "r2", "2023-01-01", 7, ""),
            record("a:4", "r3", "2023-01-01", pd.NA, "", status="empty"),
        ]
    )
    assert challenge_unit(records).tolist() == ["motivation", "cluster:7", ""]


# ------------------------------------------------------------------ segments


def test_small_segments_merged_or_dropped():
    values = pd.Series(["市"] * 6 + ["町"] * 3 + ["村"] * 2 + [""] * 1)
    merged, notes = merge_small_segments(values)
    assert merged.value_counts().to_dict() == {"市": 6, "その他": 5}
    assert merged.isna().sum() == 1  # the blank has no segment at all (not 不明, not その他)
    assert len(notes) == 1 and "町" not in notes[0] and "村" not in notes[0]
    # その他 below 5 takes the smallest shown segment too: nobody is dropped
    merged, notes = merge_small_segments(pd.Series(["市"] * 6 + ["町"] * 3))
    assert merged.tolist() == ["その他"] * 9 and "ほかに小さい区分 1 件" in notes[0]


# ------------------------------------------------------------------ suppression


def test_suppress_small_cells_unit():
    df = pd.DataFrame({"n": [0, 3, 5, 12], "share": [0.0, 0.1, 0.2, 0.4], "label": list("abcd")})
    out = suppress_small_cells(df, ["n"])
    assert out["n"].tolist() == [SUPPRESSED, SUPPRESSED, 5, 12]  # zero too: "<5" must not mean "≥1"
    assert out["share"].isna().tolist() == [True, True, False, False]
    assert out["label"].tolist() == list("abcd")
    assert df["n"].tolist() == [0, 3, 5, 12]  # input untouched


# ------------------------------------------------------------------ sub-groups


def _profile_records():
    rows = []
    group_a = ["札幌市", "仙台市", "前橋市", "横浜市", "長野市", "白川村"]
    group_b = ["京都市", "広島市", "高松市", "福岡市", "那覇市"]
    lookup = {m[0]: m for m in MUNICIPALITIES}
    i = 0
    for name in group_a:
        for key in ("kpi", "kpi", "turnover"):
            i += 1
            rows.append(record(f"s:{i}", f"{name}-{i}", "2023-05-01", 2, key, lookup[name]))
    for name in group_b:
        for key in ("motivation", "polarization", "motivation"):
            i += 1
            rows.append(record(f"s:{i}", f"{name}-{i}", "2023-05-01", 1, key, lookup[name]))
    return frame(rows), group_a, group_b


def test_propose_subgroups_recovers_profiles():
    records, group_a, group_b = _profile_records()
    table = propose_subgroups(records)
    assert list(table.columns) == trends.SUBGROUP_COLUMNS
    assert table["kind"].eq("challenge").all()
    members = {row["group"]: row["members"].split("、") for _, row in table.iterrows()}
    assert members == {"S1": sorted(group_a), "S2": sorted(group_b)}
    assert table.iloc[0]["shared_challenges"].split() == ["kpi", "turnover"]
    assert table.iloc[1]["shared_challenges"].split() == ["motivation", "polarization"]
    assert table.iloc[0]["regions"] == "北海道、東北、関東、中部"
    assert (table["n_members"] >= MIN_CELL).all()
    text = table.to_string()
    assert "DX推進課" not in text and "-1" not in text


def test_propose_subgroups_is_deterministic(survey):
    first = propose_subgroups(survey, min_members=3, seed=0)
    second = propose_subgroups(survey, min_members=3, seed=0)
    pd.testing.assert_frame_equal(first, second)


def test_regional_groups_merge_small_regions():
    records, _, _ = _profile_records()
    table = regional_groups(records)
    assert table["kind"].eq("region").all()
    assert (table["n_members"] >= MIN_CELL).all()
    all_members = sorted(m for cell in table["members"] for m in cell.split("、"))
    assert all_members == sorted(m[0] for m in MUNICIPALITIES)
    assert table.iloc[0]["group"].startswith("R:北海道")


def test_subgroups_are_small_enough_to_meet_and_regionally_coherent():
    rows = []
    names = [(f"市{i:02d}", pref, "市") for i, pref in enumerate(["北海道"] * 6 + ["宮城県"] * 6 + ["東京都"] * 6 + ["大阪府"] * 5)]
    for i, municipality in enumerate(names):
        for j in range(2):
            rows.append(record(f"s:{i}:{j}", f"{municipality[0]}-{j}", "2023-05-01", 2, "kpi", municipality))
    records = frame(rows)
    table = propose_subgroups(records, n_groups=1)
    assert table["n_members"].max() <= trends.MAX_MEMBERS
    assert table["n_members"].min() >= MIN_CELL
    assert sorted(m for cell in table["members"] for m in cell.split("、")) == sorted(n[0] for n in names)
    # one shared challenge, 23 municipalities: split by place, each group spanning at most two regions
    assert len(table) == 3
    assert all(len(r.split("、")) <= 2 for r in table["regions"])
    regional = regional_groups(records)
    assert regional["n_members"].max() <= trends.MAX_MEMBERS


def test_split_by_place_keeps_neighbours_together():
    place = {f"m{i}": (i // 4, f"p{i // 2}") for i in range(12)}
    parts = trends.split_by_place([f"m{i}" for i in range(12)], place, max_members=5)
    assert [len(p) for p in parts] == [4, 4, 4]
    assert parts[0] == ["m0", "m1", "m2", "m3"]
    assert trends.split_by_place(["b", "a"], {}, max_members=5) == [["a", "b"]]


def test_outputs_deterministic(survey):
    for fn in (lambda: propose_subgroups(survey), lambda: regional_groups(survey)):
        pd.testing.assert_frame_equal(fn(), fn())


@pytest.mark.parametrize(
    ("prefectures", "regions"),
    [
        (["北海道", "福岡県"], "北海道、九州・沖縄"),  # a tie: the first region in map order
        (["北海道", "福岡県", "福岡県", "", "", ""], "九州・沖縄"),  # the most frequent; no prefecture is no vote
    ],
)
def test_a_municipality_is_placed_in_its_most_frequent_region(prefectures, regions):
    rows = [
        record(f"s:{i}", f"r{i}", "2023-05-01", 2, "kpi", (f"市{i}", "福岡県", "市")) for i in range(5)
    ] + [
        record(f"x:{j}", f"x{j}", "2023-05-01", 2, "kpi", ("二股町", pref, "町")) for j, pref in enumerate(prefectures)
    ]
    table = regional_groups(frame(rows))
    assert table["regions"].tolist() == [regions]
    assert "二股町" in table["members"].iloc[0]


def test_subgroups_of_many_municipalities_read_silhouettes_on_a_bounded_sample(monkeypatch):
    """Above DISTANCE_BYTES the silhouettes read a fixed sample: bounded, seeded, same groups."""
    from sklearn import metrics

    from rsnet_analysis.trends import subgroups

    profiles = {"a": ("kpi", "kpi", "turnover"), "b": ("motivation", "polarization", "motivation"),
                "c": ("budget", "budget", "kpi")}
    prefectures = ["北海道", "宮城県", "東京都", "愛知県", "大阪府", "広島県", "福岡県"]
    rows = []
    for i in range(150):
        group = "abc"[i % 3]
        for j, key in enumerate(profiles[group]):
            rows.append(record(f"s:{i}:{j}", f"r{i}-{j}", "2023-05-01", 2, key,
                               (f"{group}市{i:03d}", prefectures[i % 7], "市")))
    records = frame(rows)
    whole = propose_subgroups(records)
    assert subgroups._silhouette_rows(150, 0) is None

    read: list[tuple[np.ndarray, np.ndarray]] = []
    score = metrics.silhouette_score

    def spy(distances, labels, **kwargs):
        read.append((distances, labels))
        return score(distances, labels, **kwargs)

    monkeypatch.setattr(subgroups, "DISTANCE_BYTES", 60 * 60 * 8)
    monkeypatch.setattr(metrics, "silhouette_score", spy)
    assert subgroups._silhouette_rows(60, 0) is None  # the bound itself: every municipality
    sample = subgroups._silhouette_rows(150, 0)
    assert sample is not None and len(sample) == 60 == len(set(sample.tolist()))
    assert (np.diff(sample) > 0).all() and np.array_equal(sample, subgroups._silhouette_rows(150, 0))
    assert not np.array_equal(sample, subgroups._silhouette_rows(150, 1))
    assert len(subgroups._silhouette_rows(61, 0)) == 60
    sampled = propose_subgroups(records)
    assert sampled.equals(whole)
    # every silhouette read the distances between the sampled municipalities, and their labels
    groups = np.array([name[0] for name in sorted({row["自治体名"] for row in rows})])[sample]
    same = groups[:, None] == groups[None, :]
    assert read
    for distances, labels in read:
        assert distances.shape == (60, 60) and len(labels) == 60
        assert (distances[same] < 1e-9).all() and (distances[~same] > 0.5).all()
        assert all(len(set(labels[groups == g])) == 1 for g in "abc")
    shared = {row["members"].split("、")[0][0]: row["shared_challenges"] for _, row in sampled.iterrows()}
    assert shared == {"a": "kpi turnover", "b": "motivation polarization", "c": "budget kpi"}


def test_precomputed_distances_give_the_silhouettes_scikit_learn_computes() -> None:
    """The distances computed once give exactly the scores of silhouette_score(metric="cosine")."""
    from sklearn.metrics import silhouette_score

    from rsnet_analysis.trends.subgroups import _cosine_distances

    rng = np.random.default_rng(3)
    profiles = rng.random((40, 6))
    profiles /= np.linalg.norm(profiles, axis=1, keepdims=True)
    distances = _cosine_distances(profiles)
    for k in (2, 3, 5):
        labels = np.arange(40) % k
        assert silhouette_score(distances, labels, metric="precomputed") == silhouette_score(
            profiles, labels, metric="cosine"
        )


def test_shared_challenges_rank_as_the_pandas_means_do() -> None:
    """The ranking on arrays equals pandas' (the means to the last bit, so ties fall alike)."""
    from rsnet_analysis.trends.subgroups import _SharedChallenges

    def by_pandas(counts: pd.DataFrame, shares: pd.DataFrame, members: list[str]) -> list[str]:
        raised = (counts.loc[members] > 0).mean(axis=0)
        share = shares.loc[members].mean(axis=0)
        ranked = pd.DataFrame({"raised": raised, "share": share, "unit": raised.index}).reset_index(drop=True)
        ranked = ranked.sort_values(["raised", "share", "unit"], ascending=[False, False, True])
        return ranked[ranked["raised"] >= 0.5]["unit"].tolist()[:3] or ranked["unit"].tolist()[:1]

    # the same nine shares in two orders: equal means only when summed in the same order
    members = [f"m{i}" for i in range(9)]
    a = [3 / 7, 3 / 4, 2 / 5, 1 / 3, 1 / 4, 1 / 4, 3 / 4, 1 / 6, 1 / 3]
    b = [2 / 5, 3 / 4, 1 / 3, 1 / 4, 1 / 6, 1 / 4, 3 / 4, 3 / 7, 1 / 3]
    tie = pd.DataFrame({"u_a": b, "u_b": a}, index=members)
    ones = pd.DataFrame({"u_a": [1] * 9, "u_b": [1] * 9}, index=members)
    assert _SharedChallenges(ones, tie)(members) == by_pandas(ones, tie, members)
    rng = np.random.default_rng(1)
    for _ in range(300):
        n_m, n_u = int(rng.integers(5, 30)), int(rng.integers(1, 10))
        counts = pd.DataFrame(
            rng.integers(0, 4, size=(n_m, n_u)) * (rng.random((n_m, n_u)) < 0.6),
            index=[f"m{i:02d}" for i in range(n_m)],
            columns=sorted(f"u{j}" if j % 2 else f"cluster:{j}" for j in range(n_u)),
        )
        size = pd.Series(rng.integers(1, 7, size=n_m), index=counts.index)
        shares = counts.div(size, axis=0)
        shared = _SharedChallenges(counts, shares)
        for _ in range(5):
            members = sorted(rng.choice(counts.index, size=int(rng.integers(1, min(n_m, 10) + 1)), replace=False))
            assert shared(members) == by_pandas(counts, shares, members)


@pytest.mark.parametrize("dates", [None, ["", "", ""], ["未記入", "", "不明"]])
def test_records_without_any_date_are_counted_by_file(dates):
    # an export without a date column used to give every answer the empty wave: empty counts and
    # a report that said no challenge had 5 respondents
    records = pd.DataFrame({"source_file": ["a.csv", "a.csv", "b.csv"], "status": ["ok"] * 3, "record_id": ["a:2", "a:3", "b:2"]})
    if dates is not None:
        records["date"] = dates
    waves = assign_waves(records)
    assert waves.tolist() == ["a", "a", "b"]
    notices = wave_notices(records, waves)
    assert len(notices) == 1 and "入力ファイルごとに 1 つの波" in notices[0]
    assert wave_notices(records, assign_waves(records, period="file"), period="file") == []
