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


#: The test modules that take longest (a sample analysis or more per test), run first: with the
#: tests spread over processes (``make test``: pytest-xdist, one process per module), a long
#: module collected last would keep one process busy after the others have finished.
SLOW_MODULES = (
    "tests/test_pipeline.py",
    "tests/test_cli.py",
    "tests/report/test_consistency.py",
    "tests/report/test_output_folder.py",
    "tests/challenges/test_discover.py",
    "tests/test_readme_commands.py",
    "tests/report/test_practices.py",
    "notebooks/04_newsletter_summary.ipynb",
    "tests/challenges/test_codebook.py",
    "tests/challenges/test_stream_discovery.py",
    "notebooks/01_explore_answers.ipynb",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put :data:`SLOW_MODULES` first, keeping the order of the tests within every module."""
    first = {name: i for i, name in enumerate(SLOW_MODULES)}
    items.sort(key=lambda item: first.get(item.nodeid.split("::")[0], len(first)))
