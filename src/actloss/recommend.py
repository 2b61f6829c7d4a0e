"""Which output activation, loss and hidden activation to use: the rules, as data.

Each ``Rule`` fills one slot (``output``, ``loss`` or ``hidden``) for a task
(``None``: any task) when all of its conditions hold (``imbalanced``,
``outliers``, ``deep``). ``recommend`` picks, per slot, the most specific rule
that applies: a rule for the task beats a rule for any task, and a rule with
more conditions beats one with fewer. Every rule gives its reason and names in
``evidence`` the claim of the lab's claims registry that puts it to the test
(an id, ``""`` where no claim covers it yet); the claims' verdicts are the
lab's to compute, not this table's.

The CLI (``actloss recommend``) and the atlas read ``RULES``; the framework
snippets are generated from the chosen catalog names through the adapters'
by-name constructors, so nothing here is written twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Slot = Literal["output", "loss", "hidden"]
TASKS = ("binary", "multiclass", "multilabel", "regression", "ranking", "segmentation")
CONDITIONS = ("imbalanced", "outliers", "deep")
SLOTS: tuple[Slot, ...] = ("output", "loss", "hidden")
FRAMEWORKS = ("torch", "keras")


@dataclass(frozen=True)
class Rule:
    """Use ``choice`` (a catalog name) in ``slot`` for ``task`` when all of ``when`` hold."""

    slot: Slot
    task: str | None
    choice: str
    reason: str
    when: frozenset[str] = frozenset()
    params: Mapping[str, Any] = field(default_factory=dict)
    evidence: str = ""  # id of the claim (claims registry) that tests this rule

    def applies(self, task: str, conditions: frozenset[str]) -> bool:
        return (self.task is None or self.task == task) and self.when <= conditions

    def specificity(self) -> tuple[int, int]:
        return (self.task is not None, len(self.when))

    def to_dict(self) -> dict[str, Any]:
        return {
            "slot": self.slot,
            "task": self.task,
            "when": sorted(self.when),
            "choice": self.choice,
            "params": dict(self.params),
            "reason": self.reason,
            "evidence": self.evidence,
        }


def _r(
    slot: Slot,
    task: str | None,
    choice: str,
    reason: str,
    *when: str,
    evidence: str = "",
    **params: Any,
) -> Rule:
    return Rule(slot, task, choice, reason, frozenset(when), params, evidence)


_LOGITS = "The network outputs logits; the loss applies it internally (stable log-sum-exp), "
RULES: tuple[Rule, ...] = (
    # ---------------------------------------------------------------- output layer
    _r(
        "output",
        "binary",
        "sigmoid",
        _LOGITS + "and sigmoid turns a logit into P(y = 1) at prediction time.",
        evidence="11",
    ),
    _r(
        "output",
        "multiclass",
        "softmax",
        _LOGITS + "and softmax turns the K logits into one distribution over the classes.",
        evidence="11",
    ),
    _r(
        "output",
        "multilabel",
        "sigmoid",
        _LOGITS + "and an independent sigmoid per label gives P(label present); labels are "
        "not exclusive, so no softmax.",
        evidence="11",
    ),
    _r(
        "output",
        "regression",
        "identity",
        "An unbounded linear output can reach any target value; squashing it would bias "
        "predictions near the bounds.",
        evidence="11",
    ),
    _r(
        "output",
        "ranking",
        "identity",
        "Scores are compared only with each other; any monotone output works and identity "
        "keeps the margin in the loss meaningful.",
    ),
    _r(
        "output",
        "segmentation",
        "sigmoid",
        "One probability per pixel for a binary (or multi-label) mask; for one-of-K class "
        "maps use softmax over the class axis.",
        evidence="11",
    ),
    # ---------------------------------------------------------------- loss
    _r(
        "loss",
        "binary",
        "binary_cross_entropy_with_logits",
        "The negative log-likelihood of a Bernoulli output; taking logits keeps it exact at "
        "extreme scores and its gradient is sigmoid(z) - y (no saturation, unlike MSE on a "
        "sigmoid).",
        evidence="10",
    ),
    _r(
        "loss",
        "binary",
        "focal",
        "Down-weights easy, well-classified examples by (1 - p_t)^gamma so the rare class's "
        "hard examples dominate the gradient.",
        "imbalanced",
        evidence="12",
        alpha=0.25,
        gamma=2.0,
    ),
    _r(
        "loss",
        "multiclass",
        "cross_entropy",
        "The negative log-likelihood of a categorical output; its gradient with respect to "
        "the logits is softmax(z) - y.",
        evidence="15",
    ),
    _r(
        "loss",
        "multiclass",
        "softmax_focal",
        "Cross-entropy scaled by (1 - p_t)^gamma: rare classes' hard examples dominate; "
        "gamma = 0 is plain cross-entropy.",
        "imbalanced",
        evidence="12",
        gamma=2.0,
    ),
    _r(
        "loss",
        "multilabel",
        "binary_cross_entropy_with_logits",
        "One independent Bernoulli likelihood per label, averaged.",
        evidence="11",
    ),
    _r(
        "loss",
        "multilabel",
        "focal",
        "Per-label focal loss: rare positive labels are not swamped by the many easy negatives.",
        "imbalanced",
        evidence="12",
        alpha=0.25,
        gamma=2.0,
    ),
    _r(
        "loss",
        "regression",
        "mse",
        "The Gaussian negative log-likelihood: estimates the conditional mean and its "
        "gradient shrinks as the error does.",
        evidence="9",
    ),
    _r(
        "loss",
        "regression",
        "huber",
        "Quadratic for small errors, linear beyond delta: outliers pull with a bounded "
        "gradient, while small errors still converge smoothly (unlike MAE).",
        "outliers",
        evidence="8",
        delta=1.0,
    ),
    _r(
        "loss",
        "ranking",
        "margin_ranking",
        "Pairwise: asks the preferred item's score to exceed the other's by a margin; only "
        "the order of scores matters (margin 0 would be met by equal scores for everything).",
        margin=1.0,
    ),
    _r(
        "loss",
        "segmentation",
        "dice",
        "Measures mask overlap directly, so a small foreground is not drowned by the "
        "background pixels (often combined with cross-entropy).",
    ),
    _r(
        "loss",
        "segmentation",
        "tversky",
        "Dice with separate weights on false positives and false negatives: weighting false "
        "negatives more recovers small, rare structures.",
        "imbalanced",
    ),
    # ---------------------------------------------------------------- hidden layers
    _r(
        "hidden",
        None,
        "relu",
        "Cheap and non-saturating for positive inputs, so gradients do not vanish through "
        "active units; the standard default.",
        evidence="2",
    ),
    _r(
        "hidden",
        None,
        "gelu",
        "Smooth and non-monotone near 0 with no dead units; the usual choice in deep and "
        "transformer networks.",
        "deep",
        evidence="7",
    ),
)


@dataclass(frozen=True)
class Choice:
    """What ``recommend`` returns for one slot."""

    slot: Slot
    name: str
    params: Mapping[str, Any]
    reason: str
    evidence: str
    rule: Rule

    def to_dict(self) -> dict[str, Any]:
        return {
            "slot": self.slot,
            "name": self.name,
            "params": dict(self.params),
            "reason": self.reason,
            "evidence": self.evidence,
            "when": sorted(self.rule.when),
        }


def recommend(
    task: str, *, imbalanced: bool = False, outliers: bool = False, deep: bool = False
) -> dict[Slot, Choice]:
    """The output activation, loss and hidden activation for ``task`` under the given conditions.

    >>> recommend("binary", imbalanced=True)["loss"].name
    'focal'
    """
    if task not in TASKS:
        raise ValueError(f"task must be one of {', '.join(TASKS)}, got {task!r}")
    flags = {"imbalanced": imbalanced, "outliers": outliers, "deep": deep}
    conditions = frozenset(k for k, v in flags.items() if v)
    out: dict[Slot, Choice] = {}
    for slot in SLOTS:
        matching = [r for r in RULES if r.slot == slot and r.applies(task, conditions)]
        if not matching:
            raise LookupError(f"no {slot} rule for task {task!r}")
        best = max(matching, key=Rule.specificity)
        out[slot] = Choice(slot, best.choice, best.params, best.reason, best.evidence, best)
    return out


def evidence(choice: Choice, verdicts: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The rule's claim with its latest verdicts (``verdicts``: claims.json by claim id).

    ``status``: the claim's verdict, ``"not yet run"`` or ``"no claim"``; ``conditions``: the
    verdict under each condition the claim was tested in (``[{"condition", "verdict",
    "source"}]``, the source's setting marked with its citation); ``overall``: under which
    conditions it holds, in words; ``holds_under`` / ``fails_under``: the conditions where it
    was supported / refuted; ``supports``: whether the evidence backs the rule, only a
    ``supported`` verdict under every condition does (a ``mixed`` one backs it partly, as
    ``holds_under`` says).
    """
    empty = {"conditions": [], "overall": "", "holds_under": [], "fails_under": []}
    if not choice.evidence:
        return {"claim": None, "status": "no claim", "supports": False, "budget": None, **empty}
    found = verdicts.get(str(choice.evidence))
    if found is None:
        return {
            "claim": choice.evidence,
            "status": "not yet run",
            "supports": False,
            "budget": None,
            **empty,
        }
    verdict = str(found.get("verdict", "not yet run"))
    cells = [
        {
            "condition": p.get("label") or p.get("part", ""),
            "verdict": p.get("verdict"),
            "source": p.get("source", ""),
        }
        for p in found.get("parts", [])
    ]
    return {
        "claim": choice.evidence,
        "status": verdict,
        "supports": verdict == "supported",
        "budget": found.get("budget"),
        "conditions": cells,
        "overall": str(found.get("overall", "")),
        "holds_under": [c["condition"] for c in cells if c["verdict"] == "supported"],
        "fails_under": [c["condition"] for c in cells if c["verdict"] == "refuted"],
    }


