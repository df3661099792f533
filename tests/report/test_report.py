"""Tests of rsnet_analysis.report: the four report files, privacy, determinism, self-containment."""

from __future__ import annotations

import dataclasses
import os
import re
import warnings
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from rsnet_analysis import report, trends
from rsnet_analysis.challenges import Codebook, unit_names
from rsnet_analysis.contract import AnalysisResult
from rsnet_analysis.report.figures import PARALLEL_FIGURES_MIN_ROWS
from rsnet_analysis.report.labels import NEWSLETTER_WIDTH, SHEETS
from rsnet_analysis.report.textwrap_ja import NO_START, display_width

# personal information planted in the unmasked text; none of it may reach any output file
PLANTED = ["山田太郎", "yamada.taro@example.jp", "090-1234-5678", "ORIGINAL_ONLY_7731"]
DUPLICATE_MARK = "重複した回答DUPMARK"

TEXTS = {
    "polarization": [
        "デジタルに強い職員とそうでない職員の差が広がっています。",
        "できる人に仕事が集中して、その人たちが疲れてしまう。",
        "職員のリテラシーのばらつきが大きく、一律の研修では合わない。",
    ],
    "kpi": [
        "人材育成の成果をどう測ればよいか分からない。受講者数や満足度は出せるが、それで育ったと言えるのか。財政部門からは数字で示せと言われ、次年度の予算要求の根拠にもなるので悩ましいところです。",
        "成果指標（KPI）の設定に悩んでいます。",
        "削減時間で測ると、浮いた時間の使い道を聞かれる。",
    ],
    "turnover": [
        "担当者が２〜３年で異動し、ノウハウが残らない。",
        "前任者からの引き継ぎが十分でなく、毎回やり直しになる。",
    ],
}


def _records() -> pd.DataFrame:
    rows = []
    plan = [
        ("2023", "polarization", 0, 12),
        ("2023", "kpi", 1, 6),
        ("2023", "turnover", 2, 6),
        ("2024", "polarization", 0, 10),
        ("2024", "kpi", 1, 14),
        ("2024", "turnover", 2, 4),
        ("2024", "", 3, 12),
    ]
    i = 0
    for wave, key, cluster, count in plan:
        for j in range(count):
            i += 1
            if key:
                masked = TEXTS[key][j % len(TEXTS[key])]
            else:
                masked = "生成AIを業務で使うルールがまだなく、若手が個人で使っている。"
            if j == 0 and key == "kpi":
                masked = "〔氏名〕です。成果指標の立て方を教えてください。連絡は〔メール〕まで。"
            clean = masked.replace("〔氏名〕", "山田太郎").replace(
                "〔メール〕", "yamada.taro@example.jp"
            )
            rows.append(
                {
                    "record_id": f"survey_{wave}:{j + 2}"
                    if key != ""
                    else f"survey_{wave}:{100 + j}",
                    "source_file": f"survey_{wave}.csv",
                    "source_row": j + 2,
                    "source_type": "survey",
                    "respondent": f"r{i}",
                    "date": f"{wave}-07-0{1 + j % 9}",
                    "text_original": clean + " 090-1234-5678 ORIGINAL_ONLY_7731",
                    "text_clean": clean + " 090-1234-5678",
                    "text_masked": masked,
                    "自治体区分": ["市", "町", "村", "都道府県"][i % 4],
                    "都道府県": "長野県",
                    "status": "kept",
                    "wave": wave,
                    "cluster": cluster,
                    "cluster_label": ["二極化", "成果・目標", "担当異動", "生成AI・ルール"][
                        cluster
                    ],
                    "challenge": key,
                    "challenge_secondary": "",
                    "challenge_reason": "語「成果」に一致" if key == "kpi" else "",
                }
            )
    # record ids must be unique
    for n, row in enumerate(rows):
        row["record_id"] = f"{row['source_file'].removesuffix('.csv')}:{n + 2}"
    excluded = [
        ("empty", "", ""),
        ("non_answer", "特になし", "特になし"),
        ("duplicate", DUPLICATE_MARK + " 山田太郎", DUPLICATE_MARK + " 〔氏名〕"),
    ]
    for k, (status, clean, masked) in enumerate(excluded):
        rows.append(
            {
                "record_id": f"survey_2024:{500 + k}",
                "source_file": "survey_2024.csv",
                "source_row": 500 + k,
                "source_type": "survey",
                "respondent": f"x{k}",
                "date": "2024-07-01",
                "text_original": clean + " ORIGINAL_ONLY_7731",
                "text_clean": clean,
                "text_masked": masked,
                "自治体区分": "市",
                "都道府県": "長野県",
                "status": status,
                "wave": "2024",
                "cluster": pd.NA,
                "cluster_label": "",
                "challenge": "",
                "challenge_secondary": "",
                "challenge_reason": "",
            }
        )
    table = pd.DataFrame(rows)
    table["cluster"] = table["cluster"].astype("Int64")
    table["tokens"] = [["トークン"] for _ in range(len(table))]
    return table


