"""The output folder: checked before the run, locked, replaced as a set, and safe to kill.

The kill tests fork a child that writes a run into a folder holding the previous run's output
and the user's own files, and that kills itself (SIGKILL, or SIGTERM without a handler) at the
n-th change it makes to the file system (counted with an audit hook, so every moment is hit
exactly, without timing). After each kill the folder must hold the complete previous output or,
once the swap was committed, the next run must complete the new one; the user's files are never
touched, and the dead run's lock does not block the next run.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from test_report import make_result

from rsnet_analysis.contract import AnalysisResult
from rsnet_analysis.pipeline import write_outputs
from rsnet_analysis.report import OutputFolder, OutputFolderError, check_output_folder
from rsnet_analysis.report.folder import JOURNAL_NAME, MANIFEST_NAME

USER_FILES = {"メモ.txt": b"my own notes\n", "figures/mine.png": b"not ours", "records.bak": b"x"}
MUTATING = {"open", "os.rename", "os.remove", "os.rmdir", "shutil.rmtree", "os.mkdir"}


def _snapshot(out: Path, *, skip: set[str] = set(USER_FILES)) -> dict[str, bytes]:  # noqa: B006
    files = {p.relative_to(out).as_posix(): p for p in out.rglob("*") if p.is_file()}
    return {rel: path.read_bytes() for rel, path in sorted(files.items()) if rel not in skip}


def _add_user_files(out: Path) -> None:
    for rel, data in USER_FILES.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)


def _user_files_intact(out: Path) -> bool:
    return all((out / rel).read_bytes() == data for rel, data in USER_FILES.items())


def _small_result() -> AnalysisResult:
    """A second run with other answers and fewer tables: fewer figures than the first one."""
    full = make_result()
    records = full.records.copy()
    records.loc[records["status"] == "kept", "text_masked"] += " 次の調査でも同じ。"
    return AnalysisResult(records=records, clusters=full.clusters, summary=full.summary)


@pytest.fixture(scope="module")
def references(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict]:
    root = tmp_path_factory.mktemp("refs")
    write_outputs(make_result(), root / "a" / "out", reports=True)
    write_outputs(_small_result(), root / "b" / "out", reports=True)
    return _snapshot(root / "a" / "out"), _snapshot(root / "b" / "out")


# --------------------------------------------------------------------------------------------
# checked before the analysis


def test_out_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(OutputFolderError, match="ファイルです"):
        check_output_folder(target)


def test_out_below_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("x", encoding="utf-8")
    with pytest.raises(OutputFolderError, match="作れません"):
        check_output_folder(tmp_path / "plain" / "out")


def test_invalid_out_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputFolderError, match="使えません"):
        check_output_folder(str(tmp_path / "a\0b"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into a read-only folder")
def test_read_only_out_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(OutputFolderError, match="書き込めません"):
            check_output_folder(folder / "out")
    finally:
        folder.chmod(0o755)


def test_unwritable_out_is_refused_with_a_message(tmp_path: Path, monkeypatch) -> None:
    from rsnet_analysis.report import folder as folder_module

    monkeypatch.setattr(folder_module.os, "access", lambda path, mode: False)
    with pytest.raises(OutputFolderError, match="書き込めません.*書き込めるフォルダを --out"):
        check_output_folder(tmp_path / "out")


def test_user_file_with_one_of_our_names_is_never_overwritten(tmp_path: Path) -> None:
    out = tmp_path / "docs"
    out.mkdir()
    (out / "report.md").write_text("私の報告書", encoding="utf-8")
    with pytest.raises(OutputFolderError, match="report.md"):
        check_output_folder(out)
    with pytest.raises(OutputFolderError):
        write_outputs(make_result(), out, reports=True)
    assert sorted(p.name for p in out.iterdir()) == ["report.md"]
    assert (out / "report.md").read_text(encoding="utf-8") == "私の報告書"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["docs"], "nothing left beside it"


# --------------------------------------------------------------------------------------------
# replaced as a set, the user's files untouched


def test_a_run_replaces_the_previous_set_and_keeps_the_users_files(
    tmp_path: Path, references: tuple[dict, dict]
) -> None:
    ref_a, ref_b = references
    out = tmp_path / "out"
    write_outputs(make_result(), out, reports=True)
    _add_user_files(out)
    assert _snapshot(out) == ref_a
    written = write_outputs(_small_result(), out, reports=True)
    assert _snapshot(out) == ref_b, "no file of the previous run is left among the new ones"
    assert "figures/trends.png" in ref_a and "figures/trends.png" not in ref_b
    assert _user_files_intact(out)
    assert [p.relative_to(out).as_posix() for p in written][:3] == ["records.csv", "counts.csv", "clusters.csv"]
    manifest = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert [f["path"] for f in manifest["files"]] == sorted(set(ref_b) - {MANIFEST_NAME})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_run_without_reports_removes_the_old_reports(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_outputs(make_result(), out, reports=True)
    write_outputs(make_result(), out)
    assert not (out / "report.html").exists() and not (out / "figures").exists()
    assert (out / "records.csv").exists()


def test_an_obsolete_file_the_user_edited_is_kept(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_outputs(make_result(), out, reports=True)
    (out / "report.md").write_text("編集した報告書", encoding="utf-8")
    write_outputs(make_result(), out)
    assert (out / "report.md").read_text(encoding="utf-8") == "編集した報告書"
    assert not (out / "report.html").exists()


def test_output_of_an_older_version_without_manifest_is_replaced(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text('{"tool": "rsnet-analysis"}', encoding="utf-8")
    (out / "report.md").write_text("old", encoding="utf-8")
    (out / "figures").mkdir()
    (out / "figures" / "segments_region.png").write_bytes(b"old")
    (out / "figures" / "mine.png").write_bytes(b"mine")
    write_outputs(make_result(), out)
    assert not (out / "report.md").exists() and not (out / "figures" / "segments_region.png").exists()
    assert (out / "figures" / "mine.png").read_bytes() == b"mine"


def test_a_failed_write_leaves_the_previous_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_outputs(make_result(), out)
    before = _snapshot(out)

    def fail(stage: Path) -> list[Path]:
        (stage / "records.csv").write_text("half", encoding="utf-8")
        raise OSError(28, "No space left on device")

    with OutputFolder(out) as folder, pytest.raises(OutputFolderError, match="前回の結果のまま"):
        folder.publish(fail)
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_folder_in_use_is_refused_and_freed_afterwards(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with OutputFolder(out):
        with pytest.raises(OutputFolderError, match="使用中") as err:
            OutputFolder(out).open()
        assert f"pid {os.getpid()}" in str(err.value)
    with OutputFolder(out) as again:
        assert again.notices == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [], "the lock file is removed"


def test_a_folder_that_cannot_be_written_beside_uses_itself(tmp_path: Path, monkeypatch) -> None:
    from rsnet_analysis.report import folder as folder_module

    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(folder_module, "_staging_base", lambda o: o)
    write_outputs(make_result(), out)
    assert (out / "records.csv").exists()
    assert not any(p.name.startswith(".rsnet-new") or p.name == ".rsnet-lock" for p in out.iterdir())


# --------------------------------------------------------------------------------------------
# killed at every moment of the write


def _mutates(event: str, args: tuple, root: str) -> bool:
    if event not in MUTATING or not args or not isinstance(args[0], str | bytes | os.PathLike):
        return False
    if not os.fsdecode(args[0]).startswith(root):
        return False
    if event == "open":
        mode, flags = args[1], args[2]
        if mode is not None:
            return any(c in mode for c in "wax+")
        return bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
    return True


def _child(result: AnalysisResult, out: Path, root: Path, point: int, sig: int, pipe: int) -> None:
    """In the forked child: write ``result``; at the ``point``-th change send ``sig`` to itself."""
    events: list[str] = []

    def hook(event: str, args: tuple) -> None:
        if _mutates(event, args, str(root)):
            events.append(f"{event} {os.fsdecode(args[0])[len(str(root)):]}")
            if len(events) == point:
                os.kill(os.getpid(), sig)

    sys.addaudithook(hook)
    try:
        write_outputs(result, out, reports=True)
    except BaseException:  # noqa: BLE001 - the parent sees the exit status
        os._exit(1)
    os.write(pipe, json.dumps(events).encode("utf-8"))
    os._exit(0)


def _run_child(result: AnalysisResult, out: Path, point: int, sig: int) -> tuple[int | None, list]:
    """Fork, write, and return (the signal that ended the child or None, the changes it made)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        os.close(read)
        _child(result, out, out.parent, point, sig, write)
    os.close(write)
    with os.fdopen(read, "rb") as handle:
        data = handle.read()
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return os.WTERMSIG(status), []
    assert os.WEXITSTATUS(status) == 0, "the write failed in the child"
    return None, json.loads(data)


