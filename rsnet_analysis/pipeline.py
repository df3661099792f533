"""The whole analysis as one call: read, clean, tokenize once, discover, compare, summarise.

The CLI and the notebooks are thin layers over :func:`run_analysis` and :func:`write_outputs`.
Each stage's result is passed forward once; nothing goes back to an earlier module.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from rsnet_analysis import __version__
from rsnet_analysis.errors import RsnetError
from rsnet_analysis.io import ColumnRoles, ReadResult

#: Columns that hold unmasked text or internal state and never leave the process.
PRIVATE_COLUMNS: tuple[str, ...] = ("text_original", "text_clean", "tokens")

#: Attribute headers used as segments when the user names none (those present are used).
DEFAULT_SEGMENT_COLUMNS: tuple[str, ...] = (
    "自治体区分",
    "都道府県",
    "地域",
    "所属部署",
    "役割",
    "職位",
)

#: Packages whose versions are recorded with every run.
RECORDED_PACKAGES: tuple[str, ...] = (
    "rsnet-analysis",
    "pandas",
    "numpy",
    "scipy",
    "scikit-learn",
    "fugashi",
    "unidic-lite",
    "matplotlib",
    "openpyxl",
)


def repo_root() -> Path:
    """Return the folder that holds ``data/`` when running from a checkout."""
    return Path(__file__).resolve().parent.parent


def sample_inputs() -> list[Path]:
    """Return the bundled sample inputs: both survey waves and the session notes.

    Raises
    ------
    RsnetError
        If the sample data is not next to the package (an installed copy without the repository).
    """
    sample = repo_root() / "data" / "sample"
    paths = [sample / "survey_2023.csv", sample / "survey_2024.xlsx", sample / "notes"]
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise RsnetError(
            f"サンプルデータが見つかりません: {', '.join(str(p) for p in missing)}。"
            "リポジトリを取得し直すか、分析するファイルを指定してください（例: rsnet analyze 回答.csv）。"
        )
    return paths


@dataclass(frozen=True)
class AnalysisSettings:
    """Everything that determines a run's result (recorded in ``summary.json``).

    Parameters
    ----------
    inputs : list of str
        Files or folders to read. Empty means the bundled sample data.
    text_col, id_col, time_col : str or None
        Column names; None lets the reader choose and say which.
    segment_cols : tuple of str
        Attribute columns to compare challenges across. Empty uses those of
        :data:`DEFAULT_SEGMENT_COLUMNS` that are present.
    k : int or "auto"
        Number of clusters, or ``"auto"``.
    period : {"year", "half", "quarter", "file"}
        How to bin answers into waves.
    codebook : str or None
        Path of a user codebook YAML; None uses the shipped one.
    seed : int
        Seed for everything random.
    sheet : str or None
        Excel sheet name; None reads the first sheet.
    """

    inputs: tuple[str, ...] = ()
    text_col: str | None = None
    id_col: str | None = None
    time_col: str | None = None
    segment_cols: tuple[str, ...] = ()
    k: int | str = "auto"
    period: str = "year"
    codebook: str | None = None
    seed: int = 0
    sheet: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the settings as JSON-serialisable data."""
        data = asdict(self)
        data["inputs"] = list(self.inputs)
        data["segment_cols"] = list(self.segment_cols)
        return data


@dataclass
class AnalysisResult:
    """The result of one run: plain tables, ready to write or show.

    Attributes
    ----------
    records : pandas.DataFrame
        One row per input row (kept or excluded), with challenge columns.
    clusters : pandas.DataFrame
        One row per cluster (``clusters.csv``).
    trends, segments, emerging, subgroups : pandas.DataFrame
        Wave and segment comparisons, emerging challenges and proposed sub-groups, with small
        cells already suppressed.
    summary : dict
        Row accounting, settings and versions (``summary.json``).
    notices : list of str
        Messages for the user (for example which column was chosen as free text).
    """

    records: pd.DataFrame
    clusters: pd.DataFrame
    trends: pd.DataFrame = field(default_factory=pd.DataFrame)
    segments: pd.DataFrame = field(default_factory=pd.DataFrame)
    emerging: pd.DataFrame = field(default_factory=pd.DataFrame)
    subgroups: pd.DataFrame = field(default_factory=pd.DataFrame)
    summary: dict[str, Any] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)


