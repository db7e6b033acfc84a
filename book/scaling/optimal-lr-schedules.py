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
# # Optimal learning-rate schedules: power decay and warmup-stable-decay
#
# ## Overview
#
# The {doc}`functional scaling law <functional-scaling-laws>` gives the final
# loss of SGD as an explicit functional of the learning-rate schedule. Once the
# loss is a formula, the best schedule for a fixed number of steps $N$ is a
# problem in the calculus of variations. {cite:t}`li2026optimallr` solve it and
# find a phase transition between the two regimes of the FSL:
#
# * in the *easy* regime, $s \ge 1 - 1/\beta$, the optimal schedule is a
#   **power decay**, $\eta(z) = \eta_{\text{peak}}(1 - z/N)^{2\beta - 1}$, with a
#   peak that shrinks as $N^{-\nu}$;
# * in the *hard* regime, $s < 1 - 1/\beta$, it is **warmup-stable-decay**: the
#   largest admissible learning rate for most of training, then a decay whose
#   share of the steps vanishes as $N$ grows;
# * a schedule whose *shape* is fixed, such as cosine or linear decay, with only
#   its peak tuned, loses rate once $\beta$ exceeds its decay exponent plus one.
#
# This chapter
#
# 1. derives the Euler-Lagrange condition of the continuum problem, its exact
#    counterpart for the discrete problem, and checks a numerical solver
#    against the latter;
# 2. solves for the optimal schedule from $N = 10^4$ to $10^7$ steps and fits
#    the scaling exponents of the peak, the loss and the decay phase;
# 3. measures the rate saturation of cosine and linear decay;
# 4. runs the exact expected risk of SGD to compare power decay with cosine and
#    WSD, each with its peak tuned.
#
# | scale | solver check | scaling study | exact SGD | time |
# |---|---|---|---|---|
# | `smoke` | $N = 200$ | $N \in \{10^3, 10^4\}$, 2 pairs | $d = 50$, $N = 2000$ | seconds |
# | `book` | $N = 2000$ | $N = 10^4 \dots 10^7$, 4 easy and 2 hard pairs | $d = 300$, $N = 10^5$ | about 20 s on 2 idle cores |
# | `paper` | $N = 10^4$ | $N = 10^4 \dots 10^9$ | $d = 10^4$, $N = 10^6$ | an estimated 10 to 30 minutes on one GPU (not run here) |

# %%
import numpy as np
from matplotlib import pyplot as plt

from lgcore import claims as claim_checks
from lgcore import plot, runtime, schedules
from lgcore.experiments import scaling
from lgcore.scale import current, pick
from lgcore.theory import kernel_sgd
from lgcore.theory import optimal_schedule as optimal

runtime.set_threads()
plot.use_style()
SCALE = current()
DEVICE = runtime.device()
claims = claim_checks.Claims("scaling/optimal-lr-schedules", paper="li2026optimallr", seeds=[0])
CONFIG = pick(
    smoke=scaling.OptimalLRConfig(check_steps=200, horizons=(10**3, 10**4), pairs=((1.0, 2.0), (1.0, 3.0)),
                                  hard_pairs=((0.25, 2.0),), n_bins=100, shape_horizons=(10**3, 10**4),
                                  sgd_dim=50, sgd_steps=2000, sgd_peaks=(0.01, 0.6, 5)),
    book=scaling.OptimalLRConfig(),
    paper=scaling.OptimalLRConfig(check_steps=10_000, horizons=tuple(10**k for k in range(4, 10)),
                                  n_bins=800, shape_horizons=(10**4, 10**5, 10**6, 10**7),
                                  sgd_dim=10_000, sgd_steps=1_000_000, sgd_peaks=(0.003, 0.6, 16)),
)
print(f"scale {SCALE}, device {DEVICE}, {runtime.hardware()}")

