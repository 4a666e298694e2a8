"""The static tampering scan (autograder/scan.py): quiet on honest answers, loud on tampering.

Each notebook is scanned as the grader sees it after nbgrader's sanitize pass: the source
notebook's test cells (hidden tests included), the student's answers in the solution cells.
"""

import nbformat
import pytest
from coursekit import (
    RELEASE,
    ROOT,
    SOURCE,
    answers,
    assignments,
    notebook_path,
    reference_answers,
    solution_cells,
)

from autograder.config import Autograder, settings_of
from autograder.scan import MAX_FINDINGS, suspicious

TAMPERING = "01_requires_grad"  # the notebook the tampering snippets are answers of
SETTINGS = settings_of(ROOT)  # the course's c.Autograder: what it allows


def submitted(assignment, replacements=None, root=None):
    """The notebook with the reference answers, and `replacements` {grade_id: source}."""
    nb = nbformat.read(notebook_path(assignment, root or SOURCE), as_version=4)
    answers_ = reference_answers(assignment) | (replacements or {})
    for grade_id, cell in solution_cells(nb).items():
        cell.source = answers_[grade_id]
    return nb


def scan(nb, assignment=TAMPERING, settings=SETTINGS):
    return suspicious(nb, notebook_path(assignment).name, settings)


@pytest.mark.parametrize("assignment", assignments())
@pytest.mark.parametrize("root", [None, RELEASE], ids=["source", "release"])
def test_reference_solutions_are_not_flagged(assignment, root):
    assert scan(submitted(assignment, root=root), assignment) == []


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(a, id=f"{a.assignment}/{a.path.stem}")
        for c in assignments()
        for a in answers(c)
    ],
)
def test_catalogue_answers_are_not_flagged(answer):
    nb = submitted(answer.assignment, {answer.function: answer.source()})
    assert scan(nb, answer.assignment) == []


