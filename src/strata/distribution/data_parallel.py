"""DataParallel: every process holds the whole model and trains on its share of each batch."""

from __future__ import annotations

import os

import torch
import torch.distributed as dist

from strata.distribution import state


class DataParallel:
    """Data-parallel training over the processes of a `torchrun` job (Keras 3's name).

    Each of N processes keeps a full copy of the model, wrapped in torch's
    `DistributedDataParallel` during `fit`; gradients are averaged over the processes after
    every backward pass, so all copies stay identical.

    - `batch_size` is the global batch, as in Keras: each global batch of `m` rows is split into
      N contiguous shares whose sizes differ by at most one row (`m / N` each when it divides),
      and each process's loss is weighted by its share, so the averaged gradient is the one
      process's gradient on the whole batch. A process left without a row (a last batch smaller
      than N) steps on a placeholder row with weight 0.
    - Array data are reshuffled every epoch with one seed shared by every process; a map-style
      torch `Dataset` gets a `DistributedSampler`; a `DataLoader` must bring its own
      (`DistributedSampler`); a Python generator cannot be sharded and is refused.
    - Evaluation (validation and `evaluate`) splits the rows without padding and adds up every
      metric's state over the processes: the result is exact, and the same on every process.
    - `predict` runs the whole input on every process and returns all of it on each.
    - Callbacks that write (ModelCheckpoint, CSVLogger, TensorBoard, BackupAndRestore, the
      progress bar) act on process 0 only; decisions (`model.stop_training`) are agreed.

    Args:
        device_mesh: accepted for Keras compatibility; must be None (one data axis).
        devices: accepted for Keras compatibility: None, or the devices of `list_devices()`.
        auto_shard_dataset: must be True (strata shards data itself).
        timeout_seconds: how long a collective may wait for a peer before the run fails.

    Example:
        >>> import strata
        >>> strata.distribution.DataParallel().num_processes  # outside torchrun: one process
        1
    """

    def __init__(
        self, device_mesh=None, devices=None, auto_shard_dataset=True, timeout_seconds=1800
    ):
        if device_mesh is not None:
            raise ValueError(
                "DataParallel expected device_mesh=None (strata shards one data axis over the "
                f"processes of a torchrun job); received {device_mesh!r}."
            )
        if auto_shard_dataset is not True:
            raise ValueError(
                "DataParallel expected auto_shard_dataset=True; received "
                f"{auto_shard_dataset!r}. Pass a DataLoader with a DistributedSampler to shard "
                "data yourself."
            )
        if not isinstance(timeout_seconds, (int, float)) or timeout_seconds <= 0:
            raise ValueError(
                f"DataParallel expected a positive timeout_seconds; received {timeout_seconds!r}."
            )
        self.devices = list(devices) if devices is not None else None
        self.timeout_seconds = timeout_seconds
        self._samplers = {}

    # --------------------------------------------------------------------------- processes
    def start(self) -> None:
        """Join the process group of the torchrun job (none when the script runs alone)."""
        launched = "WORLD_SIZE" in os.environ and "RANK" in os.environ
        if launched and not dist.is_initialized():
            state.initialize(timeout_seconds=self.timeout_seconds)
        if torch.cuda.is_available() and launched:
            from strata.backend import config

            config.set_device(f"cuda:{int(os.environ.get('LOCAL_RANK', '0'))}")

    @property
    def num_processes(self) -> int:
        return state.num_processes()

    @property
    def process_index(self) -> int:
        return state.process_index()

    # ------------------------------------------------------------------------------- model
    def wrap_model(self, model):
        """The model's flat forward pass, wrapped in DistributedDataParallel."""
        if self.num_processes == 1:
            return model._flat_forward
        from torch.nn.parallel import DistributedDataParallel

        device = next(iter(model.parameters())).device
        # A functional model whose every trainable weight feeds a loss runs the same graph
        # every step: DDP can skip looking for unused weights. Otherwise (a subclassed model's
        # call may branch; an output without a loss leaves weights without gradients) DDP
        # looks for them after every forward pass.
        static = _every_weight_reaches_a_loss(model)
        return DistributedDataParallel(
            _FlatForward(model),
            device_ids=[device.index] if device.type == "cuda" else None,
            static_graph=static,
            find_unused_parameters=not static,
        )

    # -------------------------------------------------------------------------------- data
    def batches(self, adapter, engine, evaluation=False):
        """This process's batches of `adapter` for one epoch (training) or one evaluation."""
        from strata.trainers.data_adapters import ArrayAdapter

        if isinstance(adapter, ArrayAdapter):
            if evaluation:
                return self._evaluation_rows(adapter)
            return self._training_rows(adapter, engine)
        return self._iterable_batches(adapter, engine, evaluation)

    def _training_rows(self, adapter, engine):
        world, rank = self.num_processes, self.process_index
        generator = torch.Generator().manual_seed(self.shared_seed())
        try:
            for rows in adapter.global_batch_rows(generator):
                mine = rows.tensor_split(world)[rank]
                if len(mine) == 0:
                    mine, engine.loss_scale = rows[:1], 0.0
                else:
                    engine.loss_scale = len(mine) * world / len(rows)
                yield adapter.rows_batch(mine)
        finally:
            engine.loss_scale = 1.0

    def _evaluation_rows(self, adapter):
        rows = torch.arange(adapter.size).tensor_split(self.num_processes)[self.process_index]
        per_process = max(1, -(-adapter.batch_size // self.num_processes))
        for start in range(0, len(rows), per_process):
            yield adapter.rows_batch(rows[start : start + per_process])

    def _iterable_batches(self, adapter, engine, evaluation):
        from torch.utils.data import DataLoader, DistributedSampler

        if adapter.dataset is not None:
            loader = self._loader_for(adapter, evaluation)
        elif isinstance(adapter.source, DataLoader) and isinstance(
            adapter.source.sampler, DistributedSampler
        ):
            loader = adapter.source
        else:
            raise ValueError(
                "A data-parallel run expected arrays, a torch Dataset (sharded with a "
                "DistributedSampler) or a DataLoader whose sampler is a DistributedSampler; "
                f"received {type(adapter.source).__name__}. A generator cannot be split between "
                "processes: give a Dataset, or a DataLoader(dataset, sampler="
                "DistributedSampler(dataset)) so that each process reads its own share."
            )
        sampler = loader.sampler
        if hasattr(sampler, "set_epoch"):
            sampler.set_epoch(engine.epoch)
        for batch in loader:
            yield adapter.prepare(batch)

    def _loader_for(self, adapter, evaluation):
        from torch.utils.data import DataLoader, DistributedSampler

        key = (id(adapter), evaluation)
        if key not in self._samplers:
            if evaluation:
                sampler = _ContiguousShard(
                    len(adapter.dataset), self.num_processes, self.process_index
                )
            else:
                sampler = DistributedSampler(
                    adapter.dataset, shuffle=bool(adapter.shuffle), seed=self.shared_seed()
                )
            per_process = max(1, -(-adapter.batch_size // self.num_processes))
            self._samplers[key] = DataLoader(
                adapter.dataset, batch_size=per_process, sampler=sampler
            )
        return self._samplers[key]

    # ----------------------------------------------------------------------- agreement
    def shared_seed(self) -> int:
        """A seed drawn from process 0's torch random state, the same on every process."""
        seed = torch.randint(0, 2**62, (1,), dtype=torch.int64)
        if self.num_processes > 1:
            dist.broadcast(seed, src=0)
        return int(seed)

    def agree(self, flag: bool) -> bool:
        """True on every process when it is True on any (stopping, for instance)."""
        if self.num_processes == 1:
            return bool(flag)
        value = torch.tensor([1 if flag else 0], dtype=torch.int32)
        dist.all_reduce(value, op=dist.ReduceOp.MAX)
        return bool(value.item())

    def average_gradients(self, variables) -> None:
        """Replace each variable's gradient by its mean over the processes (one collective)."""
        grads = [v.grad for v in variables]
        if not grads or self.num_processes == 1:
            return
        flat = torch.cat([g.reshape(-1) for g in grads])
        dist.all_reduce(flat)
        flat /= self.num_processes
        for grad, part in zip(grads, flat.split([g.numel() for g in grads])):
            grad.copy_(part.view_as(grad))

    def reduced_results(self, metrics):
        """Each metric's result over the state of every process (states add up).

        Metrics whose class has no `stateless_result` report their own process's value.
        """
        reducible = [m for m in metrics if hasattr(m, "stateless_result")]
        states = [[v.detach() for v in m.variables] for m in reducible]
        flat = [v.reshape(-1).to("cpu", torch.float64) for s in states for v in s]
        if flat:
            summed = torch.cat(flat)
            dist.all_reduce(summed)
            pieces = iter(summed.split([v.numel() for v in flat]))
        results, index = [], 0
        for metric in metrics:
            if metric in reducible:
                own = states[index]
                index += 1
                merged = [next(pieces).reshape(v.shape).to(v.device, v.dtype) for v in own]
                results.append(metric.stateless_result(merged))
            else:
                results.append(metric.result())
        return results


def _every_weight_reaches_a_loss(model) -> bool:
    """Whether each layer with trainable weights lies upstream of an output that has a loss."""
    if not hasattr(model, "_plan"):
        return False
    upstream, pending = set(), [model.outputs[t.index] for t in model._targets if t.loss]
    while pending:
        tensor = pending.pop()
        node = tensor.node
        if node is None or id(node) in upstream:
            continue
        upstream.add(id(node))
        upstream.add(id(node.layer))
        pending.extend(node.input_tensors)
    return all(
        id(layer) in upstream
        for layer in model.layers
        if any(w.requires_grad for w in layer.trainable_weights)
    )


class _FlatForward(torch.nn.Module):
    """The model's forward pass on flat input lists, as a module DDP can wrap."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, xs, training, logits=False):
        return self.model._flat_forward(xs, training, logits)


class _ContiguousShard(torch.utils.data.Sampler):
    """This process's contiguous share of the indices, without padding (exact evaluation)."""

    def __init__(self, size, world, rank):
        self.indices = torch.arange(size).tensor_split(world)[rank].tolist()

    def __iter__(self):
        return iter(self.indices)

    def __len__(self):
        return len(self.indices)
