"""End-to-end tests of the ``rsnet`` command on the sample data and on bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from rsnet_analysis import trends
from rsnet_analysis.cli import build_parser, main
from rsnet_analysis.contract import STATUSES

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "sample"

RECORD_COLUMNS = [
    "record_id",
    "source_file",
    "source_row",
    "question",
    "status",
    "text_masked",
    "cluster",
    "cluster_label",
    "challenge",
    "challenge_secondary",
    "challenge_reason",
    "challenge_score",
]


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def test_records_csv_accounts_for_every_row(sample_run: Path) -> None:
    raw = (sample_run / "records.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "records.csv must carry a BOM so that Excel opens it"
    records = _read(sample_run / "records.csv")
    for col in RECORD_COLUMNS:
        assert col in records.columns
    summary = json.loads((sample_run / "summary.json").read_text(encoding="utf-8"))
    assert summary["rows_read"] == len(records)
    assert summary["rows_read"] == summary["kept"] + sum(summary["excluded"].values())
    assert set(records["status"]) <= set(STATUSES)
    counts = records["status"].value_counts().to_dict()
    assert counts.get("kept", 0) == summary["kept"]
    for reason in ("empty", "non_answer", "duplicate"):
        assert counts.get(reason, 0) == summary["excluded"][reason]
        assert summary["excluded"][reason] > 0, f"the sample should exercise {reason}"
    assert records["record_id"].is_unique
    # the input's date and segment columns survive under their original names
    for col in ("回答日", "自治体区分", "都道府県"):
        assert col in records.columns
    kept = records[records["status"] == "kept"]
    assert (kept["cluster"] != "").all()
    assert (records.loc[records["status"] != "kept", "cluster"] == "").all()


def test_summary_records_settings_and_versions(sample_run: Path) -> None:
    summary = json.loads((sample_run / "summary.json").read_text(encoding="utf-8"))
    assert summary["settings"]["seed"] == 0
    assert summary["settings"]["k"] == "auto"
    for pkg in ("python", "pandas", "scikit-learn", "fugashi", "unidic-lite"):
        assert pkg in summary["versions"]
    text = json.dumps(summary, ensure_ascii=False)
    assert str(REPO) not in text, "no absolute paths in shared outputs"


def test_clusters_csv_columns(sample_run: Path) -> None:
    clusters = _read(sample_run / "clusters.csv")
    assert list(clusters.columns) == trends.CLUSTER_VIEW_COLUMNS
    # a cluster's size is its challenge's respondents over all waves, as the trends table has them
    trend = _read(sample_run / "trends.csv")
    for row in clusters.itertuples():
        unit = row.challenge if isinstance(row.challenge, str) and row.challenge else f"cluster:{row.cluster}"
        waves = trend[(trend["challenge"] == unit) & (trend["question"] == row.question)]["n"]
        if row.n not in ("<5", "x") and not waves.isin(["<5", "x"]).any():
            assert int(row.n) == waves.astype(int).sum(), unit


def test_no_output_carries_unmasked_personal_information(tmp_path: Path) -> None:
    planted = tmp_path / "planted.csv"
    planted.write_text(
        "回答日,自治体名,課題\n"
        "2024/7/1,松本市,研修に出ても職場で使わないので定着しません。担当の佐藤です\n"
        "2024/7/2,松本市,幹部の理解が得られない。問い合わせは k-sato@city.example.lg.jp まで\n"
        "2024/7/3,長野県,予算がなく外部講師を呼べない。連絡先 0263-12-3456（情報政策課 田中より）\n"
        "2024/7/4,長野県,得意な職員とそうでない職員の差が大きい。090-1234-5678 山本 花子\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["analyze", str(planted), "--out", str(out), "--no-progress", "--k", "2"]) == 0
    secrets = ["佐藤", "k-sato", "example.lg.jp", "0263-12-3456", "田中", "090-1234-5678", "山本", "花子"]
    files = [p for p in out.rglob("*") if p.is_file()]
    assert {p.suffix for p in files} >= {".csv", ".json", ".md", ".txt", ".html", ".xlsx", ".png"}
    for path in files:
        if path.suffix == ".xlsx":  # scan every XML part of the workbook
            with zipfile.ZipFile(path) as book:
                text = "".join(book.read(n).decode("utf-8") for n in book.namelist() if n.endswith(".xml"))
        elif path.suffix == ".png":
            text = path.read_bytes().decode("latin-1")
        else:
            text = path.read_text(encoding="utf-8-sig")
        for secret in secrets:
            assert secret not in text, f"{secret} leaked into {path.name}"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["no_such_file.csv"], "no_such_file.csv"),
        (["{sample}", "--text-col", "存在しない列"], "存在しない列"),
    ],
)
def test_bad_input_gives_one_clear_message(
    args: list[str], expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [a.replace("{sample}", str(SAMPLE / "survey_2023.csv")) for a in args]
    code = main(["analyze", *args, "--out", str(tmp_path), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2
    assert "エラー:" in err
    assert expected in err
    assert "Traceback" not in err


def test_unknown_column_lists_the_available_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["analyze", str(SAMPLE / "survey_2023.csv"), "--text-col", "感想", "--out", str(tmp_path)]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "自治体名" in err and "--text-col" in err


def test_bad_k_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["analyze", "--k", "many"])
    assert exc.value.code == 2
    assert "--k" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_bad_jobs_is_a_usage_error(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["analyze", "--jobs", value])
    assert exc.value.code == 2
    assert "--jobs" in capsys.readouterr().err


def test_evaluate_prints_cluster_and_codebook_figures(
    sample_run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    labels = [str(p) for p in sorted(SAMPLE.glob("labels_*.csv"))]
    code = main(["evaluate", "--labels", *labels, "--run", str(sample_run), "--split", "test", "--json"])
    assert code == 0
    figures = json.loads(capsys.readouterr().out)
    text = json.dumps(figures)
    for name in ("v_measure", "macro_f1", "kappa"):
        assert name in text


def test_evaluate_accepts_labels_keyed_by_the_inputs_id_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = tmp_path / "answers.csv"
    rows = [
        ("A1", "研修を受けても現場で使わず、すぐ忘れてしまう。定着しない。"),
        ("A2", "研修の内容が職場で活かされず定着しないのが悩み。"),
        ("A3", "予算がなく外部講師を呼べない。研修の時間も取れない。"),
        ("A4", "予算も時間も足りず、研修を組めない。"),
        ("A5", "幹部の理解がなく、庁内でDXが進まない。"),
        ("A6", "部長級を巻き込めず、庁内の理解が得られない。"),
    ]
    answers.write_text(
        "ID,課題\n" + "".join(f"{i},{t}\n" for i, t in rows), encoding="utf-8"
    )
    labels = tmp_path / "labels.csv"
    gold = ["retention", "retention", "budget_time", "budget_time", "buy_in", "buy_in"]
    labels.write_text(
        "ID,label\n" + "".join(f"{i},{g}\n" for (i, _), g in zip(rows, gold, strict=True)),
        encoding="utf-8",
    )
    out = tmp_path / "run"
    assert main(["analyze", str(answers), "--id-col", "ID", "--out", str(out), "--no-report", "--no-progress"]) == 0
    capsys.readouterr()
    assert main(["evaluate", "--labels", str(labels), "--run", str(out), "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["n"] == 6, "every labelled answer must be matched through the ID column"


def test_segment_col_takes_several_names(tmp_path: Path) -> None:
    out = tmp_path / "seg"
    code = main(
        [
            "analyze",
            "--segment-col",
            "自治体区分",
            "--segment-col",
            "役割",
            str(SAMPLE / "survey_2023.csv"),  # after the option: an input, not a third column
            "--out",
            str(out),
            "--no-progress",
            "--no-report",
        ]
    )
    assert code == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["segment_columns"] == ["自治体区分", "役割"]
    assert [Path(p).name for p in summary["inputs"]] == ["survey_2023.csv"]
    segments = _read(out / "segments.csv")
    assert set(segments["segment_col"]) <= {"自治体区分", "役割"}


@pytest.mark.parametrize(
    ("argv", "inputs", "option", "values"),
    [
        (["--segment-col", "区分", "my.xlsx"], ["my.xlsx"], "segment_col", ["区分"]),
        (["a.csv", "b.csv", "--segment-col", "区分", "--segment-col", "役割"], ["a.csv", "b.csv"],
         "segment_col", ["区分", "役割"]),
        (["--text-col", "課題", "--text-col", "取り組み=取り組み|成果", "w.csv"], ["w.csv"], "text_col",
         ["課題", "取り組み=取り組み|成果"]),
        (["w.csv"], ["w.csv"], "segment_col", None),
    ],
)
def test_repeatable_options_take_one_value_per_flag(
    argv: list[str], inputs: list[str], option: str, values: list[str] | None
) -> None:
    args = build_parser().parse_args(["analyze", *argv])
    assert args.inputs == inputs
    assert getattr(args, option) == values


def test_an_input_after_the_options_is_never_read_as_a_column(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:  # argparse: inputs go before or after all options
        build_parser().parse_args(["analyze", "a.csv", "--segment-col", "区分", "b.csv"])
    assert exc.value.code == 2 and "b.csv" in capsys.readouterr().err


def test_a_column_name_left_as_an_input_gets_a_hint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["analyze", "--segment-col", "自治体区分", "役割", "--out", str(tmp_path), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and "役割" in err and "--segment-col 自治体区分 --segment-col 役割" in err


def test_records_csv_carries_note_attributes_and_the_question(sample_run: Path) -> None:
    records = _read(sample_run / "records.csv")
    for col in ("question", "グループ", "組織名", "イベント", "開催日"):
        assert col in records.columns, col
    notes = records[records["source_type"] == "note"]
    assert not notes.empty and set(notes["question"]) == {"note"}
    assert (notes["イベント"] != "").all() and (notes["開催日"] != "").all()
    assert (notes["グループ"] != "").any() and (notes["組織名"] != "").any()
    surveys = records[records["source_type"] == "survey"]
    assert set(surveys["question"]) == {
        "DX・人材育成の課題（自由記述）",
        "この1年で取り組んだこと・その成果（自由記述）",
    }
    second = surveys[surveys["question"] != "DX・人材育成の課題（自由記述）"]
    assert second["record_id"].str.fullmatch(r"survey_202[34]:\d+:q2").all()


def test_id_col_of_email_addresses_writes_no_address_anywhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "google_form.csv"
    rows = [
        ("2024/7/1 10:00:00", "k-sato@city.example.lg.jp", "佐藤 健", "松本市", "DX推進課",
         "研修に出ても職場で使わないので定着しません。フォローの仕組みがほしいです。"),
        ("2024/7/2 11:00:00", "yoshida.h@pref.example.jp", "吉田 花子", "長野県", "人事課",
         "吉田が中心となり研修を企画していますが、幹部の理解が得られず予算が足りません。"),
        ("2024/7/3 12:00:00", "m_tanaka@town.example.jp", "田中 美咲", "小布施町", "総務課",
         "職員が少なく研修に出す時間が取れないのが一番の悩みです。外部講師も呼べません。"),
        ("2024/7/4 13:00:00", "abe.h@vill.example.jp", "ABE Hiroshi", "舟橋村", "総務課",
         "得意な職員とそうでない職員の差が大きく、できる人に仕事が集中しています。"),
    ]
    export.write_text(
        "タイムスタンプ,メールアドレス,お名前,自治体名,所属部署,現在の課題\n"
        + "".join(",".join(r) + "\n" for r in rows),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code = main(["analyze", str(export), "--id-col", "メールアドレス", "--out", str(out), "--no-progress", "--k", "2"])
    assert code == 0
    assert "仮名" in capsys.readouterr().err
    secrets = [r[1] for r in rows] + [r[1].split("@")[0] for r in rows] + ["佐藤 健", "田中 美咲", "ABE Hiroshi"]
    for path in (p for p in out.rglob("*") if p.is_file()):
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                text = "".join(book.read(n).decode("utf-8") for n in book.namelist() if n.endswith(".xml"))
        elif path.suffix == ".png":
            continue
        else:
            text = path.read_text(encoding="utf-8-sig")
        for secret in secrets:
            assert secret not in text, f"{secret} leaked into {path.name}"
    records = _read(out / "records.csv")
    assert records["メールアドレス"].str.startswith("仮名-").all()


COUNT_COLUMNS = {"n", "base", "n_previous", "n_members", "statements"}


def test_no_written_table_shows_a_count_below_five(sample_run: Path) -> None:
    for name in ("trends.csv", "segments.csv", "emerging.csv", "subgroups.csv"):
        table = _read(sample_run / name)
        assert not table.empty, name
        for col in COUNT_COLUMNS & set(table.columns):
            for value in table[col]:
                if value in {"", "<5", "x"}:
                    continue
                assert float(value) >= 5, (name, col, value)
    book = pd.read_excel(sample_run / "report.xlsx", sheet_name=None, dtype=str)
    for sheet, table in book.items():
        for col in set(table.columns) & {"n", "人数", "回答者数", "n_latest", "n_previous"}:
            for value in table[col].dropna():
                if value in {"<5", "x"}:
                    continue
                assert float(value) >= 5, (sheet, col, value)


def test_segment_col_matched_loosely_is_used_under_its_real_name(tmp_path: Path) -> None:
    out = tmp_path / "loose"
    args = ["analyze", str(SAMPLE / "survey_2023.csv"), "--segment-col", "役割 "]
    assert main([*args, "--out", str(out), "--no-progress", "--no-report"]) == 0
    segments = _read(out / "segments.csv")
    assert not segments.empty
    assert set(segments["segment_col"]) == {"役割"}


# --------------------------------------------------------------------------------------------
# the output folder: checked before the analysis, locked, swapped in as a set, safe to kill

TINY = (
    "回答日,自治体名,課題\n"
    "2024/7/1,松本市,研修に出ても職場で使わないので定着しません。\n"
    "2024/7/2,松本市,幹部の理解が得られない。\n"
    "2024/7/3,長野県,予算がなく外部講師を呼べない。\n"
    "2024/7/4,長野県,得意な職員とそうでない職員の差が大きい。\n"
)


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("kind", ["file", "below_a_file"])
def test_unusable_out_stops_before_the_analysis(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = tmp_path / "結果.txt"
    plain.write_text("x", encoding="utf-8")
    out = plain if kind == "file" else plain / "out"
    code = main(["analyze", "--out", str(out), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2
    assert "エラー: 出力先" in err and "--out" in err
    assert "Traceback" not in err
    assert "分析を開始します" not in err, "the folder is checked before the analysis starts"
    assert plain.read_text(encoding="utf-8") == "x"


def test_a_second_run_on_the_same_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from rsnet_analysis.report import OutputFolder

    out = tmp_path / "out"
    with OutputFolder(out):
        code = main(["analyze", "--out", str(out), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2
    assert "使用中" in err and "別のフォルダを --out に指定" in err
    assert "分析を開始します" not in err
    assert not out.exists()


def test_every_file_of_two_runs_is_identical(sample_run: Path, tmp_path: Path) -> None:
    """Same input and seed, every output file identical: tables, summary, reports, figures.

    The second run masks and tokenises in two worker processes (the first, a sample of fewer
    than 5,000 answers, in one): the number of processes changes nothing either. (The kinds
    beside discovery, with one question, are compared in ``tests/test_pipeline.py``.)
    """
    out = tmp_path / "again"
    assert main(["analyze", "--out", str(out), "--no-progress", "--jobs", "2"]) == 0
    first, second = _files(sample_run), _files(out)
    assert ".rsnet-manifest.json" in first and "report.xlsx" in first
    assert sorted(first) == sorted(second)
    for name in first:
        assert first[name] == second[name], name


KILL_DRIVER = """
import os, signal, sys
root, event, suffix = sys.argv[1], sys.argv[2], sys.argv[3]
sent = []
def hook(name, args):
    if sent or name != event or not args or not isinstance(args[0], (str, bytes, os.PathLike)):
        return
    path = os.fsdecode(args[0])
    if path.startswith(root) and path.endswith(suffix):
        sent.append(path)
        os.kill(os.getpid(), signal.SIGTERM)
