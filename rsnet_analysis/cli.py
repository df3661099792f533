"""The ``rsnet`` command: a thin layer over :mod:`rsnet_analysis.pipeline`.

Every user-facing failure is an :class:`~rsnet_analysis.errors.RsnetError`: the command prints
its message on one line (``エラー: …``) and exits with status 2, never a traceback. The output
folder is checked and locked before the analysis starts, and the files of a run are swapped in as
one set at the end (:class:`~rsnet_analysis.report.OutputFolder`); Ctrl-C or SIGTERM before that
leaves the folder as it was.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rsnet_analysis import __version__
from rsnet_analysis.contract import DEFAULT_PERIOD, PERIODS
from rsnet_analysis.errors import RsnetError

if TYPE_CHECKING:
    from rsnet_analysis.contract import AnalysisSettings

EXIT_USAGE = 2

DESCRIPTION = """\
rsnet: 自治体アンケートの自由記述から課題を見つけ、波（年度など）・区分ごとに比較し、
メルマガ用の要約を書き出します。入力を省略すると同梱のサンプルデータを分析します。
"""


def _k_value(text: str) -> int | str:
    if text == "auto":
        return "auto"
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--k には auto か 2 以上の整数を指定してください（指定値: {text}）"
        ) from None
    if value < 2:
        raise argparse.ArgumentTypeError(f"--k は 2 以上にしてください（指定値: {value}）")
    return value


def _jobs_value(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--jobs には 1 以上の整数を指定してください（指定値: {text}）") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"--jobs は 1 以上にしてください（指定値: {value}）")
    return value


def _add_run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "inputs",
        nargs="*",
        metavar="INPUT",
        help="回答ファイル（.csv .xlsx .jsonl）・セッションメモ（.md）・フォルダ。省略時はサンプルデータ",
    )
    p.add_argument(
        "--text-col",
        metavar="NAME",
        action="append",
        help="自由記述の列名。設問ごとに繰り返し指定できます。見出しがファイルごとに違う設問は "
        "\"名前=見出し1|見出し2\"（省略時はすべての自由記述の列を自動で選び、どの列かを表示）",
    )
    p.add_argument(
        "--questions",
        metavar="FILE",
        help="設問と見出しの対応表（CSV。1 行目 question,header、2 行目から 設問の名前,ファイルでの見出し）",
    )
    p.add_argument("--id-col", metavar="NAME", help="回答 ID の列名（回答ごとの番号。出力に残し、ラベルとの照合に使う）")
    p.add_argument(
        "--respondent-col",
        metavar="NAME",
        help="回答した人を表す列名（重複の判定と人数の数え方に使う）。省略時は 自治体名＋所属部署 などの組み合わせ",
    )
    p.add_argument("--time-col", metavar="NAME", help="回答日の列名（省略時は 回答日・日付 などを自動検出）")
    p.add_argument(
        "--segment-col",
        metavar="NAME",
        action="append",
        help="比較する属性の列名。1 回に 1 列で、複数なら繰り返す（--segment-col 自治体区分 --segment-col 役割）。"
        "省略時は 自治体区分・都道府県・地域・所属部署・役割・職位 のうち存在する列",
    )
    p.add_argument("--sheet", metavar="NAME", help="Excel のシート名（省略時は表の行が最も多いシート）")
    p.add_argument(
        "--k", type=_k_value, default="auto", metavar="auto|N", help="クラスタ数（既定: auto）"
    )
    p.add_argument(
        "--period",
        choices=list(PERIODS),
        default=DEFAULT_PERIOD,
        help="波の区切り: year=年, fiscal=年度（4月〜翌3月）, half=半期, quarter=四半期, file=ファイルごと"
        f"（既定: {DEFAULT_PERIOD}）",
    )
    p.add_argument("--codebook", metavar="FILE", help="独自のコードブック（YAML）。省略時は同梱のもの")
    p.add_argument("--seed", type=int, default=0, metavar="N", help="乱数の種（既定: 0）")
    p.add_argument(
        "--no-municipality-names",
        action="store_true",
        help="報告書で取り組みや分科会候補に自治体名を付けない（公開用）",
    )
    p.add_argument("--out", default="out", metavar="DIR", help="出力フォルダ（既定: out）")
    p.add_argument(
        "--jobs",
        type=_jobs_value,
        default=None,
        metavar="N",
        help="個人情報のマスキングと形態素解析に使うプロセス数。結果は N によらず同じです"
        "（既定: 回答 5,000 件未満は 1、それ以上は CPU コア数まで最大 2）",
    )
    p.add_argument("--no-progress", action="store_true", help="進捗表示を出さない")


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser of the ``rsnet`` command."""
    parser = argparse.ArgumentParser(
        prog="rsnet", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"rsnet-analysis {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    analyze = sub.add_parser(
        "analyze", help="分析して records.csv・counts.csv・報告書などを書き出す"
    )
    _add_run_options(analyze)
    analyze.add_argument(
        "--no-report", action="store_true", help="報告書（HTML・Markdown・メルマガ・Excel）を書かない"
    )

    report = sub.add_parser("report", help="分析して報告書（HTML・Markdown・メルマガ・Excel・図）を書き出す")
    _add_run_options(report)

    evaluate = sub.add_parser("evaluate", help="分析結果を手作業のラベルと比べる")
    evaluate.add_argument("--labels", required=True, nargs="+", metavar="FILE", help="ラベルの CSV（record_id,label[,split]）")
    evaluate.add_argument("--run", default="out", metavar="DIR", help="分析結果のフォルダ（records.csv があるところ。既定: out）")
    evaluate.add_argument("--split", default=None, help="評価する分割（例: test）。省略時は全件")
    evaluate.add_argument("--codebook", metavar="FILE", help="独自のコードブック（YAML）")
    evaluate.add_argument("--json", action="store_true", help="結果を JSON で出力する")
    return parser


