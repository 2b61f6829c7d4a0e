"""The claims registry: every textbook claim, with its experiment, condition, metric and rule.

One record per claim; the CLI, the atlas section, the README table and the tests iterate over
``CLAIMS``. ``id`` is the claim's number in the project's list (1..15). Each claim has a
``quick`` budget (all fifteen together run in minutes on two cores, for smoke runs) and a
``full`` one (the table to quote). Each names the setting its source made it in
(``source_setting``) and is tested under ``conditions``: that setting, reproduced as far as
the lab's MLPs allow (marked with its citation), beside the settings where practitioners
apply the claim; a verdict is computed per condition (and per part of a compound claim).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .decision import DecisionRule, NonSuperiorityRule, ToleranceRule
from .experiments import convergence, gradients, losses, mathematical
from .experiments._common import NO_CONDITION, Budget, Condition, Context, Measurement

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
    # the setting the claim was made in, with its citation; it is reproduced (as far as the
    # lab's MLPs allow) as one of ``conditions``, the others being where practitioners apply it
    source_setting: str = ""
    conditions: tuple[Condition, ...] = (NO_CONDITION,)

    def budget(self, name: str = "quick") -> Budget:
        if name not in BUDGETS:
            raise ValueError(f"budget must be one of {', '.join(BUDGETS)}, got {name!r}")
        return {"quick": self.quick, "full": self.full, "tiny": self.quick.tiny()}[name]


def _q(seeds: int = 5, **kw: object) -> Budget:
    """A quick budget: one data split, 5 seeds (smoke runs)."""
    return Budget(seeds=seeds, **kw)  # type: ignore[arg-type]


def _full(seeds: int = 2, splits: int = 5, **kw: object) -> Budget:
    """A full budget: 5 data splits x 2 seeds (the lab's default design, 10 models per cell);
    a close verdict gets its splits doubled up to 40 models per cell."""
    kw.setdefault("max_replicates", 40)
    return Budget(seeds=seeds, splits=splits, **kw)  # type: ignore[arg-type]


SGD_M = "sgd(momentum=0.9)"
ADAM = Condition("Adam", {"optimizer": "adam"})

CLAIMS: tuple[Claim, ...] = (
    Claim(
        1,
        "Sigmoid and tanh make gradients vanish in deep networks",
        '"sigmoid and tanh suffer from the vanishing gradient problem"',
        "MLPs on moons, depth swept; per-layer gradient norms in the first epoch; sigmoid/tanh "
        "under each condition's initialization, ReLU/GELU/SELU with He init",
        "depth (hidden layers); initialization of sigmoid/tanh",
        "log10 first-layer/output-layer gradient norm of ReLU minus that of each part (sigmoid, "
        "tanh) at the largest depth, in decades; a verdict per part and initialization",
        DecisionRule(min_effect=1.0, unit="decades"),
        _q(epochs=1, n_samples=300, sweep=(2, 6, 12), width=16),
        _full(epochs=3, n_samples=1000, sweep=(2, 6, 12, 20)),
        gradients.vanishing_gradients,
        source_setting="Glorot & Bengio 2010 (AISTATS), Sec. 4: deep fully connected sigmoid "
        "and tanh networks with the 'standard' initialization U(-1/sqrt(n), 1/sqrt(n)); the "
        "back-propagated gradients shrink towards the lower layers (after Hochreiter 1991, "
        "Bengio et al. 1994)",
        conditions=(
            Condition(
                "standard init",
                params={"init": "standard_uniform"},
                source="Glorot & Bengio 2010",
            ),
            Condition("Glorot init", params={"init": "glorot_uniform"}),
            Condition("N(0, 1) init", params={"init": "normal"}),
        ),
    ),
    Claim(
        2,
        "ReLU converges much faster than sigmoid and tanh",
        '"ReLU converges about six times faster than tanh" (after Krizhevsky et al. 2012)',
        "MLPs on moons and digits, each activation at its best learning rate (chosen on "
        "validation accuracy); epochs to the target validation accuracy (0.85 moons, 0.9 "
        "digits)",
        "optimizer and depth; learning rate (best per activation); dataset",
        "fraction of epochs ReLU saves against each part (sigmoid, tanh), mean over datasets; "
        "a verdict per part and condition",
        DecisionRule(min_effect=0.25, unit="of the epochs"),
        _q(epochs=12, n_samples=500, sweep=(3e-3, 1e-2), width=32),
        _full(epochs=30, n_samples=1000, sweep=(1e-3, 3e-3, 1e-2)),
        convergence.relu_faster,
        source_setting="Krizhevsky, Sutskever & Hinton 2012 (NeurIPS), Fig. 1: a four-layer "
        "convolutional network on CIFAR-10 trained with SGD and momentum 0.9 reached 25% "
        "training error six times faster with ReLU than with tanh (the lab has MLPs: 4 hidden "
        "layers, SGD with momentum 0.9 stand in for it)",
        conditions=(
            Condition(
                "SGD + momentum, 4 layers",
                {"optimizer": SGD_M},
                {"depth": 4, "lr_factor": 10.0},
                source="Krizhevsky et al. 2012",
            ),
            Condition("Adam, 2 layers", {"optimizer": "adam"}, {"depth": 2}),
        ),
    ),
    Claim(
        3,
        "Tanh converges faster than sigmoid because it is zero-centred",
        '"tanh is zero-centred, so it usually converges faster than sigmoid"',
        "the runs of claim 2",
        "optimizer and depth; learning rate (best per activation); dataset",
        "fraction of epochs tanh saves against sigmoid, mean over datasets",
        DecisionRule(min_effect=0.1, unit="of the epochs"),
        _q(epochs=12, n_samples=500, sweep=(3e-3, 1e-2), width=32),
        _full(epochs=30, n_samples=1000, sweep=(1e-3, 3e-3, 1e-2)),
        convergence.tanh_faster,
        reuses=2,
        source_setting="LeCun, Bottou, Orr & Mueller 1998 ('Efficient BackProp'), Sec. 4.4: "
        "networks trained by stochastic gradient descent converge faster with a symmetric, "
        "zero-centred sigmoid such as tanh than with the logistic function",
        conditions=(
            Condition(
                "SGD + momentum, 4 layers",
                {"optimizer": SGD_M},
                {"depth": 4, "lr_factor": 10.0},
                source="LeCun et al. 1998",
            ),
            Condition("Adam, 2 layers", {"optimizer": "adam"}, {"depth": 2}),
        ),
    ),
    Claim(
        4,
        "ReLU units die at high learning rates; Leaky ReLU, ELU and PReLU avoid it",
        '"a large learning rate can make up to 40% of ReLU units die"',
        "MLPs (3 hidden layers) on classification; fraction of hidden units that are 0 on "
        "every validation sample after training",
        "optimizer; learning rate (swept, 10x larger for SGD)",
        "dead fraction of ReLU minus that of each part (Leaky ReLU, ELU, PReLU) at the largest "
        "rate; a verdict per part and optimizer",
        DecisionRule(min_effect=0.05, unit="of the units"),
        _q(epochs=6, n_samples=400, sweep=(1e-3, 1e-2, 1e-1), width=32),
        _full(epochs=20, n_samples=1000, sweep=(1e-3, 1e-2, 1e-1)),
        gradients.dead_relu,
        source_setting="Karpathy, CS231n course notes (2015), 'Neural Networks Part 1': with "
        "a learning rate set too high, as much as 40% of a ReLU network can be dead; the notes "
        "train with SGD and momentum",
        conditions=(
            Condition(
                "SGD + momentum",
                {"optimizer": SGD_M},
                {"lr_factor": 10.0},
                source="Karpathy, CS231n notes",
            ),
            ADAM,
        ),
    ),
    Claim(
        5,
        "Leaky ReLU is not reliably better than ReLU",
        '"Leaky ReLU sometimes helps, but the benefit is not consistent"',
        "MLPs (He init) on moons, classification and digits",
        "optimizer and depth; dataset",
        "test accuracy of Leaky ReLU (slope 0.01) minus ReLU, mean over datasets",
        NonSuperiorityRule(margin=0.01, unit="accuracy"),
        _q(epochs=10, n_samples=500, sweep=(1.0,), width=32, lrs=(3e-3,)),
        _full(seeds=4, epochs=30, n_samples=1000, sweep=(1.0,), lrs=(1e-3,)),
        convergence.leaky_not_better,
        source_setting="Maas, Hannun & Ng 2013 (ICML workshop): deep fully connected acoustic "
        "models (up to 4 hidden layers) trained with SGD and momentum; Leaky ReLU (slope 0.01) "
        "and ReLU reached the same word error rate",
        conditions=(
            Condition(
                "SGD + momentum, 4 layers",
                {"optimizer": SGD_M},
                {"depth": 4, "lr": 1e-2},
                source="Maas et al. 2013",
            ),
            Condition("Adam, 2 layers", {"optimizer": "adam"}, {"depth": 2}),
        ),
    ),
    Claim(
        6,
        "ELU pushes mean activations toward zero compared with ReLU",
        '"ELU brings mean activations closer to zero, which speeds up learning" '
        "(Clevert et al. 2016)",
        "MLPs (He init); mean activation of each hidden layer on the validation set after training",
        "optimizer, dataset and depth",
        "|mean activation| of ReLU minus that of ELU, mean over hidden layers, at the "
        "condition's largest depth",
        DecisionRule(min_effect=0.05),
        _q(epochs=5, n_samples=400, sweep=(2, 4), width=32),
        _full(epochs=20, n_samples=1000, sweep=(2, 4, 8)),
        gradients.elu_mean_activation,
        source_setting="Clevert, Unterthiner & Hochreiter 2016 (ICLR), Sec. 4.1: MNIST, "
        "fully connected networks of 8 hidden layers trained by SGD (learning rate 0.01, "
        "mini-batches of 64); ELU's mean unit activation stayed closer to zero than ReLU's",
        conditions=(
            Condition(
                "SGD, digits, 8 layers",
                {"optimizer": "sgd", "batch_size": 64},
                {"dataset": "digits", "depth": 8, "lr": 1e-2},
                source="Clevert et al. 2016",
            ),
            Condition("Adam, classification", {"optimizer": "adam"}),
        ),
    ),
    Claim(
        7,
        "Swish and GELU beat ReLU in deeper networks",
        '"Swish/GELU outperform ReLU, especially in deeper models" (Ramachandran et al. 2017)',
        "MLPs (He init, Adam) on digits, depth swept",
        "depth (hidden layers)",
        "test accuracy of each part (GELU, SiLU) minus ReLU at the condition's depth",
        DecisionRule(min_effect=0.01, unit="accuracy"),
        _q(epochs=6, n_samples=600, sweep=(2,), width=32, lrs=(3e-3,)),
        _full(epochs=30, n_samples=1797, sweep=(2, 8, 16), lrs=(1e-3,)),
        convergence.smooth_deep,
        source_setting="Hendrycks & Gimpel 2016 ('Gaussian Error Linear Units'): MNIST, fully "
        "connected networks of 8 layers, 128 units, Adam; Ramachandran, Zoph & Le 2017 "
        "('Searching for Activation Functions'): Swish's lead over ReLU grows with the depth of "
        "fully connected networks",
        conditions=(
            Condition("8 layers", params={"depth": 8}, source="Hendrycks & Gimpel 2016"),
            Condition("16 layers", params={"depth": 16}, source="Ramachandran et al. 2017"),
            Condition("2 layers", params={"depth": 2}),
        ),
    ),
    Claim(
        8,
        "MSE is sensitive to outliers; MAE and Huber are robust",
        '"use MAE or Huber loss when your data has outliers"',
        "regression (Adam) with a swept fraction of training targets moved by +-10 standard "
        "deviations; R^2 on a clean test set and the error of the coefficients",
        "model (linear, one hidden layer); fraction of outliers in the training targets",
        "clean-test R^2 of each part (MAE, Huber) minus MSE at the largest outlier fraction",
        DecisionRule(min_effect=0.05, unit="R^2"),
        _q(epochs=30, n_samples=500, sweep=(0.0, 0.1, 0.3), lrs=(1e-2,)),
        _full(epochs=40, n_samples=1000, sweep=(0.0, 0.1, 0.3), lrs=(1e-2,)),
        losses.robust_regression,
        source_setting="Huber 1964 (Ann. Math. Statist.), 'Robust Estimation of a Location "
        "Parameter': a linear (location) model under gross-error contamination, where least "
        "squares breaks down and the Huber and absolute losses do not",
        conditions=(
            Condition("linear model", params={"widths": []}, source="Huber 1964"),
            Condition("one hidden layer", params={"widths": [32]}),
        ),
    ),
    Claim(
        9,
        "MAE needs a decaying learning rate while MSE converges with a fixed one",
        '"MAE\'s gradient is the same size near the minimum, so use a decaying learning rate"',
        "linear regression, fixed vs cosine-decayed rate; relative oscillation of the training "
        "loss over the last quarter of epochs",
        "optimizer and batch (full-batch gradient descent, mini-batch Adam); schedule",
        "oscillation removed by the decay for MAE minus that removed for MSE",
        DecisionRule(min_effect=0.005, unit="of the loss"),
        _q(epochs=60, n_samples=400, sweep=(1.0,), lrs=(0.3,)),
        _full(epochs=300, n_samples=1000, sweep=(1.0,), lrs=(0.3,)),
        losses.mae_needs_decay,
        source_setting="the subgradient method (Shor 1985; Boyd & Mutapcic, 'Subgradient "
        "Methods' notes): with a constant step on a non-smooth objective such as the absolute "
        "error, full-batch (sub)gradient descent only reaches a neighbourhood of the minimum; "
        "a diminishing step converges",
        conditions=(
            Condition(
                "full-batch GD",
                {"optimizer": "sgd", "batch_size": 10**6},
                source="subgradient method (Shor 1985)",
            ),
            Condition(
                "mini-batch Adam",
                {"optimizer": "adam", "batch_size": 32},
                {"lr": 1e-2, "epochs": 30},
            ),
        ),
    ),
    Claim(
        10,
        "Cross-entropy trains faster than MSE on a sigmoid/softmax output",
        '"MSE with a sigmoid output learns slowly because its gradient saturates"',
        "MLPs (2 hidden ReLU layers, best learning rate per loss) on moons (sigmoid) and digits "
        "(softmax); epochs to the target validation accuracy",
        "optimizer; learning rate (best per loss); dataset",
        "fraction of epochs cross-entropy saves against MSE, mean over datasets",
        DecisionRule(min_effect=0.1, unit="of the epochs"),
        _q(epochs=15, n_samples=500, sweep=(0.1, 0.5), width=32),
        _full(epochs=40, n_samples=1000, sweep=(0.1, 0.3, 1.0)),
        convergence.ce_faster_than_mse,
        source_setting="Nielsen 2015 ('Neural Networks and Deep Learning'), ch. 3, and Golik, "
        "Doetsch & Ney 2013 (Interspeech): with plain stochastic gradient descent, the "
        "quadratic cost on a sigmoid output learns slowly where the output saturates, "
        "cross-entropy does not",
        conditions=(
            Condition("plain SGD", {"optimizer": "sgd"}, source="Nielsen 2015"),
            Condition("Adam", {"optimizer": "adam"}, {"lr_factor": 0.01}),
        ),
    ),
    Claim(
        11,
        "Pair the output layer with its loss: sigmoid+BCE (binary, multi-label), "
        "softmax+CE (multiclass), linear+MSE (regression)",
        '"binary: sigmoid + binary cross-entropy; multiclass: softmax + categorical '
        'cross-entropy; regression: linear + MSE"',
        "MLPs (2 hidden ReLU layers) on moons, digits, multilabel and diabetes; the "
        "recommended pair against two mismatched pairs per task",
        "optimizer; task",
        "test metric (R^2 clipped to [0, 1]) of the recommended pair minus the mean of the "
        "mismatched pairs, mean over tasks",
        DecisionRule(min_effect=0.02),
        _q(epochs=10, n_samples=400, sweep=(1.0,), width=32, lrs=(3e-3,)),
        _full(epochs=30, n_samples=1000, sweep=(1.0,), lrs=(1e-3,)),
        convergence.pairing_rules,
        source_setting="Bishop 2006 ('Pattern Recognition and Machine Learning'), Sec. 4.3.6 "
        "and 5.2: each output activation paired with its canonical error function (the "
        "negative log-likelihood) gives the error gradient y - t, trained by gradient descent",
        conditions=(
            Condition("SGD + momentum", {"optimizer": SGD_M}, {"lr": 1e-2}, source="Bishop 2006"),
            ADAM,
        ),
    ),
    Claim(
        12,
        "Focal loss improves minority-class results under class imbalance",
        '"focal loss down-weights easy examples and fixes class imbalance" (Lin et al. 2017)',
        "MLPs (2 hidden ReLU layers) on rare-class make_classification (no label noise); BCE, "
        "class-weighted BCE (pos_weight = ratio) and focal loss (alpha 0.25, gamma 2) on "
        "logits; test average precision and minority recall",
        "imbalance ratio (majority : minority, up to 1:1000); optimizer",
        "average precision of focal loss minus the better of BCE and weighted BCE",
        DecisionRule(min_effect=0.02, unit="AP"),
        _q(epochs=8, n_samples=400, sweep=(1.0,), width=32, lrs=(3e-3,)),
        _full(epochs=12, n_samples=1000, sweep=(1.0,), lrs=(3e-3,), max_replicates=20),
        losses.focal_imbalance,
        source_setting="Lin, Goyal, Girshick, He & Dollar 2017 (ICCV), 'Focal Loss for Dense "
        "Object Detection': about 1:1000 foreground to background anchors, SGD with momentum "
        "0.9, alpha 0.25, gamma 2 (their prior-probability bias init is not reproduced)",
        conditions=(
            Condition(
                "1:1000, SGD + momentum",
                {"optimizer": SGD_M},
                {"ratio": 1000.0, "minority": 40, "lr": 1e-2},
                source="Lin et al. 2017",
            ),
            Condition("1:1000, Adam", {"optimizer": "adam"}, {"ratio": 1000.0, "minority": 40}),
            Condition("1:100, Adam", {"optimizer": "adam"}, {"ratio": 100.0, "minority": 40}),
            Condition("1:10, Adam", {"optimizer": "adam"}, {"ratio": 10.0, "minority": 40}),
        ),
    ),
    Claim(
        13,
        "L1 regularization gives sparse weights, L2 small spread-out weights",
        '"L1 drives weights to exactly zero; L2 shrinks all weights a little"',
        "Adam on classification with lambda * sum|w| or lambda/2 * sum w^2 (the catalog's "
        "l1_penalty, l2_penalty) added; fraction of |w| < 0.01 and the weight norm",
        "model (logistic regression, one hidden ReLU layer); penalty coefficient lambda",
        "near-zero fraction with L1 minus with L2, mean over lambdas",
        DecisionRule(min_effect=0.05, unit="of the weights"),
        _q(epochs=8, n_samples=400, sweep=(1e-3, 1e-2), width=32, lrs=(1e-2,)),
        _full(epochs=30, n_samples=1000, sweep=(1e-3, 1e-2), lrs=(1e-2,)),
        losses.sparse_l1,
        source_setting="Tibshirani 1996 (JRSS B), 'Regression Shrinkage and Selection via the "
        "Lasso': a linear model with an L1 penalty sets coefficients to exactly zero, ridge "
        "(L2) shrinks them all (the lab trains by Adam on the subgradient, so 'zero' is "
        "|w| < 0.01)",
        conditions=(
            Condition("linear model", params={"widths": []}, source="Tibshirani 1996"),
            Condition("one hidden layer", params={"widths": [None]}),
        ),
    ),
    Claim(
        14,
        "Label smoothing and distillation temperature soften the predicted distribution",
        '"label smoothing prevents over-confident predictions and improves calibration" '
        '(Szegedy et al. 2016; Mueller et al. 2019); "a higher temperature gives softer '
        'targets" (Hinton et al. 2015)',
        "MLPs (Adam) on digits: softmax cross-entropy with label smoothing; and students (one "
        "hidden layer) distilled from a teacher (two hidden layers of 128) at several "
        "temperatures; mean predictive entropy and expected calibration error on the test set",
        "part (label smoothing, distillation); label-smoothing factor; temperature",
        "mean predictive entropy (at temperature 1) at the largest smoothing factor minus "
        "without smoothing; of the student distilled at T minus the one distilled at T = 1; "
        "in nats",
        DecisionRule(min_effect=0.1, unit="nats"),
        _q(epochs=8, n_samples=600, sweep=(0.0, 0.1, 0.3), width=32, lrs=(3e-3,)),
        _full(epochs=30, n_samples=1797, sweep=(0.0, 0.1, 0.3)),
        losses.label_smoothing,
        source_setting="Szegedy et al. 2016 (CVPR), Sec. 7: label smoothing on ImageNet "
        "(Inception); Mueller, Kornblith & Hinton 2019 (NeurIPS): it improves calibration; "
        "Hinton, Vinyals & Dean 2015: students trained on a teacher's logits at a raised "
        "temperature (MNIST, fully connected nets). The lab uses MLPs on digits for both",
        conditions=(
            Condition(
                "Adam",
                params={"part": "label smoothing"},
                source="Szegedy et al. 2016",
            ),
            Condition(
                "T = 4",
                params={"part": "distillation", "temperature": 4.0},
                source="Hinton et al. 2015",
            ),
            Condition("T = 2", params={"part": "distillation", "temperature": 2.0}),
            Condition("T = 8", params={"part": "distillation", "temperature": 8.0}),
        ),
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
        source_setting="Bishop 2006, Sec. 4.3.4 (softmax with cross-entropy: gradient y - t "
        "with respect to the activations); checked numerically, in float64",
    ),
)


def get_claim(claim_id: int) -> Claim:
    """The claim numbered ``claim_id`` (ValueError naming the valid numbers otherwise)."""
    for c in CLAIMS:
        if c.id == claim_id:
            return c
    raise ValueError(f"claim must be a number from 1 to {len(CLAIMS)}, got {claim_id!r}")
