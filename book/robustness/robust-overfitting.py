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
# # Clean generalization and robust overfitting in adversarial training
#
# ## Overview
#
# Adversarial training often ends in a strange state: the network classifies
# clean test images well and is robust on its training images, yet it is not
# robust on test images. {cite:t}`li2023robustoverfitting` explain this state,
# clean generalization with robust overfitting, from two sides. From
# representation complexity: once a clean classifier of polynomial size exists,
# $O(ND)$ extra parameters suffice to make it robust on $N$ training points in
# $\mathbb{R}^D$ (robust memorization), while a classifier that is robust on the
# whole distribution can need exponentially many parameters. From training
# dynamics: adversarial training of a two-layer CNN on patch data learns the
# true feature only in part, then switches to memorizing the noise of each
# training sample, and ends in exactly this state.
#
# This chapter
#
# 1. builds the memorizing network of the first argument on the scikit-learn
#    digits: a clean MLP plus ReLU bumps around the training images, and
#    measures its clean and robust accuracy on training and test images;
# 2. adversarially trains an MLP on the digits with $\ell_\infty$ PGD at
#    $\varepsilon = 0.1$ and tracks clean test, robust training and robust test
#    accuracy per epoch;
# 3. adversarially trains the two-layer CNN of the second argument on patch
#    data and tracks its alignment with the true feature against its largest
#    alignment with any training sample's noise, with the three stages marked.
#
# | scale | bumps and adversarial training on digits | patch CNN | time |
# |---|---|---|---|
# | `smoke` | 400 training digits, 4 epochs, 1 seed | 200 steps, 1 seed | seconds |
# | `book` | 1,297 training digits, 50 epochs, 3 seeds | 1,000 steps, 3 seeds | about 60 to 90 s on 2 idle cores |
# | `paper` | full MNIST (60,000), 100 epochs, 3 seeds | 3,000 steps, 3 seeds | a GPU; see the notes |

# %%
import numpy as np
from matplotlib import pyplot as plt

from lgcore import claims as claim_checks
from lgcore import data, plot, runtime
from lgcore.experiments import robust_overfitting as ro
from lgcore.scale import current, pick

runtime.set_threads()
plot.use_style()
SCALE = current()
SEEDS = pick(smoke=[0], book=[0, 1, 2], paper=[0, 1, 2])
claims = claim_checks.Claims(
    "robustness/robust-overfitting", paper="li2023robustoverfitting", seeds=SEEDS
)
print(f"scale {SCALE}, seeds {SEEDS}, {runtime.hardware()}")