def _kill_points(events: list[str]) -> list[int]:
    """Every change from the commit on, and a sample of the staging steps (1-based)."""
    commit = next(i for i, e in enumerate(events) if e.endswith(JOURNAL_NAME + ".tmp"))
    staging = [i for i, e in enumerate(events[:commit]) if not e.startswith("os.mkdir")]
    sample = sorted({staging[0], staging[1], staging[len(staging) // 2], *staging[-3:]})
    swap = [i for i in range(commit, len(events)) if not events[i].startswith("os.mkdir ")]
    return [i + 1 for i in sorted(set(sample) | set(swap))]


def _prepare(case: Path, ref_a: dict[str, bytes]) -> Path:
    out = case / "out"
    for rel, data in ref_a.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)
    _add_user_files(out)
    return out


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the kill test forks")
def test_killed_at_any_moment_the_folder_holds_one_complete_set(
    tmp_path: Path, references: tuple[dict, dict]
) -> None:
    ref_a, ref_b = references
    new = _small_result()
    dry = _prepare(tmp_path / "dry", ref_a)
    ended, events = _run_child(new, dry, point=0, sig=signal.SIGKILL)
    assert ended is None and _snapshot(dry) == ref_b
    points = _kill_points(events)
    assert len(points) >= 20, events
    cases = [(p, signal.SIGKILL) for p in points]
    cases += [(p, signal.SIGTERM) for p in points[:: max(1, len(points) // 4)]]
    outcomes = []
    for point, sig in cases:
        case = tmp_path / f"kill-{sig}-{point}"
        out = _prepare(case, ref_a)
        ended, _ = _run_child(new, out, point, sig)
        assert ended == sig, (point, events[point - 1])
        stage = case / ".out.rsnet-new"
        committed = (stage / JOURNAL_NAME).exists()
        before = _snapshot(out)
        if not committed:  # as it was, or already complete: never a mix
            assert before in (ref_a, ref_b), (point, events[point - 1])
        lock_left = (case / ".out.rsnet-lock").exists()
        with OutputFolder(out) as next_run:  # the next run: takes the stale lock and recovers
            notices = " ".join(next_run.notices)
        after = _snapshot(out)
        assert after == (ref_b if committed else before), (point, events[point - 1])
        assert _user_files_intact(out), (point, events[point - 1])
        assert sorted(p.name for p in case.iterdir()) == ["out"], (point, events[point - 1])
        assert not lock_left or "途中で終わっていました" in notices, (point, notices)
        outcomes.append("new" if after == ref_b else "old")
    assert {"old", "new"} <= set(outcomes)


def test_a_lock_held_by_another_process_blocks_until_it_ends(tmp_path: Path) -> None:
    out = tmp_path / "out"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from rsnet_analysis.report import OutputFolder\n"
            "f = OutputFolder(sys.argv[1]).open(); print('locked', flush=True)\n"
            "sys.stdin.readline(); f.close()",
            str(out),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(OutputFolderError, match=f"使用中.*pid {holder.pid}"):
            write_outputs(make_result(), out)
    finally:
        holder.communicate("\n")
    write_outputs(make_result(), out)
    assert (out / "records.csv").exists()


def test_a_lock_left_by_a_killed_process_is_taken_over(tmp_path: Path) -> None:
    out = tmp_path / "out"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from rsnet_analysis.report import OutputFolder\n"
            "f = OutputFolder(sys.argv[1]).open(); print('locked', flush=True); sys.stdin.readline()",
            str(out),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    holder.kill()
    holder.wait()
    assert (tmp_path / ".out.rsnet-lock").exists(), "SIGKILL leaves the lock file behind"
    with OutputFolder(out) as folder:
        assert any(f"pid {holder.pid}" in n and "途中で終わっていました" in n for n in folder.notices)
        folder.publish(lambda stage: [_write(stage / "records.csv")])
    assert pd.read_csv(out / "records.csv").empty
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def _write(path: Path) -> Path:
    path.write_text("a\n", encoding="utf-8")
    return path


def test_publish_needs_an_open_folder(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError):
        OutputFolder(tmp_path / "out").publish(lambda stage: [])
