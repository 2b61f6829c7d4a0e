"""The catalog is the only registry: what a new entry needs is its definition and its
reference row; every listing is derived from the catalog."""

from __future__ import annotations

from pathlib import Path

import actloss as al
import actloss.activations
import actloss.losses
from actloss._classnames import class_name


def test_package_attributes_and_all_are_the_catalog() -> None:
    for package, kind in ((actloss.activations, "activation"), (actloss.losses, "loss")):
        names = {fn.info.name for fn in al.catalog(kind=kind)}
        assert names <= set(package.__all__)
        for name in names:
            assert getattr(package, name) is al.get(name), name
    extra = set(actloss.losses.__all__) - {fn.info.name for fn in al.catalog(kind="loss")}
    api = {"CombinedLoss", "Term", "combine", "register_loss", "serial", "term", "weight_at"}
    assert extra == api
    assert set(actloss.activations.__all__) == {f.info.name for f in al.catalog("activation")}


def test_class_names_are_derived_without_collisions() -> None:
    names = {class_name(fn) for fn in al.catalog()}
    assert len(names) == len(al.catalog())


def _scaled_tanh_spec() -> dict[str, object]:
    from actloss._spec import Interval, Param, positive

    return dict(
        family="sigmoidal",
        summary="A test entry: tanh(a x) / a.",
        formula=r"f(x) = \frac{\tanh(a x)}{a}",
        derivative=r"f'(x) = 1 - \tanh^2(a x)",
        second_derivative=r"f''(x) = -2 a \tanh(a x)(1 - \tanh^2(a x))",
        params=(Param("a", 1.0, "The slope at 0.", constraint=positive()),),
        value=lambda xp, x, a: xp.tanh(a * x) / a,
        grad=lambda xp, x, a: 1.0 - xp.tanh(a * x) ** 2,
        grad2=lambda xp, x, a: -2.0 * a * xp.tanh(a * x) * (1.0 - xp.tanh(a * x) ** 2),
        output_range=Interval(float("-inf"), float("inf")),
        references=("This test.",),
    )


def test_an_entry_defined_at_run_time_reaches_every_derived_place() -> None:
    """Adding a function is one define(...) (and one reference row, which the harnesses ask
    for): no class-name table, adapter list, fast-path table or docstring is edited by hand.
    This defines an activation and a loss at run time and follows them to each place."""
    import numpy as np
    import torch

    import actloss.torch as alt
    from actloss._docstring import run_example
    from actloss.activations._define import define as define_activation
    from actloss.losses._common import elementwise
    from actloss.losses._define import define as define_loss

    act = define_activation("scaled_tanh_test", **_scaled_tanh_spec())  # type: ignore[arg-type]
    loss = define_loss(
        "cubic_error_test",
        kernel=elementwise("cubic_error_test", lambda xp, t, p: (xp.abs(p - t) ** 3, 0 * p)),
        family="regression",
        summary="A test entry: |y_pred - y_true|^3.",
        formula=r"\ell = |\hat y - y|^3",
        derivative="",
        task=("regression",),
        y_pred_kind="values",
        references=("This test.",),
    )
    try:
        assert al.get("scaled_tanh_test") is act and act in al.catalog("activation")
        assert class_name(act) == "ScaledTanhTest" and class_name(loss) == "CubicErrorTestLoss"
        module = alt.module("scaled_tanh_test", a=2.0)
        assert type(module).__name__ == "ScaledTanhTest"
        x = torch.linspace(-2, 2, 5, dtype=torch.float64)
        assert torch.allclose(module(x), torch.tanh(2 * x) / 2)
        assert type(alt.module("cubic_error_test")).__name__ == "CubicErrorTestLoss"
        for fn in (act, loss):
            doc = fn.__doc__
            assert doc and doc.startswith(f"{fn.name}(") and "Example:" in doc
            assert "the example failed" not in doc, doc
            source = [ln.strip()[4:] for ln in doc.splitlines() if ln.strip().startswith(">>> ")]
            assert run_example(source) == [
                ln.strip() for ln in doc.split("Example:\n")[1].split("\n\n")[0].splitlines()
            ]
        np.testing.assert_allclose(act(np.array([0.5]), a=2.0), np.tanh(1.0) / 2)
    finally:
        al.unregister("scaled_tanh_test")
        al.unregister("cubic_error_test")


# Layers whose modules may name catalog entries: the definitions themselves, and the
# applications, which choose entries as content (the atlas's lead entries, a claim's
# experiment, a recommendation), not as special cases of a function.
_MAY_NAME_ENTRIES = ("activations/", "losses/", "cli/", "claims/", "lab/", "atlas/")
_APPLICATION_MODULES = ("recommend.py", "demo.py", "curves.py")
# Literals that hold such strings but are not about entries, each with its reason.
_NOT_ENTRY_TABLES = {
    # LaTeX macro names (\tanh), not entries
    ("_mathtext.py", "_FUNCTIONS"),
    # the fused kernels' own names (the kernels that take a flag buffer for targets
    # outside [0, 1]); the entries name their kernel in Fused("focal")
    ("fast/_lossrun.py", "CHECKS_PROBABILITIES"),
}


def _name_tables(root: Path) -> list[str]:
    """Dict keys, or set/tuple/list elements, of literals in the core and adapters that
    are catalog names: a name table (or a special case by name) outside the definitions."""
    import ast

    names = {n for f in al.catalog() for n in (f.info.name, *f.info.aliases)}
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel.startswith(_MAY_NAME_ENTRIES) or rel in _APPLICATION_MODULES:
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            target = None
            if isinstance(node, (ast.Assign, ast.AnnAssign)):
                target = getattr(
                    node.targets[0] if isinstance(node, ast.Assign) else node.target, "id", None
                )
                value = node.value
            else:
                continue
            if (rel, target) in _NOT_ENTRY_TABLES or value is None:
                continue
            for lit in ast.walk(value):
                if isinstance(lit, ast.Dict):
                    items = lit.keys
                elif isinstance(lit, (ast.Set, ast.Tuple, ast.List)):
                    items = lit.elts
                else:
                    continue
                hits = [k.value for k in items if isinstance(k, ast.Constant) and k.value in names]
                if hits:
                    found.append(f"{rel}:{lit.lineno} {target}: {hits}")
    return found


def test_no_catalog_name_tables_outside_the_definitions() -> None:
    """Special cases are data on the entries (class_name, torch_order, training_slope,
    not_probability_logits, fused=...), never a table keyed by names elsewhere."""
    assert not _name_tables(Path(actloss.__file__).parent)


def test_the_name_table_check_finds_one(tmp_path: Path) -> None:
    (tmp_path / "torch").mkdir()
    (tmp_path / "torch" / "special.py").write_text(
        'def f():\n    ORDER: dict = {"gelu": 1, "softmax": 2}\n    return ORDER\n'
    )
    (tmp_path / "losses").mkdir()  # the definitions may name entries
    (tmp_path / "losses" / "ok.py").write_text('ALL = ("mse", "mae")\n')
    assert _name_tables(tmp_path) == ["torch/special.py:2 ORDER: ['gelu', 'softmax']"]
