# Swaps the roles of w and b in the line. [hint: swapped]
def plot_fit(x, z, w, b):
    fig, ax = plt.subplots()
    ax.scatter(x, z, label="data")
    ends = torch.tensor([x.min(), x.max()])
    ax.plot(ends, b * ends + w, "g", label="fit")
    ax.set_xlabel("x")
    ax.set_ylabel("z")
    ax.legend()
    return fig