# %% [markdown]
# ## Setting
#
# Take the power-law FSL of the previous chapter in units where its time scale
# and signal amplitude are 1, with batch size fixed, and keep only the noise
# forcing $\sigma^2$. We drop the signal forcing $e(T_k)$, which is largest early
# in training, where every schedule here sits at or near its peak. We have not
# measured how much it would move the optimum. With $D = \sum_k \eta_k$ the total
# intrinsic time and $R_k = \sum_{i > k}\eta_i$ the intrinsic time left after
# step $k$, the final loss is
#
# $$
# L(\eta) = (1 + D)^{-s} + c\sum_{k<N}\eta_k^2\,K(R_k),
# \qquad K(r) = (1 + r)^{-\gamma},\quad \gamma = 2 - \frac1\beta,
# $$
#
# to be minimized over $0 \le \eta_k \le \eta_{\max}$. The noise level $c$
# collects $C\sigma^2/b$. A step's noise is weighted by the kernel at the
# intrinsic time that *remains*: noise injected late has no time to be
# forgotten.
#
# ## Theory
#
# ### The continuum solution
#
# Fix $D$ and parameterize by intrinsic time
# $\tau$ instead of the step $z$: $dz = d\tau/\eta$. The noise term becomes
# $\int_0^D K(D - \tau)\,\eta(\tau)\,d\tau$ and the step budget becomes
# $\int_0^D d\tau/\eta(\tau) = N$. With a multiplier $\mu$ the integrand
# $K(D-\tau)\eta + \mu/\eta$ is minimized pointwise, at
#
# $$
# \eta(\tau)^2\,K(D - \tau) = \mu ,
# $$
#
# clipped at $\eta_{\max}$. This is the Euler-Lagrange condition: the noise each
# step contributes to the final loss, $\eta^2 K$, is the same for every step.
# With $r = 1 + D - \tau$ it reads $\eta = \sqrt{\mu}\,r^{\gamma/2}$, and
# $dr/dz = -\eta$ integrates to $r^{1/(2\beta)} = 1 + \sqrt{\mu}\,(N - z)/(2\beta)$, so
#
# $$
# \eta(z) = \min\Bigl\{\eta_{\max},\ \sqrt{\mu}\,\Bigl(1 + \frac{\sqrt{\mu}\,(N - z)}{2\beta}\Bigr)^{2\beta - 1}\Bigr\},
# $$
#
# a power decay of exponent $2\beta - 1$ toward a small positive final value
# ({py:func}`lgcore.theory.optimal_schedule.continuum_schedule`). For
# $N - z \gg 2\beta/\sqrt{\mu}$ it is the paper's
# $\eta_{\text{peak}}(1 - z/N)^{2\beta - 1}$ up to a shift of the end point.
#
# ### The discrete problem, exactly
#
# Differentiating $L$ in $\eta_m$ gives
#
# $$
# \frac{\partial L}{\partial \eta_m} = -s(1 + D)^{-s-1} + c\Bigl[2\eta_m K(R_m) + \sum_{k<m}\eta_k^2 K'(R_k)\Bigr],
# $$
#
# and subtracting the conditions of two consecutive interior steps removes the
# common terms:
#
# $$
# 2\eta_{m+1}K(R_{m+1}) = 2\eta_m K(R_m) - \eta_m^2 K'(R_m), \qquad R_m = R_{m+1} + \eta_{m+1}.
# $$
#
# Given $\eta_{m+1}$ and $R_{m+1}$ this is a quadratic in $\eta_m$ with one
# positive root. Starting from the last learning rate $\eta_{N-1}$ (with
# $R_{N-1} = 0$) and running backwards gives a one-parameter family of
# schedules; each is clipped where it reaches $\eta_{\max}$. The stationarity
# condition of the first unclipped step then picks the member. Its continuum
# limit is $d(\eta^2 K)/dz = 0$, the condition above.
# {py:func}`lgcore.theory.optimal_schedule.euler_lagrange_schedule` computes
# this family member by bisection.
#
# ### The solver
#
# {py:func}`lgcore.theory.optimal_schedule.optimal_schedule`
# knows nothing of the family. It takes piecewise-constant learning rates on
# bins that are finer toward the end (single steps at the very end) and
# optimizes their logarithms with L-BFGS-B under $\log\eta \le \log\eta_{\max}$.
# Within a bin of $n$ steps at rate $\eta$ the noise sum is a difference of
# Hurwitz zeta functions,
#
# $$
# \sum_{i=0}^{n-1}\eta^2\bigl(1 + R + i\eta\bigr)^{-\gamma}
# = \eta^{2-\gamma}\Bigl[\zeta\bigl(\gamma, \tfrac{1+R}{\eta}\bigr) - \zeta\bigl(\gamma, \tfrac{1+R}{\eta} + n\bigr)\Bigr],
# $$
#
# so the objective and its exact gradient cost $O(\text{bins})$ whatever $N$ is.
# The search starts from the best member of the continuum family, because the
# objective has flat valleys in which L-BFGS-B can stop short of the optimum
# from a generic start.

