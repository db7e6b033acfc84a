# ---
# jupyter:
#   jupytext:
#     default_lexer: ipython3
#     formats: md:myst,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Feature averaging: why gradient descent finds non-robust networks
#
# ## Overview
#
# Adversarial examples are often explained by the data: perhaps robust features
# do not exist, or cannot be learned from the samples at hand.
# {cite:t}`li2024featureaveraging` point at the optimizer instead. On data where a
# robust two-layer network exists, gradient descent from a small initialization
# converges to a different network: each hidden neuron learns the *average* of
# all the features that share its label rather than one feature. Such an averaged
# network classifies every clean point correctly, yet a perturbation of norm of
# order $\sqrt{d/k}$, far below the distance $\sqrt{2d}$ between cluster centers, flips
# its prediction. The paper also shows a remedy: when the labels name each cluster
# (fine-grained supervision), the neurons learn the individual features and the
# derived binary classifier is robust up to radius of order $\sqrt{d}$.
#
# This chapter
#
# 1. trains the two-layer network of the analysis on orthogonal clusters, binary
#    and fine-grained, and tracks each neuron's cosine with the averaged and with
#    the individual features during training;
# 2. measures robust accuracy against the $\ell_2$ radius for both trainings, with
#    the theory's radii $\sqrt{d/k}$ and $\sqrt{d/2}$ marked, under PGD and under
#    the explicit perturbations of the theory;
# 3. repeats the comparison on real digits (odd against even, trained as a binary
#    task and as a 10-class task) and checks whether fine-grained supervision
#    still buys robustness.
#
# | scale | clusters | digits | time |
# |---|---|---|---|
# | `smoke` | $d=200$, $n=200$, 60 steps, 1 seed | 1,000 images, 1 epoch | seconds |
# | `book` | $d=3000$, $n=1000$, 1,000 steps, 3 seeds | 8,000 images, 20 epochs, 3 seeds | about 60 to 90 s on 2 idle cores |
# | `paper` | $d=10^4$, $n=5000$, 3,000 steps, 5 seeds | full MNIST (60,000), 30 epochs, 5 seeds | minutes on one GPU |

# %%
import numpy as np
import torch
from matplotlib import pyplot as plt

from lgcore import claims as claim_checks
from lgcore import data, plot, robust, runtime
from lgcore.experiments import feature_averaging as fa
from lgcore.scale import current, pick
from lgcore.theory import feature_averaging as theory

runtime.set_threads()
plot.use_style()
SCALE = current()
SEEDS = pick(smoke=[0], book=[0, 1, 2], paper=[0, 1, 2, 3, 4])
claims = claim_checks.Claims(
    "robustness/feature-averaging", paper="li2024featureaveraging", seeds=SEEDS
)
print(f"scale {SCALE}, seeds {SEEDS}, {runtime.hardware()}")

# %% [markdown]
# ## Setting
#
# **Data.** Fix $k$ (even) centers $\mu_1, \dots, \mu_k \in \mathbb{R}^d$ that are
# pairwise orthogonal with $\lVert \mu_j \rVert = \sqrt{d}$. A sample from cluster
# $j$ is $x = \mu_j + \xi$ with $\xi \sim \mathcal{N}(0, I_d)$; the clusters are
# equally likely. The binary label is $y = j \bmod 2$, so each label owns $k/2$
# clusters: $J_1$ (odd $j$) and $J_0$ (even $j$). The noise has norm about
# $\sqrt{d}$, as large as a center, but it is spread over all $d$ directions.
#
# **Network.** A two-layer ReLU network with a fixed second layer. Output class
# $c$ owns $m$ neurons $w_{c,1}, \dots, w_{c,m}$, and its logit is their mean
# activation
#
# $$
# f_c(x) = \frac{1}{m} \sum_{r=1}^{m} \operatorname{ReLU}(\langle w_{c,r}, x \rangle).
# $$
#
# With two classes, the cross-entropy on $(f_0, f_1)$ is the logistic loss on the
# margin $f_1 - f_0$: the usual binary network with second-layer weights
# $\pm 1/m$. With $k$ classes (fine-grained training) the binary prediction is
# read out as the label of the top class, smoothed as
# $\log \sum_{j \in J_y} e^{f_j}$ so that attacks get gradients
# ({py:class}`lgcore.models.CoarseReadout`).
#
# **Algorithm.** Full-batch gradient descent on the empirical cross-entropy from
# $w_{c,r} \sim \mathcal{N}(0, \sigma_0^2 I_d)$ with a small $\sigma_0$, learning
# rate $\eta$, for $T$ steps.

