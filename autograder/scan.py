"""A static scan of the code a student controls in a notebook, for the autograder's flags.

Answer cells run in the same Python process as the hidden test cells, so an answer can try
to change what the tests do: patch `torch.allclose` or a builtin, rebind `check`, return an
object that equals anything, install an IPython hook that blanks later cells, read the hidden
tests from disk. `suspicious(nb, name, settings)` reads every code cell that is not the
instructor's (after nbgrader's sanitize pass, test cells and locked cells hold the gradebook's
source) and returns a line for each source line that could do that (its first reason), at
most MAX_FINDINGS of them. Nothing runs; a flagged submission is still graded, and a person
looks at it.

It allows by default and denies precisely: imports outside the course's modules
(c.Autograder.allowed_modules and course_package, config.py), a few builtins and attributes,
special methods and names, stores into libraries and into the names the tests read. What it
cannot follow (a module handed around through function calls) the kernel's own guard
(guard.py) catches when it happens.
"""

import ast
import builtins
import functools
import importlib.util
import os
import re

from IPython.core.inputtransformer2 import TransformerManager

from autograder.cells import nbgrader_meta

MAX_FINDINGS = 5

# Any module outside the allowed ones is flagged (a submission can bring its own module next to
# the notebook). Why the usual suspects are flagged, for the message; others get a generic one.
MODULE_REASONS = {
    "interpreter internals: sys.modules, hooks, exit": ("sys",),
    "the operating system: files, processes, os._exit": ("os", "posix", "nt"),
    "the builtins the tests call": ("builtins",),
    "the kernel itself: it can rewrite or hide later cells": (
        "IPython", "ipykernel", "jupyter_client", "jupyter_core", "traitlets", "zmq",
        "nbformat", "nbclient", "nbconvert", "nbgrader", "matplotlib_inline", "tornado",
    ),
    "reaches any object of the process": ("gc", "inspect", "types", "ctypes", "_ctypes", "cffi"),
    "imports or runs code by name": (
        "importlib", "imp", "pkgutil", "runpy", "zipimport", "code", "codeop", "ast", "dis",
    ),
    "signals, exit handlers and process limits": (
        "signal", "atexit", "faulthandler", "resource",
    ),
    "starts processes or threads": (
        "subprocess", "pty", "multiprocessing", "threading", "_thread", "concurrent",
        "asyncio", "sched",
    ),
    "network access": ("socket", "ssl", "http", "urllib", "requests", "ftplib", "smtplib"),
    "loading a pickle runs code": ("pickle", "marshal", "shelve", "copyreg", "dill", "joblib"),
    "reads or writes files: hidden tests, gradebook.db, other students' work": (
        "shutil", "pathlib", "io", "tempfile", "glob", "fileinput", "linecache", "codecs",
        "sqlite3", "zipfile", "tarfile",
    ),
    "replaces functions by name (mock.patch, monkeypatch)": ("unittest", "pytest", "doctest"),
    "runs code given as a string, or traces every frame": (
        "timeit", "cProfile", "profile", "pdb", "bdb",
    ),
    "runs programs, or configures handlers that do": ("platform", "logging"),
}  # fmt: skip
MODULE_REASON = {m: reason for reason, mods in MODULE_REASONS.items() for m in mods}
# torch.sys, plt.inspect, torch.os: libraries expose the modules they import. These are not.
NAMESAKES = {"torch.signal", "torch.types"}
DENIED_SUBMODULES = {
    "torch.library": "registers kernels that replace torch operations for every tensor",
    "torch.overrides": "torch function modes and overrides intercept every comparison",
    "torch.utils.cpp_extension": "compiles and loads native code",
    "torch.hub": "downloads and runs code",
    "torch.multiprocessing": "starts processes",
    "torch.distributed": "network access",
    "torch.package": "imports code from archives",
    "torch.serialization": "loading a pickle runs code",
    "numpy.ctypeslib": "loads native libraries",
    "numpy.f2py": "compiles native code",
    "numpy.distutils": "compiles native code",
}
# `import numpy.linalg as la` is fine anywhere; a name the tests read must keep its meaning.
CONVENTIONAL = {
    "np": "numpy",
    "plt": "matplotlib.pyplot",
    "mpl": "matplotlib",
    "F": "torch.nn.functional",
    "nn": "torch.nn",
    "optim": "torch.optim",
}