# %%
check_pairs = {"easy": CONFIG.pairs[0], "hard": CONFIG.hard_pairs[0]}
check_errors, check_schedules = {}, {}
for regime, (source, capacity) in check_pairs.items():
    objective = optimal.ScheduleObjective(source, capacity, CONFIG.noise)
    exact_family = optimal.euler_lagrange_schedule(objective, CONFIG.check_steps, CONFIG.lr_max_hard)
    solved = optimal.optimal_schedule(objective, CONFIG.check_steps, CONFIG.lr_max_hard,
                                      n_bins=CONFIG.check_steps)
    check_errors[regime] = np.linalg.norm(solved.values() - exact_family) / np.linalg.norm(exact_family)
    check_schedules[regime] = (exact_family, solved.values())
    print(f"{regime} (s={source:g}, beta={capacity:g}): relative L2 distance solver - exact family "
          f"{check_errors[regime]:.1e}; final loss {solved.loss:.6g} against "
          f"{optimal.final_loss(objective, exact_family):.6g}")

fig, ax = plt.subplots()
steps = np.arange(CONFIG.check_steps)
for i, (regime, (family, solved)) in enumerate(check_schedules.items()):
    ax.plot(steps, family, "-", color=plot.PALETTE[i], label=f"{regime}: exact family")
    ax.plot(steps[::40], solved[::40], "o", color=plot.PALETTE[i], label=f"{regime}: L-BFGS-B")
ax.set(xlabel="step $z$", ylabel="learning rate $\\eta$",
       title=f"Optimal schedules, $N$ = {CONFIG.check_steps}, $\\eta_{{\\max}}$ = {CONFIG.lr_max_hard:g}")
ax.legend()
plt.show()

# %% [markdown]
# The solver and the exact family agree to
# {glue:text}`ol-check-error:.1e` in relative $L^2$. The two regimes already look
# different at this size: the hard problem stays at $\eta_{\max}$ for most of
# training and decays at the end. The easy one decays from a peak below
# $\eta_{\max}$ all the way through.
#
# ### Scaling with the horizon
#
# **The peak.** In the easy regime let $\eta_{\text{peak}}$ be free. The power
# decay spends intrinsic time $D \approx \eta_{\text{peak}}N/(2\beta)$, and since
# $\eta^2 K$ is constant the noise term is $c N\mu$ with
# $\mu = \eta_{\text{peak}}^2 K(D)\approx \eta_{\text{peak}}^2 D^{-\gamma}$. The loss is
# therefore about
#
# $$
# (\eta_{\text{peak}}N)^{-s} + c\,\eta_{\text{peak}}^{1/\beta}N^{1/\beta - 1}.
# $$
#
# Balancing the two terms gives
#
# $$
# \eta_{\text{peak}} \propto N^{-\nu},\qquad \nu = \frac{1 + s\beta - \beta}{1 + s\beta},
# \qquad L^* \propto N^{-s\beta/(1 + s\beta)} ,
# $$
#
# the exponent of the paper and the minimax rate of kernel regression. At the
# regime boundary $s = 1 - 1/\beta$ the exponent $\nu$ reaches 0. Below it the
# balance would ask for a peak that *grows* with $N$, the cap $\eta_{\max}$
# binds, and the loss is the signal's $N^{-s}$.
#
# **The decay phase.** In the hard regime let the decay occupy $N_d$ steps at
# the end. The noise left after it is about $c\,\eta_{\max}^{1/\beta}N_d^{1/\beta - 1}$,
# and shortening the stable phase by $N_d$ steps costs about
# $s(\eta_{\max}N)^{-s}N_d/N$ of signal. The optimum balances the derivatives,
# $N_d \propto N^{(1 + s)/\gamma}$. This is our estimate, not a statement of
# the paper. The decay *fraction* then scales as
#
# $$
# \frac{N_d}{N} \propto N^{-(1 - 1/\beta - s)/(2 - 1/\beta)} \to 0 .
# $$
#
# ## Experiments
#
# ### The optimum over three decades of horizon