# %% [markdown]
# ## Setting
#
# **Robust accuracy.** A classifier $F: \mathbb{R}^D \to \{1, \dots, K\}$ is
# $\delta$-robust at a labelled point $(x, y)$ if $F(x') = y$ for every $x'$ with
# $\lVert x' - x \rVert_\infty \le \delta$. Robust training accuracy is the
# fraction of training points at which $F$ is robust, robust test accuracy the
# same fraction on fresh points. *Clean generalization with robust overfitting*
# means high clean test accuracy, robust training accuracy near one and a robust
# test accuracy well below it.
#
# **Adversarial training.** Minimize the loss on worst-case perturbations,
#
# $$
# \min_\theta \frac{1}{N} \sum_{i=1}^{N}
# \max_{\lVert \delta_i \rVert \le \varepsilon} \ell\bigl(F_\theta(x_i + \delta_i), y_i\bigr),
# $$
#
# with the inner maximum approximated by projected gradient ascent (PGD).
#
# **Patch data.** A sample is $x = (x_1, \dots, x_P)$ with $P$ patches in
# $\mathbb{R}^d$ and a label $y \in \{\pm 1\}$. One patch, at a random position,
# is the signal $\alpha\, y\, u$ along a unit feature $u$ shared by all samples;
# the others are noise $\xi_{i,p} \sim \mathcal{N}(0, \sigma^2 (I - u u^\top))$,
# private to each sample. When $\sigma \sqrt{d}$ exceeds $\alpha$ and $N \ll d$,
# the noise patches of different samples are nearly orthogonal and large, so a
# network can fit the training set by learning $u$ or by memorizing the
# $\xi_{i,p}$.
#
# **Network.** A two-layer CNN with $m$ filters $w_{c,r} \in \mathbb{R}^d$ per
# class $c$, shared across patches, and logits
#
# $$
# F_c(x) = \sum_{r=1}^{m} \sum_{p=1}^{P} \sigma\bigl(\langle w_{c,r}, x_p \rangle\bigr),
# $$
#
# with $\sigma$ the ReLU; only the filters are trained, by full-batch gradient
# descent on the cross-entropy of $\ell_2$ PGD examples of radius $\varepsilon$.
# We track the *feature alignment* $\alpha \max_r \langle w_{y,r}, y u\rangle$
# and the *noise alignment* $\max_{i,r,p} \langle w_{y_i,r}, \xi_{i,p}\rangle$:
# both are pre-activations, so they say how strongly the signal and the
# best-memorized noise patch drive the network.
#
# ## Theory
#
# The theorems below paraphrase the paper's main results informally; the
# derivations are our short versions of the key steps, not the paper's proofs.
#
# ```{prf:theorem} Robust memorization is cheap
# :label: thm-ro-robust-memorization
#
# Let the classes be separated in $\ell_\infty$ by more than $2\delta$ and let a
# ReLU network of polynomial size classify clean data correctly. Then adding
# $O(ND)$ parameters gives a ReLU network that has the clean classifier's clean
# test accuracy and is $\delta$-robust at all $N$ training points. A network
# that is $\delta$-robust on the whole data distribution, in contrast, can need
# a number of parameters exponential in $D$.
# ```
#
# **The construction.** For a training point $x_i$ set
#
# $$
# g_i(x) = \operatorname{ReLU}\Bigl(1 - \frac{1}{\tau} \sum_{j=1}^{D}
# \bigl[\operatorname{ReLU}(x_j - x_{ij} - \delta) + \operatorname{ReLU}(x_{ij} - x_j - \delta)\bigr]\Bigr).
# $$
#
# Inside the $\ell_\infty$ ball of radius $\delta$ around $x_i$ every inner ReLU
# is zero, so $g_i = 1$. The sum in the bracket is the $\ell_1$ excess of
# $|x - x_i|$ over $\delta$, coordinate by coordinate; once it reaches $\tau$ the
# bump is zero, and this happens at the latest when
# $\lVert x - x_i \rVert_\infty \ge \delta + \tau$. The bump is a ReLU network
# with $2D$ hidden units, hence $O(D)$ parameters, and $N$ of them cost $O(ND)$.
# Now take a clean classifier with logits $f(x)$ and output
#
# $$
# F(x) = \operatorname{softmax}(f(x)) + h \sum_{i=1}^{N} g_i(x)\, e_{y_i}, \qquad h > 1.
# $$
#
# If the training points of different labels are more than $2(\delta + \tau)$
# apart, at most one label's bumps are non-zero at any $x$. Inside the ball of
# radius $\delta$ around $x_i$ the logit of $y_i$ is at least $h > 1$ and every
# other logit at most 1, so $F$ is robust at every training point, whatever $f$
# does there. At a test point farther than $2\delta + \tau$ from all training
# points, no perturbation of size $\delta$ reaches a bump, so $F$ behaves exactly
# like $f$, clean and under attack: clean generalization is inherited and robust
# generalization is not gained.
#
# **Why robustness everywhere is expensive.** A robust classifier must be
# constant on the $\delta$-ball around every point of the support, not only
# around the $N$ sampled ones. The idea of the lower bound, in our sketch: take a
# support with exponentially many well-separated regions whose labels follow no
# pattern a small network can express. A network robust on all of them must
# realize every labelling of the regions that the distribution may carry. The
# VC dimension of ReLU networks with $W$ parameters is at most polynomial in
# $W$, so realizing all labellings of exponentially many regions needs $W$
# exponential in $D$. Robust memorization avoids this cost by being robust
# only where the training points are, and it is the state that adversarial
# training reaches.
#
# ```{prf:theorem} Three stages of adversarial training (informal)
# :label: thm-ro-three-stages
#
# On patch data with signal strength $\alpha$, noise level $\sigma$ and an
# attack radius $\varepsilon$ below but of the order of $\alpha$, gradient
# descent adversarial training of the two-layer CNN from a small
# initialization goes through three stages: (1) the filters partly learn the
# feature $u$; (2) the attack concentrates on $u$, which removes most of the
# signal from the adversarial examples, and feature learning stalls; (3) the
# filters memorize the noise of each training sample. At the end the network
# has near-perfect clean test accuracy and robust training accuracy, but its
# robust test accuracy is low.
# ```
#
# **Stage 1.** At a small initialization the filters point in random
# directions, so the PGD perturbation is spread over random directions and
# removes only a fraction of order $1/\sqrt{d}$ of the signal. The gradient on
# $w_{y,r}$ along $u$ collects the signal patch of every sample with label $y$,
# a coherent sum of $N/2$ terms of size $\alpha$; along a sample's noise it
# collects one term of size $\sigma \sqrt{d}$. With
# $N \alpha \gg \sigma \sqrt{d}$ the feature grows first.
#
# **Stage 2.** Once the filters align with $u$, the gradient of the loss with
# respect to the input points along $-y u$ on the signal patch, and PGD spends
# its budget there: the adversarial signal shrinks from $\alpha$ to about
# $\alpha - \varepsilon$. The feature's contribution to the robust margin then
# grows by a factor $(\alpha - \varepsilon)/\alpha$ more slowly than before,
# while the adversarial loss stays large.
#
# **Stage 3.** The attack has spent its budget on $u$, so it barely touches the
# directions $\xi_{i,p}$. Each sample's noise now gives a margin term of size
# $\sigma\sqrt{d}$ per unit of filter weight, against $\alpha - \varepsilon$ for
# the feature, and gradient descent grows the noise components fastest. They fit
# the adversarial training examples but carry no information about new samples,
# whose noise is independent: robust training accuracy rises and robust test
# accuracy does not.
#
# ## Experiments
#
# ### Robust memorization with bumps
#
# We split the 1,797 scikit-learn digits ($8 \times 8$, $D = 64$, pixels in
# $[0, 1]$) into 1,297 training and 500 test images, train an MLP on the clean
# training images, and add a bump of flat-top radius $\delta = \varepsilon =
# 0.1$ and fall-off $\tau = 0.05$ around each training image, with height
# $h = 2$. Both models are attacked with $\ell_\infty$ PGD (10 steps, random
# start, clamped to $[0, 1]$).

