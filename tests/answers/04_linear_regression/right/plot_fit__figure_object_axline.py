# Right: a Figure made without pyplot, and an infinite ax.axline for the fitted line.
def plot_fit(x, z, w, b):
    fig = Figure()
    ax = fig.add_subplot()
    ax.scatter(x.tolist(), z.tolist(), marker=".", label="samples")
    ax.axline((0.0, b), slope=w, color="k", label="w x + b")
    ax.set(xlabel="x", ylabel="z")
    fig.legend()
    return fig