# A custom Function that smuggles torch through ctx; {} is a line of its backward.
FUNCTION = (
    "class Leak(torch.autograd.Function):\n    @staticmethod\n    def forward(ctx, x):\n"
    "        ctx.lib = torch\n        return x.clone()\n\n    @staticmethod\n"
    "    def backward(ctx, g):\n        {}\n        return g"
)
# (id, answer cell of make_param, what one finding must name)
SNIPPETS = [
    ("patch-allclose", "torch.allclose = lambda *a, **k: True", "torch.allclose"),
    ("patch-equal", "torch.equal = lambda a, b: True", "torch.equal"),
    ("patch-assert-close", "torch.testing.assert_close = print", "torch.testing.assert_close"),
    ("patch-gradcheck", "torch.autograd.gradcheck = lambda *a, **k: True", "gradcheck"),
    ("patch-backward", "torch.Tensor.backward = lambda self, *a: None", "torch.Tensor.backward"),
    ("patch-tensor-eq", "torch.Tensor.__eq__ = lambda self, other: True", "__eq__"),
    ("patch-numpy", "np.allclose = lambda *a, **k: True", "np.allclose"),
    ("delete-torch-attr", "del torch.allclose", "del torch.allclose"),
    ("module-alias", "t = torch\nt.allclose = lambda *a, **k: True", "t.allclose"),
    ("module-loop", "for m in (torch, np):\n    m.allclose = print", "m.allclose"),
    ("module-default", "def patch(m=torch):\n    m.allclose = print", "m.allclose"),
    ("module-argument", "def patch(m):\n    m.allclose = print\n\n\npatch(torch)", "module torch"),
    ("class-alias", "T = torch.Tensor\nT.backward = print", "T.backward"),
    ("type-of-tensor", "type(torch.ones(1)).backward = print", "backward"),
    ("rebind-check-lambda", "check = lambda *a, **k: None", "rebinds check"),
    ("rebind-check-def", "def check(*args, **kwargs):\n    pass", "rebinds check"),
    (
        "rebind-check-decorator",
        "@torch.no_grad()\ndef check(*args, **kwargs):\n    return None",
        "rebinds check",
    ),
    (
        "patching-decorator",
        "def patch(fn):\n    torch.allclose = fn\n    return fn\n\n\n@patch\n"
        "def close(*a, **k):\n    return True",
        "torch.allclose",
    ),
    ("rebind-check-walrus", "[(check := print) for _ in range(1)]", "rebinds check"),
    ("rebind-check-loop", "for check in [print]:\n    pass", "rebinds check"),
    ("del-check", "del check", "deletes check"),
    ("global-check", "def f():\n    global check\n    check = print\n\n\nf()", "global check"),
    ("import-over-check", "from course import fmt as check", "rebinds check"),
    ("import-over-torch", "import numpy as torch", "rebinds torch"),
    ("rebind-builtin", "range = lambda *a: []", "rebinds range"),
    ("star-import", "from torch import *", "import *"),
    ("class-eq", "class Always:\n    def __eq__(self, other):\n        return True", "__eq__"),
    ("class-bool", "class Yes:\n    __bool__ = lambda self: True", "__bool__"),
    (
        "torch-function",
        "class Spy:\n    @classmethod\n    def __torch_function__(cls, f, t, a=(), k=None):\n"
        "        return True",
        "__torch_function__",
    ),
    (
        "numpy-float",
        "class N(np.float64):\n    def __float__(self):\n        return 4.5",
        "__float__",
    ),
    ("tensor-subclass", "class T(torch.Tensor):\n    pass", "tensor subclass"),
    ("parameter-subclass", "class P(torch.nn.Parameter):\n    pass", "tensor subclass"),
    (
        "metaclass",
        "class Meta(type):\n    def __instancecheck__(cls, obj):\n        return True",
        "metaclass",
    ),
    ("three-arg-type", "T = type('T', (object,), {'f': print})", "type(name, bases"),
    ("builtins-getattr", "getattr(__builtins__, 'ev' + 'al')('1')", "__builtins__"),
    ("computed-getattr", "close = getattr(torch, 'all' + 'close')", "computed name"),
    ("dunder-getattr", "getattr(check, '__globals__')", "__globals__"),
    ("getattr-alias", "get = getattr\nget(torch, 'allclose')", "getattr"),
    ("exec-base64", "import base64\nexec(base64.b64decode('cHJpbnQoMSk='))", "exec"),
    ("eval-compile", "eval(compile('1', 'x', 'eval'))", "eval"),
    ("dunder-import", "__import__('os')._exit(0)", "__import__"),
    ("globals-dict", "globals()['check'] = print", "globals"),
    ("vars-torch", "vars(torch)['allclose'] = lambda *a, **k: True", "vars"),
    ("torch-dict", "torch.__dict__['allclose'] = lambda *a, **k: True", "__dict__"),
    ("type-setattr", "type(torch).__setattr__(torch, 'allclose', print)", "__setattr__"),
    ("setattr", "setattr(torch, 'allclose', lambda *a, **k: True)", "setattr"),
    ("sys-modules", "import sys\nsys.modules['torch'].allclose = print", "sys.modules"),
    ("sys-exit", "import sys\nsys.exit()", "import sys"),
    ("os-alias-exit", "import os as o\no._exit(0)", "import os"),
    ("from-os-exit", "from os import _exit\n_exit(0)", "import os"),
    ("builtins-module", "import builtins\nbuiltins.len = lambda x: 0", "import builtins"),
    ("importlib-alias", "import importlib as il\nil.import_module('os')", "import importlib"),
    ("ipython-import", "from IPython import get_ipython", "import IPython"),
    ("ipykernel-import", "import ipykernel.kernelbase", "import ipykernel"),
    ("gc-objects", "import gc\nfound = gc.get_objects()", "import gc"),
    (
        "inspect-frame",
        "import inspect\ninspect.currentframe().f_back.f_globals['x'] = 1",
        "inspect",
    ),
    ("ctypes", "import ctypes", "import ctypes"),
    ("signal", "import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)", "import signal"),
    ("fork", "import multiprocessing", "import multiprocessing"),
    ("socket", "import socket\nsocket.create_connection(('example.com', 80))", "import socket"),
    ("subprocess", "import subprocess\nsubprocess.run(['ls'])", "import subprocess"),
    ("pickle", "import pickle", "import pickle"),
    ("sys-through-torch", "torch.sys.modules['torch'].allclose = print", "torch.sys.modules"),
    ("os-through-torch", "torch.os.system('cat ../../source/*/*.ipynb')", "torch.os"),
    ("builtins-through-torch", "torch.builtins.eval('1')", "torch.builtins"),
    ("inspect-through-plt", "frame = plt.inspect.currentframe()", "plt.inspect"),
    ("pathlib-read", "from pathlib import Path\nPath('gradebook.db').read_bytes()", "pathlib"),
    ("mock-patch", "from unittest import mock\nmock.patch('torch.allclose').start()", "unittest"),
    ("timeit-string", "import timeit\ntimeit.timeit('1', number=1)", "import timeit"),
    ("own-module", "import helpers_next_to_the_notebook", "import helpers_next_to_the_notebook"),
    ("relative-import", "from . import helpers", "relative import"),
    ("open-passwd", "open('/etc/passwd').read()", "open"),
    ("open-hidden-tests", "text = open('../../source/01_requires_grad/x.ipynb').read()", "open"),
    ("numpy-loadtxt", "np.loadtxt('../../source/answers.txt')", "loadtxt"),
    ("torch-load", "torch.load('gradebook.db')", "torch.load"),
    ("exit", "exit()", "exit"),
    ("breakpoint", "breakpoint()", "breakpoint"),
    ("get-ipython", "ip = get_ipython()", "get_ipython"),
    (
        "event-hook",
        "get_ipython().events.register('pre_run_cell', lambda info: None)",
        "get_ipython",
    ),
    (
        "input-transformer",
        "get_ipython().input_transformers_cleanup.append(lambda lines: [])",
        "input_transformers_cleanup",
    ),
    (
        "custom-exc",
        "get_ipython().set_custom_exc((Exception,), lambda *a, **k: None)",
        "set_custom_exc",
    ),
    ("config-magic", "%config InlineBackend.figure_format = 'svg'", "%config"),
    ("time-magic", "%time torch.allclose.__code__", "%time"),
    ("shell-escape", "!cat ../../source/01_requires_grad/requires_grad.ipynb", "!cat"),
    ("shell-capture", "files = !ls ../..", "!ls"),
    ("cell-magic", "%%capture\nprint(1)", "%%capture"),
    ("subclasses", "().__class__.__base__.__subclasses__()", "__class__"),
    ("function-globals", "check.__globals__['torch'] = None", "__globals__"),
    ("code-swap", "check.__code__ = (lambda *a, **k: None).__code__", "__code__"),
    (
        "generator-frame",
        "def g():\n    yield\n\n\ngen = g()\nnext(gen)\ngen.gi_frame.f_globals['check'] = print",
        "gi_frame",
    ),
    ("attrgetter", "import operator\noperator.attrgetter('f' + '_globals')", "attrgetter"),
    ("private-torch", "torch._C._set_grad_enabled(False)", "torch._C"),
    ("private-course", "import course.checks as cc\ncc._allclose = print", "cc._allclose"),
    ("torch-library", "lib = torch.library.Library('aten', 'IMPL')", "torch.library"),
    ("torch-overrides", "from torch.overrides import TorchFunctionMode", "torch.overrides"),
    (
        "global-module-hook",
        "torch.nn.modules.module.register_module_forward_hook(print)",
        "register_module_forward_hook",
    ),
    ("default-dtype", "torch.set_default_dtype(torch.float64)", "set_default_dtype"),
    ("plt-show", "plt.show = lambda *a, **k: None", "plt.show"),
    (
        "behind-top-level-await",
        "async def nop():\n    pass\n\n\nawait nop()\ntorch.allclose = print",
        "torch.allclose",
    ),
    ("annotation", "def f(x: exec('1')):\n    pass", "exec"),
    # Modules handed around, and code that runs inside autograd (chapters 6 and 7).
    (
        "module-attribute-argument",
        "def patch(m):\n    m.assert_close = print\n\n\npatch(torch.testing)",
        "module torch.testing",
    ),
    (
        "course-module-argument",
        "import course.checks\n\n\ndef patch(m):\n    m.fail = print\n\n\npatch(course.checks)",
        "module course.checks",
    ),
    (
        "imported-module-argument",
        "from torch import testing\n\n\ndef patch(m):\n    m.assert_close = print\n\n\n"
        "patch(m=testing)",
        "module testing",
    ),
    (
        "returned-module",
        "def lib():\n    return torch\n\n\nlib().allclose = print",
        "lib().allclose",
    ),
    ("lambda-module", "(lambda: torch)().allclose = print", "allclose"),
    ("named-lambda-module", "lib = lambda: torch\nlib().allclose = print", "lib().allclose"),
    (
        "class-attribute-module",
        "class Holder:\n    lib = torch\n\n\nHolder.lib.allclose = print",
        "Holder.lib",
    ),
    ("ctx-module", FUNCTION.format("ctx.lib.allclose = print"), "ctx.lib.allclose"),
    (
        "ctx-getattr-module",
        FUNCTION.format("getattr(ctx, 'lib').equal = print"),
        "getattr(ctx, 'lib')",
    ),
    (
        "backward-patches-course",
        "import course\n\n\n" + FUNCTION.format("course.check = print"),
        "course.check",
    ),
    (
        "hook-rebinds-check",
        "def hook(grad):\n    global check\n    check = print\n\n\n"
        "torch.ones(1, requires_grad=True).register_hook(hook)",
        "global check",
    ),
    (
        "prehook-setattr",
        "out = (torch.ones(1, requires_grad=True) * 2).sum()\n"
        "out.grad_fn.register_prehook(lambda g: setattr(torch, 'equal', print))",
        "setattr",
    ),
    (
        "saved-tensor-hooks-left-on",
        "import contextlib\n\nstack = contextlib.ExitStack()\n"
        "stack.enter_context(torch.autograd.graph.saved_tensors_hooks(print, print))",
        "enter_context",
    ),
]


