import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import TensorDataset

from lgcore.train import DivergenceError, History, fit, save_checkpoint


def classification_data(n: int = 64, d: int = 5, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=generator)
    w = torch.randn(d, generator=generator)
    return x, (x @ w > 0).long()


def regression_data(n: int = 64, d: int = 4, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=generator)
    w = torch.randn(d, 1, generator=generator)
    return x, x @ w + 0.01 * torch.randn(n, 1, generator=generator)


def classifier(seed: int) -> nn.Module:
    """Build a small network with dropout, so that resuming must also restore torch's random state."""
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Dropout(0.2), nn.Linear(16, 2))


def accuracy_fn(x: torch.Tensor, y: torch.Tensor):
    def evaluate(model: nn.Module) -> dict[str, float]:
        model.eval()
        with torch.no_grad():
            return {"accuracy": (model(x).argmax(dim=1) == y).float().mean()}
    return evaluate


def train_classifier(steps: int, *, init_seed: int = 0, checkpoint: Path | None = None, data=None,
                     batch_size: int | None = 16, eval_fn=None, eval_every: int | None = 5,
                     log_every: int = 1, checkpoint_every: int | None = None):
    """Train ``classifier(init_seed)`` with Adam and a decaying learning rate; return the model and History."""
    model = classifier(init_seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0 / (1.0 + 0.1 * step))
    x, y = classification_data()
    history = fit(model, data if data is not None else (x, y), loss_fn=F.cross_entropy, optimizer=optimizer,
                  steps=steps, batch_size=batch_size, lr_scheduler=scheduler,
                  eval_fn=eval_fn or accuracy_fn(x, y), eval_every=eval_every, checkpoint=checkpoint, seed=3,
                  log_every=log_every, checkpoint_every=checkpoint_every)
    return model, history


def assert_same_weights(first: nn.Module, second: nn.Module) -> None:
    for (name, a), (_, b) in zip(first.state_dict().items(), second.state_dict().items()):
        assert torch.equal(a, b), f"parameter {name} differs"


def sgd_fit(model, data, **kwargs) -> History:
    kwargs.setdefault("loss_fn", F.mse_loss)
    return fit(model, data, optimizer=torch.optim.SGD(model.parameters(), lr=kwargs.pop("lr", 0.1)), **kwargs)


# History


def test_history_log_merges_same_step():
    history = History()
    history.log(0, accuracy=0.5)
    history.log(1, loss=2.0)
    history.log(1, accuracy=0.7)
    assert history.rows == [{"step": 0, "accuracy": 0.5}, {"step": 1, "loss": 2.0, "accuracy": 0.7}]
    assert len(history) == 2


def test_history_series_skips_missing():
    history = History([{"step": 0, "accuracy": 0.5}, {"step": 1, "loss": 2.0}, {"step": 2, "loss": 1.0}])
    steps, values = history.series("loss")
    assert steps.tolist() == [1, 2]
    assert values.tolist() == [2.0, 1.0]
    assert values.dtype == float
    assert history.last("loss") == 1.0
    assert history.names() == {"accuracy", "loss"}
    assert repr(history) == "History(3 rows, metrics ['accuracy', 'loss'])"


def test_history_unknown_metric():
    history = History([{"step": 1, "loss": 2.0}])
    with pytest.raises(KeyError, match=r"metric 'accuracy' was never recorded; recorded metrics: \['loss'\]"):
        history.series("accuracy")
    with pytest.raises(KeyError, match="metric 'lr' was never recorded"):
        History().last("lr")


# save_checkpoint


def test_save_checkpoint_round_trip(tmp_path):
    path = tmp_path / "deep" / "folder" / "state.pt"
    save_checkpoint(path, {"step": 3, "weights": torch.arange(4)})
    state = torch.load(path)
    assert state["step"] == 3
    assert torch.equal(state["weights"], torch.arange(4))
    assert list(path.parent.iterdir()) == [path]


def test_save_checkpoint_replaces_file(tmp_path):
    path = tmp_path / "state.pt"
    save_checkpoint(path, {"step": 1})
    save_checkpoint(path, {"step": 2})
    assert torch.load(path)["step"] == 2


# fit: learning and reproducibility