def package_versions() -> dict[str, str]:
    """Return the versions of Python and the packages that shape the result."""
    versions = {"python": platform.python_version()}
    for name in RECORDED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    versions["rsnet-analysis"] = __version__
    return versions


def _input_paths(settings: AnalysisSettings) -> list[Path]:
    if settings.inputs:
        return [Path(p) for p in settings.inputs]
    return sample_inputs()


def _relative_name(path: Path) -> str:
    """Show a path relative to the working folder when possible (no absolute paths in outputs)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return path.name


def run_analysis(settings: AnalysisSettings, *, progress: bool = False) -> AnalysisResult:
    """Run the whole analysis.

    Parameters
    ----------
    settings : AnalysisSettings
        What to read and how to analyse it.
    progress : bool, default False
        Show progress bars (on stderr) for the long steps.

    Returns
    -------
    AnalysisResult
        All tables of the run.

    Raises
    ------
    RsnetError
        For any input the user has to fix; the message says what and where.
    """
    from rsnet_analysis import challenges, codebook, io, records, regions, trends
    from rsnet_analysis.tokenize import JapaneseTokenizer

    paths = _input_paths(settings)
    read = io.read_inputs(
        paths,
        text_col=settings.text_col,
        id_col=settings.id_col,
        time_col=settings.time_col,
        segment_cols=settings.segment_cols,
        sheet=settings.sheet,
    )
    table = records.build_record_table(read.table)
    if "都道府県" in table.columns and "地域" not in table.columns:
        table = regions.add_region(table, prefecture_col="都道府県", out_col="地域")

    kept = table["status"].eq("kept").to_numpy()
    if kept.sum() == 0:
        raise RsnetError(
            "分析できる回答がありません（すべて空欄・非回答・重複でした）。"
            "自由記述の列が正しいか --text-col で指定して確かめてください。"
        )
    texts = table.loc[kept, "text_masked"].tolist()
    ids = table.loc[kept, "record_id"].tolist()

    tokenizer = JapaneseTokenizer()
    tokens = tokenizer.tokenize_many(texts, progress=progress)
    table["tokens"] = pd.Series([[] for _ in range(len(table))], index=table.index, dtype=object)
    table.loc[kept, "tokens"] = pd.Series(tokens, index=table.index[kept], dtype=object)

    book = codebook.Codebook.load(settings.codebook)
    coded = codebook.code_records(texts, tokens, book)
    found = challenges.discover_challenges(
        texts,
        tokens,
        ids,
        k=settings.k,
        seed=settings.seed,
        codebook=book,
        coded=coded,
        progress=progress,
    )
    table = _attach_challenges(table, kept, coded, found)

    waves = trends.assign_waves(table, period=settings.period)
    table["wave"] = waves
    segment_cols = _segment_columns(table, read.columns)
    notices = list(read.notices)
    notices += trends.wave_notices(table, waves)
    notices += trends.segment_notices(table, segment_cols)
    trend_table = trends.wave_trends(table, waves=waves)
    segment_table = trends.segments_all(table, segment_cols)
    emerging = trends.find_emerging(table, found.clusters, waves=waves)
    subgroups = trends.propose_subgroups(table, seed=settings.seed)
    if "自治体名" in table.columns:
        subgroups = pd.concat([subgroups, trends.regional_groups(table)], ignore_index=True)

    summary = _summary(settings, paths, read, table, found, segment_cols, notices)
    return AnalysisResult(
        records=table,
        clusters=found.clusters,
        trends=trend_table,
        segments=segment_table,
        emerging=emerging,
        subgroups=subgroups,
        summary=summary,
        notices=notices,
        extras={"codebook": book, "segment_cols": segment_cols},
    )


def _attach_challenges(
    table: pd.DataFrame, kept: Any, coded: pd.DataFrame, found: Any
) -> pd.DataFrame:
    """Add the per-record challenge columns (empty for excluded rows)."""
    table = table.copy()
    n = len(table)
    table["cluster"] = pd.array([pd.NA] * n, dtype="Int64")
    for col in ("cluster_label", "challenge", "challenge_secondary", "challenge_reason"):
        table[col] = ""
    idx = table.index[kept]
    table.loc[idx, "cluster"] = pd.array(found.records["cluster"].to_numpy(), dtype="Int64")
    table.loc[idx, "cluster_label"] = found.records["cluster_label"].to_numpy()
    for col in ("challenge", "challenge_secondary", "challenge_reason"):
        table.loc[idx, col] = coded[col].fillna("").astype(str).to_numpy()
    return table


def _segment_columns(table: pd.DataFrame, roles: ColumnRoles) -> list[str]:
    """The segment columns as the reader resolved them, or the defaults that are present."""
    if roles.segments:
        return list(roles.segments)
    return [c for c in DEFAULT_SEGMENT_COLUMNS if c in table.columns]


def _summary(
    settings: AnalysisSettings,
    paths: Sequence[Path],
    read: ReadResult,
    table: pd.DataFrame,
    found: Any,
    segment_cols: Sequence[str],
    notices: Sequence[str],
) -> dict[str, Any]:
    from rsnet_analysis.records import status_counts

    counts = status_counts(table)
    by_file: dict[str, dict[str, int]] = {}
    for name, part in table.groupby("source_file", sort=True):
        by_file[str(name)] = {"rows": int(len(part)), **status_counts(part)}
    roles = read.columns
    return {
        "tool": "rsnet-analysis",
        "version": __version__,
        "inputs": [_relative_name(p) for p in paths],
        "rows_read": int(len(table)),
        "kept": int(counts["kept"]),
        "excluded": {k: int(v) for k, v in counts.items() if k != "kept"},
        "by_file": by_file,
        "columns": asdict(roles),
        "segment_columns": list(segment_cols),
        "clusters": int(len(found.clusters)),
        "k_chosen": getattr(found, "k", len(found.clusters)),
        "settings": settings.to_dict(),
        "versions": package_versions(),
        "notices": list(notices),
    }


def public_records(records: pd.DataFrame) -> pd.DataFrame:
    """Return the record table as it may be shared: no unmasked text, no internal columns."""
    cols = [c for c in records.columns if c not in PRIVATE_COLUMNS]
    return records.loc[:, cols]


def records_for_output(result: AnalysisResult) -> pd.DataFrame:
    """Columns of ``records.csv`` in a fixed order, without unmasked text."""
    rec = public_records(result.records)
    roles = result.summary.get("columns", {})
    first = ["record_id", "source_file", "source_row", "source_type", "status", "text_masked"]
    named = []
    for key in ("id", "time"):
        col = roles.get(key) if isinstance(roles, dict) else None
        if col and col in rec.columns:
            named.append(col)
    named += [c for c in result.summary.get("segment_columns", []) if c in rec.columns]
    tail = [
        "date",
        "wave",
        "cluster",
        "cluster_label",
        "challenge",
        "challenge_secondary",
        "challenge_reason",
    ]
    order: list[str] = []
    for c in first + named + tail:
        if c in rec.columns and c not in order:
            order.append(c)
    return rec.loc[:, order]


def write_outputs(result: AnalysisResult, out_dir: str | Path) -> list[Path]:
    """Write every output file of a run into ``out_dir``.

    Parameters
    ----------
    result : AnalysisResult
        The run to write.
    out_dir : str or Path
        Output folder (created if needed).

    Returns
    -------
    list of Path
        The files written, in writing order.
    """
    from rsnet_analysis.io import write_csv

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def _csv(df: pd.DataFrame, name: str) -> None:
        path = out / name
        write_csv(df, path)
        written.append(path)

    _csv(records_for_output(result), "records.csv")
    _csv(result.clusters, "clusters.csv")
    _csv(result.trends, "trends.csv")
    _csv(result.segments, "segments.csv")
    _csv(result.emerging, "emerging.csv")
    _csv(result.subgroups, "subgroups.csv")
    summary_path = out / "summary.json"
    summary_path.write_text(
        json.dumps(result.summary, ensure_ascii=False, indent=2, sort_keys=False) + "\n",
        encoding="utf-8",
    )
    written.append(summary_path)
    return written
