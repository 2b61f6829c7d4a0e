"""The headless Chromium the browser tests drive (Debian's, through Playwright)."""

from __future__ import annotations

import os
import shutil

CHROMIUM = os.environ.get("ACTLOSS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
