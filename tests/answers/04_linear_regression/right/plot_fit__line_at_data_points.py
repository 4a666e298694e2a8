# Right: evaluates the line at the data's own (unsorted) x values.
def plot_fit(x, z, w, b):
    fig, ax = plt.subplots()
    ax.scatter(x, z, c="tab:blue", edgecolor="tab:red", label="data")
    ax.plot(x, w * x + b, "g-", label=f"{w:.2f} x + {b:.2f}")
    ax.set_xlabel("x")
    ax.set_ylabel("z")
    ax.legend(loc="best")
    return fig
