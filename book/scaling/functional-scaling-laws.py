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
# # Functional scaling laws: the loss curve as a functional of the schedule
#
# ## Overview
#
# A scaling law usually maps one number to another: compute to loss, steps to
# loss. Yet two runs with the same number of steps and the same peak learning
# rate can end far apart when one decays the learning rate and the other does
# not. {cite:t}`li2025fsl` replace the number by a function: for SGD on
# kernel regression with power-law spectra, the expected loss at every step is
# a *functional* of the whole learning-rate schedule, the **functional scaling
# law** (FSL). It has two parts:
#
# * a signal term that depends only on the *intrinsic time*, the running sum of
#   learning rates;
# * a noise term, the convolution of a power-law *forgetting kernel* with the
#   squared learning rates, which measures how much of the gradient noise
#   injected at each step the model still remembers.
#
# This chapter
#
# 1. derives an exact $O(d)$-per-step recursion for the expected risk of SGD
#    with Gaussian features and checks it against Monte-Carlo SGD;
# 2. derives the FSL from that recursion, in a spectral form and in a
#    power-law form, and evaluates the convolution in $O(N)$ time with a sum of
#    exponentials;
# 3. compares five schedules (constant, cosine, linear, warmup-stable-decay and
#    8-1-1) in a hard and an easy regime;
# 4. fits the power-law FSL to the 8-1-1 curve alone and predicts the other
#    four schedules. In the hard regime this works. In the easy regime the
#    predictions hold, but the fitted constants do not.
#
# | scale | problem | schedules | Monte Carlo | time |
# |---|---|---|---|---|
# | `smoke` | $d=100$, $N=500$ | 5 per regime | 16 seeds | seconds |
# | `book` | $d=1000$, $N=10^4$ | 5 per regime | 256 seeds | about 30 s on 2 idle cores |
# | `paper` | $d=10^5$, $N=10^6$ | 5 per regime | 200 seeds | an estimated 10 to 30 minutes on one GPU (not run here) |

# %%
import numpy as np
from matplotlib import pyplot as plt

from lgcore import claims as claim_checks
from lgcore import plot, runtime
from lgcore.experiments import scaling
from lgcore.scale import current, pick
from lgcore.theory import fsl, kernel_sgd

runtime.set_threads()
plot.use_style()
SCALE = current()
DEVICE = runtime.device()
claims = claim_checks.Claims("scaling/functional-scaling-laws", paper="li2025fsl", seeds=[0])
print(f"scale {SCALE}, device {DEVICE}, {runtime.hardware()}")

