"""`bench_speed.py --profile DIR`: each chosen row's requests profiled in-process with
pyinstrument (not a dependency: `.venv/bin/pip install pyinstrument`), on the same
data and settings as the timed run, written to DIR/<row>.txt and DIR/<row>.html.
Not a benchmark itself (make bench runs bench/bench_*.py)."""

from __future__ import annotations

from pathlib import Path


def profile(directory: Path, label: str, request, times: int = 30) -> None:
    """Calls `request()` `times` times under pyinstrument (after two warm calls)."""
    from pyinstrument import Profiler

    for _ in range(2):
        request()
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(times):
        request()
    profiler.stop()
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{label}.txt").write_text(
        profiler.output_text(unicode=True, show_all=False)
    )
    (directory / f"{label}.html").write_text(profiler.output_html())
    print(f"  profile of {times} × {label}: {directory / label}.txt (.html)")