@pytest.mark.parametrize(
    ("source", "named"), [s[1:] for s in SNIPPETS], ids=[s[0] for s in SNIPPETS]
)
def test_tampering_is_flagged(source, named):
    found = scan(submitted(TAMPERING, {"make_param": source}))
    assert found, source
    assert any(named in line for line in found), found
    assert all(line.startswith("requires_grad.ipynb, cell make_param, line ") for line in found)


def test_a_finding_names_notebook_cell_line_and_reason():
    source = "def make_param(values):\n    import os\n    return os.getcwd()"
    (line,) = scan(submitted(TAMPERING, {"make_param": source}))
    assert line.startswith("requires_grad.ipynb, cell make_param, line 2: import os — ")


@pytest.mark.parametrize(
    "source",
    [
        "%matplotlib inline",
        "torch.allclose?",
        "def make_param(input, vars=None):\n    return torch.tensor(input, dtype=torch.float32)",
        "class Net(torch.nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.linear = torch.nn.Linear(1, 1)\n\n    def forward(self, x):\n"
        "        return self.linear(x)",
        "if __name__ == '__main__':\n    print(make_param.__name__, getattr(torch, 'float32'))",
        "import math, itertools, functools, collections, random, time\n"
        "from torch.autograd import grad\nimport torch.nn.functional as F",
        "def make_param(values):\n    check = values\n    return torch.tensor(check).float()",
        "class Square(torch.autograd.Function):\n    @staticmethod\n    def forward(ctx, x):\n"
        "        ctx.save_for_backward(x)\n        return x * x\n\n    @staticmethod\n"
        "    def backward(ctx, g):\n        (x,) = ctx.saved_tensors\n        return 2 * x * g",
        "from dataclasses import dataclass\n\n\n@dataclass\nclass Rows:\n    data: list\n\n"
        "    def __len__(self):\n        return len(self.data)\n\n"
        "    def __getitem__(self, i):\n        return self.data[i]",
        "plt.rcParams['figure.figsize'] = (6, 4)\nwarnings.filterwarnings('ignore')\n"
        "x = torch.ones(3, requires_grad=True)\n(x * x).sum().backward()\nx.grad = None\n"
        "print(x._version, type(x.grad_fn).__name__, isinstance(x, torch.Tensor))\n"
        "print(torch.trace(torch.eye(2)), np.trace(np.eye(2)), torch.signal.windows.hann(4))",
        "def make_param(values)\n    exec('broken')",  # does not parse: it just errors
        "class Scaled(torch.autograd.Function):\n    @staticmethod\n"
        "    def forward(ctx, x, dtype=torch.float64):\n        ctx.dtype = dtype\n"
        "        ctx.fn = torch.sin\n        ctx.scale = 2.0\n        ctx.save_for_backward(x)\n"
        "        return x * ctx.scale\n\n    @staticmethod\n    def backward(ctx, g):\n"
        "        if not ctx.needs_input_grad[0]:\n            return None, None\n"
        "        ctx.mark = 1\n        return ctx.fn(g).to(ctx.dtype) * ctx.scale, None",
        "class Net(torch.nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.act = torch.tanh\n        self.lin = torch.nn.Linear(2, 2)\n\n"
        "    def forward(self, x):\n        return self.act(self.lin(x))",
        "x = torch.ones(2, requires_grad=True)\nh = x * 2\n"
        "handle = h.register_hook(lambda g: g.clamp(-1, 1))\nh.sum().backward()\nhandle.remove()\n"
        "net = torch.nn.Linear(2, 1)\nhooks = [net.register_forward_hook(lambda m, i, o: None),\n"
        "         net.register_full_backward_hook(lambda m, gi, go: None)]\n"
        "for hook in hooks:\n    hook.remove()",
        "out = (torch.ones(2, requires_grad=True) * 3).sum()\nnode = out.grad_fn\n"
        "grads = node(torch.tensor(1.0))\nfor child, _ in node.next_functions:\n"
        "    if child is not None and hasattr(child, 'variable'):\n        print(child.variable)\n"
        "node.register_prehook(lambda g: None)\nnode.register_hook(lambda gi, go: None)\n"
        "print(node.name(), node.metadata, node.next_functions[0][0].variable.shape)",
        "from torch.func import grad, hessian, jacfwd, jacrev, vmap\n"
        "import torch.autograd.functional as AF\n\nf = lambda x: (x**3).sum()\n"
        "print(grad(f)(torch.ones(2)), vmap(torch.dot)(torch.ones(2, 2), torch.ones(2, 2)))\n"
        "print(AF.hvp(f, torch.ones(2), torch.ones(2)), jacrev(f), jacfwd(f), hessian(f))\n"
        "x64 = torch.ones(2, dtype=torch.float64, requires_grad=True)\n"
        "print(torch.autograd.gradcheck(torch.sin, (x64,)))\n"
        "print(torch.autograd.gradgradcheck(torch.sin, (x64,)))\n"
        "print(torch.func.jvp(torch.func.grad(f), (x64,), (x64,)))",
        "with torch.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):\n"
        "    y = torch.ones(2, requires_grad=True) * 2",
        "def build(v, seen, order):\n    for child, _ in v.next_functions:\n"
        "        if child is not None and child not in seen:\n            seen.add(child)\n"
        "            build(child, seen, order)\n    order.append(v)\n\n\n"
        "try:\n    build(torch.ones(1, requires_grad=True).exp().grad_fn, set(), [])\n"
        "except RecursionError as err:\n    print('RecursionError:', err)",
    ],
    ids=[
        "matplotlib-magic",
        "help",
        "local-names",
        "module-subclass",
        "dunder-name",
        "imports",
        "local-check",
        "autograd-function",
        "container-class",
        "scratch-cell",
        "syntax-error",
        "function-ctx-attributes",
        "module-function-attribute",
        "tensor-and-module-hooks",
        "grad-fn-nodes",
        "torch-func-and-gradcheck",
        "saved-tensor-hooks-block",
        "recursive-walk",
    ],
)
def test_honest_code_is_not_flagged(source):
    assert scan(submitted(TAMPERING, {"make_param": source})) == []