# %% [markdown]
# ## Setting
#
# **Data.** Features $x \in \mathbb{R}^d$ are Gaussian with covariance
# $\Lambda = \operatorname{diag}(\lambda_1, \dots, \lambda_d)$. This is kernel
# regression written in the eigenbasis of the kernel, truncated at $d$
# eigenfunctions. Labels are $y = \langle \theta^*, x\rangle + \xi$ with noise
# $\xi$ of variance $\sigma^2$, independent of $x$. The two exponents of the
# problem are
#
# $$
# \lambda_j \propto j^{-\beta}, \quad \beta > 1, \qquad
# \lambda_j (\theta^*_j)^2 \propto j^{-1-s\beta}, \quad s > 0 .
# $$
#
# The *capacity* exponent $\beta$ sets how fast the spectrum decays and the
# *source* exponent $s$ sets how much of the target lies in the directions with
# small eigenvalues, which are slow to learn. We normalize
# $\sum_j \lambda_j (\theta^*_j)^2 = 1$, so every loss below is a fraction of the
# zero predictor's excess risk.
#
# **Algorithm.** One-pass SGD from $\theta_0 = 0$ with learning rate $\eta_k$
# and batch size $b_k$ at step $k$, each batch fresh:
#
# $$
# \theta_{k+1} = \theta_k - \frac{\eta_k}{b_k}\sum_{i=1}^{b_k} x_i\bigl(\langle \theta_k, x_i\rangle - y_i\bigr),
# \qquad T_k = \sum_{i<k} \eta_i .
# $$
#
# $T_k$ is the **intrinsic time**: the time gradient flow would have run after
# $k$ steps. The loss is the excess risk
# $\mathcal{E}_k = \mathbb{E}\,\langle \theta_k - \theta^*, x\rangle^2$.
#
# ## Theory
#
# ### An exact recursion for the expected risk
#
# Let $w_k = \theta_k - \theta^*$ and $\Sigma_k = \mathbb{E}\,w_k w_k^\top$, so that
# $\mathcal{E}_k = \operatorname{tr}(\Lambda \Sigma_k)$. One step maps
# $w \mapsto (I - \eta \hat H) w + \eta g$ with $\hat H = b^{-1}\sum_i x_i x_i^\top$ and
# $g = b^{-1}\sum_i \xi_i x_i$. For a Gaussian vector,
# $\mathbb{E}[x x^\top \Sigma x x^\top] = 2\Lambda \Sigma\Lambda + \operatorname{tr}(\Lambda \Sigma)\Lambda$
# (Isserlis' theorem), so averaging over the batch gives
#
# $$
# \Sigma_{k+1} = \Sigma_k - \eta_k(\Lambda \Sigma_k + \Sigma_k\Lambda)
# + \eta_k^2\Bigl[\bigl(1 + \tfrac{1}{b_k}\bigr)\Lambda \Sigma_k \Lambda
# + \tfrac{1}{b_k}\bigl(\mathcal{E}_k + \sigma^2\bigr)\Lambda\Bigr].
# $$
#
# Only diagonal entries of $\Sigma$ enter the diagonal on the right-hand side, so the
# diagonal $c_j = (\Sigma)_{jj}$ evolves on its own:
#
# $$
# c_j \leftarrow \Bigl(1 - 2\eta_k\lambda_j + \bigl(1 + \tfrac{1}{b_k}\bigr)\eta_k^2\lambda_j^2\Bigr) c_j
# + \frac{\eta_k^2}{b_k}\lambda_j\bigl(\mathcal{E}_k + \sigma^2\bigr),
# \qquad \mathcal{E}_k = \sum_j \lambda_j c_j .
# $$
#
# No approximation has been made: this is the expected risk of SGD, at a cost of
# $O(d)$ per step rather than the $O(d \cdot b \cdot \text{seeds})$ of simulating
# it. {py:func}`lgcore.theory.kernel_sgd.sgd_risk` runs it in float64 for many
# schedules at once and is the ground truth of the three scaling chapters.
#
# ### From the recursion to the FSL
#
# Two approximations turn the recursion into a law. Dropping the
# $\eta^2\lambda^2 c$ term and writing $1 - 2\eta\lambda \approx e^{-2\eta\lambda}$,
# the recursion unrolls into
#
# $$
# \mathcal{E}_n \approx e(T_n) + \sum_{k<n} K\bigl(T_n - T_{k+1}\bigr)\,\frac{\eta_k^2}{b_k}\bigl(\mathcal{E}_k + \sigma^2\bigr),
# \qquad
# e(t) = \sum_j \lambda_j (\theta^*_j)^2 e^{-2\lambda_j t},
# \quad
# K(u) = \sum_j \lambda_j^2 e^{-2\lambda_j u}.
# $$
#
# The first term is the risk of gradient flow run for intrinsic time $T_n$.
# The second adds the noise of every past step, weighted by how much of it the
# model has not yet forgotten, $K$. Replacing $\mathcal{E}_k$ on the right by its
# signal part $e(T_k)$ gives the FSL as {cite:t}`li2025fsl` state it; keeping
# $\mathcal{E}_k$ gives a self-consistent variant. Both are the **spectral FSL**,
# {py:func}`lgcore.theory.fsl.fsl_spectral`.
#
# For the power laws the sums over $j$ become integrals. Substituting
# $v = j^{-\beta}$, $dj = -\beta^{-1} v^{-1/\beta - 1} dv$:
#
# $$
# e(t) \approx \frac{1}{\beta}\int_0^1 v^{s-1} e^{-2vt}\,dv \approx \frac{\Gamma(s)}{\beta}(2t)^{-s},
# \qquad
# K(u) \approx \frac{\Gamma(2 - 1/\beta)}{\beta}(2u)^{-(2 - 1/\beta)} .
# $$
#
# The **power-law FSL** keeps these shapes and treats the constants as unknowns,
#
# $$
# L_n = A\Bigl(1 + \frac{T_n}{\tau}\Bigr)^{-s}
# + C\sum_{k<n}\Bigl(1 + \frac{T_n - T_{k+1}}{\tau}\Bigr)^{-\gamma}\frac{\eta_k^2}{b_k}\bigl(e(T_k) + \sigma^2\bigr),
# \qquad \gamma = 2 - \frac{1}{\beta} .
# $$
#
# The kernel exponent $\gamma$ lies in $(1, 2)$, so the kernel is integrable: a
# step's noise is eventually forgotten, and the total noise a constant learning
# rate $\eta$ keeps in memory is about $C\eta\int_0^\infty K \propto \eta$. Whether
# the signal term or the forgetting decides the loss gives the two **regimes**:
#
# * *hard*, $s < 1 - 1/\beta$: the signal decays more slowly than the forgotten
#   noise, $t^{-s}$ against $t^{-(\gamma - 1)} = t^{-(1 - 1/\beta)}$, so the best
#   schedules buy intrinsic time and decay late;
# * *easy*, $s \ge 1 - 1/\beta$: the signal is learned quickly and the noise floor
#   decides the loss, so the learning rate must come down for a long stretch.
#
# ### Evaluating the convolution in linear time
#
# The noise term is a double sum, $O(N^2)$ for a curve of $N$ steps. The kernel
# $(1+u)^{-\gamma}$ is the Laplace transform of a Gamma density,
#
# $$
# (1 + u)^{-\gamma} = \frac{1}{\Gamma(\gamma)}\int_0^\infty x^{\gamma - 1}e^{-x}e^{-xu}\,dx
# = \frac{1}{\Gamma(\gamma)}\int_{-\infty}^{\infty} e^{\gamma v - e^{v}}\,e^{-e^{v} u}\,dv ,
# $$
#
# and the trapezoid rule in $v = \log x$ turns it into a short sum
# $\sum_m w_m e^{-r_m u}$. The integrand is analytic and decays
# double-exponentially, so the error falls geometrically with the node
# spacing. Each exponential's share of the convolution obeys a one-step
# recursion, $S_m \leftarrow e^{-r_m \eta_k} S_m + \eta_k^2 f_k / b_k$, so the
# whole curve costs $O(N \cdot M)$ for $M$ terms.
# {py:func}`lgcore.theory.fsl.power_kernel_exponentials` halves the spacing until
# the relative error, measured on 2,000 points of $[0, T_N]$, is below the
# requested tolerance ($10^{-6}$ by default, 40 to 70 terms up to
# $T_N = 10^7$). {py:func}`lgcore.theory.fsl.fsl_power_law` then evaluates all
# steps at once with cumulative sums. The benchmark on {doc}`../benchmarks`
# compares it with the double sum.

