"""One number everywhere: every count and share any output prints equals the table of counts.

Two runs: the bundled sample (one question, two waves, session notes) and the independent
holdout ``data/holdout/survey_b`` (two questions, two waves, a challenge that rises). For each,
every count (人, 件) and share (%) printed in ``report.html``, ``report.md`` and ``newsletter.txt``,
every row of the CSV views and of the workbook sheets, the bars of the sizes chart and the points
of the trends chart are looked up in ``counts.csv`` and must be equal.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from rsnet_analysis.contract import HIDDEN, MIN_CELL, SUPPRESSED, AnalysisSettings
from rsnet_analysis.pipeline import run_analysis, write_outputs
from rsnet_analysis.report import charts, wave_label

REPO = Path(__file__).resolve().parents[2]
RUNS = {
    "sample": (),
    "survey_b": ("data/holdout/survey_b/wave_2024.csv", "data/holdout/survey_b/wave_2025.csv"),
}
HIDDEN_MARKS = {SUPPRESSED, HIDDEN, ""}


@pytest.fixture(scope="module", params=list(RUNS))
def run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Run the pipeline, write every output, and keep every figure drawn."""
    inputs = tuple(str(REPO / p) for p in RUNS[request.param])
    result = run_analysis(AnalysisSettings(inputs=inputs))
    out = tmp_path_factory.mktemp(request.param)
    drawn: dict[str, Any] = {}
    original = charts.save_figure

    def keep(fig: Any, path: Any, **kwargs: Any) -> Path:
        drawn[Path(path).name] = fig
        return original(fig, path, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(charts, "save_figure", keep)
        write_outputs(result, out, reports=True)
    counts = pd.read_csv(out / "counts.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    yield {"name": request.param, "out": out, "counts": counts, "figures": drawn, "result": result}


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def _pct(value: str) -> str:
    return f"{float(value) * 100:.1f}" if value not in HIDDEN_MARKS else ""


def _latest(counts: pd.DataFrame) -> pd.DataFrame:
    """The survey rows of the latest wave of the first question (what the headlines show)."""
    survey = counts[
        (counts["source"] == "survey") & (counts["segment_col"] == "") & (counts["wave"] != "全体")
        & (counts["statement"] == "challenge")
    ]
    question = survey["question"].iloc[0]
    rows = survey[survey["question"] == question]
    return rows[rows["wave"] == rows["wave"].iloc[-1]]


def _allowed(counts: pd.DataFrame) -> tuple[set[str], set[str], set[str]]:
    """Counts of respondents, counts of statements, and shares (as printed) of the table."""
    survey, notes = counts[counts["source"] == "survey"], counts[counts["source"] == "note"]
    people = {v for col in ("n", "base") for v in survey[col] if v not in HIDDEN_MARKS}
    statements = {v for col in ("n", "base") for v in notes[col] if v not in HIDDEN_MARKS}
    shares = {_pct(v) for col in ("share", "ci_low", "ci_high") for v in counts[col]} - {""}
    points = {f"{abs(float(v)) * 100:.1f}" for v in counts["change"] if v not in HIDDEN_MARKS}
    return people, statements, shares | points


def _check_text(text: str, counts: pd.DataFrame) -> int:
    """Every 「N 人」, 「N 件」 and 「S%」 of a report text is a figure of the table; returns how many."""
    people, statements, shares = _allowed(counts)
    text = re.sub(r"<style>.*?</style>|<head>.*?</head>", "", text, flags=re.S)
    text = re.sub(r"<[^>]+>", "", text)  # html tags (<strong>19 人</strong>)
    text = re.sub(r"「[^「」]*」", "「」", text)  # voices and names: the members' own words, not figures
    text = re.sub(r"(?<!\n)\n(?!\n)[ 　]*", "", text)  # newsletter lines wrapped
    checked = 0
    for m in re.finditer(r"(?<![\d.])(\d+) ?人(?![\u4e00-\u9fff])", text):  # not 「4. 人材の…」
        if text[m.end() : m.end() + 2] in ("未満",):  # 「5人未満」 is the rule, not a count
            continue
        assert m.group(1) in people, (m.group(0), text[max(0, m.start() - 40) : m.end() + 10])
        assert int(m.group(1)) >= MIN_CELL
        checked += 1
    for m in re.finditer(r"(\d+) ?件", text):
        if re.match(r"\s*(の|を|も)?(ほか|未満)", text[m.end() : m.end() + 4]) or "区分" in text[m.start() - 12 : m.start()]:
            continue
        assert m.group(1) in statements, (m.group(0), text[max(0, m.start() - 40) : m.end() + 10])
        checked += 1
    for m in re.finditer(r"(\d+(?:\.\d)?)%", text):
        if m.group(1) == "95" and text[m.end() : m.end() + 4] == "信頼区間":
            continue
        assert m.group(1) in shares, (m.group(0), text[max(0, m.start() - 40) : m.end() + 10])
        checked += 1
    for m in re.finditer(r"(\d+\.\d) ポイント", text):
        assert m.group(1) in shares, m.group(0)
        checked += 1
    return checked


def test_report_texts_print_only_figures_of_the_table(run: dict[str, Any]) -> None:
    out, counts = run["out"], run["counts"]
    names = ("report.html", "report.md", "newsletter.txt")
    checked = {name: _check_text((out / name).read_text(encoding="utf-8"), counts) for name in names}
    assert all(n >= 10 for n in checked.values()), checked
    print(f"\n{run['name']}: figures checked in the texts {checked}")


def test_the_leading_challenges_carry_their_own_row(run: dict[str, Any]) -> None:
    """Not just any figure of the table: the name, count and share of each ranked challenge."""
    latest = _latest(run["counts"]).set_index("name")
    news = re.sub(r"(?<!\n)\n(?!\n)[ 　]*", "", (run["out"] / "newsletter.txt").read_text(encoding="utf-8"))
    ranked = re.findall(r"【\d】(.+?)回答者 (\d+) 人（([\d.]+)%）", news)
    html = (run["out"] / "report.html").read_text(encoding="utf-8")
    heading = r'<span class="rank">\d+</span>([^<]+)(?:<span[^>]*>[^<]*</span>)?</h3>'
    in_html = re.findall(heading + r'\s*<p class="numbers">回答者 <strong>(\d+) 人</strong>（([\d.]+)%', html)
    assert ranked and ranked == in_html[: len(ranked)]
    for name, n, share in ranked:
        assert (latest.loc[name, "n"], _pct(latest.loc[name, "share"])) == (n, share), name
    # ranked by the count, and nothing hidden is ranked
    assert [int(n) for _, n, _ in ranked] == sorted((int(n) for _, n, _ in ranked), reverse=True)


def test_csv_views_are_rows_of_the_table(run: dict[str, Any]) -> None:
    out, counts = run["out"], run["counts"]
    key = ["question", "statement", "wave", "challenge"]
    overall = counts[(counts["segment_col"] == "") & (counts["source"] == "survey")].set_index(key)
    for name in ("trends.csv", "emerging.csv"):
        view = _csv(out / name)
        for _, row in view.iterrows():
            ref = overall.loc[tuple(row[key])]
            for col in ("n", "share", "n_previous", "change", "p_adj", "direction"):
                if col in view:
                    assert row[col] == ref[col], (name, tuple(row[key]), col)
    segments = _csv(out / "segments.csv")
    ref = counts[counts["segment_col"] != ""].reset_index(drop=True)
    assert len(segments) == len(ref)
    assert (segments["n"] == ref["n"]).all() and (segments["residual"] == ref["residual"]).all()
    pooled = counts[
        (counts["wave"] == "全体") & (counts["segment_col"] == "") & (counts["source"] == "survey")
        & (counts["statement"] == "challenge")
    ]
    pooled = pooled.set_index(["question", "challenge"])
    for _, row in _csv(out / "clusters.csv").iterrows():
        unit = row["challenge"] or f"cluster:{row['cluster']}"
        assert row["n"] == pooled.loc[(row["question"], unit), "n"], unit


def test_workbook_sheets_are_rows_of_the_table(run: dict[str, Any]) -> None:
    counts = run["counts"]
    book = pd.read_excel(run["out"] / "report.xlsx", sheet_name=None, dtype=object)
    survey = counts[(counts["source"] == "survey") & (counts["segment_col"] == "")]
    said = {"challenge": "課題として挙げた", "practice": "取り組み・成果を書いた"}
    # per (question, what is counted, wave): the same (name, count, share) rows, whatever their order
    # (two units may share a name: each question's own miscellany)
    def rows_of(frame: pd.DataFrame) -> dict[tuple[str, str, str], list[tuple[str, str, str]]]:
        out: dict[tuple[str, str, str], list[tuple[str, str, str]]] = {}
        for q, st, w, name, n, share in frame.itertuples(index=False):
            share = "" if pd.isna(share) or str(share) in HIDDEN_MARKS else f"{float(share):.6f}"
            out.setdefault((q, st, w), []).append((str(name), str(n), share))
        return {k: sorted(v) for k, v in out.items()}

    expected = survey.assign(
        statement=survey["statement"].map(said), wave=[wave_label(w) if w != "全体" else "全体" for w in survey["wave"]]
    )[["question", "statement", "wave", "name", "n", "share"]]
    sheet = book["課題別の人数"][["設問", "数えたもの", "時期", "課題", "人数", "割合"]]
    assert rows_of(sheet) == rows_of(expected)
    checked, question, kind = 0, "", "challenge"
    for item, content, n, share in book["概要"].itertuples(index=False):
        if item == "設問":
            question = content
        elif item == "数えたもの":
            kind = {v: k for k, v in said.items()}[content]
        elif str(item).startswith("多く挙がった課題"):
            rows = survey[(survey["question"] == question) & (survey["wave"] != "全体") & (survey["statement"] == kind)]
            row = rows[(rows["wave"] == rows["wave"].iloc[-1]) & (rows["name"] == content)].iloc[0]
            assert (str(n), float(share)) == (row["n"], pytest.approx(float(row["share"])))
            checked += 1
    assert checked > 0
    notes = counts[counts["source"] == "note"]
    if len(notes):
        sheet = book["情報交換会"]
        assert sorted(map(str, sheet["発言数"])) == sorted(notes["n"])
    pooled = counts[
        (counts["wave"] == "全体") & (counts["segment_col"] == "") & (counts["source"] == "survey")
        & (counts["statement"] == "challenge")
    ]
    for row in book["課題のまとまり"].itertuples(index=False):
        match = pooled[(pooled["question"] == row[0]) & (pooled["name"] == row[2])]
        if len(match) == 1:  # (a name two units share is checked in clusters.csv, by unit)
            assert str(row[5]) == match["n"].iloc[0], row[2]


def test_charts_draw_the_figures_of_the_table(run: dict[str, Any]) -> None:
    latest = _latest(run["counts"]).set_index("name")
    fig = run["figures"]["challenge_sizes.png"]
    ax = fig.axes[0]
    bars = {label.get_text(): patch.get_width() for label, patch in zip(ax.get_yticklabels(), ax.patches, strict=True)}
    assert bars
    for name, width in bars.items():
        assert str(int(width)) == latest.loc[name, "n"], name
    shown = {n for n, v in latest["n"].items() if v not in HIDDEN_MARKS and latest.loc[n, "kind"] != "misc"}
    assert set(bars) == shown
    if "trends.png" in run["figures"]:
        survey = run["counts"][
            (run["counts"]["source"] == "survey") & (run["counts"]["segment_col"] == "") & (run["counts"]["statement"] == "challenge")
        ]
        question = survey["question"].iloc[0]
        survey = survey[(survey["question"] == question) & (survey["wave"] != "全体")]
        waves = list(dict.fromkeys(survey["wave"]))
        axis = run["figures"]["trends.png"].axes[0]
        for line in axis.get_lines():
            name = line.get_label()
            if name.startswith("_"):
                continue
            rows = survey[survey["name"] == name].set_index("wave")
            for x, y in zip(line.get_xdata(), line.get_ydata(), strict=True):
                if pd.isna(y):
                    continue  # a hidden point is not drawn
                share = rows.loc[waves[round(float(x))], "share"]
                assert share not in HIDDEN_MARKS and float(y) == pytest.approx(float(share) * 100), name


def test_two_waves_that_say_the_same_give_a_newsletter_without_change(tmp_path: Path) -> None:
    """The 2023 answers again as a 2024 wave: nothing changes, so nothing is called a change."""
    raw = (REPO / "data" / "sample" / "survey_2023.csv").read_bytes()
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "回答日"
    (tmp_path / "wave_2023.csv").write_text(text, encoding="utf-8")
    with (tmp_path / "wave_2024.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([rows[0], *(["2024-07-01", *row[1:]] for row in rows[1:])])
    result = run_analysis(AnalysisSettings(inputs=(str(tmp_path / "wave_2023.csv"), str(tmp_path / "wave_2024.csv"))))
    write_outputs(result, tmp_path / "out", reports=True)
    news = re.sub(r"(?<!\n)\n(?!\n)[ 　]*", "", (tmp_path / "out" / "newsletter.txt").read_text(encoding="utf-8"))
    body = news.split("※人数は")[0]
    for claim in ("ポイント増", "ポイント減", "増えています", "減っています", "新しく目立って", "【注目】"):
        assert claim not in body, claim
    assert "前回（2023年）と比べて、統計的に意味のある増減はありませんでした。" in body
    assert body.count("横ばい（統計的な差はありません）") == news.count("【") - news.count("【注目】")
    assert trends_directions(result) == {"横ばい"}
    print("\n" + (tmp_path / "out" / "newsletter.txt").read_text(encoding="utf-8"))


def trends_directions(result: Any) -> set[str]:
    rows = result.trends[result.trends["previous_wave"] != ""]
    return set(rows["direction"]) - {""}
