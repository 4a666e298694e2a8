# Uses t.data, which is untracked but is the very same memory as t. [hint: shares memory]
def frozen_copy(t):
    return t.data