def test_fit_regression_loss_decreases():
    x, y = regression_data()
    torch.manual_seed(0)
    model = nn.Linear(4, 1)
    history = sgd_fit(model, (x, y), steps=60, lr=0.1)
    steps, losses = history.series("loss")
    assert steps.tolist() == list(range(1, 61))
    assert losses[-1] < 0.01 * losses[0]
    assert history.last("lr") == pytest.approx(0.1)


def test_fit_classification_learns():
    x, y = classification_data()
    model = classifier(0)
    history = fit(model, (x, y), loss_fn=F.cross_entropy, optimizer=torch.optim.Adam(model.parameters(), lr=0.05),
                  steps=60, eval_fn=accuracy_fn(x, y), eval_every=10)
    steps, accuracies = history.series("accuracy")
    assert steps[0] == 0
    assert accuracies[-1] >= 0.9
    assert accuracies[-1] > accuracies[0]
    assert history.series("loss")[1][-10:].mean() < history.series("loss")[1][:10].mean()
    assert model.training


def test_fit_same_seed_same_weights():
    first, first_history = train_classifier(15)
    second, second_history = train_classifier(15)
    assert_same_weights(first, second)
    assert first_history.rows == second_history.rows


def test_fit_batch_seed_changes_order():
    x, y = regression_data()
    results = []
    for seed in (0, 0, 1):
        torch.manual_seed(0)
        model = nn.Linear(4, 1)
        sgd_fit(model, (x, y), steps=5, batch_size=8, seed=seed)
        results.append(model.weight.detach().clone())
    assert torch.equal(results[0], results[1])
    assert not torch.equal(results[0], results[2])


def test_fit_epochs_visit_each_example_once():
    n, batch_size = 25, 10
    x = torch.randn(n, 3)
    index = torch.arange(n)
    seen: list[list[int]] = []

    def loss_fn(output, targets):
        seen.append(targets.tolist())
        return output.sum() * 0.0

    model = nn.Linear(3, 1)
    history = fit(model, (x, index), loss_fn=loss_fn, optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
                  epochs=2, batch_size=batch_size)
    assert [len(batch) for batch in seen] == [10, 10, 5, 10, 10, 5]
    for epoch in (seen[:3], seen[3:]):
        assert sorted(sum(epoch, [])) == list(range(n))
    assert seen[:3] != seen[3:]
    assert history.series("loss")[0].tolist() == [1, 2, 3, 4, 5, 6]


def test_fit_full_batch_by_default():
    x, y = regression_data(n=12)
    sizes = []

    def loss_fn(output, targets):
        sizes.append(len(targets))
        return F.mse_loss(output, targets)

    sgd_fit(nn.Linear(4, 1), (x, y), loss_fn=loss_fn, steps=3)
    assert sizes == [12, 12, 12]


def test_fit_log_every():
    x, y = regression_data()
    history = sgd_fit(nn.Linear(4, 1), (x, y), steps=10, log_every=3)
    assert history.series("loss")[0].tolist() == [3, 6, 9, 10]


def test_fit_log_every_averages_steps():
    x = torch.zeros(4, 1)
    y = torch.zeros(4, 1)
    losses = iter([1.0, 2.0, 3.0, 4.0, 5.0])

    def loss_fn(output, targets):
        return output.sum() * 0.0 + next(losses)

    model = nn.Linear(1, 1)
    history = fit(model, (x, y), loss_fn=loss_fn, optimizer=torch.optim.SGD(model.parameters(), lr=0.1), steps=5,
                  log_every=2)
    assert history.series("loss")[1].tolist() == [1.5, 3.5, 5.0]


def test_fit_lr_scheduler_stepped_each_step():
    x, y = regression_data()
    model = nn.Linear(4, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 0.5 ** step)
    history = fit(model, (x, y), loss_fn=F.mse_loss, optimizer=optimizer, steps=4, lr_scheduler=scheduler)
    assert history.series("lr")[1] == pytest.approx([1e-3 * 0.5 ** step for step in range(1, 5)])


def test_fit_grad_clip_limits_step():
    x = torch.full((8, 2), 100.0)
    y = torch.zeros(8, 1)
    model = nn.Linear(2, 1, bias=False)
    before = model.weight.detach().clone()
    sgd_fit(model, (x, y), steps=1, lr=1.0, grad_clip=0.5)
    assert (model.weight.detach() - before).norm().item() == pytest.approx(0.5, rel=1e-4)


