"""Progress bars: on when someone watches, off in CI, pytest and nbval runs."""

from __future__ import annotations

import io

import pytest

from rsnet_analysis import progress


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("RSNET_PROGRESS", "CI", "PYTEST_CURRENT_TEST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(progress, "in_notebook", lambda: False)
    return monkeypatch


@pytest.mark.parametrize(
    ("env", "tty", "notebook", "explicit", "expected"),
    [
        ({}, True, False, None, True),  # interactive terminal
        ({}, False, False, None, False),  # piped / redirected
        ({}, False, True, None, True),  # notebook
        ({"RSNET_PROGRESS": "0"}, True, True, None, False),
        ({"RSNET_PROGRESS": "off"}, True, False, None, False),
        ({"RSNET_PROGRESS": "1"}, False, False, None, True),
        ({"RSNET_PROGRESS": "1", "CI": "true"}, False, False, None, True),  # explicit env wins over CI
        ({"CI": "true"}, True, True, None, False),
        ({"CI": "1"}, True, False, None, False),
        ({"CI": "false"}, True, False, None, True),
        ({"PYTEST_CURRENT_TEST": "x.py::t (call)"}, True, True, None, False),  # nbval kernels inherit it
        ({"RSNET_PROGRESS": "0"}, True, True, True, True),  # an explicit argument always wins
        ({}, True, True, False, False),
    ],
)
def test_progress_enabled(
    clean_env: pytest.MonkeyPatch,
    env: dict[str, str],
    tty: bool,
    notebook: bool,
    explicit: bool | None,
    expected: bool,
) -> None:
    clean_env.delenv("PYTEST_CURRENT_TEST", raising=False)  # pytest sets it again for each phase
    for name, value in env.items():
        clean_env.setenv(name, value)
    clean_env.setattr(progress.sys, "stderr", _Stream(tty))
    clean_env.setattr(progress, "in_notebook", lambda: notebook)
    assert progress.progress_enabled(explicit) is expected


def test_track_disabled_is_a_no_op(clean_env: pytest.MonkeyPatch) -> None:
    stream = _Stream(True)
    clean_env.setattr(progress.sys, "stderr", stream)
    items = [1, 2, 3]
    assert progress.track(items, desc="x", enabled=False) is items
    clean_env.setenv("RSNET_PROGRESS", "0")
    assert progress.track(items, desc="x") is items
    assert stream.getvalue() == ""


def test_track_enabled_writes_to_stderr_only(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stream = _Stream(False)
    clean_env.setattr(progress.sys, "stderr", stream)
    got = list(progress.track(iter(["a", "b"]), total=2, desc="トークン化", enabled=True))
    assert got == ["a", "b"]
    assert "トークン化" in stream.getvalue()
    assert capsys.readouterr().out == ""


def test_in_notebook_is_false_in_plain_python() -> None:
    assert progress.in_notebook() is False


def test_stages_are_timed_in_the_order_they_start() -> None:
    with progress.record_stages() as times:
        with progress.stage("read"):
            with progress.stage("inner"):
                progress.add_cpu(1.5)  # a worker process reports its CPU seconds
        with progress.stage("write"):
            pass
    assert [(t.name, t.depth) for t in times] == [("read", 0), ("inner", 1), ("write", 0)]
    assert times[0].cpu >= 1.5 and times[1].cpu >= 1.5 and times[2].cpu < 1.5
    assert all(t.wall >= 0 for t in times)
    with progress.stage("not recorded"):
        pass
    assert len(times) == 3


def test_progress_bar_advanced_by_hand(clean_env: pytest.MonkeyPatch) -> None:
    stream = _Stream(False)
    clean_env.setattr(progress.sys, "stderr", stream)
    with progress.progress_bar(3, desc=progress.stage_label("vectorise"), enabled=True) as update:
        update(3)
    assert "vectorise" in stream.getvalue()
    with progress.progress_bar(3, desc="x", enabled=False) as update:
        update(1)
    assert progress.stage_label("unknown stage") == "unknown stage"