# %%
CONFIG = pick(
    smoke=scaling.FSLConfig(dim=100, steps=500, mc_seeds=16, record=40),
    book=scaling.FSLConfig(mc_seeds=256),
    paper=scaling.FSLConfig(dim=100_000, steps=1_000_000, mc_seeds=200, record=400),
)
REGIMES = {
    "hard": kernel_sgd.power_law_problem(CONFIG.dim, CONFIG.capacity, CONFIG.hard_source, CONFIG.noise_var),
    "easy": kernel_sgd.power_law_problem(CONFIG.dim, CONFIG.capacity, CONFIG.easy_source, CONFIG.noise_var),
}
for name, problem in REGIMES.items():
    print(f"{name:>4}: {problem.name}, sigma^2 = {problem.noise_var}, "
          f"regime by s >= 1 - 1/beta: {kernel_sgd.regime(problem.source, problem.capacity)}")
expsum = fsl.power_kernel_exponentials(fsl.kernel_exponent(CONFIG.capacity), CONFIG.peak * CONFIG.steps)
print(f"kernel (1 + u)^-{expsum.exponent:.2f} on [0, {expsum.horizon:g}]: {expsum.rates.size} exponentials, "
      f"max relative error {expsum.max_rel_error:.1e}")

# %% [markdown]
# ## Experiments
#
# ### The exact recursion against Monte-Carlo SGD
#
# We run SGD itself for {glue:text}`fsl-mc-seeds:.0f` independent seeds at once
# ({py:func}`lgcore.theory.kernel_sgd.sgd_monte_carlo`) with a cosine schedule
# of peak {glue:text}`fsl-mc-peak:.2f` in the hard regime, and compare the mean
# risk with the recursion at every recorded step.