def _call(name: str, params: Mapping[str, Any], func: str, **extra: Any) -> str:
    args = "".join(f", {k}={v!r}" for k, v in {**params, **extra}.items())
    return f'{func}("{name}"{args})'


# task -> (default n_outputs, what it is); the snippet's one line to edit
SIZES: dict[str, tuple[int, str]] = {
    "binary": (1, "1 logit"),
    "multiclass": (10, "one logit per class"),
    "multilabel": (5, "one logit per label"),
    "regression": (1, "one per target"),
    "ranking": (1, "one score per item"),
    "segmentation": (64, "one logit per pixel"),
}


def _takes(loss: Choice) -> str:
    """What the loss takes as y_pred: 'logits', 'probabilities' or 'values' (the catalog's)."""
    from . import _catalog

    return _catalog.get(loss.name).info.y_pred_kind.split(" ")[0]


def snippet(choices: Mapping[Slot, Choice], framework: str) -> str:
    """Ready-to-run code for ``framework`` built from the chosen catalog names.

    The model outputs raw scores; ``predict`` (the output activation) maps them at prediction
    time. A loss on logits takes the scores (Keras: ``from_logits=True``); a loss on
    probabilities (dice, tversky) gets ``predict(scores)``; a pairwise ranking loss gets the
    scores of both items. Every snippet, for every task, framework and condition, is run on a
    small dataset by ``tests/cli/test_snippets.py`` and must reach a stated accuracy.
    """
    if framework not in FRAMEWORKS:
        raise ValueError(f"framework must be one of {', '.join(FRAMEWORKS)}, got {framework!r}")
    task = choices["output"].rule.task  # the task the choices were made for
    if task not in SIZES:
        raise ValueError(f"no snippet for task {task!r}; tasks: {', '.join(SIZES)}")
    builder = _torch_snippet if framework == "torch" else _keras_snippet
    return "\n".join(builder(choices, task))


