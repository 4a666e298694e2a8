# Forgets the axis labels (only a title and a legend). [hint: set_xlabel]
def plot_fit(x, z, w, b):
    fig, ax = plt.subplots()
    ax.scatter(x, z, label="data")
    ends = torch.tensor([x.min(), x.max()])
    ax.plot(ends, w * ends + b, "g", label="fit")
    ax.set_title("z against x")
    ax.legend()
    return fig