def _ids(records: pd.DataFrame, key: str, wave: str | None = None, k: int = 4) -> str:
    kept = records[(records["status"] == "kept") & (records["challenge"] == key)]
    if wave:
        kept = kept[kept["wave"] == wave]
    return " ".join(kept["record_id"].head(k))


def make_result(*, with_codebook: bool = True) -> AnalysisResult:
    """A realistic AnalysisResult, with planted personal information in the unmasked text.

    The records and clusters are written here; every table the reports show is then built by
    the trends stage (:func:`rsnet_analysis.trends.build_tables`), as in a run.
    """
    records = _records()
    records.insert(4, "question", "DXの課題")
    duplicate_id = records.loc[records["status"] == "duplicate", "record_id"].iloc[0]
    clusters = pd.DataFrame(
        {
            "question": ["DXの課題"] * 4,
            "cluster": [0, 1, 2, 3],
            "kind": ["named", "named", "named", "new"],
            "size": [22, 20, 10, 8],
            "share": [0.37, 0.33, 0.17, 0.13],
            "label": ["二極化", "成果・目標", "担当異動", "生成AI・ルール"],
            "top_terms": [
                "職員 差 強い",
                "成果 指標 目標",
                "異動 担当 ノウハウ",
                "生成AI ルール 若手",
            ],
            "challenge": ["polarization", "kpi", "turnover", ""],
            "core_terms": ["", "", "", "生成AI ルール"],
            "representative_record_ids": [
                _ids(records, "polarization"),
                # the placeholder answer comes first: it must be passed over
                _ids(records, "kpi", "2023", 1)
                + " "
                + duplicate_id
                + " "
                + _ids(records, "kpi", "2024"),
                _ids(records, "turnover"),
                " ".join(records.loc[records["cluster"].eq(3).fillna(False), "record_id"].head(3)),
            ],
            "stability": [0.9, 0.85, 0.7, 0.6],
        }
    )
    book = Codebook.load()
    names, kinds = unit_names(clusters, book)
    tables = trends.build_tables(records, clusters, names=names, kinds=kinds, segment_cols=["自治体区分"])
    summary = {
        "tool": "rsnet-analysis",
        "version": "0.1.0",
        "inputs": ["survey_2023.csv", "survey_2024.csv"],
        "rows_read": len(records),
        "kept": int((records["status"] == "kept").sum()),
        "excluded": {"empty": 1, "non_answer": 1, "duplicate": 1},
        "by_file": {
            "survey_2023.csv": {
                "rows": 24,
                "kept": 24,
                "empty": 0,
                "non_answer": 0,
                "duplicate": 0,
            },
            "survey_2024.csv": {
                "rows": 39,
                "kept": 36,
                "empty": 1,
                "non_answer": 1,
                "duplicate": 1,
            },
        },
        "columns": {"text": "課題", "id": None, "time": "回答日", "segments": ["自治体区分"]},
        "segment_columns": ["自治体区分"],
        "clusters": 4,
        "k_chosen": [4],
        "settings": {
            "inputs": ["survey_2023.csv", "survey_2024.csv"],
            "text_cols": ["課題"],
            "id_col": None,
            "time_col": None,
            "segment_cols": [],
            "k": "auto",
            "period": "year",
            "codebook": None,
            "seed": 0,
            "sheet": None,
        },
        "versions": {"python": "3.11.7", "rsnet-analysis": "0.1.0", "pandas": "2.3.3"},
        "notices": ["自由記述列として『課題』を使います"],
    }
    extras = {"codebook": book, "names": names, "kinds": kinds} if with_codebook else {}
    return AnalysisResult(
        records=tables.records,
        clusters=tables.clusters,
        counts=tables.counts,
        trends=tables.trends,
        segments=tables.segments,
        emerging=tables.emerging,
        subgroups=tables.subgroups,
        summary=summary,
        notices=list(summary["notices"]),
        extras=extras,
    )