# %%
DIGITS = pick(
    smoke=ro.DigitsConfig(hidden=(64, 64), epochs=4, eval_every_epochs=1, eval_train_size=200),
    book=ro.DigitsConfig(hidden=(256, 256), epochs=50),
    paper=ro.DigitsConfig(hidden=(1024, 1024), epochs=100, eval_every_epochs=5,
                          eval_train_size=10_000),
)
if SCALE == "paper":
    digits_train, digits_test = data.load_mnist("train"), data.load_mnist("test")
else:
    digits_train, digits_test = data.split(data.load_digits(), 500, seed=0)
    if SCALE == "smoke":
        digits_train = digits_train.subset(slice(0, 400))
        digits_test = digits_test.subset(slice(0, 200))
MEMORIZE = pick(smoke=DIGITS, book=ro.DigitsConfig(hidden=(256,), epochs=20), paper=DIGITS)
# At paper scale the bumps cover the first 10,000 MNIST training images (see the notes).
memorized = digits_train.subset(slice(0, 10_000)) if SCALE == "paper" else digits_train
memorization = ro.run_memorization(memorized, digits_test, MEMORIZE, seed=SEEDS[0])
header = ("clean train", "clean test", "robust train", "robust test")
print(" " * 8 + "".join(f"{name:>14s}" for name in header))
for name in ("clean", "bumps"):
    row = [memorization[f"{name}_{part}"] for part in
           ("clean_train", "clean_test", "robust_train", "robust_test")]
    print(f"{name:8s}" + "".join(f"{value:14.3f}" for value in row))