# %%
CLUSTERS = pick(
    smoke=fa.ClusterConfig(d=200, n_train=200, n_test=200, steps=60, eval_every=5, pgd_steps=5),
    book=fa.ClusterConfig(d=3000, n_train=1000, n_test=1000, steps=1000, eval_every=5),
    paper=fa.ClusterConfig(
        d=10_000, n_train=5000, n_test=2000, steps=3000, eval_every=10, pgd_steps=50
    ),
)
k, d = CLUSTERS.k, CLUSTERS.d
CLUSTERS

# %% [markdown]
# ## Theory
#
# The statements below are the paper's; the derivations are our short versions
# of the key steps, for the idealized network, and the experiments check them on
# the trained one.
#
# ```{prf:theorem} Feature averaging (informal)
# :label: thm-fa-feature-averaging
#
# On the orthogonal-cluster data with $k$ clusters, a small initialization and
# enough samples, gradient descent on the binary logistic loss converges to a
# network in which every neuron of label $y$ points, up to a small error, along
# the averaged feature $\sum_{j \in J_y} \mu_j$. This network has zero training
# error and generalizes, but a perturbation of $\ell_2$ norm of order
# $\sqrt{d/k}$ changes its prediction on most inputs.
# ```
#
# **Why the neurons average.** Write a neuron of label 1 as
# $w = \sum_j a_j \mu_j / d + (\text{noise part})$. The gradient of the loss with
# respect to $w$ is a weighted sum of the inputs on which the neuron is active,
# with positive weight on label-1 points and negative weight on label-0 points.
# Its component along $\mu_j$ is the total weight of the active points of cluster
# $j$, times $d$. At a small initialization every loss derivative is about
# $1/2$ and a random half of every cluster is active, so all $a_j$ with
# $j \in J_1$ grow at the same rate and all $a_j$ with $j \in J_0$ shrink until
# those clusters switch the neuron off, after which they stop contributing.
# Nothing breaks the symmetry between the clusters of one label later on: if one
# cluster's margin ran ahead, its loss derivative would shrink and its coefficient
# would grow more slowly. The noise parts of the inputs enter the gradient as a
# sum of independent Gaussians; summed over the $n/2$ points of a label their
# norm is about $\sqrt{n d / 2}$, against $n\sqrt{d}/\sqrt{2k}$ for the signal, so
# they tilt the neuron by an angle of order $\sqrt{k/n}$. The neuron is then close
# to the normalized sum $\bar{\mu}_1 = \sum_{j \in J_1} \mu_j / \sqrt{k d / 2}$,
# and its cosine with any single center of its label is
#
# $$
# \cos(\bar\mu_1, \mu_j) = \frac{\langle \sum_{i \in J_1} \mu_i, \mu_j \rangle}{\sqrt{k d/2}\,\sqrt{d}} = \sqrt{\frac{2}{k}}.
# $$

# %%
print(f"k = {k}: cosine with a single center sqrt(2/k) = {theory.cosine_with_center(k):.3f}")

