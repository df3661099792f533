"""Progress bars for long steps that stay out of tests, CI logs and committed notebook outputs.

Bars are written to stderr with tqdm (the widget version in a notebook when ipywidgets is
installed, the text version otherwise). Whether they are shown is decided once per call by
:func:`progress_enabled`:

- an explicit ``True``/``False`` always wins;
- otherwise the environment variable ``RSNET_PROGRESS`` decides when set
  (``0``/``false``/``no``/``off`` switch bars off, ``1``/``true``/``yes``/``on`` switch them on);
- otherwise bars are off under CI (``CI=true``) and under pytest (``PYTEST_CURRENT_TEST``, which a
  notebook kernel started by nbval inherits), and on in an interactive terminal or notebook.

A run is a sequence of named **stages** (:data:`STAGES`: read, mask+tokenise, kinds, code, vectorise,
cluster, stability, describe, compare, write, report). Each stage runs inside :func:`stage`,
which times it (wall and CPU seconds, worker processes included) for :func:`record_stages`, and
every stage that can take more than a couple of seconds advances a bar labelled with the stage
name through :func:`track`.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib.util import find_spec
from typing import TypeVar

__all__ = [
    "ENV_VAR",
    "STAGES",
    "StageTime",
    "add_cpu",
    "in_notebook",
    "progress_bar",
    "progress_enabled",
    "record_stages",
    "stage",
    "stage_label",
    "track",
]

T = TypeVar("T")

#: Environment variable that forces progress bars off (``0``) or on (``1``).
ENV_VAR = "RSNET_PROGRESS"

# ``tqdm.auto`` warns (with the absolute path of tqdm) when it runs in a notebook without
# ipywidgets, and then falls back to the text bar, which is what we want anyway. The warning would
# end up in committed notebook outputs, so it is silenced here, narrowly (that message only).
warnings.filterwarnings("ignore", message="IProgress not found")

_FALSE = frozenset({"0", "false", "no", "off"})
_TRUE = frozenset({"1", "true", "yes", "on"})


def in_notebook() -> bool:
    """Return True when running inside a Jupyter kernel.

    Returns
    -------
    bool
        True in a Jupyter (IPython kernel) session, False in a plain Python process or terminal
        IPython.
    """
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:  # pragma: no cover - defensive: a broken IPython must not stop a run
        return False
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def _stderr_is_terminal() -> bool:
    stream = sys.stderr
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError):
        return False


def progress_enabled(progress: bool | None = None) -> bool:
    """Decide whether to show progress bars.

    Parameters
    ----------
    progress : bool or None, default None
        ``True`` or ``False`` to decide explicitly; ``None`` decides automatically (see the
        module docstring): the ``RSNET_PROGRESS`` variable first, then off under CI and pytest,
        then on in an interactive terminal or a notebook.

    Returns
    -------
    bool
        Whether bars should be shown.

    Examples
    --------
    >>> progress_enabled(False)
    False
    """
    if progress is not None:
        return bool(progress)
    forced = os.environ.get(ENV_VAR, "").strip().lower()
    if forced in _FALSE:
        return False
    if forced in _TRUE:
        return True
    if os.environ.get("CI", "").strip().lower() in {"true", "1"}:
        return False
    if os.environ.get("PYTEST_CURRENT_TEST"):
        return False
    return in_notebook() or _stderr_is_terminal()


def track(
    iterable: Iterable[T],
    *,
    total: int | None = None,
    desc: str = "",
    enabled: bool | None = None,
) -> Iterable[T]:
    """Wrap an iterable in a progress bar on stderr, or return it unchanged.

    Parameters
    ----------
    iterable : iterable
        The items to loop over.
    total : int or None
        Number of items, when ``len(iterable)`` is not available or not the right count.
    desc : str
        Label shown before the bar (for example ``"トークン化"``).
    enabled : bool or None, default None
        Passed to :func:`progress_enabled`; ``None`` decides automatically.

    Returns
    -------
    iterable
        ``iterable`` itself when bars are off (a true no-op: nothing is written), otherwise a
        tqdm iterator yielding the same items.

    Examples
    --------
    >>> list(track([1, 2, 3], enabled=False))
    [1, 2, 3]
    """
    if not progress_enabled(enabled):
        return iterable
    bar_class = _bar_class()
    return bar_class(iterable, total=total, desc=desc, file=sys.stderr, leave=False)


def _bar_class() -> type:
    """Choose tqdm's widget bar in a notebook with ipywidgets, the text bar otherwise.

    ``tqdm.auto`` warns when ipywidgets is missing; choosing here avoids that warning.
    """
    if in_notebook() and find_spec("ipywidgets") is not None:
        from tqdm.notebook import tqdm as notebook_tqdm

        return notebook_tqdm
    from tqdm import tqdm as text_tqdm

    return text_tqdm



#: The stages of a run, in order, with the label their progress bar shows.
STAGES: dict[str, str] = {
    "read": "read / 読み込み",
    "mask+tokenise": "mask+tokenise / マスキング・形態素解析",
    "kinds": "kinds / 発言の種類",
    "code": "code / コードブック",
    "vectorise": "vectorise / ベクトル化",
    "cluster": "cluster / クラスタリング",
    "stability": "stability / 安定性",
    "describe": "describe / ラベル・代表回答",
    "compare": "compare / 波・区分の比較",
    "write": "write / 表の書き出し",
    "report": "report / 報告書",
}


@dataclass(frozen=True)
class StageTime:
    """How long one stage took.

    Attributes
    ----------
    name : str
        The stage (a key of :data:`STAGES`, or another name).
    start : float
        ``time.perf_counter()`` when it began.
    wall : float
        Wall-clock seconds.
    cpu : float
        CPU seconds of this process and of the worker processes that reported theirs
        (:func:`add_cpu`) during the stage.
    depth : int
        0 for a stage of the run, 1 for a stage inside another one, and so on.
    peak_mb : float
        The process's peak resident memory so far, at the end of the stage, in MiB (NaN where
        the platform does not tell).
    """

    name: str
    start: float
    wall: float
    cpu: float
    depth: int
    peak_mb: float = float("nan")


def _peak_mb() -> float:
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return float("nan")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB on Linux


_RECORDS: list[StageTime] | None = None
_ACTIVE: list[list[float]] = []  # worker CPU seconds reported to each running stage


def add_cpu(seconds: float) -> None:
    """Count CPU seconds spent by a worker process in the stages now running."""
    for cell in _ACTIVE:
        cell[0] += seconds


@contextlib.contextmanager
def stage(name: str) -> Iterator[None]:
    """Run one named stage: timed for :func:`record_stages` (nothing is shown by this alone).

    Parameters
    ----------
    name : str
        The stage, one of :data:`STAGES` for the stages of a run.

    Examples
    --------
    >>> with record_stages() as times, stage("read"):
    ...     pass
    >>> [t.name for t in times]
    ['read']
    """
    records = _RECORDS
    start, cpu = time.perf_counter(), time.process_time()
    workers = [0.0]
    depth = len(_ACTIVE)
    _ACTIVE.append(workers)
    try:
        yield
    finally:
        _ACTIVE.remove(workers)
        if records is not None:
            used = time.process_time() - cpu + workers[0]
            records.append(StageTime(name, start, time.perf_counter() - start, used, depth, _peak_mb()))


@contextlib.contextmanager
def progress_bar(total: int, *, desc: str = "", enabled: bool | None = None) -> Iterator[Callable[[int], None]]:
    """A bar advanced by hand: yields ``update(n)`` (a no-op when bars are off).

    Parameters
    ----------
    total : int
        Number of steps.
    desc : str
        Label shown before the bar.
    enabled : bool or None, default None
        Passed to :func:`progress_enabled`.

    Yields
    ------
    callable
        ``update(n)`` advances the bar by ``n`` steps.
    """
    if not progress_enabled(enabled):
        yield lambda n: None
        return
    bar = _bar_class()(total=total, desc=desc, file=sys.stderr, leave=False)
    try:
        yield bar.update
    finally:
        bar.close()


@contextlib.contextmanager
def record_stages() -> Iterator[list[StageTime]]:
    """Collect the :class:`StageTime` of every stage that runs inside, in the order they start.

    Yields
    ------
    list of StageTime
        Filled as stages end; sorted by start time when the block ends.
    """
    global _RECORDS
    records: list[StageTime] = []
    previous = _RECORDS
    _RECORDS = records
    try:
        yield records
    finally:
        _RECORDS = previous
        records.sort(key=lambda t: t.start)


def stage_label(name: str) -> str:
    """The label of a stage's progress bar (the name itself for a stage not in :data:`STAGES`)."""
    return STAGES.get(name, name)