print(f"parameters: clean MLP {memorization['clean_parameters']:.0f}, "
      f"bumps {memorization['bump_parameters']:.0f}; "
      f"test images within reach of a bump: {memorization['test_reach']:.3f}")

# %% [markdown]
# The bumps change nothing on the test images: the memorizer's clean test
# accuracy is {glue:text}`ro-bumps-clean-test:.3f`, the clean MLP's, and its
# robust test accuracy stays the clean MLP's too. On the training images it is
# robust everywhere: robust training accuracy {glue:text}`ro-bumps-robust-train:.3f`,
# a robust train-test gap of {glue:text}`ro-bumps-gap:.3f`. The digits of
# different classes are far apart in $\ell_\infty$ (almost no test image lies
# within $2\delta + \tau$ of a training image), so the bumps never collide. The
# price is $N(4D + 2)$ = {glue:text}`ro-bump-parameters:,.0f` parameters beside the clean
# MLP's {glue:text}`ro-clean-parameters:,.0f`: linear in the number of training
# points and in the dimension.
#
# ### Adversarial training on digits
#
# The same split, an MLP with two hidden layers, SGD with momentum, and
# $\ell_\infty$ PGD at $\varepsilon = 0.1$ (5 steps in training, 10 in
# evaluation). Every second epoch we measure clean test accuracy, robust accuracy
# on 500 training images, and robust test accuracy.
#
# At `paper` scale this experiment is the paper's own: a PreAct-ResNet-18
# trained on CIFAR-10 with PGD-10 at $\varepsilon = 8/255$ (step $2/255$) for 200
# epochs, SGD with learning rate 0.1, momentum 0.9, weight decay $5 \cdot 10^{-4}$,
# and the learning rate divided by 10 after epochs 100 and 150.

# %%
ADVERSARIAL = pick(
    smoke=DIGITS,
    book=DIGITS,
    paper=ro.DigitsConfig(
        architecture="preact-resnet18", epochs=200, batch_size=128, lr=0.1, momentum=0.9,
        weight_decay=5e-4, lr_milestones=(100, 150), eps=8 / 255, train_attack_steps=10,
        train_attack_step_size=2 / 255, eval_attack_steps=10, eval_every_epochs=5,
        eval_train_size=1000,
    ),
)
if SCALE == "paper":
    adversarial_train, adversarial_test = data.load_cifar10("train"), data.load_cifar10("test")
else:
    adversarial_train, adversarial_test = digits_train, digits_test
histories = [
    ro.run_adversarial_digits(adversarial_train, adversarial_test, ADVERSARIAL, seed)
    for seed in SEEDS
]
curves = {
    name: np.array([history.series(name)[1] for history in histories])
    for name in ("epoch", "clean_test", "robust_train", "robust_test")
}
epochs = curves["epoch"][0]
gap = curves["robust_train"] - curves["robust_test"]
fifth = int(np.argmin(np.abs(epochs - epochs[-1] / 5)))
for seed, history in zip(SEEDS, histories):
    print(f"seed {seed}: clean test {history.last('clean_test'):.3f}, "
          f"robust train {history.last('robust_train'):.3f}, "
          f"robust test {history.last('robust_test'):.3f}")

# %%
fig, ax = plt.subplots(figsize=(7, 4))
series = [("clean_test", "clean test"), ("robust_train", "robust train"),
          ("robust_test", "robust test")]
