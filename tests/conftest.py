"""Shared pytest fixtures (keep this small: each test module owns its own helpers).

The sample is read, masked and analysed once per session (``sample_kept``, ``sample_run``) and
shared by the modules that need it: a full analysis of the sample takes seconds, and repeating
it per module was most of the suite's time.
"""

from pathlib import Path

import pandas as pd
import pytest

DATA_DIR = Path(__file__).parent / "data"


@pytest.fixture
def data_dir() -> Path:
    """Folder of the small fixture files in tests/data."""
    return DATA_DIR


@pytest.fixture(scope="session")
def sample_kept() -> pd.DataFrame:
    """The kept rows of the bundled sample's record table (no per-row identity strings).

    Shared by every module of the session: do not modify it (copy first).
    """
    from rsnet_analysis.ingest import read_inputs, sample_inputs
    from rsnet_analysis.prepare import build_record_table

    records = build_record_table(read_inputs(sample_inputs()).table)
    return records[records["status"] == "kept"].reset_index(drop=True)


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Output folder of one ``rsnet analyze`` run on the bundled sample (shared by modules)."""
    from rsnet_analysis.cli import main

    out = tmp_path_factory.mktemp("sample_run")
    assert main(["analyze", "--out", str(out), "--no-progress"]) == 0
    return out
