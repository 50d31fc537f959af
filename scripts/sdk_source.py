"""Read the Dapr Python SDK's public classes from its source text, without importing it.

Used by scripts/gen_sdk_versions.py (every release tag of a git clone of dapr/python-sdk) and by the test that
holds the generated tables against the installed SDK. A release is a mapping of module name -> source text; the
core package and the extensions are mapped to the module names users import (`ext/dapr-ext-workflow/dapr/ext/
workflow/__init__.py` -> `dapr.ext.workflow`), so releases before and after the 1.19 packaging change compare.
"""

from __future__ import annotations

import ast
import builtins
import re
from pathlib import Path
from typing import Iterable, Optional

# Classes whose members dapr-lint checks, by the public path users import them from (as scripts/gen_sdk_table.py).
ROOTS = (
    "dapr.clients.DaprClient",
    "dapr.aio.clients.DaprClient",
    "dapr.ext.workflow.DaprWorkflowClient",
    "dapr.ext.workflow.aio.DaprWorkflowClient",
    "dapr.ext.fastapi.DaprActor",
    "dapr.ext.flask.DaprActor",
)
RESPONSE_MODULE_PREFIXES = ("dapr.clients.grpc._response.",)

# A file of the SDK's repository -> the module it is imported as. Extensions lived in their own distributions
# under ext/ until 1.19; `flask_dapr` was the Flask extension's name before `dapr.ext.flask`.
_MODULE_PATH = re.compile(r"^(?:ext/[^/]+/)?((?:dapr|flask_dapr)/(?:[A-Za-z0-9_]+/)*[A-Za-z0-9_]+)\.py$")


def module_name(path: str) -> Optional[str]:
    match = _MODULE_PATH.match(path)
    if match is None or "/tests/" in f"/{path}" or path.startswith("tests/"):
        return None
    name = match.group(1).replace("/", ".")
    return name[: -len(".__init__")] if name.endswith(".__init__") else name


def modules_from_folder(site: Path) -> dict[str, str]:
    """An installed SDK: the `dapr` (and `flask_dapr`) packages below a site-packages folder."""
    found: dict[str, str] = {}
    for package in ("dapr", "flask_dapr"):
        for file in sorted((site / package).rglob("*.py")) if (site / package).is_dir() else ():
            name = module_name(file.relative_to(site).as_posix())
            if name is not None:
                found[name] = file.read_text(encoding="utf-8")
    return found