# %%
hard = REGIMES["hard"]
mc_schedule = scaling.schedule_suite(CONFIG.mc_peak, CONFIG.steps, CONFIG.decay_fraction)[1]
exact_mc = kernel_sgd.sgd_risk(hard, mc_schedule, record=CONFIG.record, device=DEVICE)
monte_carlo = kernel_sgd.sgd_monte_carlo(hard, mc_schedule, seeds=CONFIG.mc_seeds, seed=0,
                                         record=exact_mc.steps, device=DEVICE)
z_scores = (monte_carlo.mean - exact_mc.risk[0])[1:] / monte_carlo.stderr[1:]
relative_stderr = monte_carlo.stderr[-1] / monte_carlo.mean[-1]
print(f"max |z| over {z_scores.size} recorded steps: {np.abs(z_scores).max():.2f}; "
      f"relative standard error at the end {relative_stderr:.3f}")

fig, ax = plt.subplots()
ax.fill_between(monte_carlo.steps[1:], (monte_carlo.mean - 2 * monte_carlo.stderr)[1:],
                (monte_carlo.mean + 2 * monte_carlo.stderr)[1:], alpha=0.3, color=plot.PALETTE[0],
                linewidth=0, label=f"Monte Carlo, mean ± 2 SE ({CONFIG.mc_seeds} seeds)")
ax.plot(exact_mc.steps[1:], exact_mc.risk[0, 1:], color=plot.PALETTE[1], label="exact recursion")
ax.set(xscale="log", yscale="log", xlabel="step $k$", ylabel="excess risk",
       title="Expected risk of SGD: recursion against simulation")
ax.legend()
plt.show()

# %% [markdown]
# The two agree within sampling error at every step, with a largest deviation of
# {glue:text}`fsl-mc-max-z:.2f` standard errors. The per-seed risk is strongly
# right-skewed: a few seeds wander far above the mean. At larger learning rates
# the skew grows, and with a few dozen seeds the sample standard error then
# underestimates the true one. This is why the check uses a moderate peak and
# a few hundred seeds.
#
# ### Five schedules in two regimes
#
# All schedules share the peak learning rate {glue:text}`fsl-peak:.2f` and
# $N$ = {glue:text}`fsl-steps:,.0f` steps. WSD keeps the peak and decays
# linearly over the last {glue:text}`fsl-decay-fraction:.0%` of the steps. 8-1-1
# keeps it for 80% of the steps, then drops to $10^{-1/2}$ of the peak for
# 10% and to $10^{-1}$ for the last 10%.

# %%
suite = scaling.schedule_suite(CONFIG.peak, CONFIG.steps, CONFIG.decay_fraction)
names = [schedule.name for schedule in suite]
exact = {name: kernel_sgd.sgd_risk(problem, suite, record=CONFIG.record, device=DEVICE)
         for name, problem in REGIMES.items()}
spectral = {name: fsl.fsl_spectral(problem, suite, record=exact[name].steps, device=DEVICE)
            for name, problem in REGIMES.items()}
for regime, curve in exact.items():
    order = [names[i] for i in np.argsort(curve.final)]
    print(f"{regime:>4}: " + ", ".join(f"{n} {v:.4f}" for n, v in zip(names, curve.final))
          + "\n      best to worst: " + " < ".join(order))

fig, axes = plt.subplots(2, 2, figsize=(10, 7), sharey="row")
for column, regime in enumerate(REGIMES):
    for i, name in enumerate(names):
        color = plot.PALETTE[i]
        steps, intrinsic = exact[regime].steps[1:], exact[regime].intrinsic[i, 1:]
        axes[0, column].plot(steps, exact[regime].risk[i, 1:], "o", markevery=12, color=color, label=name)
        axes[0, column].plot(steps, spectral[regime].loss[i, 1:], "-", color=color, alpha=0.8)
        axes[1, column].plot(intrinsic, exact[regime].risk[i, 1:], "o", markevery=12, color=color)
        axes[1, column].plot(intrinsic, spectral[regime].loss[i, 1:], "-", color=color, alpha=0.8)
    axes[0, column].set(xscale="log", yscale="log", xlabel="step $k$",
                        title=f"{regime} regime ($s$ = {REGIMES[regime].source:g}, "
                              f"$\\beta$ = {REGIMES[regime].capacity:g})")
    axes[1, column].set(xscale="log", yscale="log", xlabel="intrinsic time $T_k$")