# %%
studies = {}
for source, capacity in CONFIG.pairs:
    studies[(source, capacity)] = scaling.optimal_scaling(source, capacity, CONFIG.noise, CONFIG.horizons,
                                                          CONFIG.lr_max_easy, n_bins=CONFIG.n_bins)
for source, capacity in CONFIG.hard_pairs:
    studies[(source, capacity)] = scaling.optimal_scaling(source, capacity, CONFIG.noise, CONFIG.horizons,
                                                          CONFIG.lr_max_hard, n_bins=CONFIG.n_bins)
rows = []
for (source, capacity), study in studies.items():
    nu_theory = optimal.peak_lr_exponent(source, capacity)
    loss_theory = optimal.loss_exponent(source, capacity)
    rows.append((source, capacity, kernel_sgd.regime(source, capacity), study.peak_exponent, nu_theory,
                 study.loss_exponent, loss_theory))
    print(f"s={source:<5g} beta={capacity:<3g} {rows[-1][2]:>4}: nu fitted {study.peak_exponent:6.3f} "
          f"theory {nu_theory:6.3f}; loss exponent fitted {study.loss_exponent:6.3f} theory {loss_theory:6.3f}; "
          f"decay fractions {np.round(study.decay_fractions, 4).tolist()}")

fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
for i, ((source, capacity), study) in enumerate(studies.items()):
    color = plot.PALETTE[i % len(plot.PALETTE)]
    label = f"s={source:g}, β={capacity:g}"
    theory_peaks = study.peaks[0] * (study.horizons / study.horizons[0]) ** -optimal.peak_lr_exponent(source,
                                                                                                        capacity)
    theory_losses = study.losses[0] * (study.horizons / study.horizons[0]) ** -optimal.loss_exponent(source,
                                                                                                       capacity)
    plot.overlay(axes[0], study.horizons, experiment=study.peaks, theory=theory_peaks, label=label, color=color)
    plot.overlay(axes[1], study.horizons, experiment=study.losses, theory=theory_losses, label=label,
                 color=color)
longest = max(CONFIG.horizons)
for i, (source, capacity) in enumerate(((s, b) for s, b in CONFIG.pairs[:1] + CONFIG.hard_pairs[:1])):
    schedule = studies[(source, capacity)].schedules[-1]
    z = np.cumsum(schedule.counts) - schedule.counts / 2
    axes[2].plot(z / longest, schedule.bin_lr / schedule.peak, color=plot.PALETTE[i],
                 label=f"s={source:g}, β={capacity:g} ({kernel_sgd.regime(source, capacity)})")
axes[0].set(xscale="log", yscale="log", xlabel="horizon $N$", ylabel="optimal peak $\\eta_{peak}$")
axes[1].set(xscale="log", yscale="log", xlabel="horizon $N$", ylabel="optimal final loss $L^*$")
axes[2].set(xlabel="$z/N$", ylabel="$\\eta / \\eta_{peak}$", title=f"optimal schedules, $N$ = {longest:.0e}")
axes[0].legend(fontsize=7)
axes[2].legend(fontsize=7)
plt.show()

# %% [markdown]
# Over three decades of $N$ the fitted peak exponents land within
# {glue:text}`ol-nu-max-error:.3f` of $\nu(s, \beta)$ for all
# {glue:text}`ol-easy-pairs:.0f` easy pairs, and the fitted loss exponents within
# {glue:text}`ol-loss-max-error:.3f` of theory, for easy and hard pairs alike.
# The loss exponents fall slightly short of theory because the finite-$N$
# corrections of $(1 + D)^{-s}$ and of the kernel's $1 + r$ have not yet died
# out. In the hard regime the decay fraction shrinks at every step up in $N$.
# Between the two largest horizons it shrinks by
# {glue:text}`ol-decay-ratio:.2f` for $(s, \beta)$ =
# ({glue:text}`ol-hard-s:.2f`, {glue:text}`ol-hard-beta:.0f`), against
# $10^{-(1 - 1/\beta - s)/(2 - 1/\beta)}$ =
# {glue:text}`ol-decay-ratio-theory:.2f` from the estimate above.
#
# **Why not fit the exponent of the shape?** It is tempting to fit
# $\eta(z)/\eta_{\text{peak}} = (1 - z/N)^p$ to the numerical optimum and compare
# $p$ with $2\beta - 1$. At these sizes that fit does not return $2\beta - 1$.
# The optimum is a power decay in $N + 2\beta/\sqrt{\mu} - z$, not in $N - z$.
# The shift $2\beta/\sqrt{\mu}$ is the number of steps over which the last
# learning rates stay roughly constant, and it is not small next to $N$ until
# $\sqrt{\mu}\,N \gg 2\beta$. The raw fit blends the two and returns a smaller
# exponent. Below, we compare instead the optimum with the shifted family of
# the continuum solution, whose exponent is exactly $2\beta - 1$.