for color, (name, label) in zip(plot.PALETTE, series):
    mean, spread = curves[name].mean(axis=0), curves[name].std(axis=0)
    ax.plot(epochs, mean, "-", color=color, label=label)
    ax.fill_between(epochs, mean - spread, mean + spread, color=color, alpha=0.2, lw=0)
plot.mark(ax, {"first fifth": epochs[fifth]})
ax.set(xlabel="epoch", ylim=(0, 1.02),
       ylabel=rf"accuracy ($\ell_\infty$ PGD, $\varepsilon = {ADVERSARIAL.eps:.3g}$)")
ax.legend(fontsize=8, loc="lower right")
plt.show()

# %% [markdown]
# Clean test accuracy ends at {glue:text}`ro-digits-clean-test:.3f` (lowest
# seed) and robust training accuracy keeps climbing towards one, while robust
# test accuracy levels off: the robust train-test gap grows from
# {glue:text}`ro-digits-gap-fifth:.3f` after the first fifth of training to
# {glue:text}`ro-digits-gap-end:.3f` at the end (means over seeds). This is
# the state of the theorem: clean generalization, robust overfitting.
#
# ### Three stages on patch data
#
# Patches of dimension $d = 400$, $P = 2$ patches (one signal, one noise),
# $N = 40$ training samples, $\alpha = 5$, $\sigma = 0.5$ (noise patches of norm
# about 10), 5 filters per class with ReLU and initialization scale
# $\sigma_0 = 0.01$, $\ell_2$ PGD at $\varepsilon = 0.9\alpha$ (5 steps), and
# full-batch gradient descent with learning rate 0.003.

# %%
PATCHES = pick(
    smoke=ro.PatchConfig(steps=200, eval_every=10, n_test=100),
    book=ro.PatchConfig(),
    paper=ro.PatchConfig(steps=3000),
)
patch_runs = [ro.run_patches(PATCHES, seed) for seed in SEEDS]
boundaries = []
for run in patch_runs:
    steps, feature = run.history.series("feature")
    _, noise = run.history.series("noise")
    boundaries.append(ro.stage_boundaries(steps, feature, noise))
    scores = ", ".join(f"{name} {value:.3f}" for name, value in run.accuracies.items())
    print(f"seed {run.seed}: stage 2 from step {boundaries[-1][0]:.0f}, "
          f"stage 3 from step {boundaries[-1][1]:.0f}; {scores}")
boundaries = np.array(boundaries)

# %%
run = patch_runs[0]
fig, ax = plt.subplots(figsize=(7, 4))
steps, feature = run.history.series("feature")
ax.plot(steps, feature, "-", color=plot.PALETTE[0],
        label=r"feature: $\alpha \max_r \langle w, yu\rangle$")
ax.plot(*run.history.series("noise"), "-", color=plot.PALETTE[1],
        label=r"noise: $\max_{i,r,p} \langle w, \xi_{i,p}\rangle$")
ax.plot(*run.history.series("noise_mean"), "--", color=plot.PALETTE[1],
        label="noise, mean over samples of the maximum")
lead_step, crossing_step = boundaries[0]
plot.mark(ax, {"stage 2": lead_step, "stage 3": crossing_step})
ax.set(xlabel="gradient descent step", ylabel="pre-activation", title=f"seed {run.seed}")
ax.legend(fontsize=8, loc="upper left")
plt.show()


# %% [markdown]
# In the first stage the feature alignment overtakes the noise alignment it
# started below and grows fast; its lead is largest at step
# {glue:text}`ro-patch-lead-step:.0f` (seed {glue:text}`ro-patch-seed:.0f`). The
# feature then grows more slowly while the noise alignment keeps its pace, and
# at step {glue:text}`ro-patch-crossing-step:.0f` the noise alignment overtakes
# it: from there on the network fits the adversarial training examples by
# memorizing the noise. At the crossing the feature alignment has reached
# {glue:text}`ro-patch-feature-fraction:.2f` of its final value (mean over seeds):
# the feature is learned in part, and memorization takes over the rest of
# training. At the end it classifies clean test samples perfectly
# and is robust on most training samples, and no test sample survives the
# attack.
#
# ## Claims
#
# Each claim is a sentence of the paper, in our words, checked on the runs above.
# Tolerances: the paper's statements are qualitative; the bounds below are the
# ones named in the chapter's plan, and the seed spread we measured is printed
# into each reason.