# %% [markdown]
# **Why averaging is fragile.** Take the averaged network, with each neuron of
# label $y$ equal to $s \bar{\mu}_y$ for a scale $s > 0$. On a clean point of cluster
# $j \in J_1$ the label-1 neurons see
# $\langle s\bar\mu_1, \mu_j \rangle = s\sqrt{2d/k}$, and the label-0 neurons
# see only noise. Now move the point by $\delta = r (\bar{\mu}_0 - \bar{\mu}_1)/\sqrt{2}$,
# a vector of norm $r$. The label-1 logit drops by $s r/\sqrt{2}$ and the label-0
# logit rises by $s r /\sqrt{2}$, so the margin $s(\sqrt{2d/k} - \sqrt{2}\,r)$
# changes sign at
#
# $$
# r^\star_{\text{avg}} = \sqrt{d/k}.
# $$
#
# The network uses only the averaged direction, so the attacker only has to move
# along it, and the averaged direction is $\sqrt{k/2}$ times less aligned with the
# point's own center than that center itself.
#
# ```{prf:theorem} Fine-grained supervision (informal)
# :label: thm-fa-fine-grained
#
# Trained with one class per cluster, gradient descent makes the neurons of
# class $j$ align with $\mu_j$ alone. The binary classifier read out from this
# network is robust to $\ell_2$ perturbations of norm up to order $\sqrt{d}$.
# ```
#
# **Why.** A neuron of class $j$ is pushed towards the points of cluster $j$ and
# away from the others, so the averaging argument now runs over a single
# center: $w \approx s\mu_j/\sqrt{d}$. To flip the binary prediction of a point of
# cluster $j$, an attacker has to make some cluster $i$ of the other label win.
# The cheapest way moves along $(\mu_i - \mu_j)/\sqrt{2d}$: the own logit drops
# by $s r/\sqrt 2$, the logit of $i$ rises by $s r/\sqrt 2$, and the margin
# $s(\sqrt{d} - \sqrt 2\, r)$ vanishes at
#
# $$
# r^\star_{\text{fine}} = \sqrt{d/2} = \sqrt{k/2}\; r^\star_{\text{avg}}.
# $$

# %%
r_avg, r_fine = theory.averaging_radius(d, k), theory.fine_grained_radius(d)
print(f"d = {d}, k = {k}: sqrt(d/k) = {r_avg:.2f}, sqrt(d/2) = {r_fine:.2f}")
print(f"ratio sqrt(k/2) = {r_fine / r_avg:.3f}")

# %% [markdown]
# Both radii are below the distance $\sqrt{2d}$ between two centers, and the
# averaging radius is far below it; the gap between the two radii grows as
# $\sqrt{k}$, so the more clusters share a label, the more robustness binary
# training gives away.
#
# ## Experiments
#
# ### Alignment during training
#
# We draw the data for each seed, then train the binary and the fine-grained
# network on the same training set, recording the cosines every few steps.

# %%
runs = [fa.run_clusters(CLUSTERS, seed) for seed in SEEDS]
final = {
    "binary": [fa.alignment(run.binary, run.test.centers, fine=False) for run in runs],
    "fine": [fa.alignment(run.fine, run.test.centers, fine=True) for run in runs],
}
for seed, binary, fine in zip(SEEDS, final["binary"], final["fine"]):
    print(
        f"seed {seed}: binary cos(avg) >= {binary['cos_average_min']:.3f}, cos(center) in "
        f"[{binary['cos_center_min']:.3f}, {binary['cos_center_max']:.3f}]; fine cos(own) >= "
        f"{fine['cos_own_min']:.3f}, cos(other) <= {fine['cos_other_max']:.3f}"
    )

# %%
run = runs[0]
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.6), sharey=True)
binary_series = {
    "cos_average_min": "min cos(neuron, its label's average)",
    "cos_center_mean": "mean cos(neuron, one center of its label)",
    "cos_other_max": "max cos(neuron, a center of the other label)",
}
for name, label in binary_series.items():
    left.plot(*run.binary_history.series(name), label=label)
theory_cosine = theory.cosine_with_center(k)
left.axhline(theory_cosine, linestyle="--", color="0.3", label=r"theory $\sqrt{2/k}$")
fine_series = {
    "cos_own_min": "min cos(neuron, own center)",
    "cos_other_max": "max cos(neuron, another center)",
}
for name, label in fine_series.items():
    right.plot(*run.fine_history.series(name), label=label)
left.set(title="binary training", ylabel="cosine")
right.set(title="fine-grained training")
for ax in (left, right):
    ax.set_xscale("symlog", linthresh=10)
    ax.set_xlim(left=0)
    ax.set_ylim(-0.1, 1.05)
    ax.set_xlabel("gradient descent step (log scale past 10)")
    ax.legend(fontsize=7, loc="lower center", bbox_to_anchor=(0.5, 1.12), ncol=1)
plt.show()

