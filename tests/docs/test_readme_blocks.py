"""Every ```python block of README.md and docs/**/*.md runs (issue 13, item 21: the README's
fast-path block raised NameError).

The blocks of one file run in order in one namespace (a later block may use an earlier one's
names), in a fresh interpreter per file (a block may set KERAS_BACKEND before importing keras)
with warnings as errors, as in the test suite. Output is not compared: the comments that show
values are checked where they are pinned, in the tests of each function. ``text``, ``sh`` and
other blocks are not Python and are not run.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.M | re.S)

RUNNER = r"""
import json, sys, traceback
blocks = json.loads(sys.stdin.read())
scope = {"__name__": "__readme__"}
for line, code in blocks:
    try:
        exec(compile(code, f"{sys.argv[1]}:{line}", "exec"), scope)
    except BaseException:
        print(f"block at line {line} failed:", file=sys.stderr)
        traceback.print_exc()
        sys.exit(1)
print(f"blocks run: {len(blocks)}")
"""


def python_blocks(page: Path) -> list[tuple[int, str]]:
    """(first line of the code, code) of each ```python block, in order."""
    text = page.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start(1)) + 1, m.group(1)) for m in FENCE.finditer(text)]


def test_pages_are_found() -> None:
    assert ROOT / "README.md" in PAGES
    assert len(python_blocks(ROOT / "README.md")) >= 1  # the front page's taste
    assert len(python_blocks(ROOT / "docs" / "tour.md")) >= 2  # the guides moved to docs/


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_every_python_block_runs(page: Path) -> None:
    blocks = python_blocks(page)
    if not blocks:
        return  # a page without Python
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", RUNNER, str(page.relative_to(ROOT))],
        input=json.dumps(blocks),
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert done.stdout.splitlines()[-1] == f"blocks run: {len(blocks)}"
