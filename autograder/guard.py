"""The kernel's own check that student code left the grading machinery alone.

Student cells and hidden test cells share one Python process, so an answer cell can rewrite
what later cells do: an IPython input or AST transformer that blanks them, an event hook,
a custom exception handler that swallows their errors, a patched `torch.allclose`, builtin,
`sys.modules` entry or course check helper, a rebound `check`. `install(kernel)` wraps the
kernel's do_execute: before and after every cell it compares that machinery with what it was
when the kernel started. Once anything differs, the cell and every later one are refused
with a TamperingDetected error and run nothing more, so the tests the change could reach
score zero, and the grader flags the submission (grade.py looks for ENAME).

Autograd's global state is watched too: saved-tensor hooks or torch function modes left
active would run inside every later test's own backward passes and comparisons. Student code
that runs while a test runs (a custom Function's backward, a tensor or module hook) is checked
when that test cell ends, like any other cell.

This runs inside the process it guards: code that first disables the guard itself would get
past it. That takes the very introspection (get_ipython, gc, sys, getattr on modules) that
the static scan (scan.py) flags before anything runs.
"""

import signal
import sys
import types

ENAME = "TamperingDetected"
CLASSES = ["torch.Tensor", "torch._C.TensorBase", "torch.nn.Parameter"]
SHELL_LISTS = [
    "input_transformers_cleanup",
    "input_transformers_post",
    "ast_transformers",
    "input_transformer_manager.cleanup_transforms",
    "input_transformer_manager.line_transforms",
    "input_transformer_manager.token_transformers",
]
SHELL_PARTS = [
    "input_transformer_manager",
    "displayhook",
    "display_pub",
    "display_formatter",
    "compile",
    "InteractiveTB",
    "SyntaxTB",
    "builtin_trap",
    "events",
    "custom_exceptions",
    "user_ns",
    "user_global_ns",
]
# Event hooks that libraries register on first use (the inline plots' post_execute hooks).
HOOK_OWNERS = ("matplotlib_inline.", "matplotlib.", "IPython.", "ipykernel.")
TRUSTED_HOOK = "trusted "
PARTS = ["shell", "shell-class", "kernel", "sys"]  # what the guard watches besides modules
MISSING = object()
AUTOGRAD_STATE = [
    "torch's saved-tensor hooks (torch.autograd.graph.saved_tensors_hooks left active)",
    "torch function modes active",
    "torch dispatch modes active",
]


def install(kernel, watched, own):
    """Guard every execute request of this ipykernel kernel.

    watched: the modules whose functions the tests rely on; own: the course's helper package,
    every value of whose modules is watched (c.Autograder.guard_policy(), config.py).
    """
    guard = Guard(kernel, watched, own)
    run = kernel.do_execute

    async def do_execute(code, silent, *args, **kwargs):
        if guard.views is None:
            guard.baseline()  # the kernel is fully started; no cell has run yet
        elif not guard.found:
            guard.check()
        if guard.found:
            return guard.refuse()
        reply = await run(code, silent, *args, **kwargs)
        guard.check()
        return guard.refuse() if guard.found else reply

    kernel.do_execute = do_execute
    return guard


def callable_or_type(value):
    return callable(value) or isinstance(value, types.ModuleType)


def library_object(value, own):
    """A module, or a function or class of the course package: names a test may call."""
    if isinstance(value, types.ModuleType):
        return True
    if not isinstance(value, (types.FunctionType, type)):
        return False
    return in_package(value.__module__ or "", own)


def in_package(module, package):
    return module == package or module.startswith(package + ".")


