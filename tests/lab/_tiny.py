"""Tiny configurations: the lab's tests train small networks for a few epochs."""

from __future__ import annotations

from actloss.lab import Config


def tiny(**kw: object) -> Config:
    """200 samples, one hidden layer of 8 units, 3 epochs, 2 seeds, one split (overridable)."""
    base: dict[str, object] = {
        "splits": 1,
        "n_samples": 200,
        "widths": (8,),
        "epochs": 3,
        "seeds": (0, 1),
        "batch_size": 32,
    }
    base.update(kw)
    return Config(**base)  # type: ignore[arg-type]