def _head(lib: str, task: str) -> list[str]:
    n_out, what = SIZES[task]
    return [lib, "", f"n_features, n_outputs = 20, {n_out}  # your sizes (outputs: {what})"]


def _torch_snippet(choices: Mapping[Slot, Choice], task: str) -> list[str]:
    out, loss, hidden = choices["output"], choices["loss"], choices["hidden"]
    lines = _head("import torch\nimport actloss.torch as alt", task)
    lines += [
        "model = torch.nn.Sequential(",
        "    torch.nn.Linear(n_features, 64),",
        f"    {_call(hidden.name, hidden.params, 'alt.module')},",
        "    torch.nn.Linear(64, n_outputs),  # raw scores (logits)",
        ")",
        f"predict = {_call(out.name, out.params, 'alt.module')}  # scores -> predictions",
    ]
    call = _call(loss.name, loss.params, "alt.module")
    if task == "ranking":
        lines += [
            f"loss_fn = {call}  # loss_fn(model(x_a), model(x_b), target)",
            "# target: 1 where item a should rank above item b, else -1",
        ]
    elif _takes(loss) == "probabilities":
        lines += [
            f"{loss.name} = {call}",
            "",
            "",
            "def loss_fn(scores, target):  # the loss takes probabilities",
            f"    return {loss.name}(predict(scores), target)",
            "",
            "",
        ]
    else:
        lines.append(f"loss_fn = {call}  # loss_fn(model(x), target)")
    lines += [
        "optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)",
        "# a step: optimizer.zero_grad(); loss_fn(model(x), y).backward(); optimizer.step()",
    ]
    return lines