class Guard:
    def __init__(self, kernel, watched, own):
        self.kernel, self.shell = kernel, kernel.shell
        self.watched, self.own = list(watched), own
        self.found, self.views = [], None

    def baseline(self):
        self.views = {name: self._view(name) for name in self._names()}
        self.pinned = {}
        self._pin()

    def _names(self):
        modules = [m for m in self.watched if m in sys.modules]
        own = [m for m in sys.modules if in_package(m, self.own)]
        classes = [c for c in CLASSES if c.rpartition(".")[0] in sys.modules]
        return modules + own + classes + PARTS

    def _view(self, name):
        """{key: object} for one watched part; compared by identity."""
        if name == "shell":
            view = {f"shell.{p}": _attr(self.shell, p) for p in SHELL_PARTS}
            for path in SHELL_LISTS:
                view |= _items(f"shell.{path}", _attr(self.shell, path) or [])
            for event, callbacks in self.shell.events.callbacks.items():
                view |= {_hook_key(event, cb): cb for cb in callbacks}
            view.update(_callables(vars(self.shell), "shell."))
            return view
        if name == "shell-class":
            return _class_view(type(self.shell).__mro__) | _class_view(type(self.kernel).__mro__)
        if name == "kernel":
            return _callables(vars(self.kernel), "kernel.")
        if name == "sys":
            view = {f"sys.modules[{m!r}]": sys.modules.get(m) for m in self.watched}
            view |= {f"sys.{n}": getattr(sys, n) for n in ("displayhook", "excepthook")}
            view |= {f"sys.{n}": getattr(sys, n) for n in ("stdout", "stderr", "stdin")}
            view |= _items("sys.meta_path", sys.meta_path) | _items(
                "sys.path_hooks", sys.path_hooks
            )
            view["sys.settrace"] = sys.gettrace()
            view["sys.setprofile"] = sys.getprofile()
            view["SIGINT handler"] = signal.getsignal(signal.SIGINT)
            return view | _autograd_state()
        if name in CLASSES:
            return _class_view([_resolve(name)])
        module = sys.modules[name]
        if in_package(name, self.own):
            return {f"{name}.{k}": v for k, v in vars(module).items()}
        return {f"{name}.{k}": v for k, v in vars(module).items() if callable_or_type(v)}

    def check(self):
        """Record what differs from the baseline in self.found."""
        for name, before in self.views.items():
            if name not in PARTS and name in sys.modules:  # a module: its baseline's names
                self._compare(before, vars(sys.modules[name]), len(name) + 1)
                continue
            now = self._view(name)
            self._compare(before, now)
            for key in now.keys() - before.keys():
                if name in ("shell", "shell-class", "sys") or name in CLASSES:
                    if not key.startswith(TRUSTED_HOOK):
                        self.found.append(f"{key} was added")
        self._check_pins()
        return self.found

    def _compare(self, before, now, cut=0):
        """Record each entry of `before` whose object `now` no longer holds; `now` is keyed
        by the keys less their first `cut` characters (a module's own dict, no new view)."""
        for key, value in before.items():
            found = now.get(key[cut:], MISSING)
            if found is not value and not _same(found, value):
                self.found.append(_describe(key, value, found))

    def _pin(self):
        """Names of the notebook bound to modules or course helpers (torch, check, ...)."""
        for name, value in list(self.shell.user_ns.items()):
            fresh = not name.startswith("_") and name not in self.pinned
            if fresh and library_object(value, self.own):
                self.pinned[name] = value

    def _check_pins(self):
        for name, value in self.pinned.items():
            if self.shell.user_ns.get(name, MISSING) is not value:
                self.found.append(f"the notebook's name {name!r} was rebound or deleted")
        self._pin()

    def refuse(self):
        """Answer an execute request with an error naming what was changed; run nothing."""
        evalue = (
            "the grading machinery was changed by an earlier cell, so this cell is not run: "
            + "; ".join(dict.fromkeys(self.found))
        )
        content = {"ename": ENAME, "evalue": evalue, "traceback": [f"{ENAME}: {evalue}"]}
        self.kernel.send_response(
            self.kernel.iopub_socket, "error", content, ident=self.kernel._topic("error")
        )
        count = self.shell.execution_count
        self.shell.execution_count += 1
        return {
            "status": "error",
            **content,
            "execution_count": count,
            "user_expressions": {},
            "payload": [],
        }


def _attr(obj, path):
    for part in path.split("."):
        obj = getattr(obj, part, None)
    return obj


def _resolve(dotted):
    module, _, name = dotted.rpartition(".")
    return getattr(sys.modules[module], name)


def _items(name, items):
    """A list as one entry per item, and its length: an added hook shows."""
    view = {f"{name}[{i}]": item for i, item in enumerate(items)}
    view[f"{name} length"] = len(items)
    return view


def _hook_key(event, callback):
    module = getattr(callback, "__module__", None) if callable(callback) else None
    trusted = isinstance(module, str) and module.startswith(HOOK_OWNERS)
    name = getattr(callback, "__qualname__", type(callback).__qualname__)
    return f"{TRUSTED_HOOK if trusted else ''}{event} hook {name} (id {id(callback)})"


def _autograd_state():
    """What every later graph and comparison would go through: saved-tensor hooks, modes."""
    torch_c = getattr(sys.modules.get("torch"), "_C", None)
    if torch_c is None:
        return dict.fromkeys(AUTOGRAD_STATE)
    hooks = torch_c._autograd._top_saved_tensors_default_hooks(False)
    return dict(
        zip(
            AUTOGRAD_STATE,
            [hooks, torch_c._len_torch_function_stack(), torch_c._len_torch_dispatch_stack()],
            strict=True,
        )
    )


def _callables(namespace, prefix):
    return {prefix + k: v for k, v in namespace.items() if callable(v)}


def _class_view(classes):
    return {
        f"{cls.__qualname__}.{k}": v
        for cls in classes
        if cls is not object
        for k, v in vars(cls).items()
        if callable(v) or isinstance(v, (property, classmethod, staticmethod))
    }


def _same(now, before):
    """Bound methods are made afresh on each access; lengths are numbers; hook pairs tuples."""
    if isinstance(before, int) and type(now) is int:
        return now == before
    if isinstance(before, tuple) and type(now) is tuple:
        return len(now) == len(before) and all(a is b for a, b in zip(now, before, strict=True))
    if isinstance(before, types.MethodType) and type(now) is types.MethodType:
        return now.__func__ is before.__func__ and now.__self__ is before.__self__
    return _rewrapped_by_torch(now, before)


def _rewrapped_by_torch(now, before):
    """torch's own lazy wrapper around the same function: not a change.

    torch._dynamo, imported on the first call of torch.func.grad or jacrev, wraps
    torch.manual_seed in torch._compile._disable_dynamo, which calls the function it holds.
    What counts is the function the wrapper will call (its closure), not its __wrapped__.
    """
    wrap = getattr(sys.modules.get("torch._compile"), "_disable_dynamo", None)
    code = getattr(now, "__code__", None)
    if wrap is None or code is None or code is not wrap(_rewrapped_by_torch).__code__:
        return False
    cells = dict(zip(code.co_freevars, now.__closure__ or (), strict=True))
    return "fn" in cells and cells["fn"].cell_contents is before


def _describe(key, before, now):
    if now is MISSING:
        return f"{key} was deleted"
    return f"{key} was replaced"