def test_fit_device_string():
    x, y = regression_data()
    model = nn.Linear(4, 1)
    sgd_fit(model, (x, y), steps=2, device="cpu")
    assert model.weight.device == torch.device("cpu")


# fit: evaluation hooks


def test_fit_eval_steps():
    x, y = classification_data()
    calls = []

    def eval_fn(model):
        calls.append(1)
        return {"calls": torch.tensor(float(len(calls)))}

    model = classifier(0)
    history = fit(model, (x, y), loss_fn=F.cross_entropy, optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
                  steps=12, eval_fn=eval_fn, eval_every=5)
    steps, values = history.series("calls")
    assert steps.tolist() == [0, 5, 10, 12]
    assert values.tolist() == [1.0, 2.0, 3.0, 4.0]
    assert isinstance(history.rows[0]["calls"], float)
    # Metrics of a step share the row of that step's training loss.
    assert set(history.rows[-1]) == {"step", "loss", "lr", "calls"}


def test_fit_eval_at_end_once():
    x, y = classification_data()
    model = classifier(0)
    history = fit(model, (x, y), loss_fn=F.cross_entropy, optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
                  steps=8, eval_fn=lambda model: {"value": 1.0}, eval_every=4)
    assert history.series("value")[0].tolist() == [0, 4, 8]


def test_fit_eval_without_every():
    x, y = classification_data()
    model = classifier(0)
    history = fit(model, (x, y), loss_fn=F.cross_entropy, optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
                  steps=6, eval_fn=lambda model: {"value": 1.0})
    assert history.series("value")[0].tolist() == [0, 6]


def test_fit_restores_train_mode_after_eval():
    modes = []

    class Recorder(nn.Linear):
        def forward(self, x):
            if torch.is_grad_enabled():
                modes.append(self.training)
            return super().forward(x)

    def eval_fn(model):
        model.eval()
        return {}

    x, y = regression_data()
    model = Recorder(4, 1)
    sgd_fit(model, (x, y), steps=6, eval_fn=eval_fn, eval_every=2)
    assert modes == [True] * 6


# fit: divergence


def test_fit_nan_loss_raises():
    x, y = regression_data()
    model = nn.Linear(4, 1)
    loss_fn = lambda output, targets: F.mse_loss(output, targets) * float("nan")
    with pytest.raises(DivergenceError, match=r"the loss became nan by step 1 at learning rate 0\.25\. "
                                              r"Lower the learning rate"):
        fit(model, (x, y), loss_fn=loss_fn, optimizer=torch.optim.SGD(model.parameters(), lr=0.25), steps=10)


def test_fit_divergence_step_follows_log_every():
    x, y = regression_data()
    model = nn.Linear(4, 1)
    loss_fn = lambda output, targets: output.sum() * 0.0 + float("inf")  # infinite loss, finite gradients
    with pytest.raises(DivergenceError, match=r"the loss became inf by step 4 at learning rate 0\.1"):
        fit(model, (x, y), loss_fn=loss_fn, optimizer=torch.optim.SGD(model.parameters(), lr=0.1), steps=10,
            log_every=4)


def test_fit_large_lr_diverges():
    x, y = regression_data()
    x = x * 10
    torch.manual_seed(0)
    model = nn.Linear(4, 1)
    with pytest.raises(DivergenceError, match=r"by step \d+ at learning rate 50"):
        sgd_fit(model, (x, y), steps=500, lr=50.0)
    assert issubclass(DivergenceError, RuntimeError)


# fit: checkpoints


def test_fit_resume_is_exact(tmp_path):
    straight, straight_history = train_classifier(20)

    checkpoint = tmp_path / "run.pt"
    halfway, _ = train_classifier(10, checkpoint=checkpoint)
    assert torch.load(checkpoint, weights_only=False)["step"] == 10
    assert not torch.equal(halfway[0].weight, straight[0].weight)

    # A different initialization proves the weights come from the checkpoint.
    resumed, resumed_history = train_classifier(20, init_seed=1, checkpoint=checkpoint)
    assert_same_weights(resumed, straight)
    assert resumed_history.rows == straight_history.rows
    assert torch.load(checkpoint, weights_only=False)["step"] == 20


