"""App-level error handlers: what a web framework calls for an exception no route caught (DPR301).

FastAPI/Starlette: `@app.exception_handler(E)`, `app.add_exception_handler(E, f)`, `FastAPI(exception_handlers={E:
f})`; Flask: `@app.errorhandler(E)`, `app.register_error_handler(E, f)`, a blueprint's `@bp.app_errorhandler(E)`.
A handler for status 500 counts as one for any exception (Starlette's ServerErrorMiddleware takes a 500 or
`Exception` handler; Flask hands an unhandled exception to the 500 handler)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import libcst as cst

from dapr_lint.python import known

if TYPE_CHECKING:
    from dapr_lint.python.model import ModuleModel, Scope

_DECORATORS = frozenset({"exception_handler", "errorhandler", "app_errorhandler"})
_CALLS = frozenset({"add_exception_handler", "register_error_handler"})
_CONSTRUCTORS = frozenset({known.FASTAPI_APP, "starlette.applications.Starlette"})


def catches_dapr_errors_app_wide(model: "ModuleModel") -> bool:
    """Whether the module registers an app-level handler that catches the errors a Dapr client call raises
    (a Dapr or gRPC error class, `Exception`, `BaseException`, status 500, or a class the model cannot resolve:
    when unsure, the errors count as handled)."""
    for info in model.functions:
        for decorator in info.decorators:
            call = decorator.decorator
            if isinstance(call, cst.Call) and _method(call) in _DECORATORS and call.args:
                if _catches(model, call.args[0].value, info.outer_scope):
                    return True
    for site in model.calls:
        call = site.node
        if _method(call) in _CALLS and call.args and _catches(model, call.args[0].value, site.scope):
            return True
        if model.callee_path(call, site.scope) in _CONSTRUCTORS:
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value == "exception_handlers" and isinstance(arg.value, cst.Dict):
                    for element in arg.value.elements:
                        if isinstance(element, cst.DictElement) and _catches(model, element.key, site.scope):
                            return True
    return False


def _method(call: cst.Call) -> Optional[str]:
    func = call.func
    return func.attr.value if isinstance(func, cst.Attribute) else None


def _catches(model: "ModuleModel", expr: cst.BaseExpression, scope: "Scope") -> bool:
    if isinstance(expr, cst.Integer):
        return expr.value == "500"
    path = model.exception_path(expr, scope)
    return path in known.BROAD_EXCEPTIONS or path in known.DAPR_ERROR_CLASSES or path == "?"
