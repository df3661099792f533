"""The commands the README and the Makefile give an analyst work as written."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def test_the_readme_papermill_command_runs_a_notebook_on_the_files_given(tmp_path: Path) -> None:
    line = next(line for line in README.splitlines() if "papermill" in line and line.strip().startswith(".venv"))
    args = shlex.split(line)
    assert args[0] == ".venv/bin/papermill"
    args[0] = str(Path(sys.executable).with_name("papermill"))
    out = tmp_path / "結果.ipynb"
    args = [str(out) if a == "結果.ipynb" else a for a in args]
    # the README's example file, replaced by a file that exists (relative to notebooks/ as there)
    args = [a.replace("../回答_2025.xlsx", "../data/sample/survey_2023.csv") for a in args]
    env = {**os.environ, "MPLBACKEND": "Agg", "RSNET_PROGRESS": "0"}
    done = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    cells = json.loads(out.read_text(encoding="utf-8"))["cells"]
    text = "\n".join("".join(o.get("text", "")) for c in cells for o in c.get("outputs", []))
    assert "survey_2023.csv" in text and "survey_2024" not in text  # the list arrived as a list


@pytest.mark.skipif(sys.platform == "win32", reason="make and id are POSIX tools")
def test_make_lab_starts_jupyterlab_as_root_too() -> None:
    done = subprocess.run(
        ["make", "-n", "-W", ".venv/.dev-installed", "lab"], cwd=REPO, capture_output=True, text=True, check=False
    )
    command = next(line for line in done.stdout.splitlines() if "jupyter lab" in line)
    assert re.search(r'\[ "\$\(id -u\)" = 0 \] && echo --allow-root', command), command
    for uid, expected in (("0", True), ("1000", False)):
        shown = re.sub(r"\S*jupyter lab", "echo jupyter lab", command).replace("$(id -u)", uid)
        done = subprocess.run(["sh", "-c", shown], capture_output=True, text=True, check=False)
        assert ("--allow-root" in done.stdout) is expected, (uid, done.stdout)