def test_fit_resume_dataset_mid_epoch(tmp_path):
    # 64 examples in batches of 16 are 4 steps per epoch, so step 6 resumes in the middle of epoch 1.
    dataset = TensorDataset(*classification_data())
    straight, straight_history = train_classifier(12, data=dataset, eval_every=3)
    train_classifier(6, data=dataset, eval_every=3, checkpoint=tmp_path / "run.pt")
    resumed, resumed_history = train_classifier(12, init_seed=1, data=dataset, eval_every=3,
                                                checkpoint=tmp_path / "run.pt")
    assert_same_weights(resumed, straight)
    assert resumed_history.rows == straight_history.rows


def test_fit_resume_false_restarts(tmp_path):
    checkpoint = tmp_path / "run.pt"
    train_classifier(10, checkpoint=checkpoint)

    model = classifier(1)
    x, y = classification_data()
    history = fit(model, (x, y), loss_fn=F.cross_entropy, optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
                  steps=4, checkpoint=checkpoint, resume=False)
    assert history.series("loss")[0].tolist() == [1, 2, 3, 4]
    assert torch.load(checkpoint, weights_only=False)["step"] == 4


def test_fit_resume_finished_run(tmp_path):
    checkpoint = tmp_path / "run.pt"
    finished, _ = train_classifier(8, checkpoint=checkpoint)
    calls = []

    def loss_fn(output, targets):
        calls.append(1)
        return F.cross_entropy(output, targets)

    model = classifier(1)
    x, y = classification_data()
    fit(model, (x, y), loss_fn=loss_fn, optimizer=torch.optim.Adam(model.parameters()), steps=8,
        checkpoint=checkpoint)
    assert calls == []
    assert_same_weights(model, finished)


def test_fit_checkpoint_every(tmp_path):
    checkpoint = tmp_path / "run.pt"
    saved_steps = []

    def eval_fn(model):
        saved_steps.append(torch.load(checkpoint, weights_only=False)["step"] if checkpoint.exists() else None)
        return {}

    x, y = regression_data()
    sgd_fit(nn.Linear(4, 1), (x, y), steps=10, eval_fn=eval_fn, eval_every=3, checkpoint=checkpoint,
            checkpoint_every=4)
    # Evaluations at steps 0, 3, 6, 9 and 10 see the checkpoints of steps 4 and 8.
    assert saved_steps == [None, None, 4, 8, 8]
    assert torch.load(checkpoint, weights_only=False)["step"] == 10


def test_fit_interrupt_saves_checkpoint(tmp_path):
    checkpoint = tmp_path / "run.pt"
    x, y = classification_data()
    calls: list[int] = []

    def interrupting_eval(model):
        if len(calls) == 2:  # evaluations run at steps 0, 5 and 10; interrupt the one at step 10
            raise KeyboardInterrupt
        calls.append(1)
        return accuracy_fn(x, y)(model)

    with pytest.raises(KeyboardInterrupt):
        train_classifier(20, checkpoint=checkpoint, eval_fn=interrupting_eval)
    state = torch.load(checkpoint, weights_only=False)
    assert state["step"] == 10
    assert state["history"][-1]["step"] == 10

    # The saved state continues exactly like a run that was never interrupted.
    straight, straight_history = train_classifier(20)
    resumed, resumed_history = train_classifier(20, init_seed=1, checkpoint=checkpoint)
    assert_same_weights(resumed, straight)
    assert resumed_history.series("loss")[1].tolist() == straight_history.series("loss")[1].tolist()


# fit: Dataset input


def test_fit_dataset_loader():
    x, y = classification_data()
    dataset = TensorDataset(x, y)
    model = classifier(0)
    history = fit(model, dataset, loss_fn=F.cross_entropy, optimizer=torch.optim.Adam(model.parameters(), lr=0.02),
                  epochs=15, batch_size=16, eval_fn=accuracy_fn(x, y))
    steps, losses = history.series("loss")
    assert steps.tolist() == list(range(1, 61))
    assert losses[-8:].mean() < 0.5 * losses[:8].mean()
    assert history.last("accuracy") >= 0.9