# %% [markdown]
# Binary training drives every neuron towards its label's averaged direction
# (cosine {glue:text}`fa-binary-cos-average:.3f` at worst over neurons and seeds),
# and its cosine with each single center settles near $\sqrt{2/k}$ =
# {glue:text}`fa-theory-cos-center:.3f`: between
# {glue:text}`fa-binary-cos-center-min:.3f` and
# {glue:text}`fa-binary-cos-center-max:.3f`. Fine-grained training instead puts
# each neuron on its own center (cosine at least
# {glue:text}`fa-fine-cos-own:.3f`) and nearly orthogonal to all the others (at
# most {glue:text}`fa-fine-cos-other:.3f`).
#
# ### Robustness against the radius
#
# For each seed we attack the test set with $\ell_2$ PGD (random start, no
# clamping since the inputs are Gaussian) at radii given in units of
# $\sqrt{d/k}$, and also apply the two explicit perturbations of the derivation:
# the averaging direction against the binary network and the single-center
# direction against the fine-grained readout.

# %%
relative_radii = np.array(
    [0.0, 0.5, 0.75, 0.9, 1.0, 1.1, 1.15, 1.3, 1.6, 2.0, 2.15, 2.3, 2.5, 3.0]
)
curves = [fa.cluster_robustness(run, relative_radii * r_avg) for run in runs]
per_seed = {name: np.array([curve[name] for curve in curves]) for name in curves[0]}
mean_curve = {name: values.mean(axis=0) for name, values in per_seed.items()}
spread_curve = {name: values.std(axis=0) for name, values in per_seed.items()}
print("radius / sqrt(d/k)  ", " ".join(f"{value:5.2f}" for value in relative_radii))
for name, values in mean_curve.items():
    print(f"{name:20s}", " ".join(f"{value:5.3f}" for value in values))

# %%
fig, ax = plt.subplots(figsize=(7, 4))
labels = {
    "pgd_binary": ("binary, PGD", "o-"),
    "averaging_binary": ("binary, averaging direction", "s--"),
    "pgd_fine": ("fine-grained, PGD", "o-"),
    "nearest_center_fine": ("fine-grained, single-center direction", "s--"),
}
for name, (label, style) in labels.items():
    color = plot.PALETTE[0] if "binary" in name else plot.PALETTE[1]
    mean, spread = mean_curve[name], spread_curve[name]
    ax.plot(relative_radii, mean, style, color=color, label=label)
    ax.fill_between(relative_radii, mean - spread, mean + spread, color=color, alpha=0.15, lw=0)
plot.mark(ax, {r"$\sqrt{d/k}$": 1.0, r"$\sqrt{d/2}$": r_fine / r_avg})
ax.set(xlabel=r"$\ell_2$ radius / $\sqrt{d/k}$", ylabel="robust test accuracy", ylim=(-0.02, 1.02))
ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
plt.show()

# %% [markdown]
# The binary network collapses at $\sqrt{d/k}$, whether attacked by PGD or by
# the single averaging direction of the theory: its PGD accuracy falls through
# one half at {glue:text}`fa-binary-crossing:.2f` $\sqrt{d/k}$ (mean over seeds),
# and at $1.15\sqrt{d/k}$ it is {glue:text}`fa-binary-robust-at-115:.3f` at worst
# over seeds. The fine-grained network keeps
# {glue:text}`fa-fine-robust-at-115:.3f` at the same radius and holds until
# {glue:text}`fa-fine-crossing:.2f` $\sqrt{d/2}$, where the single-center
# perturbation of the theory breaks it too. At half the averaging radius both
# are intact ({glue:text}`fa-binary-robust-at-050:.3f` and
# {glue:text}`fa-fine-robust-at-050:.3f`). PGD finds no cheaper attack than the
# explicit directions of the derivation: the dashed and the solid curves
# coincide up to the noise of a finite test set.
#
# ### Real digits: odd against even
#
# MNIST digits are not orthogonal clusters, but the question carries over: does a
# network trained only on the coarse label (odd or even) end up less robust than
# one trained on the ten digits and read out as odd or even? Offline, the book
# uses the 10,000 MNIST test images, split into 8,000 for training and 2,000
# held out; at `paper` scale it trains on the 60,000 training images and tests on
# the test set. Both models are the same MLP (one hidden layer of 256 ReLU units),
# trained with the same optimizer and epochs; only the labels and the output
# layer differ. Inputs stay in $[0, 1]$ and PGD clamps to that range.

