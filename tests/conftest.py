"""Shared pytest fixtures (keep this small: each test module owns its own helpers)."""

from pathlib import Path

import pytest

DATA_DIR = Path(__file__).parent / "data"


@pytest.fixture
def data_dir() -> Path:
    """Folder of the small fixture files in tests/data."""
    return DATA_DIR


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Output folder of one ``rsnet analyze`` run on the bundled sample (shared by modules)."""
    from rsnet_analysis.cli import main

    out = tmp_path_factory.mktemp("sample_run")
    assert main(["analyze", "--out", str(out), "--no-progress"]) == 0
    return out