def test_fit_dataset_needs_batch_size():
    dataset = TensorDataset(*classification_data())
    model = classifier(0)
    with pytest.raises(ValueError, match="batch_size is required when data is a Dataset"):
        fit(model, dataset, loss_fn=F.cross_entropy, optimizer=torch.optim.SGD(model.parameters(), lr=0.1), steps=2)


# fit: argument checks


@pytest.mark.parametrize("arguments, message", [
    (dict(steps=5, epochs=2), r"give exactly one of steps= and epochs=, got steps=5, epochs=2"),
    (dict(), r"give exactly one of steps= and epochs=, got steps=None, epochs=None"),
    (dict(steps=0), "steps must be a positive integer or None, got 0"),
    (dict(steps=2.5), "steps must be a positive integer or None, got 2.5"),
    (dict(steps=True), "steps must be a positive integer or None, got True"),
    (dict(epochs=-1), "epochs must be a positive integer or None, got -1"),
    (dict(steps=5, batch_size=0), "batch_size must be a positive integer or None, got 0"),
    (dict(steps=5, eval_every=0), "eval_every must be a positive integer or None, got 0"),
    (dict(steps=5, checkpoint_every=-3), "checkpoint_every must be a positive integer or None, got -3"),
    (dict(steps=5, log_every=0), "log_every must be a positive integer, got 0"),
    (dict(steps=5, grad_clip=0.0), "grad_clip must be positive or None, got 0.0"),
])
def test_fit_rejects_bad_arguments(arguments, message):
    x, y = regression_data()
    model = nn.Linear(4, 1)
    with pytest.raises(ValueError, match=message):
        sgd_fit(model, (x, y), **arguments)


def test_fit_rejects_length_mismatch():
    x, y = regression_data()
    with pytest.raises(ValueError, match="inputs hold 64 examples but targets hold 63"):
        sgd_fit(nn.Linear(4, 1), (x, y[:-1]), steps=1)


def test_fit_rejects_empty_data():
    with pytest.raises(ValueError, match="cannot train on an empty data set"):
        sgd_fit(nn.Linear(4, 1), (torch.zeros(0, 4), torch.zeros(0, 1)), steps=1)


# fit: DistributedDataParallel under torchrun

DDP_SCRIPT = """
import sys

import torch
import torch.distributed as dist
from torch import nn
from torch.nn import functional as F

from lgcore.train import fit

out = sys.argv[1]
generator = torch.Generator().manual_seed(0)
x = torch.randn(64, 5, generator=generator)
y = x @ torch.randn(5, 1, generator=generator)
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 1))
history = fit(model, (x, y), loss_fn=F.mse_loss, optimizer=torch.optim.SGD(model.parameters(), lr=0.05),
              steps=12, batch_size=32, checkpoint=out + "/checkpoint.pt")
rank = dist.get_rank()
torch.save({"model": model.state_dict(), "world_size": dist.get_world_size(), "loss": history.series("loss")[1]},
           f"{out}/rank{rank}.pt")
dist.destroy_process_group()
"""


def torchrun_path() -> str | None:
    beside_python = Path(sys.executable).parent / "torchrun"
    return str(beside_python) if beside_python.exists() else shutil.which("torchrun")


@pytest.mark.distributed
@pytest.mark.skipif(torchrun_path() is None, reason="torchrun is not installed next to this Python or on PATH")
@pytest.mark.skipif(not torch.distributed.is_available(), reason="this torch build has no torch.distributed")
def test_fit_ddp_ranks_agree(tmp_path):
    script = tmp_path / "ddp_fit.py"
    script.write_text(textwrap.dedent(DDP_SCRIPT))
    environment = {**os.environ, "OMP_NUM_THREADS": "1"}
    result = subprocess.run([torchrun_path(), "--nproc_per_node=2", "--standalone", str(script), str(tmp_path)],
                            capture_output=True, text=True, timeout=120, env=environment)
    assert result.returncode == 0, f"torchrun failed:\n{result.stdout}\n{result.stderr}"

    ranks = [torch.load(tmp_path / f"rank{rank}.pt", weights_only=False) for rank in (0, 1)]
    assert [state["world_size"] for state in ranks] == [2, 2]
    for name, weight in ranks[0]["model"].items():
        assert torch.equal(weight, ranks[1]["model"][name]), f"ranks disagree on {name}"
    assert (ranks[0]["loss"] == ranks[1]["loss"]).all()

    # Each rank trains on half of every batch of 32 and DDP averages the gradients,
    # which equals one process training on the whole batch, up to float rounding.
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(64, 5, generator=generator)
    y = x @ torch.randn(5, 1, generator=generator)
    torch.manual_seed(0)
    single = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 1))
    fit(single, (x, y), loss_fn=F.mse_loss, optimizer=torch.optim.SGD(single.parameters(), lr=0.05), steps=12,
        batch_size=32)
    for name, weight in single.state_dict().items():
        torch.testing.assert_close(ranks[0]["model"][name], weight, rtol=1e-5, atol=1e-6)

    checkpoint = torch.load(tmp_path / "checkpoint.pt", weights_only=False)
    assert checkpoint["step"] == 12


