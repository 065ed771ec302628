"""The course content for the web layer: loaded once, reloaded when a file changes."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from flask import current_app

from course.loader import Course, LoadResult, load_course

_lock = threading.Lock()
_cache: dict[str, tuple[tuple[tuple[str, int], ...], LoadResult]] = {}


def _signature(root: Path) -> tuple[tuple[str, int], ...]:
    entries = []
    for folder, _dirs, files in os.walk(root):
        for name in files:
            if name.endswith((".md", ".yaml", ".png", ".jpg", ".svg")):
                path = os.path.join(folder, name)
                entries.append((path, os.stat(path).st_mtime_ns))
    return tuple(sorted(entries))


def load() -> LoadResult:
    """The course and its errors; re-read only when a content file changed (edits show on reload)."""
    root = Path(current_app.config["COURSE_ROOT"])
    signature = _signature(root)
    with _lock:
        cached = _cache.get(str(root))
        if cached is None or cached[0] != signature:
            cached = (signature, load_course(root))
            _cache[str(root)] = cached
        return cached[1]


def course() -> Course:
    """The loaded course (files with errors are left out; the check command lists them)."""
    return load().course
