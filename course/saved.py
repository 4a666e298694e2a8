"""Watch what a graph saves for backward, and how often backward reads it back."""

from dataclasses import dataclass

import torch


@dataclass
class SavedTensorUse:
    """What `saved_tensor_use` saw: the call's result and two counts."""

    result: object
    saved: int  # tensors the recorded graphs kept for backward
    reads: int  # times a backward pass read one of them back

    @property
    def passes(self):
        """Backward passes per graph: reads / saved (0 when nothing was saved)."""
        return self.reads / self.saved if self.saved else 0.0


def saved_tensor_use(fn, *args, **kwargs):
    """Call fn(*args, **kwargs) and count the tensors its graphs save and read back.

    Every recorded operation that needs an input for its derivative saves it; each
    backward pass through that operation reads it once. So one graph used by k backward
    passes gives reads == k * saved, while k graphs used once each give reads == saved.
    Note: PyTorch skips its in-place modification check (the version counter) while these
    hooks are active, so do not use this to show that error.
    """
    counts = {"saved": 0, "reads": 0}

    def pack(t):
        counts["saved"] += 1
        return t

    def unpack(t):
        counts["reads"] += 1
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
        result = fn(*args, **kwargs)
    return SavedTensorUse(result, counts["saved"], counts["reads"])
