"""Each notebook and its jupytext ``py:percent`` twin must hold the same cells."""

from __future__ import annotations

from pathlib import Path

import pytest

jupytext = pytest.importorskip("jupytext")

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
PAIRS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def _cells(path: Path) -> list[tuple[str, str]]:
    nb = jupytext.read(path)
    return [(c.cell_type, c.source.strip()) for c in nb.cells if c.source.strip()]


def test_every_notebook_has_a_twin() -> None:
    for ipynb in PAIRS:
        assert ipynb.with_suffix(".py").exists(), f"{ipynb.name} に対応する .py がありません"
    for py in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py")):
        assert py.with_suffix(".ipynb").exists(), f"{py.name} に対応する .ipynb がありません"


@pytest.mark.parametrize("ipynb", PAIRS, ids=[p.stem for p in PAIRS])
def test_notebook_and_twin_agree(ipynb: Path) -> None:
    twin = ipynb.with_suffix(".py")
    assert _cells(ipynb) == _cells(twin), (
        f"{ipynb.name} と {twin.name} の内容が違います。"
        f"`jupytext --sync {ipynb}` で揃えてください。"
    )


@pytest.mark.parametrize("ipynb", PAIRS, ids=[p.stem for p in PAIRS])
def test_notebook_is_thin(ipynb: Path) -> None:
    for kind, source in _cells(ipynb):
        if kind != "code":
            continue
        for line in source.splitlines():
            stripped = line.lstrip()
            assert not stripped.startswith(("def ", "class ", "async def ")), (
                f"{ipynb.name}: ノートブックで関数やクラスを定義しないでください（rsnet_analysis に移す）: {line}"
            )
