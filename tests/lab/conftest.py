"""The lab's tests need its extra: torch, scikit-learn, scipy."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")
pytest.importorskip("sklearn")
pytest.importorskip("scipy")