sys.addaudithook(hook)
from rsnet_analysis.cli import main
sys.exit(main(sys.argv[4:]))
"""


@pytest.fixture(scope="module")
def tiny_references(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict]:
    """The previous run (tables only) and the new run (with reports) on a 4-row fixture."""
    root = tmp_path_factory.mktemp("tiny")
    (root / "a.csv").write_text(TINY, encoding="utf-8")
    cwd = Path.cwd()
    os.chdir(root)
    try:
        base = ["analyze", "a.csv", "--k", "2", "--no-progress"]
        assert main([*base, "--no-report", "--out", "old"]) == 0
        assert main([*base, "--out", "new"]) == 0
    finally:
        os.chdir(cwd)
    return _files(root / "old"), _files(root / "new")


@pytest.mark.parametrize(
    ("event", "suffix", "expected"),
    [
        ("open", ".rsnet-new/records.csv", "old"),  # the first file being staged
        ("open", ".rsnet-commit.json.tmp", "new"),  # the commit: SIGTERM waits for the swap
        ("os.rename", ".rsnet-new/report.md", "new"),  # in the middle of the swap
    ],
)
def test_sigterm_while_writing_leaves_one_complete_set(
    event: str, suffix: str, expected: str, tiny_references: tuple[dict, dict], tmp_path: Path
) -> None:
    old, new = tiny_references
    (tmp_path / "a.csv").write_text(TINY, encoding="utf-8")
    out = tmp_path / "out"
    for rel, data in old.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)
    (out / "私のメモ.txt").write_text("触らないこと", encoding="utf-8")
    args = ["analyze", "a.csv", "--k", "2", "--no-progress", "--out", "out"]
    run = subprocess.run(
        [sys.executable, "-c", KILL_DRIVER, str(tmp_path), event, suffix, *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "MPLBACKEND": "Agg", "RSNET_PROGRESS": "0"},
    )
    assert run.returncode == 143, run.stderr
    assert "中断しました" in run.stderr and "Traceback" not in run.stderr
    files = _files(out)
    assert files.pop("私のメモ.txt") == "触らないこと".encode()
    assert files == (old if expected == "old" else new)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "out"], "no staging, no lock"