@pytest.fixture(scope="module")
def result() -> AnalysisResult:
    return make_result()


@pytest.fixture(scope="module")
def written(result: AnalysisResult, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("out")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return report.write_reports(result, out)


def _unwrapped(path: Path) -> str:
    """A newsletter with its wrapped lines joined again (the hanging indents removed)."""
    text = path.read_text(encoding="utf-8")
    return re.sub(r"(?<!\n)\n(?!\n)[ 　]*", "", text)  # paragraphs stay apart


def _text_of_xlsx(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return "\n".join(
            archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.endswith((".xml", ".rels"))
        )


# --------------------------------------------------------------------------------------------
# files and order


def test_write_reports_returns_files_in_fixed_order(written: list[Path]) -> None:
    names = [p.relative_to(written[0].parent).as_posix() for p in written]
    assert names == [
        "report.html",
        "report.md",
        "newsletter.txt",
        "report.xlsx",
        "figures/challenge_sizes.png",
        "figures/trends.png",
        "figures/segments_municipality_type.png",
    ]
    assert all(p.is_file() and p.stat().st_size > 0 for p in written)


# --------------------------------------------------------------------------------------------
# privacy


def test_planted_personal_information_appears_in_no_output(written: list[Path]) -> None:
    for path in written:
        if path.suffix == ".png":
            data = path.read_bytes()
            assert all(s.encode("utf-8") not in data for s in PLANTED), path
            continue
        text = _text_of_xlsx(path) if path.suffix == ".xlsx" else path.read_text(encoding="utf-8")
        for secret in PLANTED:
            assert secret not in text, (secret, path.name)


def test_planted_personal_information_not_in_workbook_cells(written: list[Path]) -> None:
    xlsx = next(p for p in written if p.suffix == ".xlsx")
    sheets = pd.read_excel(xlsx, sheet_name=None, dtype=str)
    for name, table in sheets.items():
        cells = " ".join(table.fillna("").astype(str).to_numpy().ravel()) + " ".join(table.columns)
        for secret in PLANTED:
            assert secret not in cells, (secret, name)
        assert "text_original" not in table.columns
        assert "text_clean" not in table.columns
        assert "tokens" not in table.columns
        assert "token_pos" not in table.columns


def test_quotes_only_from_kept_masked_records_and_avoid_placeholders(
    result: AnalysisResult, written: list[Path]
) -> None:
    context = report.report_context(result)
    masked = set(result.records.loc[result.records["status"] == "kept", "text_masked"])
    quotes = [q for item in context["leading"] for q in item["quotes"]]
    assert quotes
    for quote in quotes:
        core = quote.removesuffix("…")
        assert any(core in m.translate(str.maketrans("「」", "『』")) for m in masked), quote
        assert "〔" not in quote
    newsletter = next(p for p in written if p.name == "newsletter.txt").read_text(encoding="utf-8")
    assert DUPLICATE_MARK not in newsletter
    assert "〔氏名〕" not in newsletter


def test_a_voice_with_a_placeholder_is_never_quoted(result: AnalysisResult) -> None:
    records = result.records.copy()
    kpi = (records["challenge"] == "kpi") & (records["status"] == "kept")
    records.loc[kpi, "text_masked"] = "〔氏名〕です。成果指標の立て方を教えてください。連絡は〔メール〕まで。"
    assert report.pick_quotes(dataclasses.replace(result, records=records), "kpi", question="DXの課題") == []


def test_small_segment_cells_are_never_described(
    result: AnalysisResult, written: list[Path]
) -> None:
    segments = result.segments.copy()
    segments["n"] = segments["n"].astype(object)
    shown = segments.index[segments["segment"].eq("市") & segments["challenge"].eq("kpi")][0]
    hidden = segments.index[segments["segment"].eq("村") & segments["challenge"].eq("turnover")][0]
    segments.loc[shown, ["residual", "p_adj"]] = [2.5, 0.01]
    # a small count that slipped through with its residual: must still never be described
    segments.loc[hidden, ["n", "residual", "p_adj"]] = [2, 9.9, 0.001]
    notes = report.report_context(dataclasses.replace(result, segments=segments))["segment_notes"]
    assert [(n["segment"], n["challenge"], n["residual"]) for n in notes] == [("市", "kpi", "+2.5")]
    assert report.report_context(result)["segment_notes"] == []  # nothing significant in the fixture
    xlsx = next(p for p in written if p.suffix == ".xlsx")
    seg = pd.read_excel(xlsx, sheet_name="区分比較", dtype=str)
    small = seg[(seg["区分"] == "村") & (seg["課題"] == "担当者の異動")].iloc[0]
    assert small["人数"] == "<5"
    assert pd.isna(small["調整済み残差"]) and pd.isna(small["割合"])


def test_suppressed_trend_cells_are_not_leading(result: AnalysisResult) -> None:
    sizes = report.challenge_sizes(result)
    assert list(sizes["challenge"]) == ["kpi", "cluster:3"]
    # turnover is below 5 in 2024; polarization is hidden with it (else 40 minus the rest gives it away)
    latest = result.counts[(result.counts["wave"] == "2024") & (result.counts["segment_col"] == "")]
    assert dict(zip(latest["challenge"], latest["n"], strict=True)) == {
        "cluster:3": 12, "kpi": 14, "polarization": "x", "turnover": "<5"
    }


# --------------------------------------------------------------------------------------------
# contents


def test_leading_challenges_have_names_numbers_and_change(result: AnalysisResult) -> None:
    context = report.report_context(result)
    first = context["leading"][0]
    assert first["name"] == "何を成果とするか・目標の立て方"
    assert first["n"] == 14
    assert first["share_pct"] == "35.0"
    # 2023 is hidden (it protects a count below 5): no word on the change
    assert first["change_text"] == "前回（2023年）から横ばい（統計的な差はありません）" or first["direction"] == ""
    second = context["leading"][1]
    assert (second["name"], second["n"], second["share_pct"]) == ("生成AI・ルール", 12, "30.0")
    assert second["change_text"] == "前回（2023年）は5人未満で、新しく目立ってきた課題です"
    assert 2 <= len(first["quotes"]) <= 3


def test_emerging_challenge_is_called_out(written: list[Path]) -> None:
    md = written[1].read_text(encoding="utf-8")
    assert "新しく「生成AI・ルール」を挙げる声が目立ってきました。" in md
    assert "### 2. 生成AI・ルール" in md and "回答者 **12 人**" in md
    news = _unwrapped(written[2])
    assert "新しく「生成AI・ルール」を挙げる声が目立ってきました。" in news
    assert "【2】生成AI・ルール" in news
    # 【注目】 never repeats a challenge already described above
    assert "【注目】" not in news


def test_long_quotes_are_cut_at_a_sentence_boundary(result: AnalysisResult) -> None:
    quotes = report.report_context(result)["leading"][0]["quotes"]
    long = [q for q in quotes if q.startswith("人材育成の成果")]
    assert long == [
        "人材育成の成果をどう測ればよいか分からない。受講者数や満足度は出せるが、それで育ったと言えるのか。…"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("短い回答です。", "短い回答です。"),
        ("一文目です。二文目です。", "一文目です。二文目です。"),
        (
            "あ" * 30 + "。" + "い" * 30 + "。" + "う" * 30 + "。",
            "あ" * 30 + "。" + "い" * 30 + "。…",
        ),
        ("え" * 50 + "、" + "お" * 40, "え" * 50 + "…"),
        ("か" * 100, "か" * 69 + "…"),
        ("改行を\n含む  回答。", "改行を 含む 回答。"),
        ("「DXは情報部門の仕事」という空気。", "『DXは情報部門の仕事』という空気。"),
    ],
)
def test_shorten_quote(text: str, expected: str) -> None:
    assert report.shorten_quote(text, 70) == expected


@pytest.mark.parametrize(
    ("wave", "label"),
    [
        ("2023", "2023年"),
        ("2024H1", "2024年上期"),
        ("2024H2", "2024年下期"),
        ("2024Q3", "2024年第3四半期"),
        ("survey_a", "survey_a"),
    ],
)
def test_wave_label(wave: str, label: str) -> None:
    assert report.wave_label(wave) == label


def test_method_section_lets_a_newcomer_rerun(written: list[Path]) -> None:
    for path in written[:2]:
        text = path.read_text(encoding="utf-8")
        assert (
            "rsnet analyze survey_2023.csv survey_2024.csv --text-col 課題 --k auto --period year --seed 0 --out out"
            in text
        )
        for needle in (
            "読み込んだ行",
            "分析の対象",
            "空欄",
            "非回答",
            "重複",
            "乱数の種",
            "pandas",
            "2.3.3",
            "survey_2024.csv",
        ):
            assert needle in text, (needle, path.name)


def test_rerun_command_for_sample_data() -> None:
    summary = {
        "settings": {"inputs": [], "k": 8, "period": "half", "seed": 3, "segment_cols": ["地域"]}
    }
    assert report.rerun_command(summary) == (
        ".venv/bin/rsnet analyze --segment-col 地域 --k 8 --period half --seed 3 --out out"
    )


# --------------------------------------------------------------------------------------------
# newsletter


def test_newsletter_lines_fit_and_follow_line_break_rules(written: list[Path]) -> None:
    lines = written[2].read_text(encoding="utf-8").splitlines()
    assert len(lines) > 10
    for line in lines:
        assert display_width(line) <= NEWSLETTER_WIDTH, line
        if line:
            assert line[0] not in NO_START, line
            assert line.lstrip(" \u3000")[0] not in NO_START, line
            assert line[-1] not in "（「『【〔", line


def test_newsletter_reads_like_a_newsletter(written: list[Path]) -> None:
    text = written[2].read_text(encoding="utf-8")
    assert text.startswith("─" * 36 + "\n■ アンケートから見えた自治体DXの課題（2024年）")
    assert "【1】何を成果とするか・目標の立て方" in text
    assert "回答者 14 人（35.0%）" in _unwrapped(written[2])
    assert text.endswith("\n") and not text.endswith("\n\n")


# --------------------------------------------------------------------------------------------
# html


def test_html_is_self_contained_with_embedded_images(written: list[Path]) -> None:
    html = written[0].read_text(encoding="utf-8")
    for bad in ('src="http', "src='http", 'href="http', "<link", "<script", "url(http", "@import"):
        assert bad not in html
    figures = [p for p in written if p.suffix == ".png"]
    assert html.count('src="data:image/png;base64,') == len(figures)
    assert 'src="figures/' not in html
    assert '<html lang="ja">' in html and '<meta charset="utf-8">' in html


def test_html_escapes_text(tmp_path: Path) -> None:
    result = make_result()
    rows = result.records["status"] == "kept"
    result.records.loc[rows, "text_masked"] = "<b>太字</b>にならないこと。研修の案内をもっと工夫したいと考えています。"
    report.write_reports(result, tmp_path)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<b>太字</b>" not in html and "&lt;b&gt;太字&lt;/b&gt;" in html


def test_markdown_links_figures(written: list[Path]) -> None:
    md = written[1].read_text(encoding="utf-8")
    for name in ("challenge_sizes.png", "trends.png", "segments_municipality_type.png"):
        assert f"(figures/{name})" in md
    assert "base64" not in md


# --------------------------------------------------------------------------------------------
# workbook


def test_workbook_reads_back_with_japanese_intact(written: list[Path]) -> None:
    xlsx = next(p for p in written if p.suffix == ".xlsx")
    sheets = pd.read_excel(xlsx, sheet_name=None, dtype=str)
    assert list(sheets) == list(SHEETS)
    answers = sheets["回答"]
    assert "デジタルに強い職員とそうでない職員の差が広がっています。" in set(answers["回答（個人情報は伏せ字）"])
    assert "人材の二極化" in set(answers["課題"])
    assert list(answers.columns[:7]) == ["回答ID", "ファイル", "行", "資料", "設問", "扱い", "回答（個人情報は伏せ字）"]
    assert {"分析の対象", "空欄", "重複（同じ回答者の同じ回答）"} <= set(answers["扱い"])
    assert len(answers) == 67
    emerging = sheets["新しい課題"]
    assert list(emerging["課題"]) == ["生成AI・ルール"] and list(emerging["判定"]) == ["新規"]
    settings = dict(zip(sheets["設定"]["項目"], sheets["設定"]["値"], strict=True))
    assert settings["再実行のコマンド"].startswith(".venv/bin/rsnet analyze")
    assert settings["乱数の種（seed）"] == "0"
    counts = sheets["課題別の人数"]
    assert {"<5", "x"} <= set(counts["人数"])
    assert not any(re.fullmatch(r"[a-z_]+|cluster:\d+", str(v)) for v in counts["課題"])
    overview = sheets["概要"]
    assert overview["項目"].iloc[0] == "レポート"
    assert "多く挙がった課題 1位" in set(overview["項目"])


def test_workbook_is_styled(written: list[Path]) -> None:
    from openpyxl import load_workbook

    xlsx = next(p for p in written if p.suffix == ".xlsx")
    book = load_workbook(xlsx)
    sheet = book["回答"]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold
    widths = {k: v.width for k, v in sheet.column_dimensions.items()}
    # 8 to 60 characters shown (Excel stores a width of n characters as n + 0.71)
    assert max(widths.values()) <= 61 and min(widths.values()) >= 8
    assert book.properties.created.year == 2000


# --------------------------------------------------------------------------------------------
# determinism and robustness


def test_two_writes_give_identical_bytes(result: AnalysisResult, written: list[Path], tmp_path: Path) -> None:
    first = written  # the charts drawn in this process (a small run)
    second = report.write_reports(result, tmp_path / "b", jobs=2)  # the charts drawn in a worker process
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


@pytest.mark.parametrize(
    ("rows", "jobs", "cpus", "expected"),
    [
        (100, None, 2, False),  # a small run: starting a worker does not pay
        (PARALLEL_FIGURES_MIN_ROWS, None, 2, True),
        (PARALLEL_FIGURES_MIN_ROWS, 1, 2, False),  # --jobs 1 keeps everything in one process
        (PARALLEL_FIGURES_MIN_ROWS, None, 1, False),  # one core
        (100, 2, 2, True),  # asked for
    ],
)
def test_charts_go_to_a_worker_only_for_large_runs_on_two_cores(
    monkeypatch: pytest.MonkeyPatch, rows: int, jobs: int | None, cpus: int, expected: bool
) -> None:
    monkeypatch.setattr("rsnet_analysis.prepare.workers.available_cpus", lambda: cpus)
    run = AnalysisResult(records=pd.DataFrame({"x": range(rows)}), clusters=pd.DataFrame())
    assert report.FigureJob.wanted(run, jobs) is expected


def test_charts_are_drawn_here_when_no_worker_can_start(
    result: AnalysisResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("no processes here")

    monkeypatch.setattr("joblib.externals.loky.ProcessPoolExecutor", refuse)
    with report.FigureJob(result, tmp_path / "figures", parallel=True) as job:
        figures = job.figures()
    expected = report.make_figures(result, tmp_path / "here")
    assert [f["file"] for f in figures] == [f["file"] for f in expected]
    assert all(f["path"].read_bytes() == e["path"].read_bytes() for f, e in zip(figures, expected, strict=True))


def test_a_worker_that_does_not_answer_in_time_is_killed_and_the_charts_drawn_here(
    result: AnalysisResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("rsnet_analysis.report.figures.FIGURE_TIMEOUT", 0.001)  # still starting: too late
    job = report.FigureJob(result, tmp_path / "figures", parallel=True)
    pids = list(job._executor._processes)
    figures = job.figures()
    expected = report.make_figures(result, tmp_path / "here")
    assert [f["path"].read_bytes() for f in figures] == [e["path"].read_bytes() for e in expected]
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_a_job_stopped_before_its_charts_are_done_leaves_no_worker(result: AnalysisResult, tmp_path: Path) -> None:
    job = report.FigureJob(result, tmp_path / "figures", parallel=True)
    pids = list(job._executor._processes)
    assert pids
    job.close()  # as when writing the tables fails: the output folder is then removed
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_missing_tables_and_codebook_still_give_a_report(tmp_path: Path) -> None:
    full = make_result(with_codebook=False)
    bare = AnalysisResult(records=full.records, clusters=full.clusters)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        paths = report.write_reports(bare, tmp_path)
    assert [p.name for p in paths] == [
        "report.html",
        "report.md",
        "newsletter.txt",
        "report.xlsx",
        "challenge_sizes.png",
    ]
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    # without the table of counts there is nothing to count from: the reports never count again
    assert "回答者が5人以上の課題はありませんでした" in md
    sheets = pd.read_excel(tmp_path / "report.xlsx", sheet_name=None, dtype=str)
    assert list(sheets) == list(SHEETS)


def test_empty_result_does_not_crash(tmp_path: Path) -> None:
    empty = AnalysisResult(records=pd.DataFrame(), clusters=pd.DataFrame())
    paths = report.write_reports(empty, tmp_path)
    assert [p.name for p in paths][:4] == [
        "report.html",
        "report.md",
        "newsletter.txt",
        "report.xlsx",
    ]
    assert "回答者が5人以上の課題はありませんでした" in (tmp_path / "report.md").read_text(
        encoding="utf-8"
    )


def test_templates_are_package_files_an_analyst_can_edit() -> None:
    folder = Path(report.__file__).parent / "templates"
    names = sorted(p.name for p in folder.glob("*.j2"))
    assert names == ["newsletter.txt.j2", "report.html.j2", "report.md.j2"]
    for name in names:
        text = (folder / name).read_text(encoding="utf-8")
        assert re.search(r"[ぁ-ん]", text), name


def test_one_word_answers_are_not_quoted_while_longer_ones_exist(result: AnalysisResult) -> None:
    records = result.records.copy()
    new = records.index[(records["status"] == "kept") & records["cluster"].eq(3).fillna(False)]
    records.loc[new, "text_masked"] = "予算の確保"
    records.loc[new[-1], "text_masked"] = "生成AIの利用ルールをどう作るか、情報漏えいが心配です。"
    tweaked = dataclasses.replace(result, records=records)
    assert report.pick_quotes(tweaked, "cluster:3", question="DXの課題") == [
        "生成AIの利用ルールをどう作るか、情報漏えいが心配です。"
    ]
    records.loc[new[-1], "text_masked"] = "予算の確保"
    assert report.pick_quotes(dataclasses.replace(result, records=records), "cluster:3", question="DXの課題") == []


def test_a_large_run_leaves_the_answer_sheet_to_records_csv(
    result: AnalysisResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rsnet_analysis.report import sheets

    monkeypatch.setattr(sheets, "WORKBOOK_MAX_ANSWERS", len(result.records) - 1)
    report.write_workbook(result, tmp_path / "report.xlsx", report.report_context(result))
    book = pd.read_excel(tmp_path / "report.xlsx", sheet_name=None, dtype=str)
    answers = book["回答"]
    assert list(answers.columns) == ["内容"] and len(answers) == 1
    assert "records.csv" in answers.iloc[0, 0] and f"{len(result.records):,}" in answers.iloc[0, 0]
    overview = book["概要"]
    assert overview["項目"].eq("回答の一覧").sum() == 1
    monkeypatch.setattr(sheets, "WORKBOOK_MAX_ANSWERS", len(result.records))
    report.write_workbook(result, tmp_path / "small.xlsx", report.report_context(result))
    assert len(pd.read_excel(tmp_path / "small.xlsx", sheet_name="回答", dtype=str)) == len(result.records)


def test_the_miscellany_never_heads_the_ranking_or_the_newsletter(tmp_path: Path) -> None:
    """Even when the miscellany is the largest group, 【1】 is a real challenge and it is shown apart."""
    from rsnet_analysis.challenges import MISC_LABEL

    result = make_result()
    counts = result.counts.copy()
    survey = counts[(counts["source"] == "survey") & (counts["segment_col"] == "")]
    top = survey.assign(_n=pd.to_numeric(survey["n"], errors="coerce")).sort_values("_n", ascending=False)["challenge"].iloc[0]
    counts.loc[counts["challenge"] == top, ["kind", "name"]] = ["misc", MISC_LABEL]
    names = {**result.extras["names"], top: MISC_LABEL}
    kinds = {**result.extras["kinds"], top: "misc"}
    misc_first = dataclasses.replace(result, counts=counts, extras={**result.extras, "names": names, "kinds": kinds})
    context = report.report_context(misc_first)
    leading = context["sections"][0]["leading"]
    assert leading and all(item["name"] != MISC_LABEL for item in leading)
    assert context["sections"][0]["misc"] is not None  # reported apart
    report.write_reports(misc_first, tmp_path)
    newsletter = (tmp_path / "newsletter.txt").read_text(encoding="utf-8")
    first = re.search(r"【1】([^\n]*)", newsletter)
    assert first is not None and MISC_LABEL not in first.group(1)


def test_one_pool_for_every_challenge_gives_what_a_pool_per_call_gives(result: AnalysisResult) -> None:
    from rsnet_analysis.contract import challenge_unit
    from rsnet_analysis.report.quotes import QuotePool

    pool = QuotePool(result)
    kept = result.records[result.records["status"] == "kept"]
    pairs = sorted({(u, str(q)) for u, q in zip(challenge_unit(kept), kept["question"], strict=True) if u})
    assert len(pairs) >= 3
    picked = [report.pick_quotes(result, key, question=q, wave="2024", pool=pool) for key, q in pairs]
    assert picked == [report.pick_quotes(result, key, question=q, wave="2024") for key, q in pairs]
    assert any(picked)
    # a pool made for another run is not used
    records = result.records.copy()
    rows = records.index[(records["status"] == "kept") & records["cluster"].eq(3).fillna(False)]
    records.loc[rows, "text_masked"] = "予算の確保"
    tweaked = dataclasses.replace(result, records=records)
    assert report.pick_quotes(tweaked, "cluster:3", question="DXの課題", pool=pool) == []
