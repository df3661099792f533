"""Integration tests on the bundled sample: the new 2024 challenge surfaces as emerging."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from rsnet_analysis.contract import AnalysisResult

GENERATIVE_AI_WORDS = ("生成AI", "ChatGPT", "AI", "Copilot", "プロンプト", "チャット", "LLM")


@pytest.fixture(scope="module")
def streamed_sample() -> AnalysisResult:
    """The sample through the streaming path in one process (shared by this module's tests)."""
    from rsnet_analysis.contract import AnalysisSettings
    from rsnet_analysis.pipeline import run_analysis

    return run_analysis(AnalysisSettings(), stream=True, jobs=1)


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def test_new_2024_challenge_is_ranked_first_in_emerging(sample_run: Path) -> None:
    emerging = _read(sample_run / "emerging.csv")
    assert not emerging.empty
    first = emerging.iloc[0]
    assert first["direction"] == "新規"
    assert any(word in first["name"] for word in GENERATIVE_AI_WORDS), first["name"]
    records = _read(sample_run / "records.csv").set_index("record_id")
    reps = first["representative_record_ids"].split()
    assert len(reps) >= 2
    about_ai = [
        rid for rid in reps if any(w in records.loc[rid, "text_masked"] for w in GENERATIVE_AI_WORDS)
    ]
    assert len(about_ai) >= len(reps) - 1, [records.loc[r, "text_masked"] for r in reps]
    assert first["n_previous"] in {"0", "<5"}


def test_generative_ai_forms_one_unnamed_cluster(sample_run: Path) -> None:
    clusters = _read(sample_run / "clusters.csv")
    ai = clusters[clusters["top_terms"].str.contains("生成AI|ChatGPT", regex=True)]
    assert len(ai) >= 1
    assert (ai["challenge"] == "").all(), "the codebook has no key for it: it must stay unnamed"


def test_every_kept_answer_has_a_cluster_and_trend_rows_exist(sample_run: Path) -> None:
    records = _read(sample_run / "records.csv")
    trends = _read(sample_run / "trends.csv")
    assert set(trends["wave"]) >= {"2023", "2024"}
    kept = records[records["status"] == "kept"]
    assert (kept["cluster"] != "").all()


def test_no_label_or_top_term_is_a_stop_word_placeholder_or_fragment(sample_run: Path) -> None:
    from rsnet_analysis.text import load_stopwords

    stop = load_stopwords()
    clusters = _read(sample_run / "clusters.csv")
    for _, row in clusters.iterrows():
        terms = row["top_terms"].split()
        assert terms or row["label"].startswith("その他"), row["label"]
        for term in terms:
            assert term not in stop, (row["label"], term)
            assert "〔" not in term and "〕" not in term, term
            assert "栗鼠" not in term and term not in {"リス", "キリング"}, term
        assert "〔" not in row["label"] and "栗鼠" not in row["label"]


def test_the_streaming_path_runs_end_to_end_on_the_sample(tmp_path: Path, streamed_sample: AnalysisResult) -> None:
    """The path taken for large inputs (chunks, answers on disk) gives a complete run and report."""
    from rsnet_analysis.pipeline import write_outputs

    result = streamed_sample
    records = result.records
    assert result.summary["streaming"]["partition_sample"] > 0
    assert result.summary["rows_read"] == len(records)
    kept = records["status"].eq("kept")
    assert records.loc[kept, "cluster"].notna().all()
    assert set(records.loc[kept, "kind"]) >= {"challenge", "practice", "result", "request"}
    assert not records.loc[~kept, "kind"].isin(["challenge", "practice", "result"]).any()
    assert "tokens" not in records.columns and "text_original" not in records.columns
    assert "token_pos" not in records.columns
    counts = result.counts
    survey = counts[(counts["source"] == "survey") & (counts["statement"] == "challenge")]
    assert set(survey["question"]) == set(records.loc[kept & records["source_type"].eq("survey"), "question"])
    units = set(result.clusters["challenge"]) | {f"cluster:{c}" for c in result.clusters["cluster"]}
    assert survey["challenge"].isin(units).all()
    written = write_outputs(result, tmp_path / "out", reports=True)
    names = {p.name for p in written}
    assert {"records.csv", "counts.csv", "report.html", "report.xlsx"} <= names


def test_the_streaming_path_gives_the_in_memory_result_on_a_one_question_export() -> None:
    """Up to 50,000 answers of one question, the two paths give the same records and counts."""
    from rsnet_analysis.contract import AnalysisSettings
    from rsnet_analysis.pipeline import run_analysis

    root = Path(__file__).resolve().parents[1] / "data" / "holdout"
    settings = AnalysisSettings(inputs=[str(root / "survey_2025.csv")])
    whole, streamed = run_analysis(settings), run_analysis(settings, stream=True)
    assert whole.summary["columns"]["questions"] == streamed.summary["columns"]["questions"]
    left = whole.records.set_index("record_id")
    right = streamed.records.set_index("record_id").loc[left.index]
    for col in ("status", "kind", "cluster", "challenge", "cluster_label", "challenge_reason"):
        assert left[col].astype(str).tolist() == right[col].astype(str).tolist(), col
    pd.testing.assert_frame_equal(whole.counts, streamed.counts)


def test_kinds_beside_discovery_give_the_one_process_result() -> None:
    """One question, two jobs: the kinds are found in a second thread while the challenges are found.

    Every table equals the one-process run's, columns in the same order.
    """
    from rsnet_analysis.contract import AnalysisSettings
    from rsnet_analysis.pipeline import run_analysis

    root = Path(__file__).resolve().parents[1] / "data" / "holdout"
    settings = AnalysisSettings(inputs=[str(root / "survey_2025.csv")])
    one, two = run_analysis(settings, jobs=1), run_analysis(settings, jobs=2)
    from rsnet_analysis.pipeline import _one_group

    assert one.summary["columns"]["questions"] == ["自由記述"]
    assert _one_group(one.records, (one.records["status"] == "kept").to_numpy())  # the two-process path
    assert (one.records["kind"] != "").any()
    pd.testing.assert_frame_equal(one.records, two.records)
    pd.testing.assert_frame_equal(one.clusters, two.clusters)
    pd.testing.assert_frame_equal(one.counts, two.counts)
    pd.testing.assert_frame_equal(one.practices, two.practices)


def test_streamed_kinds_beside_discovery_give_the_one_process_result(streamed_sample: AnalysisResult) -> None:
    """Streaming with two processes: the kinds come from a worker reading the stored chunks.

    The sample has two questions; the streamed run clusters them together and classifies the
    kinds apart from discovery, so every table equals the one-process streamed run's.
    """
    from rsnet_analysis.contract import AnalysisSettings
    from rsnet_analysis.pipeline import run_analysis

    one, two = streamed_sample, run_analysis(AnalysisSettings(), stream=True, jobs=2)
    assert set(one.records["kind"]) >= {"challenge", "practice", "result", "request"}
    pd.testing.assert_frame_equal(one.records, two.records)
    pd.testing.assert_frame_equal(one.clusters, two.clusters)
    pd.testing.assert_frame_equal(one.counts, two.counts)
    pd.testing.assert_frame_equal(one.practices, two.practices)


def test_an_error_in_the_kinds_thread_reaches_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    """One question, two jobs: a failure while the kinds are found is raised by run_analysis."""
    from rsnet_analysis import statements
    from rsnet_analysis.contract import AnalysisSettings
    from rsnet_analysis.errors import InputError
    from rsnet_analysis.pipeline import run_analysis

    def broken(*args: object, **kwargs: object) -> None:
        raise InputError("発言の種類のルールファイルが読めません / kinds file unreadable")

    monkeypatch.setattr(statements, "classify_statements", broken)
    root = Path(__file__).resolve().parents[1] / "data" / "holdout"
    with pytest.raises(InputError, match="kinds file unreadable"):
        run_analysis(AnalysisSettings(inputs=[str(root / "survey_2025.csv")]), jobs=2)


def test_the_garbage_collector_is_restored_after_a_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """In memory a run collects garbage less often and freezes what it keeps; afterwards all is as it was."""
    import gc

    from rsnet_analysis import pipeline

    seen: dict[str, object] = {}

    def fake_path(*args: object, **kwargs: object) -> None:
        seen["thresholds"] = gc.get_threshold()
        pipeline._settle()
        seen["frozen"] = gc.get_freeze_count()
        raise RuntimeError("stop")

    monkeypatch.setattr(pipeline, "_in_memory", fake_path)
    before = gc.get_threshold()
    with pytest.raises(RuntimeError, match="stop"):
        pipeline.run_analysis(pipeline.AnalysisSettings())
    assert seen["thresholds"] == pipeline.GC_THRESHOLDS and int(seen["frozen"]) > 0  # type: ignore[call-overload]
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    # streaming goes back to Python's thresholds to count (its memory is what it bounds)
    monkeypatch.setattr(pipeline, "_streamed", lambda *args: (_ for _ in ()).throw(RuntimeError("stop")))
    with pytest.raises(RuntimeError, match="stop"):
        pipeline.run_analysis(pipeline.AnalysisSettings(), stream=True)
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    # a program that froze objects of its own keeps them frozen: the run freezes nothing more
    gc.freeze()
    try:
        mine = gc.get_freeze_count()
        with pytest.raises(RuntimeError, match="stop"):
            pipeline.run_analysis(pipeline.AnalysisSettings())
        assert int(seen["frozen"]) <= mine and 0 < gc.get_freeze_count() <= mine  # type: ignore[call-overload]
    finally:
        gc.unfreeze()


def test_overlapping_runs_restore_the_collector_when_the_last_ends() -> None:
    """Two runs in threads: the first to end leaves the second's settings; the last restores."""
    import gc

    from rsnet_analysis import pipeline

    before = gc.get_threshold()
    first, second = pipeline._few_collections(), pipeline._few_collections()
    first.__enter__()
    gc.set_threshold(*pipeline.GC_THRESHOLDS)
    second.__enter__()
    first.__exit__(None, None, None)
    assert gc.get_threshold() == pipeline.GC_THRESHOLDS
    second.__exit__(None, None, None)
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_free_memory_is_given_back_where_the_c_library_can(monkeypatch: pytest.MonkeyPatch) -> None:
    """malloc_trim is called once where it exists; elsewhere (no such symbol, no C library) nothing fails."""
    import ctypes

    from rsnet_analysis import pipeline

    calls: list[int] = []

    def malloc_trim(pad: int) -> int:
        calls.append(pad)
        return 1

    class Libc:
        pass

    libc = Libc()
    libc.malloc_trim = malloc_trim  # type: ignore[attr-defined]
    monkeypatch.setattr(ctypes, "CDLL", lambda name: libc)
    pipeline._release_free_memory()
    assert calls == [0] and malloc_trim.argtypes == [ctypes.c_size_t]  # type: ignore[attr-defined]
    monkeypatch.setattr(ctypes, "CDLL", lambda name: object())  # macOS, musl: no malloc_trim
    pipeline._release_free_memory()

    def missing(name: object) -> object:
        raise OSError("no C library")

    monkeypatch.setattr(ctypes, "CDLL", missing)
    pipeline._release_free_memory()
    assert calls == [0]
