"""The training loop: one ``fit`` for every chapter.

``fit`` places the model and data on the device, runs mixed precision on CUDA
(bfloat16 autocast), shows a tqdm progress bar, records a :class:`History` of
metrics per step, calls evaluation hooks, saves and resumes checkpoints, stops
on a NaN or infinite loss with the step and learning rate in the message, and
trains with DistributedDataParallel when launched by ``torchrun``.

Data given as a pair of tensors ``(inputs, targets)`` stays on the device and
is batched by indexing, which avoids DataLoader overhead for the small data
sets of the book; any ``torch.utils.data.Dataset`` also works.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

from lgcore import runtime

logger = logging.getLogger(__name__)

PROGRESS_ENV_VAR = runtime.PROGRESS_ENV_VAR
LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
BatchLossFn = Callable[[nn.Module, torch.Tensor, torch.Tensor], torch.Tensor]
EvalFn = Callable[[nn.Module], dict[str, float]]


class DivergenceError(RuntimeError):
    """Raised when the training loss becomes NaN or infinite."""


class History:
    """Metrics recorded during training: one row per logged step.

    ``history.series("loss")`` returns ``(steps, values)`` as arrays, skipping
    rows where the metric was not recorded.
    """

    def __init__(self, rows: list[dict[str, float]] | None = None):
        self.rows: list[dict[str, float]] = list(rows or [])

    def log(self, step: int, **metrics: float) -> None:
        """Add ``metrics`` at ``step``, merging with a row already at that step."""
        if self.rows and self.rows[-1]["step"] == step:
            self.rows[-1].update(metrics)
        else:
            self.rows.append({"step": step, **metrics})

    def series(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(steps, values)`` of metric ``name``; raise ``KeyError`` listing known metrics if absent."""
        pairs = [(row["step"], row[name]) for row in self.rows if name in row]
        if not pairs:
            raise KeyError(f"metric {name!r} was never recorded; recorded metrics: {sorted(self.names())}")
        steps, values = zip(*pairs)
        return np.asarray(steps), np.asarray(values, dtype=float)

    def last(self, name: str) -> float:
        """Return the most recent value of metric ``name``."""
        return float(self.series(name)[1][-1])

    def names(self) -> set[str]:
        return {key for row in self.rows for key in row if key != "step"}

    def __len__(self) -> int:
        return len(self.rows)

    def __repr__(self) -> str:
        return f"History({len(self.rows)} rows, metrics {sorted(self.names())})"


def _progress_enabled(progress: bool | None) -> bool:
    return runtime.progress_enabled(progress)


def _distributed() -> tuple[int, int, int]:
    """Return ``(rank, world_size, local_rank)``, initializing the process group under torchrun."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    if world_size <= 1:
        return 0, 1, 0
    import torch.distributed as dist

    if not dist.is_initialized():
        dist.init_process_group(backend="nccl" if torch.cuda.is_available() else "gloo")
    return dist.get_rank(), dist.get_world_size(), int(os.environ.get("LOCAL_RANK", "0"))


class _TensorBatches:
    """Shuffled mini-batches of tensors already on the device, reproducible per epoch and rank.

    NOTE: full-batch steps return views of ``inputs`` and ``targets``, not
    copies, so a model that modifies its input in place changes the data set.
    """

    def __init__(self, inputs: torch.Tensor, targets: torch.Tensor, batch_size: int, seed: int,
                 rank: int, world_size: int):
        self.inputs, self.targets = inputs, targets
        self.batch_size, self.seed = batch_size, seed
        self.rank, self.world_size = rank, world_size
        self.per_epoch = math.ceil(len(inputs) / batch_size)
        self._order_epoch, self._order = -1, torch.empty(0, dtype=torch.int64)

    def batch(self, step: int) -> tuple[torch.Tensor, torch.Tensor]:
        if self.batch_size >= len(self.inputs):
            # Slicing returns views. Indexing with a tensor copied the whole input on
            # every step, which for 1000x3000 inputs took longer than the forward pass.
            return self.inputs[self.rank::self.world_size], self.targets[self.rank::self.world_size]
        epoch, position = divmod(step, self.per_epoch)
        if epoch != self._order_epoch:
            generator = torch.Generator().manual_seed(self.seed + epoch)
            self._order = torch.randperm(len(self.inputs), generator=generator).to(self.inputs.device)
            self._order_epoch = epoch
        index = self._order[position * self.batch_size:(position + 1) * self.batch_size]
        index = index[self.rank::self.world_size]
        return self.inputs[index], self.targets[index]


class _LoaderBatches:
    """Mini-batches from a Dataset through a DataLoader, re-seeded per epoch so that resuming is exact."""

    def __init__(self, dataset: Dataset, batch_size: int, seed: int, rank: int, world_size: int,
                 num_workers: int):
        from torch.utils.data.distributed import DistributedSampler

        self.seed = seed
        self.sampler = (DistributedSampler(dataset, num_replicas=world_size, rank=rank, seed=seed)
                        if world_size > 1 else None)
        self.generator = torch.Generator()
        self.loader = DataLoader(dataset, batch_size=batch_size, shuffle=self.sampler is None,
                                 sampler=self.sampler, generator=self.generator, num_workers=num_workers)
        self.per_epoch = len(self.loader)
        self._epoch, self._iterator, self._position = -1, None, 0

    def batch(self, step: int) -> tuple[Any, Any]:
        epoch, position = divmod(step, self.per_epoch)
        if epoch != self._epoch or position != self._position:
            self.generator.manual_seed(self.seed + epoch)
            if self.sampler is not None:
                self.sampler.set_epoch(epoch)
            self._iterator, self._epoch, self._position = iter(self.loader), epoch, 0
            for _ in range(position):  # fast-forward after a resume
                next(self._iterator)
                self._position += 1
        self._position += 1
        return next(self._iterator)


def _to_device(value: Any, device: torch.device) -> Any:
    if isinstance(value, torch.Tensor):
        return value.to(device, non_blocking=True)
    if isinstance(value, (list, tuple)):
        return type(value)(_to_device(item, device) for item in value)
    return value


def save_checkpoint(path: str | Path, state: dict) -> None:
    """Write ``state`` with ``torch.save`` to a temporary file, then rename it over ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    torch.save(state, temporary)
    os.replace(temporary, path)