TAMPER = "torch.allclose = lambda *a, **k: True"


def test_a_cell_the_student_added_is_scanned():
    nb = submitted(TAMPERING)
    nb.cells.insert(1, nbformat.v4.new_code_cell(TAMPER))
    (line,) = scan(nb)
    assert line.startswith("requires_grad.ipynb, cell #2, line 1: torch.allclose = ... — ")


def test_a_lesson_cell_the_student_edited_is_scanned():
    nb = submitted(TAMPERING)
    first = next(c for c in nb.cells if c.cell_type == "code")
    first.source += "\ncheck = print"
    assert any("rebinds check" in line for line in scan(nb))


@pytest.mark.parametrize("kind", ["test", "locked"])
def test_instructor_cells_are_not_scanned(kind):
    nb = submitted(TAMPERING)
    meta = {"grade_id": "extra", "solution": False, "grade": kind == "test", "locked": True}
    nb.cells.insert(1, nbformat.v4.new_code_cell(TAMPER, metadata={"nbgrader": meta}))
    assert scan(nb) == []


def test_a_locked_look_without_a_grade_id_is_scanned():
    """Sanitize drops the grade_id of a cell the gradebook does not know, not its flags."""
    nb = submitted(TAMPERING)
    meta = {"solution": False, "grade": False, "locked": True}
    nb.cells.insert(1, nbformat.v4.new_code_cell(TAMPER, metadata={"nbgrader": meta}))
    assert len(scan(nb)) == 1