# %%
def spread(values):
    """Describe the measured seed spread of an array of per-seed values."""
    values = np.atleast_1d(values)
    return f"{len(values)} seeds span [{np.min(values):.3f}, {np.max(values):.3f}]"


claims.check(
    "ro-bumps-robust-train", "Bumps: the memorizer is robust at every training image",
    memorization["bumps_robust_train"], at_least=1.0, paper_value="1 (robust memorization)",
    why="the construction is exact: inside the ball the bump adds 2 to the label's logit, "
        "and the softmax values of the other classes are at most 1",
)
claims.check(
    "ro-bumps-clean-test", "Bumps: clean test accuracy is that of the clean classifier",
    memorization["bumps_clean_test"],
    at_least=memorization["clean_clean_test"] - memorization["test_reach"],
    paper_value="clean generalization kept",
    why="a bump can only change a test image within 2 delta + tau of a training image, and "
        f"a fraction {memorization['test_reach']:.3f} of the test images lies that close",
)
claim_checks.glue("ro-bumps-gap", memorization["bumps_robust_train"]
                  - memorization["bumps_robust_test"])
claim_checks.glue("ro-bump-parameters", memorization["bump_parameters"])
claim_checks.glue("ro-clean-parameters", memorization["clean_parameters"])

# %%
clean_end = curves["clean_test"][:, -1]
gap_end, gap_fifth = gap[:, -1], gap[:, fifth]
# NOTE: the paper-scale bound (CIFAR-10) is our estimate for PGD-10 training of a
# PreAct-ResNet-18 and has not been measured here.
clean_bound = pick(smoke=0.95, book=0.95, paper=0.8)
claims.check(
    "ro-digits-clean-test", "Adversarial training generalizes on clean test images",
    clean_end.min(), at_least=clean_bound, paper_value="clean generalization",
    why="lowest seed; " + spread(clean_end),
)
claims.check(
    "ro-digits-gap-end",
    "Robust training accuracy exceeds robust test accuracy at the end",
    gap_end.min(), at_least=0.08, paper_value="robust overfitting",
    why="lowest seed; " + spread(gap_end),
)
claim_checks.glue("ro-digits-gap-fifth", gap_fifth.mean())
claims.check(
    "ro-digits-gap-grows", "The robust gap grows after the first fifth of training",
    (gap_end - gap_fifth).min(), at_least=0.0, paper_value="robust overfitting develops late",
    why="lowest seed of the gap's growth; gap after the first fifth " + spread(gap_fifth)
        + ", at the end " + spread(gap_end),
)

# %%
lead_steps, crossing_steps = boundaries[:, 0], boundaries[:, 1]
init_scale = PATCHES.alpha * PATCHES.init_std
feature_at_crossing = np.array([
    np.interp(crossing, *run.history.series("feature"))
    for run, crossing in zip(patch_runs, crossing_steps)
])
final_feature = np.array([run.history.last("feature") for run in patch_runs])
claim_checks.glue("ro-patch-feature-fraction", np.mean(feature_at_crossing / final_feature))
claim_checks.glue("ro-patch-seed", patch_runs[0].seed)
claim_checks.glue("ro-patch-lead-step", lead_steps[0])
claim_checks.glue("ro-patch-crossing-step", crossing_steps[0])
claims.check(
    "ro-patch-stage-order",
    "Patches: the noise overtakes the feature after the feature's lead",
    np.nan_to_num(crossing_steps - lead_steps, nan=-1.0).min(), at_least=PATCHES.eval_every,
    paper_value="stage 1, then 2, then 3",
    why="at least one evaluation interval between the stages; lead steps "
        f"{lead_steps.tolist()}, crossing steps {crossing_steps.tolist()} (nan: no crossing)",
)
claims.check(
    "ro-patch-partial-feature", "Patches: the feature is partly learned before memorization",
    (np.nan_to_num(feature_at_crossing) / init_scale).min(), at_least=5.0,
    paper_value="partial feature learning",
    why="feature alignment at the crossing over its initialization scale alpha * sigma_0, "
        "which a random filter reaches; " + spread(feature_at_crossing / init_scale),
)
robust_gap = np.array([run.accuracies["robust_train"] - run.accuracies["robust_test"]
                       for run in patch_runs])