def test_fit_resume_mid_log_interval_is_exact(tmp_path):
    # Losses are logged every 4 steps and checkpoints written every 6, so the loss logged at step 8
    # averages steps 5 to 8, across the checkpoint of step 6.
    x, y = classification_data()
    checkpoint, copy = tmp_path / "run.pt", tmp_path / "step6.pt"

    def keep_step_six(model):
        if checkpoint.exists() and not copy.exists():
            copy.write_bytes(checkpoint.read_bytes())  # evaluation at step 9 sees the checkpoint of step 6
        return accuracy_fn(x, y)(model)

    straight, straight_history = train_classifier(12, log_every=4, eval_fn=keep_step_six, eval_every=3,
                                                  checkpoint=checkpoint, checkpoint_every=6)
    assert torch.load(copy, weights_only=False)["step"] == 6
    resumed, resumed_history = train_classifier(12, init_seed=1, log_every=4, eval_every=3, checkpoint=copy)
    assert_same_weights(resumed, straight)
    assert resumed_history.series("loss")[1].tolist() == straight_history.series("loss")[1].tolist()


def test_fit_rejects_checkpoint_past_steps(tmp_path):
    train_classifier(10, checkpoint=tmp_path / "run.pt")
    with pytest.raises(ValueError, match=r"is at step 10, past the requested 4 steps"):
        train_classifier(4, checkpoint=tmp_path / "run.pt")


def test_fit_batch_loss_fn_sees_inputs():
    x, y = classification_data()
    seen = []

    def batch_loss(model, inputs, targets):
        seen.append(inputs.shape[0])
        return F.cross_entropy(model(inputs), targets)

    model = classifier(0)
    history = fit(model, (x, y), batch_loss_fn=batch_loss, optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
                  steps=3, batch_size=16)
    assert seen == [16, 16, 16]
    assert len(history.series("loss")[0]) == 3


def test_fit_needs_exactly_one_loss():
    x, y = classification_data()
    model = classifier(0)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="give exactly one of loss_fn= and batch_loss_fn="):
        fit(model, (x, y), optimizer=optimizer, steps=1)
    with pytest.raises(ValueError, match="give exactly one of loss_fn= and batch_loss_fn="):
        fit(model, (x, y), loss_fn=F.cross_entropy, batch_loss_fn=lambda m, i, t: m(i).sum(), optimizer=optimizer,
            steps=1)


def test_fit_never_checkpoints_nan_weights(tmp_path):
    x, y = regression_data()
    model = nn.Linear(4, 1)
    checkpoint = tmp_path / "run.pt"
    calls = []

    def poisoned_loss(output, targets):
        calls.append(1)
        loss = F.mse_loss(output, targets)
        return loss * float("nan") if len(calls) > 3 else loss

    with pytest.raises(DivergenceError, match=r"no checkpoint was written"):
        fit(model, (x, y), loss_fn=poisoned_loss, optimizer=torch.optim.SGD(model.parameters(), lr=0.1), steps=20,
            log_every=10, checkpoint=checkpoint, checkpoint_every=5)
    assert not checkpoint.exists()


def test_fit_rejects_unavailable_device():
    if torch.cuda.is_available():
        pytest.skip("CUDA is available here")
    x, y = regression_data()
    model = nn.Linear(4, 1)
    with pytest.raises(ValueError, match="CUDA is not available; use 'cpu'"):
        sgd_fit(model, (x, y), steps=1, device="cuda")
