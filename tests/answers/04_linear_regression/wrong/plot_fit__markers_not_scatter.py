# Draws the data with plot(x, z, "o"), a line of markers, not a scatter plot. [hint: scatter]
def plot_fit(x, z, w, b):
    fig, ax = plt.subplots()
    ax.plot(x, z, "o", label="data")
    ends = torch.tensor([x.min(), x.max()])
    ax.plot(ends, w * ends + b, "g", label="fit")
    ax.set_xlabel("x")
    ax.set_ylabel("z")
    ax.legend()
    return fig