# %%
source, capacity = CONFIG.pairs[0]
study = studies[(source, capacity)]
objective = optimal.ScheduleObjective(source, capacity, CONFIG.noise)
schedule = study.schedules[-1]
n = int(study.horizons[-1])
middle = n - (np.cumsum(schedule.counts) - schedule.counts / 2)     # remaining steps at bin centres
fractions = 1.0 - middle / n
inside = (fractions > 0.05) & (fractions < 0.95)
raw_exponent = np.polyfit(np.log(middle[inside] / n), np.log(schedule.bin_lr[inside] / schedule.peak), 1)[0]
best_mu, shifted_error = optimal.closest_continuum(objective, schedule)
print(f"s={source:g}, beta={capacity:g}, N={n:.0e}: raw power-law exponent {raw_exponent:.2f} "
      f"against 2 beta - 1 = {2 * capacity - 1:g}; shift 2 beta / sqrt(mu) = {2 * capacity / np.sqrt(best_mu):.3g} "
      f"steps; relative L2 distance to the shifted family {shifted_error:.1e}")

# %% [markdown]
# On the largest horizon the raw fit returns
# {glue:text}`ol-raw-exponent:.2f` instead of $2\beta - 1$ =
# {glue:text}`ol-power-exponent:.0f`, while the shifted power decay with exponent
# exactly $2\beta - 1$ matches the optimum to
# {glue:text}`ol-shifted-error:.1e` in relative $L^2$.
#
# ### Shape-fixed schedules saturate
#
# In practice one fixes a shape and tunes only the peak. Suppose the shape
# decays like $(1 - z/N)^p$ near the end, with $p = 1$ for linear and $p = 2$
# for cosine decay. The last steps then run at
# $\eta \approx \eta_{\text{peak}}(u/N)^p$, $u = N - z$, with little intrinsic time
# left, $R \approx \eta_{\text{peak}}u^{p+1}/((p+1)N^p)$. Redoing the balance of
# the previous section with this tail gives the same loss as a problem of
# capacity
#
# $$
# \alpha = \min\{\beta,\ p + 1\},\qquad L \propto N^{-s\alpha/(1 + s\alpha)}
# \quad\text{(easy regime)},
# $$
#
# so the schedule cannot exploit a capacity beyond $p + 1$, as
# {cite:t}`li2026optimallr` show. We take $\beta$ =
# {glue:text}`ol-shape-beta:.0f` and $s$ = {glue:text}`ol-shape-s:.0f`, where linear
# decay ($\alpha = 2$) and cosine ($\alpha = 3$) both saturate and the power decay
# of exponent $2\beta - 1 = 9$ does not.

# %%
shape_objective = optimal.ScheduleObjective(CONFIG.shape_source, CONFIG.shape_capacity, CONFIG.noise)
shapes = {
    "linear": (lambda n: schedules.linear(1.0, n).values(), 1.0),
    "cosine": (lambda n: schedules.cosine(1.0, n).values(), 2.0),
    "power decay": (lambda n: schedules.power_decay(1.0, n, 2 * CONFIG.shape_capacity - 1).values(),
                    2 * CONFIG.shape_capacity - 1),
}
shape_results = {}
for name, (shape, decay_exponent) in shapes.items():
    losses = scaling.shape_scaling(shape_objective, shape, CONFIG.shape_horizons)
    measured = scaling.power_law_exponent(CONFIG.shape_horizons, losses)
    theory = optimal.loss_exponent(CONFIG.shape_source, CONFIG.shape_capacity, decay_exponent)
    shape_results[name] = (losses, measured, theory)
    print(f"{name:>11}: loss exponent {measured:.3f}, theory s alpha / (1 + s alpha) = {theory:.3f}")