class Release:
    """One release's source: resolves public class paths and describes their members like `inspect` would."""

    def __init__(self, modules: dict[str, str]) -> None:
        self._sources = modules
        self._trees: dict[str, Optional[ast.Module]] = {}

    def tree(self, module: str) -> Optional[ast.Module]:
        if module not in self._trees:
            source = self._sources.get(module)
            try:
                self._trees[module] = ast.parse(source) if source is not None else None
            except SyntaxError:
                self._trees[module] = None
        return self._trees[module]

    def _package_of(self, module: str) -> str:
        is_package = any(name.startswith(module + ".") for name in self._sources)
        return module if is_package else module.rpartition(".")[0]

    def _absolute(self, module: str, node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        package = self._package_of(module)
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        return f"{package}.{node.module}" if node.module else package

    def resolve(self, module: str, name: str, seen: Optional[set] = None) -> Optional[tuple[str, ast.ClassDef]]:
        """The class a name of a module is, followed through imports and aliases: (defining module, node)."""
        seen = set() if seen is None else seen
        if (module, name) in seen:
            return None
        seen.add((module, name))
        tree = self.tree(module)
        if tree is None:
            return None
        found: Optional[tuple[str, ast.ClassDef]] = None
        for node in _top_level(tree.body):
            if isinstance(node, ast.ClassDef) and node.name == name:
                found = (module, node)
            elif isinstance(node, ast.ImportFrom):
                source = self._absolute(module, node)
                for alias in node.names:
                    if alias.name == "*":
                        continue
                    if (alias.asname or alias.name) == name:
                        target = self.resolve(source, alias.name, seen)
                        if target is None and f"{source}.{alias.name}" in self._sources:
                            target = None  # a submodule, not a class
                        found = target or found
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                target_node = node.targets[0]
                if isinstance(target_node, ast.Name) and target_node.id == name:
                    found = self.resolve_expr(module, node.value, seen) or found
        if found is None:
            for node in _top_level(tree.body):
                if isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names):
                    found = self.resolve(self._absolute(module, node), name, seen) or found
        return found

    def resolve_expr(self, module: str, expr: ast.expr, seen: Optional[set] = None) -> Optional[tuple[str, ast.ClassDef]]:
        if isinstance(expr, ast.Name):
            return self.resolve(module, expr.id, seen)
        if isinstance(expr, ast.Attribute):
            dotted = _dotted(expr)
            tree = self.tree(module)
            if dotted is None or tree is None:
                return None
            head, _, rest = dotted.partition(".")
            for node in _top_level(tree.body):
                if isinstance(node, ast.ImportFrom):
                    for alias in node.names:
                        submodule = f"{self._absolute(module, node)}.{alias.name}"
                        if (alias.asname or alias.name) == head and submodule in self._sources:
                            owner, _, attr = f"{submodule}.{rest}".rpartition(".")
                            return self.resolve(owner, attr, seen)
                if isinstance(node, ast.Import):
                    for alias in node.names:
                        if alias.asname == head:
                            owner, _, attr = f"{alias.name}.{rest}".rpartition(".")
                            return self.resolve(owner, attr, seen)
                        if alias.asname is None and alias.name.split(".")[0] == head:
                            owner, _, attr = dotted.rpartition(".")
                            return self.resolve(owner, attr, seen)
        if isinstance(expr, ast.Subscript):
            return None
        return None

    def public(self, path: str) -> Optional[tuple[str, ast.ClassDef]]:
        module, _, name = path.rpartition(".")
        return self.resolve(module, name)

    def mro(self, module: str, node: ast.ClassDef) -> list[tuple[str, ast.ClassDef]]:
        order: list[tuple[str, ast.ClassDef]] = []

        def visit(mod: str, cls: ast.ClassDef) -> None:
            if any(cls is seen for _, seen in order):
                return
            order.append((mod, cls))
            for base in cls.bases:
                resolved = self.resolve_expr(mod, base)
                if resolved is not None:
                    visit(*resolved)

        visit(module, node)
        return order

    def describe(self, module: str, node: ast.ClassDef) -> dict[str, dict]:
        """member name -> {kind, params (None: accepts **kwargs), is_async, returns}, as scripts/gen_sdk_table.py."""
        members: dict[str, dict] = {}
        attributes: set[str] = set()
        for mod, cls in self.mro(module, node):
            dataclass_fields = _dataclass_fields(cls)
            if dataclass_fields is not None and "__init__" not in members:
                members["__init__"] = {"kind": "method", "params": tuple(dataclass_fields), "is_async": False, "returns": "builtins.NoneType"}
            for item in cls.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    name = item.name
                    if name == "__init__":
                        attributes.update(_self_assignments(item))
                    if name in members or (name.startswith("_") and name != "__init__"):
                        continue
                    decorators = {_dotted(d) or "" for d in item.decorator_list}
                    if "property" in decorators or any(d.endswith((".setter", ".getter", ".deleter")) for d in decorators):
                        members[name] = {"kind": "property"}
                        continue
                    members[name] = self._method(mod, item, "staticmethod" in decorators)
                elif isinstance(item, (ast.Assign, ast.AnnAssign)):
                    targets = item.targets if isinstance(item, ast.Assign) else [item.target]
                    for target in targets:
                        if isinstance(target, ast.Name) and not target.id.startswith("_") and target.id not in members:
                            members[target.id] = {"kind": "attribute"}
        if "__init__" not in members:
            members["__init__"] = {"kind": "method", "params": None, "is_async": False, "returns": None}
        for name in sorted(attributes):
            members.setdefault(name, {"kind": "attribute"})
        return dict(sorted(members.items()))

    def _method(self, module: str, func, static: bool) -> dict:
        args = func.args
        names = [a.arg for a in args.args] + [a.arg for a in args.kwonlyargs]
        if not static and names and names[0] in ("self", "cls") and not args.posonlyargs:
            names = names[1:]
        names = [n for n in names if n != "self"]
        return {
            "kind": "method",
            "params": None if args.kwarg is not None else tuple(names),
            "is_async": isinstance(func, ast.AsyncFunctionDef) and not _yields(func),
            "returns": self._returns(module, func),
        }

    def _returns(self, module: str, func) -> Optional[str]:
        annotation = func.returns
        if annotation is None:
            return None
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            try:
                annotation = ast.parse(annotation.value, mode="eval").body
            except SyntaxError:
                return None
        if isinstance(annotation, ast.Constant) and annotation.value is None:
            return "builtins.NoneType"
        if isinstance(annotation, ast.Name) and annotation.id == "Text":
            annotation = ast.Name(id="str")  # typing.Text is str
        if isinstance(annotation, ast.Name) and isinstance(getattr(builtins, annotation.id, None), type):
            if self.resolve(module, annotation.id) is None:
                return f"builtins.{annotation.id}"
        resolved = self.resolve_expr(module, annotation)
        if resolved is None:
            return None
        defining, cls = resolved
        return f"{defining}.{cls.name}"

    def table(self, roots: Iterable[str] = ROOTS) -> dict[str, dict[str, dict]]:
        """public class path -> members, following the response classes the clients' methods return."""
        found: dict[str, dict[str, dict]] = {}
        queue = list(roots)
        while queue:
            path = queue.pop(0)
            if path in found:
                continue
            resolved = self.public(path)
            if resolved is None:
                continue
            members = self.describe(*resolved)
            found[path] = members
            for member in members.values():
                returned = member.get("returns")
                if returned and returned.startswith(RESPONSE_MODULE_PREFIXES) and returned not in found:
                    queue.append(returned)
        return dict(sorted(found.items()))

    def defaults(self, path: str) -> dict[str, dict[str, object]]:
        """member -> parameter -> its default, for the defaults that are literals (`timeout_in_seconds=60`)."""
        resolved = self.public(path)
        found: dict[str, dict[str, object]] = {}
        if resolved is None:
            return found
        for _mod, cls in self.mro(*resolved):
            for item in cls.body:
                if not isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) or item.name in found:
                    continue
                args = item.args
                positional = args.posonlyargs + args.args
                pairs = list(zip(positional[len(positional) - len(args.defaults):], args.defaults))
                pairs += [(arg, default) for arg, default in zip(args.kwonlyargs, args.kw_defaults) if default is not None]
                literals = {}
                for arg, default in pairs:
                    try:
                        literals[arg.arg] = ast.literal_eval(default)
                    except ValueError:
                        continue
                found[item.name] = literals
        return found

    def exports(self, module: str) -> set[str]:
        """The names a module offers to `from module import name` (its `__all__` when it has one)."""
        tree = self.tree(module)
        if tree is None:
            return set()
        names: set[str] = set()
        for node in _top_level(tree.body):
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
                if isinstance(node.value, (ast.List, ast.Tuple)):
                    return {e.value for e in node.value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
            if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                names.add(node.name)
            elif isinstance(node, ast.ImportFrom):
                names.update(alias.asname or alias.name for alias in node.names if alias.name != "*")
            elif isinstance(node, ast.Assign):
                names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        return {name for name in names if not name.startswith("_")}


def _top_level(body: list[ast.stmt]) -> Iterable[ast.stmt]:
    """Module statements, including those inside `try`/`if` blocks (conditional imports count)."""
    for node in body:
        if isinstance(node, ast.If):
            if _is_type_checking(node.test):
                continue
            yield from _top_level(node.body)
            yield from _top_level(node.orelse)
        elif isinstance(node, ast.Try):
            yield from _top_level(node.body)
            for handler in node.handlers:
                yield from _top_level(handler.body)
        else:
            yield node


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _dotted(expr: ast.expr) -> Optional[str]:
    if isinstance(expr, ast.Call):
        return _dotted(expr.func)
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        head = _dotted(expr.value)
        return f"{head}.{expr.attr}" if head else None
    return None


def _dataclass_fields(cls: ast.ClassDef) -> Optional[list[str]]:
    if not any((_dotted(d) or "").rpartition(".")[2] == "dataclass" for d in cls.decorator_list):
        return None
    fields = []
    for item in cls.body:
        if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            annotation = ast.unparse(item.annotation)
            if "ClassVar" not in annotation:
                fields.append(item.target.id)
    return fields


def _yields(func) -> bool:
    """An `async def` with `yield` is an async generator: not a coroutine function."""
    stack: list[ast.AST] = list(func.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return True
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(node))
    return False


def _self_assignments(func) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(func):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
                if not target.attr.startswith("_"):
                    names.add(target.attr)
    return names
