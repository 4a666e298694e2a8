# Right: torch.tensor(t) copies the values into a new untracked tensor (it warns, harmlessly). [warns: detach().clone()]
def frozen_copy(t):
    return torch.tensor(t)
