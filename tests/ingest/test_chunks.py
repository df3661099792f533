"""Reading large inputs in chunks gives the raw table the whole-file reader gives."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from rsnet_analysis.errors import InputError
from rsnet_analysis.ingest import chunks, iter_inputs, read_inputs, sample_inputs, stream_bytes


@pytest.fixture
def stream_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every CSV/TSV/JSON Lines file is read in chunks, however small."""
    monkeypatch.setattr(chunks, "STREAM_FILE_BYTES", 1)


def _same(paths: list[Path], chunk_rows: int) -> None:
    whole = read_inputs(paths)
    streamed = iter_inputs(paths, chunk_rows=chunk_rows)
    parts = list(streamed.chunks)
    assert all(len(p) <= chunk_rows * max(1, len(whole.columns.questions)) for p in parts)
    pd.testing.assert_frame_equal(whole.table, pd.concat(parts, ignore_index=True))
    assert streamed.columns == whole.columns
    assert streamed.notices == whole.notices
    assert streamed.files == whole.files


@pytest.mark.usefixtures("stream_everything")
def test_the_sample_in_chunks_equals_the_whole_file_reader() -> None:
    _same(sample_inputs(), chunk_rows=37)  # a cp932 CSV streamed, the workbook read whole


@pytest.mark.usefixtures("stream_everything")
def test_two_questions_and_jsonl_in_chunks(data_dir: Path, tmp_path: Path) -> None:
    rows = [{"回答日": f"2024-0{i % 9 + 1}-01", "自治体名": f"市{i % 7}", "課題": f"研修の時間が足りない {i}",
             "要望": "事例を知りたい" if i % 3 else ""} for i in range(120)]
    path = tmp_path / "answers.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    _same([path], chunk_rows=50)
    _same(sorted((data_dir / "two_questions").iterdir()), chunk_rows=3)


def test_stream_bytes_counts_text_tables_only(data_dir: Path) -> None:
    sizes = [p.stat().st_size for p in sample_inputs() if p.suffix == ".csv"]
    assert stream_bytes(sample_inputs()) == sum(sizes)


@pytest.mark.usefixtures("stream_everything")
def test_a_byte_that_does_not_decode_further_down_stops_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chunks, "HEAD_BYTES", 400)
    lines = ["回答日,課題"] + [f"2024-04-01,研修の時間が足りない{i}" for i in range(60)]
    data = ("\n".join(lines) + "\n").encode("utf-8") + "2024-04-02,予算が足りない\n".encode("cp932")
    path = tmp_path / "mixed.csv"
    path.write_bytes(data)
    streamed = iter_inputs([path], text_cols="課題")
    with pytest.raises(InputError, match="mixed.csv"):
        list(streamed.chunks)