def _keras_snippet(choices: Mapping[Slot, Choice], task: str) -> list[str]:
    out, loss, hidden = choices["output"], choices["loss"], choices["hidden"]
    lines = _head("import keras\nimport actloss.keras as alk", task)
    layers = [
        "    keras.Input((n_features,)),",
        "    keras.layers.Dense(64),",
        f"    {_call(hidden.name, hidden.params, 'alk.get_activation')},",
    ]
    predict = f"predict = {_call(out.name, out.params, 'alk.get_activation')}"
    extra = {"from_logits": True} if _takes(loss) == "logits" else {}
    call = _call(loss.name, loss.params, "alk.get_loss", **extra)
    if task == "ranking":
        return [
            *lines,
            "scorer = keras.Sequential([",
            *layers,
            "    keras.layers.Dense(1),  # one score per item",
            "])",
            "item_a, item_b = keras.Input((n_features,)), keras.Input((n_features,))",
            "both = keras.layers.Concatenate()([scorer(item_a), scorer(item_b)])",
            "model = keras.Model([item_a, item_b], both)  # fit([x_a, x_b], target)",
            f"{loss.name} = {call}",
            "# target: 1 where item a should rank above item b, else -1",
            "model.compile(",
            "    optimizer='adam',",
            f"    loss=lambda target, s: {loss.name}(target, (s[:, :1], s[:, 1:])),",
            ")",
            f"{predict}  # scores, compared with each other",
        ]
    lines += [
        "model = keras.Sequential([",
        *layers,
        "    keras.layers.Dense(n_outputs),  # raw scores (logits)",
        "])",
        f"{predict}  # scores -> predictions",
    ]
    if _takes(loss) == "probabilities":
        return [
            *lines,
            f"{loss.name} = {call}  # takes probabilities",
            "model.compile(",
            "    optimizer='adam',",
            f"    loss=lambda y_true, scores: {loss.name}(y_true, predict(scores)),",
            ")",
        ]
    return [*lines, f"model.compile(optimizer='adam', loss={call})"]