axes[0, 0].set_ylabel("excess risk")
axes[1, 0].set_ylabel("excess risk")
axes[0, 0].legend(title="markers: exact SGD\nlines: spectral FSL", fontsize=8)
plt.show()

# %% [markdown]
# Against intrinsic time the curves of the hard regime nearly collapse onto one
# another until each schedule starts decaying. In the hard regime the loss is
# mostly the signal term, and the signal term depends on the schedule only
# through $T_k$. The decaying schedules then drop below the collapsed curve as
# they shed the noise they carry. In the easy regime the noise term is a large
# share of the loss, and the curves separate early.

# %%
moderate = scaling.schedule_suite(CONFIG.mc_peak, CONFIG.steps, CONFIG.decay_fraction)
exact_moderate = kernel_sgd.sgd_risk(hard, moderate, record=CONFIG.record, device=DEVICE)
spectral_errors = {}
for forcing in ("signal", "risk"):
    curve = fsl.fsl_spectral(hard, moderate, record=exact_moderate.steps, forcing=forcing, device=DEVICE)
    spectral_errors[forcing] = np.max(np.abs(curve.loss - exact_moderate.risk) / exact_moderate.risk)
at_peak = np.max(np.abs(spectral["hard"].loss - exact["hard"].risk) / exact["hard"].risk)
print(f"peak {CONFIG.mc_peak}: largest relative error of the spectral FSL over all steps and schedules: "
      f"{spectral_errors['signal']:.3f} as stated, {spectral_errors['risk']:.4f} self-consistent; "
      f"at peak {CONFIG.peak}: {at_peak:.3f}")

# %% [markdown]
# At peak {glue:text}`fsl-mc-peak:.2f` the spectral FSL, as stated, stays within
# {glue:text}`fsl-spectral-error:.1%` of the exact risk at every step of all
# five schedules, and its self-consistent variant within
# {glue:text}`fsl-spectral-error-risk:.2%`. At peak
# {glue:text}`fsl-peak:.2f` the error of the stated form grows to
# {glue:text}`fsl-spectral-error-high:.1%`. The noise injected at step $k$ is
# proportional to the whole risk $\mathcal{E}_k + \sigma^2$, and the stated form
# keeps only $e(T_k) + \sigma^2$ of it. The part it drops, the noise already in
# memory, grows with the learning rate.
#
# ### Fitting the FSL to one schedule and predicting the others
#
# The power-law FSL has six constants: $A$, $C$, $\tau$, $\sigma^2$, $s$ and
# $\beta$. {py:func}`lgcore.theory.fsl.fit_fsl` fits all six to the exact 8-1-1
# curve by least squares on $\log L$. We then predict the other four schedules
# with the fitted law, without refitting.

# %%
fits, predictions, prediction_errors = {}, {}, {}
eight = names.index("8-1-1")
others = [i for i in range(len(names)) if i != eight]
pinned_ratio = {}
for regime, curve in exact.items():
    fits[regime] = fsl.fit_fsl(suite[eight], curve.steps, curve.risk[eight])
    pinned = fsl.fit_fsl(suite[eight], curve.steps, curve.risk[eight], fixed={"signal_scale": 1.0})
    pinned_ratio[regime] = pinned.rms_log_error / fits[regime].rms_log_error
    predictions[regime] = fits[regime].predict(suite, record=curve.steps)
    prediction_errors[regime] = (predictions[regime].final - curve.final) / curve.final
    params = fits[regime].params
    print(f"{regime:>4}: fitted s = {params.source:.3f}, beta = {params.capacity:.3f}, "
          f"A = {params.signal_scale:.3g}, C = {params.noise_scale:.3g}, tau = {params.time_scale:.3g}, "
          f"sigma^2 = {params.noise_var:.3g}; rms log error on 8-1-1 {fits[regime].rms_log_error:.4f}, "
          f"{pinned_ratio[regime]:.2f} times larger with A pinned at 1; converged {fits[regime].converged}, "
          f"constants on a bound: {', '.join(fits[regime].at_bounds) or 'none'}")
    print("      predicted / exact final loss - 1: "
          + ", ".join(f"{names[i]} {prediction_errors[regime][i]:+.3f}" for i in others))

fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
for ax, regime in zip(axes, REGIMES):
    for i, name in enumerate(names):
        plot.overlay(ax, exact[regime].steps[1:], experiment=exact[regime].risk[i, 1:],
                     theory=predictions[regime].loss[i, 1:], label=name, color=plot.PALETTE[i])
    ax.set(xscale="log", yscale="log", xlabel="step $k$", title=f"{regime}: FSL fitted on 8-1-1 only")
    for line in ax.get_lines():
        line.set_markevery(12)
axes[0].set_ylabel("excess risk")
axes[0].legend(fontsize=7, ncol=2)
plt.show()

# %% [markdown]
# In the hard regime the law fitted on one curve predicts the final loss of the
# four other schedules within {glue:text}`fsl-fit-hard-error:.1%`. The fitted
# source exponent is {glue:text}`fsl-fit-hard-s:.3f` against the true
# {glue:text}`fsl-hard-s:.2f`. The fitted capacity exponent is
# {glue:text}`fsl-fit-hard-beta:.2f` against the true {glue:text}`fsl-beta:.0f`:
# within $N = 10^4$ steps the kernel is probed only over a limited range of
# lags, and the constants $C$ and $\tau$ absorb the difference.
#
# In the easy regime the same procedure also predicts the final losses, within
# {glue:text}`fsl-fit-easy-error:.1%`, but the fitted constants mean little. The
# fitted signal amplitude is $A$ = {glue:text}`fsl-fit-easy-amplitude:.1e`, where
# the true signal starts at 1, and the noise constant $C$ is huge: the fit
# explains the whole curve as noise. Pinning $A$ at its true value 1 and
# refitting the rest shows why. In the easy regime the pinned fit matches the
# 8-1-1 curve almost as well as the free one: its RMS log error is
# {glue:text}`fsl-fit-easy-identifiability:.2f` times larger. In the hard regime
# pinning $A$ costs a factor {glue:text}`fsl-fit-hard-identifiability:.1f`. The
# 8-1-1 curve spends 80% of training at a constant learning rate, and an easy
# problem spends that time on its noise floor. The floor fixes the product of
# the noise constants but carries little information about the signal term, so one
# such curve cannot separate signal from noise. The predictions hold here
# because the other schedules share the peak and the horizon. We would not
# trust these constants to transfer to another peak learning rate. We expected
# the single-curve fit to fail outright in the easy regime. At these sizes it
# does not: its final-loss predictions hold, and what fails is the
# identification of the law's constants.
#
# ## Claims

# %%
claim_checks.glue("fsl-mc-seeds", CONFIG.mc_seeds)
claim_checks.glue("fsl-mc-peak", CONFIG.mc_peak)
claim_checks.glue("fsl-peak", CONFIG.peak)
claim_checks.glue("fsl-steps", CONFIG.steps)
claim_checks.glue("fsl-decay-fraction", CONFIG.decay_fraction)
claim_checks.glue("fsl-hard-s", CONFIG.hard_source)
claim_checks.glue("fsl-spectral-error-risk", spectral_errors["risk"])
claim_checks.glue("fsl-spectral-error-high", at_peak)
claim_checks.glue("fsl-fit-hard-s", fits["hard"].params.source)
claim_checks.glue("fsl-fit-hard-beta", fits["hard"].params.capacity)
claim_checks.glue("fsl-beta", CONFIG.capacity)

