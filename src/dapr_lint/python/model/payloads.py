"""The payload facet of a module's model: dict displays a call sends (directly, through a name bound once, or
serialised by `json.dumps`), the signature of the SDK call a call site makes, state responses that may hold no
data, pydantic models, and the kind of value a builtin constructor or a serialiser makes (a `Kind` the model's
values carry).

Built on first use from the model's records and kept in `model.facets`: `payload_facts(model)`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import libcst as cst

from dapr_lint.python import known
from dapr_lint.python.model.records import Binding, CallSite, ClassInfo, Scope
from dapr_lint.python.model.clients import client_facts
from dapr_lint.python.model.syntax import argument
from dapr_lint.python.model.values import Const, Instance, Kind, Ref
from dapr_lint.python.sdk_table import MEMBERS

if TYPE_CHECKING:
    from dapr_lint.python.model import ModuleModel

# Builtins whose call makes a value of a known kind (unless the module rebinds the name).
_BUILTIN_CONSTRUCTORS = {"dict": "dict", "list": "list", "tuple": "tuple", "set": "set", "str": "str", "bytes": "bytes"}
# Methods that change a dict in place.
_MUTATORS = frozenset({"update", "setdefault", "pop", "popitem", "clear", "__setitem__", "__delitem__"})


def payload_facts(model: "ModuleModel") -> "PayloadFacts":
    """The payload facet of a module (built once per model)."""
    return model.facet("payloads", PayloadFacts)


class PayloadFacts:
    def __init__(self, model: "ModuleModel") -> None:
        self.m = model
        self._sdk_calls: Optional[list[tuple[CallSite, tuple[str, str, tuple[str, ...]]]]] = None

    def sdk_calls(self) -> list[tuple[CallSite, tuple[str, str, tuple[str, ...]]]]:
        """Every call site of the module with its `sdk_call` answer, where it has one (computed once: the
        payload rules each read them all)."""
        if self._sdk_calls is None:
            found = []
            for site in self.m.calls:
                call = self.sdk_call(site)
                if call is not None:
                    found.append((site, call))
            self._sdk_calls = found
        return self._sdk_calls

    def dict_literal_of(self, expr: Optional[cst.CSTNode], scope: Scope) -> Optional[tuple[cst.Dict, Scope]]:
        """The dict display an expression is, with the scope its entries are evaluated in: the display
        itself, or a name bound once, to a display, and never changed afterwards through a subscript or
        a mutating method."""
        if isinstance(expr, cst.Dict):
            return expr, scope
        if not isinstance(expr, cst.Name):
            return None
        binding = self.single_assignment(expr.value, scope)
        if binding is None or not isinstance(binding.value, cst.Dict):
            return None
        return binding.value, binding.scope

    def json_dumped_dict(self, expr: Optional[cst.CSTNode], scope: Scope) -> Optional[tuple[cst.Dict, Scope]]:
        """The dict display serialised by `json.dumps(<display>)`, directly or through a name bound once."""
        if isinstance(expr, cst.Name):
            binding = self.single_assignment(expr.value, scope)
            if binding is None:
                return None
            expr, scope = binding.value, binding.scope
        if not isinstance(expr, cst.Call) or not expr.args or expr.args[0].keyword is not None:
            return None
        func = self.m.value_of(expr.func, scope)
        if not isinstance(func, Ref) or known.canonical(func.path) != "json.dumps":
            return None
        return self.dict_literal_of(expr.args[0].value, scope)

    def sdk_call(self, site: CallSite) -> Optional[tuple[str, str, tuple[str, ...]]]:
        """(owner class path, method name or "__init__", parameter names) when a call is a method of a
        Dapr client (or a local subclass) or constructs one of the SDK's payload classes (StateItem,
        TransactionalStateOperation, BulkPublishEntry)."""
        func = site.node.func
        if isinstance(func, cst.Attribute):
            kind = client_facts(self.m).client_of(func.value, site.scope)
            if kind is not None:
                member = MEMBERS.get(kind.path, {}).get(func.attr.value)
                if member is None or member.get("kind") != "method" or member.get("params") is None:
                    return None
                return kind.path, func.attr.value, member["params"]
        if isinstance(func, (cst.Name, cst.Attribute)):
            value = self.m.value_of(func, site.scope)
            if isinstance(value, Ref):
                path = known.canonical(value.path)
                params = known.PAYLOAD_CLASSES.get(path)
                if params is not None:
                    return path, "__init__", params
        return None

    def single_assignment(self, name: str, scope: Scope) -> Optional[Binding]:
        bindings = self.m.lookup(name, scope)
        if not bindings or len(bindings) != 1 or bindings[0].kind != "assign" or bindings[0].value is None:
            return None
        binding = bindings[0]
        home = binding.scope
        for context, detail in self.m.uses_of(name, home):
            if context == "subscript" or context == "nested" or (context == "attr" and detail in _MUTATORS):
                return None
        return binding

    def is_state_response(self, expr: cst.CSTNode, scope: Scope) -> bool:
        """Whether an expression is a StateResponse that may hold no data (what `get_state` returns for a missing
        key). One built here from a non-empty literal (`StateResponse(data=b'{"a": 1}')`, a test double) cannot
        be empty."""
        value = self.m.value_of(expr, scope)
        if not (isinstance(value, Instance) and value.local is None and value.path == known.STATE_RESPONSE):
            return False
        built: Optional[cst.CSTNode] = expr
        if isinstance(expr, cst.Name):
            binding = self.single_assignment(expr.value, scope)
            built = binding.value if binding is not None else None
        if isinstance(built, cst.Call) and self.m.qualified_name(built.func, scope) == known.STATE_RESPONSE:
            data = argument(built, 0, "data")
            literal = self.m.value_of(data, scope) if data is not None else None
            if isinstance(literal, Const) and isinstance(literal.value, (str, bytes)) and literal.value:
                return False
        return True

    def is_tested(self, name: str, scope: Scope) -> bool:
        """Whether `name` is read in a condition in `scope` or an enclosing scope of the same function
        (`if resp.data:`, `resp.data or b"{}"`, `assert resp.etag`)."""
        current: Optional[Scope] = scope
        while current is not None:
            if name in current.test_names:
                return True
            if current.kind != "comprehension":
                return False
            current = current.parent
        return False

    def produced_kind(self, expr: cst.Call, scope: Scope, depth: int) -> Optional[Kind]:
        """The kind a builtin constructor or a pydantic serialiser returns, when the callee is not a
        local function that the model resolved otherwise."""
        func = expr.func
        if isinstance(func, cst.Name):
            kind = _BUILTIN_CONSTRUCTORS.get(func.value)
            if kind is not None and not self.m.lookup(func.value, scope):
                return Kind(kind, "call")
            return None
        if not isinstance(func, cst.Attribute):
            return None
        attr = func.attr.value
        if attr == "model_dump_json":
            return Kind("str", "model_dump_json")
        if attr == "model_dump":
            return Kind("dict", "model_dump")
        if attr in ("dict", "json") and not expr.args:
            # pydantic v1 names: only on an instance of a local pydantic model
            base = self.m.value_of(func.value, scope, depth)
            if isinstance(base, Instance) and base.local is not None and self.is_pydantic_model(base.local):
                return Kind("dict", "pydantic.dict") if attr == "dict" else Kind("str", "pydantic.json")
        return None

    def is_pydantic_model(self, klass: ClassInfo) -> bool:
        """Whether a local class derives (through local classes) from pydantic's BaseModel."""
        for owner in self.m.class_chain(klass):
            for base in owner.bases:
                value = self.m.value_of(base, owner.outer_scope)
                if isinstance(value, Ref) and value.path in known.PYDANTIC_MODELS:
                    return True
        return False