DENIED_NAMES = {
    "exec": "runs code built from strings",
    "eval": "runs code built from strings",
    "compile": "runs code built from strings",
    "globals": "the namespace the tests run in, as a dict",
    "locals": "the namespace the tests run in, as a dict",
    "vars": "an object's namespace as a dict: patches without an assignment",
    "setattr": "changes attributes by name",
    "delattr": "deletes attributes by name",
    "open": "reads or writes files: hidden tests, gradebook.db, other students' work",
    "breakpoint": "waits for input the grader never sends",
    "input": "waits for input the grader never sends",
    "exit": "stops the kernel",
    "quit": "stops the kernel",
    "get_ipython": "IPython internals can rewrite or hide later cells",
}
IPYTHON_ATTRS = (
    "run_line_magic", "run_cell_magic", "run_cell", "set_custom_exc", "register_magic_function",
    "ast_transformers", "input_transformers_cleanup", "input_transformers_post",
    "input_transformer_manager", "user_ns", "user_global_ns", "displayhook", "excepthook",
    "showtraceback",
)  # fmt: skip
FRAME_ATTRS = (
    "gi_frame", "cr_frame", "ag_frame", "tb_frame", "f_back", "f_globals", "f_locals",
    "f_builtins", "f_code",
)  # fmt: skip
FILE_ATTRS = (
    "load", "save", "loadtxt", "savetxt", "genfromtxt", "fromfile", "tofile", "from_file",
    "memmap", "savez", "savez_compressed", "fromregex", "imread", "imsave", "load_library",
    "load_inline",
)  # fmt: skip
DENIED_ATTRS = (
    dict.fromkeys(IPYTHON_ATTRS, "IPython internals can rewrite or hide later cells")
    | dict.fromkeys(FRAME_ATTRS, "a frame's globals are the namespace the tests run in")
    | dict.fromkeys(FILE_ATTRS, "reads or writes files, or loads code")
    | dict.fromkeys(("attrgetter", "methodcaller"), "attribute access by a computed name")
    | {"enter_context": "keeps a context (saved-tensor hooks, a mode) active after the cell"}
    | dict.fromkeys(
        ("set_default_dtype", "set_default_tensor_type", "set_default_device"),
        "changes torch's defaults, which the tests' expected values use",
    )
)
GLOBAL_HOOKS = "register_module_"  # torch.nn.modules.module.register_module_forward_hook, ...

# Special names an answer may use: reading names and docs, super().__init__(), __main__.
ALLOWED_DUNDERS = {
    "__name__", "__qualname__", "__doc__", "__module__", "__version__", "__main__",
    "__init__", "__call__", "__len__", "__repr__", "__str__",
}  # fmt: skip
# Special methods a class may define; others change how the tests compare, convert or look
# up its objects (__eq__, __bool__, __float__, __torch_function__, __getattribute__, ...).
ALLOWED_METHODS = {
    "__init__", "__call__", "__repr__", "__str__", "__len__", "__iter__", "__next__",
    "__getitem__", "__contains__", "__post_init__", "__slots__",
}  # fmt: skip
TENSOR_CLASSES = {"Tensor", "Parameter", "TensorBase"}
# Builtins that only look at a module handed to them.
VIEWERS = {
    "print",
    "dir",
    "help",
    "isinstance",
    "issubclass",
    "type",
    "id",
    "repr",
    "str",
    "hasattr",
}
SAFE_MAGICS = {"pinfo": None, "pinfo2": None, "matplotlib": {"", "inline", "widget", "ipympl"}}
DUNDER = re.compile(r"__\w+__")