claims.check(
    "ro-patch-robust-gap", "Patches: robust memorization, robust train far above robust test",
    robust_gap.min(), at_least=0.5, paper_value="robust overfitting",
    why="lowest seed; " + spread(robust_gap),
)
passed = sum(result.passed for result in claims.results)
print(f"{len(claims.results)} claims checked, {passed} passed; record: {claims.path}")

# %% [markdown]
# ## Reproduction notes
#
# - **What matches.** All three pieces of the paper's picture appear at book
#   scale: the bump construction is robust on every training image and leaves
#   clean and robust test accuracy untouched; adversarial training on digits
#   reaches high clean test accuracy while its robust train-test gap opens
#   late; the patch CNN learns the feature first and then memorizes noise,
#   ending robust on the training set and not on the test set.
# - **Data.** The paper's experiments train a PreAct-ResNet-18 with PGD-10 at
#   $\varepsilon = 8/255$ on CIFAR-10 for 200 epochs. The book uses the 8×8
#   scikit-learn digits and an MLP, which fit a 2-core CPU in seconds; the
#   robust train-test gap we measure is about 0.1, and we have not compared it
#   with the paper's CIFAR-10 numbers.
# - **Paper preset.** At `paper` scale the adversarial-training experiment is
#   the paper's CIFAR-10 run: PreAct-ResNet-18, PGD-10 at $8/255$, 200 epochs,
#   with clean, robust training and robust test accuracy every 5 epochs (the full
#   CIFAR-10 tarball is downloaded and checked on first use). The bump
#   construction then runs on the full MNIST training set with a wider MLP and
#   covers the first 10,000 images, because its evaluation compares every input
#   with every memorized image. NOTE: no GPU was available while this chapter
#   was written, so the paper preset has only been run at toy size (in the unit
#   tests), not at full size; its clean-accuracy bound of 0.8 is an estimate.
# - **Patch model.** Our data model, CNN and the choice of ReLU, $\ell_2$
#   attacks and $\varepsilon = 0.9\alpha$ follow the structure of the analysis
#   (one shared feature, private noise, attack radius of the order of the
#   signal) but not its exact assumptions on $d$, $N$, $\sigma$ and the
#   activation; the stage boundaries are located from the curves by
#   {py:func}`lgcore.experiments.robust_overfitting.stage_boundaries`.
# - **Sensitivity of the stages.** The order of the stages depends on the
#   patch model's sizes. With three patches (two noise patches) instead of two,
#   the noise alignment overtook the feature alignment within 1,000 steps in
#   only one of seeds 0-2, and in 2,000 steps in only one of seeds 1-3, although
#   the network still ended robust on most training samples and on no test
#   sample. With $\varepsilon \ge \alpha$ the attack erases the signal, the
#   network stops learning altogether and robust training accuracy stays below
#   one half. In stage 3 the feature alignment keeps growing, at about half the
#   rate of the noise alignment, rather than stopping.
# - **Run it.** `python book/robustness/robust-overfitting.py` runs this chapter
#   as a script at book scale; `LGCORE_SCALE=paper` selects the larger preset.