def fit(model: nn.Module, data: tuple[torch.Tensor, torch.Tensor] | Dataset, *, loss_fn: LossFn | None = None,
        optimizer: torch.optim.Optimizer, batch_loss_fn: BatchLossFn | None = None, steps: int | None = None, epochs: int | None = None,
        batch_size: int | None = None, lr_scheduler: Any = None, eval_fn: EvalFn | None = None,
        eval_every: int | None = None, log_every: int = 1, checkpoint: str | Path | None = None,
        checkpoint_every: int | None = None, resume: bool = True, device: torch.device | str | None = None,
        amp: bool | None = None, grad_clip: float | None = None, seed: int = 0, progress: bool | None = None,
        desc: str = "train", num_workers: int = 0) -> History:
    """Train ``model`` in place and return its :class:`History`.

    Parameters
    ----------
    data:
        ``(inputs, targets)`` tensors, or a Dataset whose items are ``(input, target)``.
    loss_fn:
        ``loss_fn(model(inputs), targets)`` returns the scalar training loss.
    batch_loss_fn:
        Instead of ``loss_fn``: ``batch_loss_fn(model, inputs, targets)`` returns
        the loss and may use the inputs, for example to attack them first
        (adversarial training). Under torchrun ``model`` is the
        DistributedDataParallel wrapper; its ``.module`` is the plain model.
    steps, epochs:
        Length of training in optimizer steps, or in passes over the data (one of the two).
    batch_size:
        Examples per step across all processes; ``None`` is full-batch gradient descent.
    lr_scheduler:
        Stepped once after every optimizer step (for example ``LambdaLR``).
    eval_fn, eval_every:
        ``eval_fn(model)`` returns a dict of metrics, recorded at step 0, every
        ``eval_every`` steps and at the end.
    log_every:
        Record the training loss (and check it for divergence) every this many steps.
    checkpoint, checkpoint_every, resume:
        Where to save the training state: every ``checkpoint_every`` steps, at
        the end and when interrupted (Ctrl-C). With ``resume``, an existing
        checkpoint is loaded and training continues from its step; on CPU the
        resumed run gives the same numbers as an uninterrupted one.
    amp:
        bfloat16 autocast; defaults to on for CUDA and off elsewhere.
    seed:
        Seeds the order of mini-batches (not the model's initialization).
    """
    if (loss_fn is None) == (batch_loss_fn is None):
        raise ValueError("give exactly one of loss_fn= and batch_loss_fn=")
    if (steps is None) == (epochs is None):
        raise ValueError(f"give exactly one of steps= and epochs=, got steps={steps!r}, epochs={epochs!r}")
    for name, value in (("steps", steps), ("epochs", epochs), ("batch_size", batch_size),
                        ("eval_every", eval_every), ("checkpoint_every", checkpoint_every)):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
            raise ValueError(f"{name} must be a positive integer or None, got {value!r}")
    if not isinstance(log_every, int) or log_every < 1:
        raise ValueError(f"log_every must be a positive integer, got {log_every!r}")
    if grad_clip is not None and grad_clip <= 0:
        raise ValueError(f"grad_clip must be positive or None, got {grad_clip}")

    rank, world_size, local_rank = _distributed()
    if device is None:
        device = torch.device("cuda", local_rank) if world_size > 1 and torch.cuda.is_available() else runtime.device()
    device = runtime.device(str(device))  # rejects an unavailable device with a clear message
    use_amp = (device.type == "cuda") if amp is None else bool(amp)
    model.to(device)
    trained = model
    if world_size > 1:
        from torch.nn.parallel import DistributedDataParallel

        trained = DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)

    if isinstance(data, Dataset):
        if batch_size is None:
            raise ValueError("batch_size is required when data is a Dataset")
        local_batch = max(1, batch_size // world_size)
        batches: _TensorBatches | _LoaderBatches = _LoaderBatches(data, local_batch, seed, rank, world_size,
                                                                  num_workers)
    else:
        inputs, targets = data
        if len(inputs) != len(targets):
            raise ValueError(f"inputs hold {len(inputs)} examples but targets hold {len(targets)}")
        if len(inputs) == 0:
            raise ValueError("cannot train on an empty data set")
        batches = _TensorBatches(inputs.to(device), targets.to(device), batch_size or len(inputs), seed,
                                 rank, world_size)
    total = steps if steps is not None else epochs * batches.per_epoch

    history, start = History(), 0
    # Sum and count of the training losses since the last logged step; kept in checkpoints so that
    # a resumed run logs the same averages as an uninterrupted one.
    pending = {"sum": torch.zeros((), device=device), "count": 0}
    if checkpoint is not None and resume and Path(checkpoint).exists():
        state = torch.load(checkpoint, map_location=device, weights_only=False)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        if lr_scheduler is not None and state.get("lr_scheduler") is not None:
            lr_scheduler.load_state_dict(state["lr_scheduler"])
        torch.set_rng_state(state["torch_rng"])
        history, start = History(state["history"]), state["step"]
        if start > total:
            raise ValueError(f"checkpoint {checkpoint} is at step {start}, past the requested {total} steps; "
                             "ask for more steps, pass resume=False, or delete the checkpoint")
        pending_sum, pending["count"] = state.get("pending_loss", (0.0, 0))
        pending["sum"].fill_(pending_sum)
        logger.info("resumed from %s at step %d of %d", checkpoint, start, total)

    def training_state(step: int) -> dict:
        return {"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "lr_scheduler": lr_scheduler.state_dict() if lr_scheduler is not None else None,
                "torch_rng": torch.get_rng_state(), "history": history.rows, "step": step,
                "pending_loss": (float(pending["sum"]), pending["count"])}

    def save(step: int) -> None:
        if checkpoint is None or rank != 0:
            return
        if not all(torch.isfinite(parameter).all() for parameter in model.parameters()):
            lr = optimizer.param_groups[0]["lr"]
            raise DivergenceError(
                f"training diverged: the parameters became NaN or infinite by step {step} at learning rate "
                f"{lr:g}, so no checkpoint was written; {checkpoint} keeps the last finite state. "
                "Lower the learning rate, add warmup or grad_clip, or check the data for NaN.")
        save_checkpoint(checkpoint, training_state(step))

    def evaluate(step: int) -> None:
        if eval_fn is not None:
            history.log(step, **{name: float(value) for name, value in eval_fn(model).items()})
            trained.train()  # eval_fn may have switched the model to eval mode

    from tqdm.auto import tqdm

    bar = tqdm(total=total, initial=start, desc=desc, disable=not _progress_enabled(progress) or rank != 0,
               dynamic_ncols=True, leave=False)
    autocast = (torch.autocast(device_type="cuda", dtype=torch.bfloat16) if use_amp
                else contextlib.nullcontext())
    trained.train()
    completed = start
    try:
        if start == 0:
            evaluate(0)
        for step in range(start, total):
            batch_inputs, batch_targets = _to_device(batches.batch(step), device)
            with autocast:
                if batch_loss_fn is not None:
                    loss = batch_loss_fn(trained, batch_inputs, batch_targets)
                else:
                    loss = loss_fn(trained(batch_inputs), batch_targets)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if grad_clip is not None:
                torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
            optimizer.step()
            if lr_scheduler is not None:
                lr_scheduler.step()
            done = completed = step + 1
            pending["sum"] += loss.detach().float()
            pending["count"] += 1

            if done % log_every == 0 or done == total:
                if world_size > 1:
                    import torch.distributed as dist

                    dist.all_reduce(pending["sum"])
                    pending["sum"] /= world_size
                mean_loss = pending["sum"].item() / pending["count"]
                pending["sum"].zero_()
                pending["count"] = 0
                if not math.isfinite(mean_loss):
                    lr = optimizer.param_groups[0]["lr"]
                    raise DivergenceError(
                        f"training diverged: the loss became {mean_loss} by step {done} at learning rate {lr:g}. "
                        "Lower the learning rate, add warmup or grad_clip, or check the data for NaN"
                        + (f"; resume=False (or deleting {checkpoint}) starts afresh." if checkpoint else "."))
                history.log(done, loss=mean_loss, lr=float(optimizer.param_groups[0]["lr"]))
                bar.set_postfix(loss=f"{mean_loss:.4g}", refresh=False)
            if eval_every is not None and done % eval_every == 0 and done != total:
                evaluate(done)
            if checkpoint_every is not None and done % checkpoint_every == 0:
                save(done)
            bar.update(1)
        evaluate(total)
        save(total)
    except KeyboardInterrupt:
        save(completed)
        logger.warning("interrupted after step %d; state saved to %s", completed, checkpoint)
        raise
    finally:
        bar.close()
    return history