claims.check(
    "fsl-mc-max-z", "Monte-Carlo SGD agrees with the exact recursion along the whole trajectory",
    float(np.abs(z_scores).max()), at_most=4.0, paper_value="exact expected risk",
    why=f"largest |mean - exact| / standard error over {z_scores.size} recorded steps; with "
        f"{CONFIG.mc_seeds} seeds the per-seed risk is skewed, so 4 rather than 3 standard errors",
)
claims.check(
    "fsl-spectral-error", "The spectral FSL tracks the exact risk at a moderate learning rate",
    float(spectral_errors["signal"]), at_most=0.05, paper_value="FSL accurate for small learning rates",
    why=f"largest relative error over all steps of five schedules at peak {CONFIG.mc_peak}; the FSL drops "
        "terms of order eta^2 lambda^2 and the noise already in memory",
)
hard_final = exact["hard"].final
expected_order = ["WSD", "8-1-1", "cosine", "linear", "constant"]
ordered = np.array([hard_final[names.index(name)] for name in expected_order])
claims.check(
    "fsl-hard-order", "Hard regime: final loss WSD < 8-1-1 < cosine < linear < constant",
    float(np.min(ordered[1:] / ordered[:-1] - 1.0)), at_least=0.0,
    paper_value="WSD-like schedules best in the hard regime",
    why="smallest relative margin between neighbours in the expected order; negative means a swap. "
        "Final losses: " + ", ".join(f"{n} {v:.4f}" for n, v in zip(expected_order, ordered)),
)
hard_error = float(np.max(np.abs(prediction_errors["hard"][others])))
claims.check(
    "fsl-fit-hard-error", "Hard regime: an FSL fitted on 8-1-1 predicts the other final losses",
    hard_error, at_most=0.10, paper_value="FSL fitted on one schedule predicts others",
    why="largest relative error of the four predicted final losses; 10% is about the accuracy expected of "
        "a law fitted on one curve",
)
easy_error = float(np.max(np.abs(prediction_errors["easy"][others])))
claims.check(
    "fsl-fit-easy-error", "Easy regime: the fit on 8-1-1 also predicts the final losses",
    easy_error, at_most=0.10, paper_value="not claimed by the paper (our finding)",
    why="largest relative error of the four predicted final losses, the hard regime's tolerance",
)
claim_checks.glue("fsl-fit-easy-amplitude", fits["easy"].params.signal_scale)
claims.check(
    "fsl-fit-hard-identifiability", "Hard regime: the 8-1-1 curve pins down the signal amplitude A",
    float(pinned_ratio["hard"]), at_least=3.0, paper_value="not claimed by the paper (our finding)",
    why="RMS log error of the fit with A pinned at its true value 1 over that of the free fit; a factor of 3 "
        "means the curve itself rejects the pinned value",
)
claims.check(
    "fsl-fit-easy-identifiability", "Easy regime: the 8-1-1 curve does not pin down the signal amplitude A",
    float(pinned_ratio["easy"]), at_most=1.5, paper_value="not claimed by the paper (our finding)",
    why=f"the same ratio; the free fit puts A at {fits['easy'].params.signal_scale:.1e} and the fit with A = 1 "
        "matches the curve almost as well",
)
passed = sum(result.passed for result in claims.results)
print(f"{len(claims.results)} claims checked, {passed} passed; record: {claims.path}")

# %% [markdown]
# ## Reproduction notes
#
# - **What matches.** The recursion is exact and Monte-Carlo SGD confirms it.
#   The FSL tracks SGD at moderate learning rates. In the hard regime the five
#   schedules end in the order the FSL predicts, and a law fitted on a single
#   8-1-1 curve predicts the others.
# - **What does not.** In the easy regime the single-curve fit is degenerate: it
#   predicts the other schedules' final losses but attributes the whole curve to
#   noise. The paper's fits to LLM pre-training use richer curves; we have not
#   tried to reproduce those.
# - **Normalization.** Our loss is the excess risk
#   $\mathbb{E}\langle\theta - \theta^*, x\rangle^2$ without the factor
#   $\tfrac12$ of the squared loss, and the initial risk is normalized to 1. The
#   constants $A$, $C$ and $\tau$ absorb such conventions.
# - **Paper preset.** `LGCORE_SCALE=paper` runs $d = 10^5$ and $N = 10^6$ with
#   200 Monte-Carlo seeds. The recursion then costs about $10^{11}$
#   multiply-adds per schedule. On a GPU (`LGCORE_DEVICE=cuda`) its $10^6$
#   sequential steps should take minutes, limited by kernel launches rather
#   than arithmetic; that is an estimate. NOTE: no GPU was available while this
#   chapter was written, so the paper preset has not been run.
# - **Run it.** `python book/scaling/functional-scaling-laws.py` runs the chapter
#   as a script at book scale.
