"""The exception facet of a module's model: what an `except` clause catches, what a `raise` raises, which calls
sit under a `try` that catches a family of errors, code that expects a failure (`pytest.raises`), and app-level
error handlers (what a web framework calls for an exception no route caught, DPR301).

App-level handlers: FastAPI/Starlette `@app.exception_handler(E)`, `app.add_exception_handler(E, f)`,
`FastAPI(exception_handlers={E: f})`; Flask `@app.errorhandler(E)`, `app.register_error_handler(E, f)`, a
blueprint's `@bp.app_errorhandler(E)`. A handler for status 500 counts as one for any exception (Starlette's
ServerErrorMiddleware takes a 500 or `Exception` handler; Flask hands an unhandled exception to the 500 handler).

Built on first use from the model's records and kept in `model.facets`: `exception_facts(model)`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import libcst as cst

from dapr_lint.python import known
from dapr_lint.python.model.records import CallSite, ExceptInfo, Scope
from dapr_lint.python.model.values import ClassRef, Ref

if TYPE_CHECKING:
    from dapr_lint.python.model import ModuleModel

_HANDLER_DECORATORS = frozenset({"exception_handler", "errorhandler", "app_errorhandler"})
_HANDLER_CALLS = frozenset({"add_exception_handler", "register_error_handler"})
_HANDLER_CONSTRUCTORS = frozenset({known.FASTAPI_APP, "starlette.applications.Starlette"})


def exception_facts(model: "ModuleModel") -> "ExceptionFacts":
    """The exception facet of a module (built once per model)."""
    return model.facet("exceptions", ExceptionFacts)


class ExceptionFacts:
    def __init__(self, model: "ModuleModel") -> None:
        self.m = model
        self._caught: dict[int, tuple[str, ...]] = {}
        self._app_wide: Optional[bool] = None

    def caught_types(self, clause: ExceptInfo) -> tuple[str, ...]:
        """The exception classes an except clause catches, as canonical paths (`grpc.RpcError`) or builtin
        names (`Exception`); "BaseException" for a bare `except:`, "?" for a class the model cannot
        resolve."""
        memo_key = id(clause.node)
        memo = self._caught.get(memo_key)
        if memo is not None:
            return memo
        node = clause.node.type
        if node is None:
            result: tuple[str, ...] = ("BaseException",)
        else:
            elements = [e.value for e in node.elements] if isinstance(node, (cst.Tuple, cst.List)) else [node]
            result = tuple(self.exception_path(e, clause.scope) for e in elements)
        self._caught[memo_key] = result
        return result

    def exception_path(self, expr: cst.CSTNode, scope: Scope) -> str:
        if isinstance(expr, cst.Name) and not self.m.lookup(expr.value, scope):
            return expr.value  # a builtin
        value = self.m.value_of(expr, scope)
        if isinstance(value, Ref):
            return known.canonical_exception(value.path)
        if isinstance(value, ClassRef):
            # a local exception class: what it derives from decides what it catches
            return "local:" + value.info.qualname
        return "?"

    def catches(self, clause: ExceptInfo, family: str) -> bool:
        """Whether an except clause catches errors of a family: "dapr" (any error a Dapr client call
        raises, with unknown classes counted as catching), "grpc" (grpc.RpcError and DaprGrpcError),
        "internal" (DaprInternalError), "json" (JSONDecodeError), "any" (Exception, BaseException, bare)."""
        types = self.caught_types(clause)
        broad = any(t in known.BROAD_EXCEPTIONS for t in types)
        if family == "any":
            return broad
        if family == "dapr":
            # A class of this module is not in the MRO of any SDK error, so it catches none of them.
            return broad or any(t in known.DAPR_ERROR_CLASSES or t == "?" for t in types)
        if family == "grpc":
            return broad or any(t in known.GRPC_ERROR_CLASSES for t in types)
        if family == "internal":
            return any(t in known.DAPR_INTERNAL_ERROR_CLASSES for t in types)
        if family == "json":
            return broad or any(t in known.JSON_ERROR_CLASSES for t in types)
        raise ValueError(family)

    def protected_by(self, site: CallSite, family: str) -> bool:
        """Whether a call sits in the body of a `try` (same function) with a clause catching `family`."""
        return any(self.catches(clause, family) for info in site.tries for clause in info.handlers)

    def exception_raised(self, node: cst.Raise, scope: Scope) -> Optional[str]:
        """The class a `raise` statement raises (`raise SystemExit(1)`, `raise SystemExit`), or None."""
        exc = node.exc
        if exc is None:
            return None
        if isinstance(exc, cst.Call):
            exc = exc.func
        if isinstance(exc, (cst.Name, cst.Attribute)):
            path = self.exception_path(exc, scope)
            return None if path == "?" else path
        return None

    def expectation_kind(self, call: cst.Call, scope: Scope) -> Optional[str]:
        """"raises" for `pytest.raises(...)` / `self.assertRaises(...)` / `assertRaisesRegex`, "warns" for
        `pytest.warns(...)` / `pytest.deprecated_call()` / `self.assertWarns(...)` / `assertWarnsRegex`;
        None for any other call. The unittest methods count on any receiver (`self`, a TestCase helper)."""
        func = call.func
        if isinstance(func, cst.Attribute):
            attr = func.attr.value
            if attr in known.EXPECT_RAISES_METHODS:
                return "raises"
            if attr in known.EXPECT_WARNS_METHODS:
                return "warns"
        path = self.m.callee_path(call, scope)
        if path in known.EXPECT_RAISES_FUNCTIONS:
            return "raises"
        if path in known.EXPECT_WARNS_FUNCTIONS:
            return "warns"
        return None

    def catches_dapr_errors_app_wide(self) -> bool:
        """Whether the module registers an app-level handler that catches the errors a Dapr client call raises
        (a Dapr or gRPC error class, `Exception`, `BaseException`, status 500, or a class the model cannot
        resolve: when unsure, the errors count as handled)."""
        if self._app_wide is None:
            self._app_wide = self._find_app_wide_handler()
        return self._app_wide

    def _find_app_wide_handler(self) -> bool:
        m = self.m
        for info in m.functions:
            for decorator in info.decorators:
                call = decorator.decorator
                if isinstance(call, cst.Call) and _method(call) in _HANDLER_DECORATORS and call.args:
                    if self._handles(call.args[0].value, info.outer_scope):
                        return True
        for site in m.calls:
            call = site.node
            if _method(call) in _HANDLER_CALLS and call.args and self._handles(call.args[0].value, site.scope):
                return True
            if m.callee_path(call, site.scope) in _HANDLER_CONSTRUCTORS:
                for arg in call.args:
                    if arg.keyword is not None and arg.keyword.value == "exception_handlers" and isinstance(arg.value, cst.Dict):
                        for element in arg.value.elements:
                            if isinstance(element, cst.DictElement) and self._handles(element.key, site.scope):
                                return True
        return False

    def _handles(self, expr: cst.BaseExpression, scope: Scope) -> bool:
        """Whether an app-level handler registered for `expr` (a class or a status) catches Dapr errors."""
        if isinstance(expr, cst.Integer):
            return expr.value == "500"
        path = self.exception_path(expr, scope)
        return path in known.BROAD_EXCEPTIONS or path in known.DAPR_ERROR_CLASSES or path == "?"


def _method(call: cst.Call) -> Optional[str]:
    func = call.func
    return func.attr.value if isinstance(func, cst.Attribute) else None