print(f"free optimum: {optimal.loss_exponent(CONFIG.shape_source, CONFIG.shape_capacity):.3f}")

fig, ax = plt.subplots()
horizons = np.asarray(CONFIG.shape_horizons, dtype=float)
for i, (name, (losses, measured, theory)) in enumerate(shape_results.items()):
    plot.overlay(ax, horizons, experiment=losses, theory=losses[0] * (horizons / horizons[0]) ** -theory,
                 label=f"{name} (exponent {measured:.2f})", color=plot.PALETTE[i])
ax.set(xscale="log", yscale="log", xlabel="horizon $N$", ylabel="FSL final loss, peak tuned",
       title=f"Fixed shapes, s = {CONFIG.shape_source:g}, β = {CONFIG.shape_capacity:g}")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# ### Power decay on the exact SGD risk
#
# The FSL is an approximation. Does its optimal shape also win on the exact
# expected risk of SGD? We take an easy problem with $\beta$ =
# {glue:text}`ol-sgd-beta:.0f`, where cosine saturates, and $N$ =
# {glue:text}`ol-sgd-steps:,.0f` steps. We run power decay of exponent
# $2\beta - 1$, cosine, and WSD (linear decay over the last 20%), each over the
# same grid of peaks, and compare the best final risks.

# %%
sgd_problem = kernel_sgd.power_law_problem(CONFIG.sgd_dim, CONFIG.sgd_capacity, CONFIG.sgd_source,
                                           CONFIG.sgd_noise_var)
low, high, count = CONFIG.sgd_peaks
peaks = np.geomspace(low, high, count)
makers = {
    "power decay": lambda peak: schedules.power_decay(peak, CONFIG.sgd_steps, 2 * CONFIG.sgd_capacity - 1),
    "cosine": lambda peak: schedules.cosine(peak, CONFIG.sgd_steps),
    "WSD": lambda peak: schedules.wsd(peak, CONFIG.sgd_steps, decay_fraction=0.2),
}
sweeps = {name: scaling.sweep_peaks(sgd_problem, make, peaks, device=DEVICE) for name, make in makers.items()}
for name, sweep in sweeps.items():
    print(f"{name:>11}: best peak {sweep.best_peak:.3g}, final risk {sweep.best_loss:.4g}"
          + (" (best peak at the edge of the grid)" if sweep.at_edge else ""))

fig, ax = plt.subplots()
for i, (name, sweep) in enumerate(sweeps.items()):
    finite = np.isfinite(sweep.losses)
    ax.plot(sweep.peaks[finite], sweep.losses[finite], "o-", color=plot.PALETTE[i], label=name)
ax.set(xscale="log", yscale="log", xlabel="peak learning rate", ylabel="exact final risk",
       title=f"{sgd_problem.name}, N = {CONFIG.sgd_steps:,}")
ax.legend()
plt.show()

# %% [markdown]
# With its peak tuned, power decay ends at
# {glue:text}`ol-sgd-power:.3g`. Tuned cosine ends
# {glue:text}`ol-sgd-margin-cosine:.1%` higher, and tuned WSD far higher. Its best peak is
# {glue:text}`ol-sgd-power-peak:.2f`, and the grid stops at
# {glue:text}`ol-sgd-grid-top:.1f` on purpose. Near $\eta = 1$ the $\eta^2\lambda_1^2$
# terms that the FSL drops make SGD unstable, so the FSL's advice to start
# higher cannot be followed.
#
# The same comparison at $\beta = 2$, where cosine does not saturate, on
# $N$ = {glue:text}`ol-sgd-small-steps:,.0f` steps, gives the opposite order:
# cosine ends {glue:text}`ol-sgd-small-margin:.1%` below power decay. The
# advantage of power decay is a matter of rate, and it shows once $\beta$
# exceeds the fixed shape's $p + 1$ or $N$ is large.

