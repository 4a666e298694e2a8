# Right: torch.tensor(t) makes an untracked copy, then .numpy() (it warns, harmlessly). [warns: detach().clone()]
def to_numpy(t):
    return torch.tensor(t).numpy()