# %%
DIGITS = pick(
    smoke=fa.DigitsConfig(epochs=1, pgd_steps=5),
    book=fa.DigitsConfig(epochs=20),
    paper=fa.DigitsConfig(epochs=30, pgd_steps=50),
)
if SCALE == "paper":
    digits_train, digits_heldout = data.load_mnist("train"), data.load_mnist("test")
else:
    digits_train, digits_heldout = data.split(data.load_mnist("test"), 2000, seed=0)
    if SCALE == "smoke":
        digits_train = digits_train.subset(slice(0, 1000))
        digits_heldout = digits_heldout.subset(slice(0, 500))
digit_radii = np.array([0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0])
digit_runs = [
    fa.run_digits(digits_train, digits_heldout, DIGITS, digit_radii, seed) for seed in SEEDS
]
for digit_run in digit_runs:
    print(
        f"seed {digit_run.seed}: clean odd/even accuracy binary {digit_run.clean_binary:.4f}, "
        f"fine-grained {digit_run.clean_fine:.4f} "
        f"(10-class accuracy {digit_run.clean_fine_ten_class:.4f})"
    )

# %% [markdown]
# We compare the two models at the first radius of the grid where the binary
# model's mean robust accuracy has fallen to 0.75 or below, halfway between
# clean accuracy and chance on this balanced task. The rule reads the binary
# curve alone, so it cannot favour the fine-grained model, and it picks the
# region where the binary model is breaking, where a difference in robustness
# shows. (At book scale the binary model sits just above 0.75 at radius 0.75,
# so the rule picks 1.0, where the binary model is already close to chance.)

# %%
binary_curves = np.array([digit_run.robust_binary for digit_run in digit_runs])
fine_curves = np.array([digit_run.robust_fine for digit_run in digit_runs])
broken = np.flatnonzero(binary_curves.mean(axis=0) <= 0.75)
chosen = int(broken[0]) if len(broken) else len(digit_radii) - 1  # else the largest radius
eps_star = float(digit_radii[chosen])
gains = fine_curves[:, chosen] - binary_curves[:, chosen]
print(f"chosen radius {eps_star}")
print(f"binary {binary_curves[:, chosen].round(3)}, fine-grained {fine_curves[:, chosen].round(3)}")

fig, ax = plt.subplots(figsize=(7, 4))
digit_curves = [
    (binary_curves, "binary (odd/even labels)", plot.PALETTE[0]),
    (fine_curves, "fine-grained (10 digits, read out)", plot.PALETTE[1]),
]
for curves_of, label, color in digit_curves:
    mean = curves_of.mean(axis=0)
    plot.overlay(ax, digit_radii, experiment=mean, spread=curves_of.std(axis=0), label=label,
                 color=color)
    ax.plot(digit_radii, mean, "-", color=color, alpha=0.6)
plot.mark(ax, {r"chosen $\varepsilon$": eps_star})
ax.set(xlabel=r"$\ell_2$ radius (pixel units, inputs in [0, 1])",
       ylabel="robust held-out accuracy", ylim=(0.0, 1.02))
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# At $\varepsilon$ = {glue:text}`fa-digits-eps:.2f` the fine-grained model keeps
# {glue:text}`fa-digits-robust-fine:.3f` robust accuracy against
# {glue:text}`fa-digits-robust-binary:.3f` for the binary one (means over seeds),
# a gain of {glue:text}`fa-digits-gain:.3f`, while their clean accuracies differ by
# {glue:text}`fa-digits-clean-gap:.4f`. The effect is smaller than on the
# synthetic clusters, as one should expect: digits of one parity are not
# orthogonal directions of equal weight, and an MLP with a trained second layer
# is not the fixed-readout network of the analysis.
#
# ## Claims
#
# Each claim below is the paper's statement, in our words, checked on the runs
# above, at the worst seed unless stated otherwise. The tolerances are those of
# the theory's finite-size corrections; the seed spread we measured is printed
# into each reason.

# %%
binary_final = {key: np.array([row[key] for row in final["binary"]]) for key in final["binary"][0]}
fine_final = {key: np.array([row[key] for row in final["fine"]]) for key in final["fine"][0]}


def spread(values):
    """Describe the measured seed spread of an array of per-seed values."""
    return f"{len(values)} seeds span [{np.min(values):.3f}, {np.max(values):.3f}]"


