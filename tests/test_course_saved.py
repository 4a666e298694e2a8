"""saved_tensor_use tells one graph used twice from two graphs used once."""

import torch

from course import saved_tensor_use


def test_one_graph_two_passes_reads_every_saved_tensor_twice():
    w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)

    def twice_on_one_graph():
        loss = (w**3).sum()
        loss.backward(retain_graph=True)
        loss.backward()
        return w.grad

    use = saved_tensor_use(twice_on_one_graph)
    assert use.saved > 0
    assert use.reads == 2 * use.saved and use.passes == 2
    assert torch.equal(use.result, 6 * w.detach() ** 2)


def test_a_graph_rebuilt_for_each_pass_reads_each_saved_tensor_once():
    w = torch.tensor([1.0, 2.0], requires_grad=True)

    def rebuilt():
        for _ in range(3):
            (w * w).sum().backward()

    use = saved_tensor_use(rebuilt)
    assert use.saved == use.reads > 0 and use.passes == 1
    assert use.result is None


def test_nothing_recorded_gives_zero_passes_and_arguments_are_passed_on():
    use = saved_tensor_use(torch.add, torch.ones(2), torch.ones(2), alpha=2)
    assert (use.saved, use.reads, use.passes) == (0, 0, 0.0)
    assert torch.equal(use.result, torch.full((2,), 3.0))