def test_one_finding_per_line():
    found = scan(submitted(TAMPERING, {"make_param": "exec(eval('1'))\nexec('2')"}))
    assert [line.split(": ", 1)[0][-6:] for line in found] == ["line 1", "line 2"]
    assert all(": exec() — runs code built from strings" in line for line in found)


def test_findings_are_capped():
    source = "\n".join(f"import os{i}" for i in range(MAX_FINDINGS + 2))
    found = scan(submitted(TAMPERING, {"make_param": source}))
    assert len(found) == MAX_FINDINGS + 1
    assert found[-1] == "(and 2 more)"


def test_the_allowed_modules_are_configuration():
    nb = submitted(TAMPERING, {"make_param": "import fnmatch"})
    (line,) = scan(nb)
    assert "import fnmatch — a module the course does not use" in line
    allowed = Autograder(allowed_modules=[*SETTINGS.allowed_modules, "fnmatch"])
    assert scan(nb, settings=allowed) == []


def test_the_course_package_is_configuration():
    """Renamed, the helper package is the one allowed (star import too); `course` is not."""
    nb = submitted(TAMPERING, {"make_param": "from helpers import *\nimport course"})
    found = scan(nb, settings=Autograder(course_package="helpers"))
    answer = [line for line in found if "cell make_param" in line]
    assert answer == [
        "requires_grad.ipynb, cell make_param, line 2: import course — a module the course "
        "does not use"
    ]


@pytest.mark.parametrize("order", [(0, 1), (1, 0)], ids=["library-first", "plain-first"])
def test_a_cell_is_scanned_in_its_own_notebook_s_context(order):
    """scan.py reuses the findings of a cell it has seen in an equal context: the same answer
    is flagged where another cell makes `t` torch, and not where `t` is a plain object."""
    store = "t.allclose = print"
    notebooks = [
        submitted(TAMPERING, {"make_param": store, "blitz_grad": "t = torch"}),
        submitted(TAMPERING, {"make_param": store, "blitz_grad": "t = object()"}),
    ]
    found = {i: scan(notebooks[i]) for i in order}
    assert any("t.allclose" in line for line in found[0]), found[0]
    assert not any("t.allclose" in line for line in found[1]), found[1]
