"""Shared pytest fixtures (keep this small: each test module owns its own helpers)."""

from pathlib import Path

import pytest

DATA_DIR = Path(__file__).parent / "data"


@pytest.fixture
def data_dir() -> Path:
    """Folder of the small fixture files in tests/data."""
    return DATA_DIR