claim_checks.glue("fa-theory-cos-center", theory.cosine_with_center(k))
claims.check(
    "fa-binary-cos-average",
    "Binary training: every neuron aligns with its label's averaged center",
    binary_final["cos_average_min"].min(), at_least=0.95, paper_value="-> 1 (feature averaging)",
    why="the data noise tilts neurons by an angle of order sqrt(k/n); "
        + spread(binary_final["cos_average_min"]),
)
claims.check(
    "fa-binary-cos-center-min",
    "Binary training: lowest cosine of a neuron with a single center of its label",
    binary_final["cos_center_min"].min(), at_least=0.35,
    paper_value=f"sqrt(2/k) = {theory.cosine_with_center(k):.3f}",
    why="clusters of a finite sample are not exactly balanced; "
        + spread(binary_final["cos_center_min"]),
)
claims.check(
    "fa-binary-cos-center-max",
    "Binary training: highest cosine of a neuron with a single center of its label",
    binary_final["cos_center_max"].max(), at_most=0.55,
    paper_value=f"sqrt(2/k) = {theory.cosine_with_center(k):.3f}",
    why="clusters of a finite sample are not exactly balanced; "
        + spread(binary_final["cos_center_max"]),
)
claims.check(
    "fa-fine-cos-own", "Fine-grained training: every neuron aligns with its own center",
    fine_final["cos_own_min"].min(), at_least=0.95, paper_value="-> 1",
    why="noise tilt of order sqrt(k/n), as for binary training; "
        + spread(fine_final["cos_own_min"]),
)
claims.check(
    "fa-fine-cos-other", "Fine-grained training: neurons are nearly orthogonal to other centers",
    fine_final["cos_other_max"].max(), at_most=0.1, paper_value="-> 0 (or negative)",
    why="early steps push neurons away from the other clusters' points; "
        + spread(fine_final["cos_other_max"]),
)

# %%
at = {value: int(np.flatnonzero(np.isclose(relative_radii, value))[0]) for value in (0.5, 1.15)}
binary_at, fine_at = per_seed["pgd_binary"], per_seed["pgd_fine"]
claims.check(
    "fa-binary-robust-at-115",
    "Binary training: PGD at 1.15 sqrt(d/k) breaks most test points",
    binary_at[:, at[1.15]].max(), at_most=0.3, paper_value="non-robust beyond O(sqrt(d/k))",
    why="at 1.15 sqrt(d/k) the margin left is 0.15 sqrt(2d/k) against unit noise; "
        + spread(binary_at[:, at[1.15]]),
)
claims.check(
    "fa-fine-robust-at-115",
    "Fine-grained training: PGD at 1.15 sqrt(d/k) leaves the readout intact",
    fine_at[:, at[1.15]].min(), at_least=0.95, paper_value="robust up to Omega(sqrt(d))",
    why="1.15 sqrt(d/k) is half of sqrt(d/2) at k = 10; " + spread(fine_at[:, at[1.15]]),
)
claims.check(
    "fa-binary-robust-at-050",
    "Binary training: PGD at 0.5 sqrt(d/k) does not break the network",
    binary_at[:, at[0.5]].min(), at_least=0.95, paper_value="robust below sqrt(d/k)",
    why="half the critical radius leaves a margin of 0.5 sqrt(2d/k) against unit noise; "
        + spread(binary_at[:, at[0.5]]),
)
claims.check(
    "fa-fine-robust-at-050",
    "Fine-grained training: PGD at 0.5 sqrt(d/k) does not break the readout",
    fine_at[:, at[0.5]].min(), at_least=0.95, paper_value="robust up to Omega(sqrt(d))",
    why="far below sqrt(d/2); " + spread(fine_at[:, at[0.5]]),
)

# %% [markdown]
# The theory also predicts *where* each network breaks. We locate the radius at
# which PGD accuracy falls through one half, by linear interpolation between grid
# points, and compare it with $\sqrt{d/k}$ and $\sqrt{d/2}$.

# %%
binary_crossing = np.array([robust.crossing_radius(relative_radii, row) for row in binary_at])
fine_crossing = np.array([robust.crossing_radius(relative_radii * r_avg / r_fine, row)
                          for row in fine_at])
