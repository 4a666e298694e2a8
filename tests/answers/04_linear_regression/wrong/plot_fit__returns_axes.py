# Returns the Axes instead of the Figure. [hint: not a matplotlib Figure]
def plot_fit(x, z, w, b):
    fig, ax = plt.subplots()
    ax.scatter(x, z, label="data")
    ends = torch.tensor([x.min(), x.max()])
    ax.plot(ends, w * ends + b, "g", label="fit")
    ax.set_xlabel("x")
    ax.set_ylabel("z")
    ax.legend()
    return ax
