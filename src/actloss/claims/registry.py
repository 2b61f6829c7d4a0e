"""The claims registry: every textbook claim, with its experiment, condition, metric and rule.

One record per claim; the CLI, the atlas section, the README table and the tests iterate over
``CLAIMS``. ``id`` is the claim's number in the project's list (1..15). Each claim has a
``quick`` budget (all fifteen together run in minutes on two cores) and a ``full`` one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .decision import DecisionRule, NonSuperiorityRule, ToleranceRule
from .experiments import convergence, gradients, losses, mathematical
from .experiments._common import Budget, Context, Measurement

Rule = DecisionRule | NonSuperiorityRule | ToleranceRule
BUDGETS = ("quick", "full", "tiny")


@dataclass(frozen=True)
class Claim:
    id: int
    statement: str
    source: str  # how tutorials word it
    experiment: str
    condition: str  # what is swept
    metric: str  # what the effect measures, oriented so that positive = as claimed
    rule: Rule
    quick: Budget
    full: Budget
    run: Callable[[Context], Measurement]
    reuses: int | None = None  # the claim whose runs this one analyses differently

    def budget(self, name: str = "quick") -> Budget:
        if name not in BUDGETS:
            raise ValueError(f"budget must be one of {', '.join(BUDGETS)}, got {name!r}")
        return {"quick": self.quick, "full": self.full, "tiny": self.quick.tiny()}[name]


def _q(seeds: int = 5, **kw: object) -> Budget:
    return Budget(seeds=seeds, **kw)  # type: ignore[arg-type]


CLAIMS: tuple[Claim, ...] = (
    Claim(
        1,
        "Sigmoid and tanh make gradients vanish in deep networks",
        '"sigmoid and tanh suffer from the vanishing gradient problem"',
        "MLPs on moons, depth swept; per-layer gradient norms in the first epoch; "
        "sigmoid/tanh with Glorot uniform and with plain N(0, 1) init, ReLU/GELU/SELU with He "
        "init",
        "depth (hidden layers), initialization of sigmoid/tanh (Glorot uniform, plain normal)",
        "log10 first-layer/output-layer gradient norm of ReLU minus that of each part (sigmoid, "
        "tanh) under each initialization, at the largest depth, in decades; a verdict per part",
        DecisionRule(min_effect=1.0, unit="decades"),
        _q(epochs=1, n_samples=300, sweep=(2, 6, 12), width=16),
        Budget(seeds=10, epochs=3, n_samples=1000, sweep=(2, 4, 6, 8, 10, 12, 14, 16, 18, 20)),
        gradients.vanishing_gradients,
    ),
    Claim(
        2,
        "ReLU converges much faster than sigmoid and tanh",
        '"ReLU converges about six times faster than tanh" (after Krizhevsky et al. 2012)',
        "MLPs (2 hidden layers, Adam) on moons and digits, each activation at its best "
        "learning rate (chosen on validation accuracy); epochs to the target validation "
        "accuracy (0.85 moons, 0.9 digits)",
        "learning rate (best per activation), dataset",
        "fraction of epochs ReLU saves against the faster of sigmoid and tanh, mean over datasets; "
        "a verdict per part (against sigmoid, against tanh)",
        DecisionRule(min_effect=0.25, unit="of the epochs"),
        _q(epochs=12, n_samples=500, sweep=(3e-3, 1e-2), width=32),
        Budget(seeds=10, epochs=50, n_samples=1000, sweep=(3e-4, 1e-3, 3e-3, 1e-2)),
        convergence.relu_faster,
    ),
    Claim(
        3,
        "Tanh converges faster than sigmoid because it is zero-centred",
        '"tanh is zero-centred, so it usually converges faster than sigmoid"',
        "the runs of claim 2",
        "learning rate (best per activation), dataset",
        "fraction of epochs tanh saves against sigmoid, mean over datasets",
        DecisionRule(min_effect=0.1, unit="of the epochs"),
        _q(epochs=12, n_samples=500, sweep=(3e-3, 1e-2), width=32),
        Budget(seeds=10, epochs=50, n_samples=1000, sweep=(3e-4, 1e-3, 3e-3, 1e-2)),
        convergence.tanh_faster,
        reuses=2,
    ),
    Claim(
        4,
        "ReLU units die at high learning rates; Leaky ReLU, ELU and PReLU avoid it",
        '"a large learning rate can make up to 40% of ReLU units die"',
        "MLPs (3 hidden layers, Adam) on classification; fraction of hidden units that are 0 on "
        "every validation sample after training",
        "learning rate",
        "dead fraction of ReLU minus the largest of Leaky ReLU/ELU/PReLU at the largest rate; a "
        "verdict per part (each of Leaky ReLU, ELU, PReLU against ReLU)",
        DecisionRule(min_effect=0.05, unit="of the units"),
        _q(epochs=6, n_samples=400, sweep=(1e-3, 1e-2, 1e-1), width=32),
        Budget(seeds=10, epochs=30, n_samples=1000, sweep=(1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1)),
        gradients.dead_relu,
    ),
    Claim(
        5,
        "Leaky ReLU is not reliably better than ReLU",
        '"Leaky ReLU sometimes helps, but the benefit is not consistent"',
        "MLPs (2 hidden layers, He init, Adam) on moons, classification and digits",
        "dataset",
        "test accuracy of Leaky ReLU (slope 0.01) minus ReLU, mean over datasets",
        NonSuperiorityRule(margin=0.01, unit="accuracy"),
        _q(epochs=10, n_samples=500, sweep=(1.0,), width=32, lrs=(3e-3,)),
        Budget(seeds=20, epochs=50, n_samples=1000, sweep=(1.0,), lrs=(1e-3,)),
        convergence.leaky_not_better,
    ),
    Claim(
        6,
        "ELU pushes mean activations toward zero compared with ReLU",
        '"ELU brings mean activations closer to zero, which speeds up learning" '
        "(Clevert et al. 2016)",
        "MLPs (He init, Adam) on classification; mean activation of each hidden layer on the "
        "validation set after training",
        "depth (hidden layers)",
        "|mean activation| of ReLU minus that of ELU, mean over hidden layers, largest depth",
        DecisionRule(min_effect=0.05),
        _q(epochs=5, n_samples=400, sweep=(2, 4), width=32),
        Budget(seeds=10, epochs=30, n_samples=1000, sweep=(2, 4, 8)),
        gradients.elu_mean_activation,
    ),
    Claim(
        7,
        "Swish and GELU beat ReLU in deeper networks",
        '"Swish/GELU outperform ReLU, especially in deeper models" (Ramachandran et al. 2017)',
        "MLPs (He init, Adam) on digits, depth swept",
        "depth (hidden layers)",
        "test accuracy of the mean of GELU and SiLU minus ReLU at the largest depth; a verdict per "
        "part (GELU, SiLU)",
        DecisionRule(min_effect=0.01, unit="accuracy"),
        _q(epochs=6, n_samples=600, sweep=(2, 6), width=32, lrs=(3e-3,)),
        Budget(seeds=10, epochs=40, n_samples=1797, sweep=(2, 4, 8, 12, 16), lrs=(1e-3,)),
        convergence.smooth_deep,
    ),
    Claim(
        8,
        "MSE is sensitive to outliers; MAE and Huber are robust",
        '"use MAE or Huber loss when your data has outliers"',
        "linear regression (Adam) with a swept fraction of training targets moved by "
        "+-10 standard deviations; R^2 on a clean test set and the error of the coefficients",
        "fraction of outliers in the training targets",
        "clean-test R^2 of the worse of MAE/Huber minus MSE at the largest outlier fraction; a "
        "verdict per part (MAE, Huber)",
        DecisionRule(min_effect=0.05, unit="R^2"),
        _q(epochs=30, n_samples=500, sweep=(0.0, 0.1, 0.3), lrs=(1e-2,)),
        Budget(
            seeds=10, epochs=60, n_samples=1000, sweep=(0.0, 0.02, 0.05, 0.1, 0.2, 0.3), lrs=(1e-2,)
        ),
        losses.robust_regression,
    ),
    Claim(
        9,
        "MAE needs a decaying learning rate while MSE converges with a fixed one",
        '"MAE\'s gradient is the same size near the minimum, so use a decaying learning rate"',
        "linear regression by full-batch gradient descent, fixed vs cosine-decayed rate; "
        "relative oscillation of the training loss over the last quarter of epochs",
        "learning-rate schedule (fixed, cosine decay)",
        "oscillation removed by the decay for MAE minus that removed for MSE",
        DecisionRule(min_effect=0.005, unit="of the loss"),
        _q(epochs=60, n_samples=400, sweep=(1.0,), lrs=(0.3,)),
        Budget(seeds=10, epochs=300, n_samples=1000, sweep=(1.0,), lrs=(0.3,)),
        losses.mae_needs_decay,
    ),
    Claim(
        10,
        "Cross-entropy trains faster than MSE on a sigmoid/softmax output",
        '"MSE with a sigmoid output learns slowly because its gradient saturates"',
        "MLPs (2 hidden ReLU layers, plain SGD, best learning rate per loss) on moons (sigmoid) "
        "and digits (softmax); epochs to the target validation accuracy",
        "learning rate (best per loss), dataset",
        "fraction of epochs cross-entropy saves against MSE, mean over datasets",
        DecisionRule(min_effect=0.1, unit="of the epochs"),
        _q(epochs=15, n_samples=500, sweep=(0.1, 0.5), width=32),
        Budget(seeds=10, epochs=60, n_samples=1000, sweep=(0.03, 0.1, 0.3, 1.0)),
        convergence.ce_faster_than_mse,
    ),
    Claim(
        11,
        "Pair the output layer with its loss: sigmoid+BCE (binary, multi-label), "
        "softmax+CE (multiclass), linear+MSE (regression)",
        '"binary: sigmoid + binary cross-entropy; multiclass: softmax + categorical '
        'cross-entropy; regression: linear + MSE"',
        "MLPs (2 hidden ReLU layers, Adam) on moons, digits, multilabel and diabetes; the "
        "recommended pair against two mismatched pairs per task",
        "task",
        "test metric (R^2 clipped to [0, 1]) of the recommended pair minus the mean of the "
        "mismatched pairs, mean over tasks",
        DecisionRule(min_effect=0.02),
        _q(epochs=10, n_samples=400, sweep=(1.0,), width=32, lrs=(3e-3,)),
        Budget(seeds=10, epochs=50, n_samples=1000, sweep=(1.0,), lrs=(1e-3,)),
        convergence.pairing_rules,
    ),
    Claim(
        12,
        "Focal loss improves minority-class results under class imbalance",
        '"focal loss down-weights easy examples and fixes class imbalance" (Lin et al. 2017)',
        "MLPs (Adam) on imbalanced make_classification; BCE, class-weighted BCE (pos_weight = "
        "ratio) and focal loss (alpha 0.25, gamma 2) on logits; test average precision and "
        "minority recall",
        "imbalance ratio (majority : minority)",
        "average precision of focal loss minus the better of BCE and weighted BCE at the "
        "largest ratio",
        DecisionRule(min_effect=0.02, unit="AP"),
        _q(epochs=8, n_samples=1500, sweep=(1.0, 10.0, 30.0), width=32, lrs=(3e-3,)),
        Budget(seeds=10, epochs=40, n_samples=5000, sweep=(1.0, 3.0, 10.0, 30.0, 100.0)),
        losses.focal_imbalance,
    ),
    Claim(
        13,
        "L1 regularization gives sparse weights, L2 small spread-out weights",
        '"L1 drives weights to exactly zero; L2 shrinks all weights a little"',
        "one hidden ReLU layer (Adam) on classification with lambda * sum|w| or "
        "lambda/2 * sum w^2 (the catalog's l1_penalty, l2_penalty) added; fraction of "
        "|w| < 0.01 and the weight norm",
        "penalty coefficient lambda",
        "near-zero fraction with L1 minus with L2, mean over lambdas",
        DecisionRule(min_effect=0.05, unit="of the weights"),
        _q(epochs=8, n_samples=400, sweep=(1e-3, 1e-2), width=32, lrs=(1e-2,)),
        Budget(
            seeds=10, epochs=40, n_samples=1000, sweep=(1e-4, 1e-3, 3e-3, 1e-2, 3e-2), lrs=(1e-2,)
        ),
        losses.sparse_l1,
    ),
    Claim(
        14,
        "Label smoothing softens the predicted distribution",
        '"label smoothing prevents over-confident predictions and improves calibration" '
        "(Szegedy et al. 2016; Mueller et al. 2019)",
        "MLPs (Adam) on digits, softmax cross-entropy with label smoothing; mean predictive "
        "entropy and expected calibration error on the test set",
        "label-smoothing factor",
        "mean predictive entropy at the largest factor minus without smoothing, in nats",
        DecisionRule(min_effect=0.1, unit="nats"),
        _q(epochs=8, n_samples=600, sweep=(0.0, 0.1, 0.3), width=32, lrs=(3e-3,)),
        Budget(seeds=10, epochs=40, n_samples=1797, sweep=(0.0, 0.05, 0.1, 0.2, 0.3)),
        losses.label_smoothing,
    ),
    Claim(
        15,
        "Softmax + cross-entropy has gradient p - y with respect to the logits",
        '"the gradient of softmax with cross-entropy simplifies to p - y"',
        "the catalog's cross_entropy gradient (reduction='sum') against softmax(z) - onehot(y) "
        "on random logits of growing scale and extreme rows (no training)",
        "scale of the logits",
        "largest absolute difference",
        ToleranceRule(tolerance=1e-12),
        _q(epochs=1, n_samples=20, sweep=(1.0,)),
        Budget(seeds=50, epochs=1, n_samples=20, sweep=(1.0,)),
        mathematical.softmax_ce_gradient,
    ),
)


def get_claim(claim_id: int) -> Claim:
    """The claim numbered ``claim_id`` (ValueError naming the valid numbers otherwise)."""
    for c in CLAIMS:
        if c.id == claim_id:
            return c
    raise ValueError(f"claim must be a number from 1 to {len(CLAIMS)}, got {claim_id!r}")