# %%
small_problem = kernel_sgd.power_law_problem(CONFIG.sgd_dim, 2.0, CONFIG.sgd_source, CONFIG.sgd_noise_var)
small_steps = max(CONFIG.sgd_steps // 10, 100)
small_sweeps = {
    "power decay": scaling.sweep_peaks(small_problem, lambda peak: schedules.power_decay(peak, small_steps, 3.0),
                                       peaks, device=DEVICE),
    "cosine": scaling.sweep_peaks(small_problem, lambda peak: schedules.cosine(peak, small_steps), peaks,
                                  device=DEVICE),
}
small_margin = small_sweeps["power decay"].best_loss / small_sweeps["cosine"].best_loss - 1
print(f"beta = 2, N = {small_steps}: best power decay {small_sweeps['power decay'].best_loss:.4g}, "
      f"best cosine {small_sweeps['cosine'].best_loss:.4g}")

# %% [markdown]
# ## Claims

# %%
easy_rows = [row for row in rows if row[2] == "easy"]
nu_errors = np.array([abs(row[3] - row[4]) for row in easy_rows])
loss_errors = np.array([abs(row[5] - row[6]) for row in rows])
hard_study = studies[CONFIG.hard_pairs[0]]
hard_s, hard_beta = CONFIG.hard_pairs[0]
decay_ratios = hard_study.decay_fractions[1:] / hard_study.decay_fractions[:-1]
decades = np.log10(hard_study.horizons[-1] / hard_study.horizons[-2])
claim_checks.glue("ol-easy-pairs", len(easy_rows))
claim_checks.glue("ol-decay-ratio", decay_ratios[-1])
claim_checks.glue("ol-decay-ratio-theory",
                  10 ** (-decades * (1 - 1 / hard_beta - hard_s) / (2 - 1 / hard_beta)))
claim_checks.glue("ol-hard-s", hard_s)
claim_checks.glue("ol-hard-beta", hard_beta)
claim_checks.glue("ol-raw-exponent", raw_exponent)
claim_checks.glue("ol-power-exponent", 2 * capacity - 1)
claim_checks.glue("ol-shape-beta", CONFIG.shape_capacity)
claim_checks.glue("ol-shape-s", CONFIG.shape_source)
claim_checks.glue("ol-sgd-beta", CONFIG.sgd_capacity)
claim_checks.glue("ol-sgd-steps", CONFIG.sgd_steps)
claim_checks.glue("ol-sgd-power", sweeps["power decay"].best_loss)
claim_checks.glue("ol-sgd-power-peak", sweeps["power decay"].best_peak)
claim_checks.glue("ol-sgd-grid-top", high)
claim_checks.glue("ol-sgd-small-steps", small_steps)

claims.check(
    "ol-check-error", "The numerical optimum matches the exact Euler-Lagrange family",
    max(check_errors.values()), at_most=1e-3, paper_value="Euler-Lagrange solution",
    why="largest relative L2 distance over an easy and a hard problem; the solver sees only the objective "
        "and its gradient, so agreement far below 1% checks both",
)
claims.check(
    "ol-nu-max-error", "The fitted peak-learning-rate exponent matches nu(s, beta)",
    float(nu_errors.max()), at_most=0.05, paper_value="nu = (1 + s beta - beta) / (1 + s beta)",
    why=f"largest absolute error over {len(easy_rows)} easy (s, beta) pairs, N from "
        f"{min(CONFIG.horizons):.0e} to {max(CONFIG.horizons):.0e}; errors " + ", ".join(f"{e:.3f}" for e in nu_errors),
)
claims.check(
    "ol-loss-max-error", "The optimal loss exponent matches theory",
    float(loss_errors.max()), at_most=0.1, paper_value="s beta / (1 + s beta) easy, s hard",
    why="largest absolute error over all pairs; finite-N corrections make the fitted exponents slightly small",
)
claims.check(
    "ol-decay-shrinks", "Hard regime: the decay fraction shrinks monotonically as N grows",
    float(decay_ratios.max()), at_most=0.95, paper_value="vanishing decay fraction",
    why="largest ratio of consecutive decay fractions (each horizon 10 times the last) for s = "
        f"{hard_s:g}, beta = {hard_beta:g}; at most 0.95 asks for a clear decrease at every step",
)
claims.check(
    "ol-shifted-error", "The optimum is a shifted power decay of exponent 2 beta - 1",
    float(shifted_error), at_most=0.01, paper_value="power decay with exponent 2 beta - 1",
    why="relative L2 distance, weighted by steps, between the binned optimum and the best member of the "
        "continuum family at the largest horizon; the bins' piecewise-constant values limit the agreement",
)
for name in ("linear", "cosine"):
    losses, measured, theory = shape_results[name]
    claims.check(
        f"ol-saturation-{name}", f"{name.capitalize()} decay saturates at s alpha / (1 + s alpha)",
        float(abs(measured - theory)), at_most=0.05, paper_value="alpha = min(beta, p + 1)",
        why=f"absolute error of the fitted loss exponent {measured:.3f} against {theory:.3f}; the free optimum's "
            f"exponent is {optimal.loss_exponent(CONFIG.shape_source, CONFIG.shape_capacity):.3f}",
    )
claims.check(
    "ol-saturation-gap", "The power decay's loss exponent exceeds cosine's, which exceeds linear's",
    float(min(shape_results["power decay"][1] - shape_results["cosine"][1],
              shape_results["cosine"][1] - shape_results["linear"][1])), at_least=0.02,
    paper_value="fixed shapes lose rate",
    why="smallest gap between neighbouring exponents; theory predicts gaps of "
        f"{shape_results['power decay'][2] - shape_results['cosine'][2]:.3f} and "
        f"{shape_results['cosine'][2] - shape_results['linear'][2]:.3f}",
)
margin_cosine = sweeps["cosine"].best_loss / sweeps["power decay"].best_loss - 1
margin_wsd = sweeps["WSD"].best_loss / sweeps["power decay"].best_loss - 1
claim_checks.glue("ol-sgd-margin-cosine", margin_cosine)
claims.check(
    "ol-sgd-power-wins", "Easy regime, exact SGD: tuned power decay beats tuned cosine and WSD",
    float(min(margin_cosine, margin_wsd)), at_least=0.0, paper_value="power decay optimal",
    why=f"relative margin of the runner-up over power decay, each on the same grid of {count} peaks; "
        f"cosine {margin_cosine:+.3f}, WSD {margin_wsd:+.3f}",
)
claims.check(
    "ol-sgd-small-margin", "At beta = 2 and a short horizon, tuned cosine edges out power decay",
    float(small_margin), at_least=0.0, paper_value="not claimed by the paper (our finding)",
    why="relative margin of power decay over cosine; cosine does not saturate at beta = 2, so the "
        "asymptotic advantage of power decay need not show at this size",
)
passed = sum(result.passed for result in claims.results)
print(f"{len(claims.results)} claims checked, {passed} passed; record: {claims.path}")

# %% [markdown]
# ## Reproduction notes
#
# - **What matches.** The phase transition, the peak exponent $\nu(s, \beta)$,
#   the optimal loss exponents, the vanishing decay fraction of the hard regime
#   and the saturation of cosine and linear decay all appear in the numerical
#   optimum of the FSL. On the exact SGD risk, tuned power decay beats cosine
#   and WSD in an easy problem where cosine saturates.
# - **Objective.** We optimize the FSL with noise forcing $\sigma^2$ only. The
#   signal forcing $e(T_k)\eta_k^2$ adds noise early in training, where every
#   schedule sits near its peak. We have not checked how much it moves the
#   optimum.
# - **Decay fraction.** The exponent of the hard regime's decay fraction is our
#   own balance argument. The measured ratios approach it slowly, and we do not
#   assert it.
# - **Not asserted.** A raw power-law fit of the optimum's shape does not give
#   $2\beta - 1$ at these sizes (see above), so we assert the shifted family
#   instead.
# - **Paper preset.** `LGCORE_SCALE=paper` extends the horizons to $10^9$ (the
#   solver's cost does not grow with $N$) and runs the SGD comparison with
#   $d = 10^4$ and $N = 10^6$, which needs a GPU (`LGCORE_DEVICE=cuda`). NOTE: no
#   GPU was available while this chapter was written, so the paper preset has
#   not been run.
# - **Run it.** `python book/scaling/optimal-lr-schedules.py` runs the chapter
#   as a script at book scale.