def suspicious(nb, notebook_name, settings):
    """One line per construct, in the cells a student controls, that could tamper with grading.

    settings: the course's c.Autograder (config.Autograder): which modules a cell may import.
    """
    cells = [(i, c, code_of(c.source)) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    cells = [(i, c, code) for i, c, code in cells if code is not None]
    trusted = [code for _, c, code in cells if instructor_cell(c)]
    students = [(i, c, code) for i, c, code in cells if not instructor_cell(c)]
    codes = [code for _, _, code in cells]
    solutions = [code for _, c, code in cells if nbgrader_meta(c).get("solution")]
    own = settings.course_package
    protected = protected_names(trusted, solutions, codes, own)
    context = Context(protected, codes, {*settings.allowed_modules, own}, own)
    found = []
    for index, cell, code in students:
        name = nbgrader_meta(cell).get("grade_id") or f"#{index + 1}"
        for line, text in scan_cell(code, context):
            found.append(f"{notebook_name}, cell {name}, line {line}: {text}")
    if len(found) > MAX_FINDINGS:
        found = found[:MAX_FINDINGS] + [f"(and {len(found) - MAX_FINDINGS} more)"]
    return found


def instructor_cell(cell):
    """A test cell or a locked cell: sanitize gave it back the gradebook's source."""
    meta = nbgrader_meta(cell)
    instructor = meta.get("grade") or meta.get("locked")
    return bool(meta.get("grade_id") and instructor and not meta.get("solution"))


def parse(source):
    """The cell as the kernel runs it (magics become get_ipython() calls), or None."""
    try:
        code = TransformerManager().transform_cell(source)
        flags = ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT  # IPython runs `await` too
        return compile(code, "<cell>", "exec", flags=flags, dont_inherit=True)
    except (SyntaxError, ValueError):
        return None  # the kernel cannot run it either: the cell just errors


class Code:
    """One cell's parsed code and what the notebook-wide analysis reads of it, worked out once.

    Every submission of a chapter holds the release's lesson and test cells: code_of() parses
    each distinct source once per process, and nothing here changes a tree.
    """

    def __init__(self, tree):
        self.tree, self.nodes = tree, tuple(ast.walk(tree))

    @functools.cached_property
    def free(self):
        loads = {
            n.id for n in self.nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
        }
        return loads - bound_names(self.nodes)

    @functools.cached_property
    def imports(self):
        return import_names(self.nodes)

    @functools.cached_property
    def flows(self):
        return [pair for n in self.nodes for pair in _flows(n)]


@functools.lru_cache(maxsize=4096)
def code_of(source):
    """The cell's Code, or None when it does not parse."""
    tree = parse(source)
    return None if tree is None else Code(tree)


@functools.lru_cache(maxsize=4096)
def scan_cell(code, context):
    """(line, finding) pairs of one student cell: the same cell in the same context (most
    submissions import and bind the same names) is scanned once."""
    return tuple(Scan(context).run(code.tree))


# -- what the notebook's names are


class Context:
    """What the scan of a cell reads of the whole notebook. Equal contexts scan alike."""

    def __init__(self, protected, codes, allowed, own):
        self.protected = frozenset(protected)  # names the tests read: rebinding them is tampering
        self.allowed, self.own = frozenset(allowed), own  # importable top-level modules; ours
        self.paths = import_paths(codes, ast.Import | ast.ImportFrom)  # {np: "numpy", ...}
        self.modules = frozenset(import_paths(codes, ast.Import))  # names bound to modules
        self.library = frozenset(library_names(codes, set(self.paths)))  # what they flow into
        self._key = (self.protected, self.allowed, own, tuple(sorted(self.paths.items())))
        self._key += (self.modules, self.library)

    def __eq__(self, other):
        return isinstance(other, Context) and self._key == other._key

    def __hash__(self):
        return hash(self._key)

    def dotted(self, expr):
        """torch.library.Library, np.ctypeslib: the module path an attribute chain names."""
        parts = []
        while isinstance(expr, ast.Attribute):
            parts.append(expr.attr)
            expr = expr.value
        if isinstance(expr, ast.Name) and expr.id in self.paths:
            return ".".join([self.paths[expr.id], *reversed(parts)])
        return None

    def module_named(self, expr):
        """Whether expr is a module: a name an import binds to one, torch.testing, np.random."""
        if isinstance(expr, ast.Name) and expr.id in self.modules:
            return True
        path = self.dotted(expr)
        return path is not None and is_module(path)


@functools.cache
def is_module(path):
    """Whether an import path names a module file or package (found on disk, not imported)."""
    top, *rest = path.split(".")
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return False
    if spec is None or not rest:
        return spec is not None
    *packages, last = rest
    for base in spec.submodule_search_locations or []:
        folder = os.path.join(base, *packages)
        if os.path.isfile(os.path.join(folder, f"{last}.py")) or os.path.isfile(
            os.path.join(folder, last, "__init__.py")
        ):
            return True
    return False


def protected_names(trusted, solutions, codes, own):
    """Names the instructor's cells read and the student is not the one to define.

    The student defines the answer functions (make_param, ...); check, torch, np, the
    builtins and whatever else a test cell reads from outside itself must keep their meaning.
    """
    reads = set().union(*(code.free for code in trusted))
    defined = set().union(*(bound_names(_own(code.tree.body)) for code in solutions))
    imported = set().union(*(code.imports for code in codes))
    library = imported | package_names(own) | set(dir(builtins))
    return {n for n in reads if n in library or n not in defined}


def bound_names(nodes):
    """Names bound by these nodes (every node of a tree, or the _own nodes of a block)."""
    names = set()
    for node in nodes:
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names |= {binding(a, node) for a in node.names}
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return names


def binding(alias, node):
    """The name an import binds: `import a.b` binds a."""
    if alias.asname:
        return alias.asname
    return alias.name if isinstance(node, ast.ImportFrom) else alias.name.split(".")[0]


def import_paths(codes, kinds):
    """{name: the module or module attribute an import statement of these kinds binds it to}."""
    paths = {}
    for node in (n for code in codes for n in code.nodes if isinstance(n, kinds)):
        for alias in node.names:
            if isinstance(node, ast.ImportFrom):
                paths[binding(alias, node)] = f"{node.module}.{alias.name}"
            else:
                paths[binding(alias, node)] = alias.name if alias.asname else binding(alias, node)
    return paths


def import_names(nodes):
    return {
        binding(a, n)
        for n in nodes
        if isinstance(n, ast.Import | ast.ImportFrom)
        for a in n.names
        if a.name != "*"
    }


@functools.cache
def package_names(package):
    """What `from package import ...` offers, read from its source: the grader imports no torch."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.origin:
        return set()
    with open(spec.origin, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    return import_names(ast.walk(tree))


def library_names(codes, names):
    """The imported names, and every name a library object flows into without a call.

    `T = torch.Tensor`, `for m in (torch, np)`, `def f(m=torch)`; type(x) gives a class too.
    An attribute that is given one (`ctx.fn = torch.sin`, a class body's `lib = torch`) is
    the key `.fn` (any object's `.fn`), not its object: `ctx.scale = 2.0` stays a plain store.
    A function that returns one is the key `f()`, for its calls.
    """
    flows = [pair for code in codes for pair in code.flows]
    while True:
        more = {n for target, value in flows if is_library(value, names) for n in _names(target)}
        if more <= names:
            return names
        names = names | more


def _flows(node):
    """(target, value) pairs: where a value goes once this node runs."""
    if isinstance(node, ast.Assign):
        pairs = [(t, node.value) for t in node.targets]
        if isinstance(node.value, ast.Lambda):  # f = lambda: torch, then f() or self.f()
            names = _names(node.targets[0])
            pairs += [(ast.Name(f"{n.lstrip('.')}()"), node.value.body) for n in names]
        return pairs
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        returns = [n for n in _own(node.body) if isinstance(n, ast.Return) and n.value]
        return [(ast.Name(f"{node.name}()"), r.value) for r in returns]
    if isinstance(node, ast.ClassDef):  # class attributes, read as Cls.lib or self.lib
        return [
            (ast.Attribute(ast.Name("_"), t.id), s.value)
            for s in node.body
            if isinstance(s, ast.Assign)
            for t in s.targets
            if isinstance(t, ast.Name)
        ]
    if isinstance(node, ast.AnnAssign | ast.AugAssign | ast.NamedExpr) and node.value:
        return [(node.target, node.value)]
    if isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
        return [(node.target, node.iter)]
    if isinstance(node, ast.withitem) and node.optional_vars:
        return [(node.optional_vars, node.context_expr)]
    if isinstance(node, ast.arguments):
        args = node.posonlyargs + node.args
        pairs = zip(args[len(args) - len(node.defaults) :], node.defaults, strict=True)
        kw = [(a, d) for a, d in zip(node.kwonlyargs, node.kw_defaults, strict=True) if d]
        return [(ast.Name(a.arg), d) for a, d in [*pairs, *kw]]
    return []


def _names(target):
    """The keys a store to `target` binds: names, `.attr` for attributes, `d` for `d[k]`."""
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, ast.Attribute):
        return {f".{target.attr}"}
    if isinstance(target, ast.Subscript | ast.Starred):
        return _names(target.value)
    if isinstance(target, ast.Tuple | ast.List):
        return set().union(*(_names(e) for e in target.elts))
    return set()


def is_library(expr, names):
    """Whether expr can evaluate to a library object without calling anything but type()."""
    if isinstance(expr, ast.Name):
        return expr.id in names
    if isinstance(expr, ast.Attribute) and f".{expr.attr}" in names:
        return True
    if isinstance(expr, ast.Attribute | ast.Subscript | ast.Starred | ast.NamedExpr):
        return is_library(expr.value, names)
    if isinstance(expr, ast.Tuple | ast.List | ast.Set):
        return any(is_library(e, names) for e in expr.elts)
    if isinstance(expr, ast.Dict):
        return any(is_library(v, names) for v in expr.values)
    if isinstance(expr, ast.IfExp):
        return is_library(expr.body, names) or is_library(expr.orelse, names)
    if isinstance(expr, ast.BoolOp):
        return any(is_library(v, names) for v in expr.values)
    if isinstance(expr, ast.Call):
        return _call_is_library(expr, names)
    return False


def _call_is_library(call, names):
    """type(x), list(...) of library objects, getattr(lib, 'name'), a function returning one."""
    func, args = call.func, call.args
    if isinstance(func, ast.Lambda):
        return is_library(func.body, names)
    if isinstance(func, ast.Attribute):
        return f"{func.attr}()" in names
    if not isinstance(func, ast.Name):
        return False
    if func.id == "type" or f"{func.id}()" in names:
        return True
    if func.id in ("list", "tuple", "dict", "iter", "next", "reversed", "sorted"):
        return any(is_library(a, names) for a in args)
    if func.id == "getattr" and len(args) > 1 and isinstance(args[1], ast.Constant):
        return f".{args[1].value}" in names or is_library(args[0], names)
    return False


# -- the scan of one cell


class Scope:
    def __init__(self, kind, local=()):
        self.kind, self.local, self.declared = kind, set(local), set()


class Scan(ast.NodeVisitor):
    def __init__(self, context):
        self.ctx = context
        self.found = []
        self.scopes = [Scope("module")]

    def run(self, tree):
        self.visit(tree)
        return self.found

    def flag(self, node, what, reason):
        """Record the first finding of each line: one reason is enough to look at it."""
        if all(line != node.lineno for line, _ in self.found):
            self.found.append((node.lineno, f"{_short(what)} — {reason}"))

    # where a name lives

    def binds_global(self, name):
        """Whether binding `name` here binds the notebook's name (not a local or class one)."""
        scope = self.scopes[-1]
        return scope.kind == "module" or name in scope.declared

    def builtin(self, name):
        """Whether `name` read here is the builtin (no enclosing function binds it)."""
        return not any(s.kind == "function" and name in s.local for s in self.scopes)

    def check_binding(self, node, name, what, verb="rebinds"):
        if name in self.ctx.protected and self.binds_global(name):
            self.flag(node, what, f"{verb} {name}, which the tests use")

    # imports

    def visit_Import(self, node):
        for alias in node.names:
            self.check_module(node, alias.name)
            self.check_import_binding(node, alias, alias.name)

    def visit_ImportFrom(self, node):
        if node.level:
            self.flag(node, ast.unparse(node), "a relative import loads a file of the submission")
            return
        self.check_module(node, node.module)
        for alias in node.names:
            full = f"{node.module}.{alias.name}"
            if alias.name == "*":
                if node.module != self.ctx.own:
                    self.flag(node, ast.unparse(node), "can rebind names the tests use")
                continue
            self.check_submodule(node, full)
            self.check_attr_name(node, alias.name, full, library=False)
            self.check_import_binding(node, alias, full)

    def check_module(self, node, module):
        top = module.split(".")[0]
        if top not in self.ctx.allowed:
            reason = MODULE_REASON.get(top, "a module the course does not use")
            self.flag(node, f"import {module}", reason)
        else:
            self.check_submodule(node, module)

    def check_submodule(self, node, module):
        parts = module.split(".")
        for i in range(2, len(parts) + 1):
            prefix = ".".join(parts[:i])
            if prefix in DENIED_SUBMODULES:
                return self.flag(node, f"import {module}", DENIED_SUBMODULES[prefix])
        if any(p.startswith("_") for p in parts[1:]):
            self.flag(node, f"import {module}", "private internals of the library")

    def check_import_binding(self, node, alias, full):
        name = binding(alias, node)
        canonical = not alias.asname or alias.asname == full.split(".")[-1]
        if not canonical and CONVENTIONAL.get(name) != full:
            self.check_binding(node, name, ast.unparse(node))

    # definitions and scopes

    def visit_FunctionDef(self, node):
        self.define(node, node.args, node.body)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node):
        self.define(node, node.args, [node.body])

    def define(self, node, args, body):
        for decorator in getattr(node, "decorator_list", []):
            self.visit(decorator)
        self.visit(args)  # defaults and annotations run in the enclosing scope
        if getattr(node, "returns", None):
            self.visit(node.returns)
        name = getattr(node, "name", None)
        if name:
            self.check_binding(node, name, f"def {name}")
            if DUNDER.fullmatch(name) and name not in ALLOWED_METHODS:
                self.flag(node, f"def {name}", _method_reason(name))
        params = {a.arg for a in ast.walk(args) if isinstance(a, ast.arg)}
        declared = {n for s in _own(body) if isinstance(s, ast.Global) for n in s.names}
        scope = Scope("function", (params | bound_names(_own(body))) - declared)
        self.scopes.append(scope)
        for stmt in body:
            self.visit(stmt)
        self.scopes.pop()

    def visit_arguments(self, node):
        """Defaults and annotations: they run when the function is defined."""
        params = [*node.posonlyargs, *node.args, node.vararg, *node.kwonlyargs, node.kwarg]
        notes = [a.annotation for a in params if a is not None]
        for expr in [*node.defaults, *node.kw_defaults, *notes]:
            if expr is not None:
                self.visit(expr)

    def visit_ClassDef(self, node):
        for expr in [*node.decorator_list, *node.bases, *node.keywords]:
            self.visit(expr)
        self.check_binding(node, node.name, f"class {node.name}")
        for base in node.bases:
            dotted = ast.unparse(base)
            if dotted.split(".")[-1] in TENSOR_CLASSES:
                self.flag(node, f"class {node.name}({dotted})", "a tensor subclass can redefine "
                          "comparisons and torch functions")  # fmt: skip
            elif dotted == "type":
                self.flag(node, f"class {node.name}(type)", "a metaclass")
        if any(k.arg == "metaclass" for k in node.keywords):
            self.flag(node, f"class {node.name}", "a metaclass")
        self.scopes.append(Scope("class"))
        for stmt in node.body:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else []
            for t in targets:
                if isinstance(t, ast.Name) and DUNDER.fullmatch(t.id):
                    if t.id not in ALLOWED_METHODS:
                        self.flag(t, f"{t.id} = ...", _method_reason(t.id))
            self.visit(stmt)
        self.scopes.pop()

    def visit_Global(self, node):
        self.scopes[-1].declared |= set(node.names)
        for name in node.names:
            if name in self.ctx.protected:
                self.flag(
                    node, f"global {name}", f"lets a function rebind {name}, which the tests use"
                )

    def visit_comprehension(self, node):
        self.visit(node.iter)  # its target is the comprehension's own
        for cond in node.ifs:
            self.visit(cond)

    def visit_ExceptHandler(self, node):
        if node.name:
            self.check_binding(node, node.name, f"except ... as {node.name}")
        self.generic_visit(node)

    # names, attributes, calls

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Del):
            return self.check_binding(node, node.id, f"del {node.id}", "deletes")
        if isinstance(node.ctx, ast.Store):
            return self.check_binding(node, node.id, f"{node.id} = ...")
        if node.id in DENIED_NAMES and self.builtin(node.id):
            self.flag(node, node.id, DENIED_NAMES[node.id])
        elif node.id == "getattr" and self.builtin(node.id):
            self.flag(node, node.id, "attribute access by a computed name")
        elif DUNDER.fullmatch(node.id) and node.id not in ALLOWED_DUNDERS:
            self.flag(node, node.id, "reaches interpreter internals")

    def visit_Attribute(self, node):
        library = self.is_library(node.value)
        if isinstance(node.ctx, ast.Del) and library:
            self.flag(node, f"del {ast.unparse(node)}", "patches a library the tests use")
        if isinstance(node.ctx, ast.Store) and library:
            self.flag(node, f"{ast.unparse(node)} = ...", "patches a library the tests use")
        path = self.ctx.dotted(node)
        self.check_attr_name(node, node.attr, ast.unparse(node), library, path)
        if path in DENIED_SUBMODULES:
            self.flag(node, ast.unparse(node), DENIED_SUBMODULES[path])
        self.visit(node.value)

    def visit_Subscript(self, node):
        stored = not isinstance(node.ctx, ast.Load)
        if stored and self.is_library(node.value) and "rcParams" not in ast.unparse(node.value):
            self.flag(node, f"{ast.unparse(node)} = ...", "patches a library the tests use")
        self.generic_visit(node)

    def check_attr_name(self, node, attr, what, library, path=None):
        if library and attr in MODULE_REASON and path not in NAMESAKES:
            self.flag(node, what, f"{attr} through a library: {MODULE_REASON[attr]}")
        elif DUNDER.fullmatch(attr):
            if attr not in ALLOWED_DUNDERS:
                self.flag(node, what, "reaches interpreter internals (classes, globals, builtins)")
        elif attr in DENIED_ATTRS:
            self.flag(node, what, DENIED_ATTRS[attr])
        elif attr.startswith(GLOBAL_HOOKS):
            self.flag(node, what, "a global hook runs inside every later module call")
        elif attr.startswith("_") and library:
            self.flag(node, what, "private internals of the library")

    def is_library(self, expr):
        return is_library(expr, self.ctx.library)

    def visit_Call(self, node):
        func = node.func
        if _is_shell(func):
            return self.check_magic(node)
        name = func.id if isinstance(func, ast.Name) and self.builtin(func.id) else None
        if name == "getattr":
            return self.check_getattr(node)
        if name in DENIED_NAMES:
            self.flag(node, f"{name}()", DENIED_NAMES[name])
        elif name == "type" and len(node.args) == 3:
            self.flag(node, "type(name, bases, dict)", "creates a class out of the scan's sight")
        else:
            self.visit(func)
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            self.visit(arg)
            if name not in VIEWERS and self.ctx.module_named(arg):
                module = ast.unparse(arg)
                what = f"{ast.unparse(func)}(..., {module}, ...)"
                self.flag(node, what, f"hands the module {module} to code that can patch it")

    def check_getattr(self, node):
        attr = node.args[1] if len(node.args) > 1 else None
        if isinstance(attr, ast.Constant) and isinstance(attr.value, str):
            what = ast.unparse(node)
            self.check_attr_name(node, attr.value, what, self.is_library(node.args[0]))
        else:
            self.flag(node, _short(ast.unparse(node)), "attribute access by a computed name")
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            self.visit(arg)

    def check_magic(self, node):
        """get_ipython().<method>(...): what IPython made of %magic and !shell lines."""
        method = node.func.attr
        args = [a.value for a in node.args if isinstance(a, ast.Constant)]
        if method == "run_line_magic" and len(args) == 2:
            allowed = SAFE_MAGICS.get(args[0], ())
            if args[0] in SAFE_MAGICS and (allowed is None or args[1].strip() in allowed):
                return
            return self.flag(node, f"%{args[0]} {args[1]}", _magic_reason())
        if method == "run_cell_magic" and args:
            return self.flag(node, f"%%{args[0]}", _magic_reason())
        if method in ("system", "getoutput") and args:
            return self.flag(node, f"!{args[0]}", "a shell command: files, processes, the network")
        self.flag(node, f"get_ipython().{method}", DENIED_NAMES["get_ipython"])
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            self.visit(arg)

    def visit_Constant(self, node):
        if isinstance(node.value, str) and DUNDER.fullmatch(node.value):
            if node.value not in ALLOWED_DUNDERS:
                self.flag(node, repr(node.value), "names an interpreter internal")


def _own(body):
    """The nodes of a function body outside its nested functions and classes."""
    todo, out = list(body), []
    while todo:
        node = todo.pop()
        out.append(node)
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            todo.extend(ast.iter_child_nodes(node))
    return out


def _is_shell(func):
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Call)
        and isinstance(func.value.func, ast.Name)
        and func.value.func.id == "get_ipython"
    )


def _magic_reason():
    return "an IPython magic: it reaches the kernel and can rewrite or hide later cells"


def _method_reason(name):
    return f"defines {name}: special methods change how the tests compare, convert or see objects"


def _short(text, limit=60):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