def _settings(args: argparse.Namespace) -> AnalysisSettings:
    from rsnet_analysis.contract import AnalysisSettings

    return AnalysisSettings(
        inputs=tuple(args.inputs),
        text_cols=tuple(args.text_col or ()),
        questions=args.questions,
        id_col=args.id_col,
        respondent_col=args.respondent_col,
        time_col=args.time_col,
        segment_cols=tuple(args.segment_col or ()),
        k=args.k,
        period=args.period,
        codebook=args.codebook,
        seed=args.seed,
        sheet=args.sheet,
        name_municipalities=not args.no_municipality_names,
    )


def _run(args: argparse.Namespace, *, write_report: bool) -> int:
    from rsnet_analysis.pipeline import run_analysis, write_outputs
    from rsnet_analysis.report import OutputFolder

    settings = _settings(args)
    progress = not args.no_progress and sys.stderr.isatty()
    # --out is checked and locked before the analysis: a bad folder or a folder in use stops here
    with OutputFolder(args.out) as folder:
        for notice in folder.notices:
            print(f"お知らせ: {notice}", file=sys.stderr)
        print("rsnet: 読み込み・分析を開始します…", file=sys.stderr)
        result = run_analysis(settings, progress=progress, jobs=args.jobs)
        for notice in result.notices:
            print(f"お知らせ: {notice}", file=sys.stderr)
        written = write_outputs(result, folder, reports=write_report, progress=progress, jobs=args.jobs)
    s = result.summary
    excluded = ", ".join(f"{k} {v}" for k, v in s["excluded"].items())
    print(
        f"読み込み {s['rows_read']} 行 = 分析対象 {s['kept']} 行 + 除外 {sum(s['excluded'].values())} 行"
        f"（{excluded}）"
    )
    print(f"クラスタ {s['clusters']} 個。出力先: {args.out}/")
    for path in written:
        print(f"  {path.as_posix()}")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    import pandas as pd

    from rsnet_analysis.challenges import Codebook, align_labels, evaluate, load_labels

    records_path = Path(args.run) / "records.csv"
    if not records_path.exists():
        raise RsnetError(
            f"{records_path} がありません。先に rsnet analyze --out {args.run} を実行してください。"
        )
    records = pd.read_csv(records_path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    records["cluster"] = pd.to_numeric(records["cluster"], errors="coerce").astype("Int64")
    labels = load_labels(args.labels)
    summary_path = Path(args.run) / "summary.json"
    id_col = None
    if summary_path.exists():
        id_col = json.loads(summary_path.read_text(encoding="utf-8")).get("columns", {}).get("id")
    labels = align_labels(records, labels, id_col)
    book = Codebook.load(args.codebook)
    result = evaluate(records, labels, split=args.split, codebook_keys=list(book.keys))
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(result.format_text())
    return 0


class _Terminated(BaseException):
    """Raised in the main thread on SIGTERM; like KeyboardInterrupt, no ``except Exception`` stops it."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise _Terminated(signum)


@contextlib.contextmanager
def _sigterm_as_exception() -> Iterator[None]:
    """Turn SIGTERM into :class:`_Terminated`, so that the output folder is cleaned up and unlocked."""
    try:
        previous = signal.signal(signal.SIGTERM, _raise_terminated)
    except ValueError:  # not the main thread (e.g. called from a worker): leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``rsnet`` command.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; defaults to ``sys.argv[1:]``.

    Returns
    -------
    int
        Exit status: 0 on success, 2 on a user error (a bad ``--out`` included), 130 after
        Ctrl-C and 143 after SIGTERM. An interrupted run leaves ``--out`` as it was.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        with _sigterm_as_exception():
            if args.command == "analyze":
                return _run(args, write_report=not args.no_report)
            if args.command == "report":
                return _run(args, write_report=True)
            return _evaluate(args)
    except RsnetError as exc:
        print(f"エラー: {exc.message}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("中断しました。", file=sys.stderr)
        return 130
    except _Terminated:
        print("中断しました（SIGTERM）。", file=sys.stderr)
        return 143


if __name__ == "__main__":
    sys.exit(main())