claims.check(
    "fa-binary-crossing",
    "Binary training breaks at sqrt(d/k): half-accuracy radius / sqrt(d/k)",
    binary_crossing.mean(), expected=1.0, rtol=0.1, paper_value="1 (order sqrt(d/k))",
    why="per-point margins vary with the noise by about 1/sqrt(2d/k) relative, and the grid is "
        "interpolated linearly; " + spread(binary_crossing),
)
claims.check(
    "fa-fine-crossing",
    "Fine-grained training breaks at sqrt(d/2): half-accuracy radius / sqrt(d/2)",
    fine_crossing.mean(), expected=1.0, rtol=0.1, paper_value="1 (order sqrt(d))",
    why="the same margin noise, relative to sqrt(d); " + spread(fine_crossing),
)

# %% [markdown]
# On digits the paper's claim is qualitative: fine-grained supervision gives a
# more robust coarse classifier at comparable clean accuracy. We require the mean
# gain over seeds to exceed twice its standard error (a rough significance check
# with few seeds), and the clean accuracies to differ by at most one percentage
# point.

# %%
clean_binary = np.array([digit_run.clean_binary for digit_run in digit_runs])
clean_fine = np.array([digit_run.clean_fine for digit_run in digit_runs])
standard_error = gains.std(ddof=1) / np.sqrt(len(gains)) if len(gains) > 1 else 0.0
claim_checks.glue("fa-digits-eps", eps_star)
claim_checks.glue("fa-digits-robust-fine", fine_curves[:, chosen].mean())
claim_checks.glue("fa-digits-robust-binary", binary_curves[:, chosen].mean())
claim_checks.glue("fa-digits-gain", gains.mean())
claims.check(
    "fa-digits-robust-gain",
    f"Digits: fine-grained training is more robust at l-2 radius {eps_star}",
    gains.mean() - 2 * standard_error, at_least=0.0, paper_value="fine-grained > binary",
    why="the mean gain minus two standard errors must be positive; gains over seeds "
        f"{np.round(gains, 3).tolist()}",
)
claims.check(
    "fa-digits-clean-gap", "Digits: the two models have comparable clean accuracy",
    abs(clean_fine.mean() - clean_binary.mean()), at_most=0.01, paper_value="comparable",
    why="a robustness gain bought with clean accuracy would not count; clean accuracy binary "
        f"{clean_binary.round(4).tolist()}, fine-grained {clean_fine.round(4).tolist()}",
)
passed = sum(result.passed for result in claims.results)
print(f"{len(claims.results)} claims checked, {passed} passed; record: {claims.path.name}")

# %% [markdown]
# ## Reproduction notes
#
# - **What matches.** On orthogonal clusters the book-scale run shows both halves
#   of the paper's picture: feature averaging under binary labels, with the
#   cosine with single centers near $\sqrt{2/k}$, and a robust accuracy that
#   collapses at $\sqrt{d/k}$ under binary training but survives to about
#   $\sqrt{d/2}$ under fine-grained training. The explicit perturbations of the
#   derivation match PGD, so PGD finds no cheaper attack than the one the theory
#   describes.
# - **Initialization matters.** With $\sigma_0 = 10^{-3}$ instead of $10^{-4}$ the
#   random initial direction is still a visible part of each neuron after 1,000
#   steps and the fine-grained cosine with the own center stays near 0.95; the
#   analysis assumes a small initialization, and we use $10^{-4}$.
# - **Sizes.** The paper's statements are asymptotic in $d$ and $n$. The book
#   uses $d = 3000$, $n = 1000$, $k = 10$, $m = 5$ neurons per class, plain
#   gradient descent with $\eta = 0.05$ for 1,000 steps, and three seeds; the
#   `paper` preset raises $d$ to $10^4$ and $n$ to 5,000.
# - **Digits.** The book trains on 8,000 of the MNIST test images because the
#   training images are not part of the offline data; the `paper` preset uses
#   the standard split. The architecture is a one-hidden-layer MLP with a trained
#   output layer, not the fixed-readout network of the theory.
# - **Run it.** `python book/robustness/feature-averaging.py` runs this chapter
#   as a script at book scale; `LGCORE_SCALE=paper` selects the larger preset,
#   which needs the full MNIST training set (downloaded and checked on first use)
#   and is meant for a GPU.
