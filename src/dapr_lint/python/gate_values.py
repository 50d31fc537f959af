"""The first pass's reading of the SDK's value classes (python/gate.py): the response classes of the member table
(`dapr.clients.grpc._response.StateResponse`, ...), written in a file that uses them without a client.

The model types an instance of such a class from a construction (`StateResponse(data=b"x")`) or an annotation
(`resp: StateResponse`, `Optional["StateResponse"]`), whatever the pin, from the newest member table
(python/model `_instantiate`, `type_from_annotation`). What it then reads of the instance:
- DPR108 (rules/clients.py `unknown_sdk_member`): every attribute read on it, judged by the pin
  (`member_absence`), and the keywords of a call of one of its methods (`keyword_absence`, the method's
  parameters); a subscript of a secret response;
- DPR205 (rules/payloads.py `_state_json_target`): `.json()`, `json.loads(resp.data)` and the like on a
  StateResponse;
- a method's result, typed when the member table names a class of its own (none of these classes' methods do),
  and a coroutine when the method is `async` (none is).
No other rule or summary fact keys on these classes: the constructor's keywords are checked for clients only
(rules/clients.py `_signature_of`) and no summary fact holds an SDK instance (`maybe_project` leaves `dapr` out).

So the first pass lets these classes pass only where what the model makes of them stays in reach: a class named
as a callee, in an annotation, a checked type or a comparison; each instance (a construction, a name bound to
one or annotated as one) read only as a receiver whose attribute the rules accept, an argument, a statement, a
test or an operand, or bound to a plain name in a function or module. Anything else opens (`Open`): an instance
returned, yielded, awaited, entered, stored in an attribute or a class body, subscripted, unpacked.

`ValueTypes` is the typing other families reuse: `instance_class`, the value class of what an expression holds
as the model would type it (or None); `read_at`, whether an instance may stand where it is written; and with
`results` (a client method's result typed by its family), `check` reads those instances as well.
"""

from __future__ import annotations

import ast
import re
from typing import Any, Callable, Optional

from dapr_lint.python import known
from dapr_lint.python.model.streams import JOB_CLASSES
from dapr_lint.python.sdk_releases import SdkPin, keyword_absence, member_absence, unpinned
from dapr_lint.python.sdk_table import MEMBERS

# The SDK classes the model types an instance of that are neither a client nor a framework class: the response
# classes of the member table.
VALUE_CLASSES = frozenset(path for path in MEMBERS if path not in known.CLIENTS and path not in known.FRAMEWORK_CLASSES)
_SECRET_RESPONSES = frozenset(
    {"dapr.clients.grpc._response.GetSecretResponse", "dapr.clients.grpc._response.GetBulkSecretResponse"}
)
# SDK classes the model types no instance of, and reads only by the path of a call's callee or of a member
# (`callee_path`, `value_of` of an attribute): what each rule reads of a construction is checked by
# `construction`; `DaprHealth.wait_until_ready` is DPR109's.
CALLED_CLASSES = JOB_CLASSES | frozenset(known.PAYLOAD_CLASSES) | {known.DAPR_HEALTH}
_DEPRECATED_MEMBERS = frozenset({known.DAPR_HEALTH + ".wait_until_ready"})
# (rules/payloads.py `_CONSTRUCTOR_PAYLOADS`, `_CONSTRUCTOR_METADATA`)
_PAYLOAD_PARAM = {known.STATE_ITEM: "value", known.TRANSACTIONAL_OPERATION: "data"}
_METADATA_OWNERS = frozenset({known.STATE_ITEM, known.BULK_PUBLISH_ENTRY})
_STATUSES = frozenset({"success", "retry", "drop"})
# the nodes that open a scope of their own
_SCOPES = (
    ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp, ast.SetComp, ast.DictComp,
    ast.GeneratorExp,
)
# where an instance may stand with nothing read of it: a test, an operand, an f-string's value
_OPERANDS = (ast.Compare, ast.BoolOp, ast.UnaryOp, ast.If, ast.While, ast.Assert, ast.FormattedValue)


# what another family types as a value class: (a call or the `await` of one, its scope) -> the class, or None
Results = Callable[[ast.expr, Any], Optional[str]]


class Open(Exception):
    """The model may read a value class where the first pass does not: the file goes the full way."""


class ValueTypes:
    """What the model types as an instance of a value class, in a walked module (`walk`: python/gate.py's
    `_WalkFacts`, whose `value`, `lookup` and `index` mirror the model's resolution)."""

    def __init__(self, walk: Any, tree: ast.Module, sdk: Optional[SdkPin], results: Optional[Results] = None) -> None:
        """`results`: what another family types as a value class (a client method's result, python/gate_clients.py):
        given a call, or the `await` of one, and its scope, the value class the model types it as, or None."""
        self.walk, self.tree, self.results = walk, tree, results
        self.sdk = sdk or unpinned()  # the model's default (ModuleModel.build)
        self.parents: dict[int, ast.AST] = walk.index(tree)[1]
        self.typed: dict[int, Optional[str]] = {}  # binding id -> its class (None: not an instance of one)
        self.returning: set[int] = set()  # the functions whose calls are read as instances (`returned`)
        self.bound_names: Optional[frozenset[str]] = None

    # -- typing (the API) ----------------------------------------------------------------------------

    def class_of(self, expr: ast.expr, scope: Any) -> Optional[str]:
        """The value class a Name/Attribute chain names (`StateResponse`, `_response.StateResponse`), or None."""
        if not isinstance(expr, (ast.Name, ast.Attribute)):
            return None
        value = self.walk.value(expr, scope)
        if value[0] == "ref" and known.canonical(value[1]) in VALUE_CLASSES:
            return known.canonical(value[1])
        return None

    def instance_class(self, expr: ast.expr, scope: Any) -> Optional[str]:
        """The value class an expression is an instance of, as the model may type it: a construction, or a name
        one of whose bindings is typed (the model joins them: with any other value it knows nothing; this
        answers the class all the same, so that every place such a name is read is checked)."""
        if isinstance(expr, ast.Call):
            found = self.class_of(expr.func, scope) or self.local_result(expr, scope, False)
            if found is not None or self.results is None:
                return found
            return self.results(expr, scope)
        if isinstance(expr, ast.Await):
            if isinstance(expr.value, ast.Call):
                found = self.local_result(expr.value, scope, True)
                if found is not None:
                    return found
            return self.results(expr, scope) if self.results is not None else None
        if isinstance(expr, ast.Name):
            for binding in self.walk.lookup(expr.id, scope) or ():
                found = self.binding_class(binding)
                if found is not None:
                    return found
        return None

    def local_result(self, call: ast.Call, scope: Any, awaited: bool) -> Optional[str]:
        """The value class a call of a local function by its name returns (awaited, for a coroutine function)."""
        if not isinstance(call.func, ast.Name):
            return None
        for binding in self.walk.lookup(call.func.id, scope) or ():
            if binding.kind == "def" and binding.target.is_async == awaited:
                found = self.function_class(binding.target)
                if found is not None:
                    return found
        return None

    def function_class(self, info: Any) -> Optional[str]:
        """The value class a local function may return: a `return` of its own (not a nested function's) whose
        value is an instance."""
        key = -id(info)  # (kept with the bindings' answers)
        if key in self.typed:
            return self.typed[key]
        self.typed[key] = None
        found: Optional[str] = None
        stack: list[ast.AST] = list(info.node.body) if isinstance(info.node, (ast.FunctionDef, ast.AsyncFunctionDef)) else []
        while stack and found is None:
            node = stack.pop()
            if isinstance(node, _SCOPES):
                continue
            if isinstance(node, ast.Return) and node.value is not None and info.inner is not None:
                found = self.instance_class(node.value, info.inner)
            stack.extend(ast.iter_child_nodes(node))
        self.typed[key] = found
        return found

    def binding_class(self, binding: Any) -> Optional[str]:
        key = id(binding)
        if key in self.typed:
            return self.typed[key]
        self.typed[key] = None  # a cycle (`a = b; b = a`) types nothing
        found: Optional[str] = None
        if binding.kind in ("param", "annotation", "assign") and binding.annotation is not None:
            scopes = (binding.scope, binding.scope.parent) if binding.kind == "param" else (binding.scope,)
            found = next((c for s in scopes if s is not None for c in self.annotated(binding.annotation, s)), None)
        if found is None and binding.kind == "assign" and isinstance(binding.value, ast.expr):
            found = self.instance_class(binding.value, binding.scope)
        self.typed[key] = found
        return found

    def annotated(self, annotation: ast.expr, scope: Any, depth: int = 0) -> list[str]:
        """The value classes an annotation may type (`V`, `"V"`, `Optional[V]`, `Union[V, ...]`, `V | None`,
        `Annotated[V, ...]`): every class the model may join (it gives UNKNOWN for two)."""
        if depth > 8:
            raise Open
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            try:
                parsed = ast.parse(annotation.value.strip(), mode="eval").body
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                raise Open from None  # LibCST may parse what CPython does not
            return self.annotated(parsed, scope, depth + 1)
        if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
            return [*self.annotated(annotation.left, scope, depth + 1), *self.annotated(annotation.right, scope, depth + 1)]
        if isinstance(annotation, ast.Subscript):
            origin = self.walk.value(annotation.value, scope) if isinstance(annotation.value, (ast.Name, ast.Attribute)) else None
            path = known.canonical(origin[1]) if origin is not None and origin[0] == "ref" else None
            if path not in known.ANNOTATION_WRAPPERS:
                return []  # `list[V]`, `Type[V]`: UNKNOWN in the model
            parts = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else [annotation.slice]
            if path in known.ANNOTATION_ANNOTATED:
                parts = parts[:1]
            return [c for part in parts for c in self.annotated(part, scope, depth + 1)]
        found = self.class_of(annotation, scope)
        return [found] if found is not None else []

    def bound(self) -> frozenset[str]:
        """Every identifier the file binds anywhere (`_bound_anywhere`), made once."""
        if self.bound_names is None:
            self.bound_names = _bound_anywhere(self.walk.index(self.tree)[0])
        return self.bound_names

    # -- the check ------------------------------------------------------------------------------------

    def check(self, named: list[tuple[ast.expr, Any]], chains: list[tuple[ast.expr, Any]]) -> None:
        """Opens unless every value class named (`named`: the chains naming one) stands where the model reads
        nothing by it but the instance it types, and every instance is read only where the rules stay silent.
        `chains`: every name and attribute chain of the walk, with its scope. With `results`, every call of the
        walk (or its `await`) typed as a value class is an instance too, read where it stands."""
        if self.results is not None:
            for call, scope in self.walk.calls:
                up = self.parents.get(id(call))
                expr = up if isinstance(up, ast.Await) else call
                path = self.results(expr, scope)
                if path is not None:
                    self.read_at(expr, scope, path)
        for expr, scope in named:
            path = self.class_of(expr, scope)
            if path is not None:
                self.named_at(expr, scope, path)
                continue
            value = self.walk.value(expr, scope)
            path = known.canonical(value[1]) if value[0] == "ref" else ""
            if _called_class(path):
                self.called_at(expr, scope, path)
            elif path in _DEPRECATED_MEMBERS or not value_class_named(path):
                raise Open  # DPR109 (or a chain the gate resolved otherwise: never)
        names = {path.rsplit(".", 1)[-1] for path in VALUE_CLASSES}
        for node in self.walk.index(self.tree)[0]:
            if type(node) is ast.AnnAssign and names & _written(node.annotation):  # type: ignore[attr-defined]
                self.annotated_target(node)  # type: ignore[arg-type]
        for expr, scope in chains:
            root = expr
            while isinstance(root, ast.Attribute):
                root = root.value
            if not isinstance(root, ast.Name):
                continue
            path = self.instance_class(root, scope)
            if path is not None:
                self.read_at(root, scope, path)

    def annotated_target(self, node: ast.AnnAssign) -> None:
        """Opens for an annotation that may type an attribute (`self.resp: V = ...`) or a class's field (`resp: V`
        in a class body, read as `self.resp`): the model types those, read through the instance."""
        if not isinstance(node.target, ast.Name):
            raise Open
        up = self.parents.get(id(node))
        while up is not None and not isinstance(up, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.Module)):
            if isinstance(up, ast.ClassDef):
                raise Open
            up = self.parents.get(id(up))

    def named_at(self, expr: ast.expr, scope: Any, path: str) -> None:
        """A class named: called (its instance is then read where the call stands), or written in an annotation,
        a checked type, a comparison or a class's bases."""
        up = self.parents.get(id(expr))
        if up is None:
            return  # a name in a string annotation (the binding it types is read where it is used)
        if isinstance(up, ast.Call) and up.func is expr:
            self.read_at(up, scope, path)
            return
        node: ast.AST = expr
        if isinstance(up, ast.Tuple) and isinstance(self.parents.get(id(up)), ast.Call):
            node, up = up, self.parents[id(up)]
        if (
            isinstance(up, ast.Call) and isinstance(up.func, ast.Name) and up.func.id in ("isinstance", "issubclass")
            and not self.walk.lookup(up.func.id, scope) and len(up.args) == 2 and up.args[1] is node and not up.keywords
        ):
            return
        if isinstance(up, ast.Compare):
            return
        if isinstance(up, ast.ClassDef) and any(node is base for base in up.bases):
            # a local subclass: the model types its instances as the local class (DPR108 reads SDK classes
            # only) and follows only local bases; the actor facts' `_base_kind` names it as an import
            return
        subscripted = False
        while isinstance(up, (ast.Tuple, ast.List, ast.Subscript, ast.BinOp)):  # (`Callable[[V], None]`)
            subscripted = subscripted or isinstance(up, ast.Subscript)
            node, up = up, self.parents.get(id(up))
        if (
            (isinstance(up, ast.arg) and up.annotation is node)
            or (isinstance(up, (ast.FunctionDef, ast.AsyncFunctionDef)) and up.returns is node)
            or (isinstance(up, ast.AnnAssign) and up.annotation is node)
        ):
            return
        if subscripted:
            # inside a subscript anywhere else (a type alias `X = Callable[..., Union[str, V]]`, `cast(Optional[V],
            # x)`): the model's value of a subscript is unknown and reads only annotations through typing's
            # wrappers (`type_from_annotation`: a name bound to one types nothing), a tuple or list holding one is
            # a literal kind whose items nothing reads, and an unpacking binds each target to nothing
            return
        raise Open  # an alias, an argument, a default: a value the model may pass on

    def called_at(self, expr: ast.expr, scope: Any, path: str) -> None:
        """A class of CALLED_CLASSES named: called (`construction`), or where the model reads nothing by it (an
        annotation, a checked type, a comparison, the receiver of a member, an argument: a parameter without a
        type); an alias opens (the model would read its calls, or its members, through it: `self.h = DaprHealth`)."""
        up = self.parents.get(id(expr))
        if up is None:
            return  # a name in a string annotation: the model types nothing by these classes
        if isinstance(up, ast.Call) and up.func is expr:
            _Constructions(self.walk, self.parents, self.bound).construction(up, scope, path)
            return
        if isinstance(up, ast.Attribute) and up.value is expr:
            return  # a member: its own chain (DPR109's `wait_until_ready` opens there)
        if (isinstance(up, ast.Call) and expr in up.args) or (isinstance(up, ast.keyword) and up.arg is not None):
            return  # an argument (`assertIsInstance(job, Job)`): a parameter the model types nothing by
        self.named_at(expr, scope, path)

    def read_at(self, expr: ast.expr, scope: Any, path: str) -> None:
        """An instance of `path` (a construction, or a read of a name typed as one), where it stands."""
        up = self.parents.get(id(expr))
        if up is None:
            raise Open  # a name in a string annotation
        if isinstance(up, ast.Attribute) and up.value is expr:
            self.member_read(up, path, scope)
            return
        if isinstance(up, (ast.Assign, ast.AnnAssign, ast.NamedExpr)) and up.value is expr:
            targets = up.targets if isinstance(up, ast.Assign) else [up.target]
            for target in targets:
                if not isinstance(target, ast.Name):
                    raise Open  # an attribute, a subscript, an unpacking
                if any(b.scope.kind == "class" for b in self.walk.lookup(target.id, scope) or ()):
                    raise Open  # a class attribute: the model reads it through `self.x`, `Cls.x`
            return
        if isinstance(up, ast.Expr):
            return
        if isinstance(up, ast.Call) and expr is not up.func:
            return  # an argument (a starred one sits under ast.Starred)
        if isinstance(up, ast.keyword) and up.arg is not None:
            return
        if isinstance(up, (ast.List, ast.Tuple, ast.Set, ast.Dict)) and isinstance(self.parents.get(id(up)), (ast.Call, ast.keyword)):
            return  # an item of a literal passed as an argument
        if isinstance(up, _OPERANDS) or (isinstance(up, ast.IfExp) and up.test is expr):
            return
        if isinstance(up, ast.Return) and up.value is expr:
            self.returned(up, path)
            return
        raise Open  # yielded, awaited, entered, subscripted, called, a default, ...

    def returned(self, node: ast.Return, path: str) -> None:
        """An instance returned by a function: the model types each call of it as one (`_returned_value`; a
        coroutine function's calls as a coroutine, awaited to one). Read where each call stands, when every read
        of the function is a call by its name; opens for a lambda, a function reached through an attribute (a
        method: `self.f()`), or passed on."""
        function: Optional[ast.AST] = self.parents.get(id(node))
        while function is not None and not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            function = self.parents.get(id(function))
        info = self.walk.function_of(function)
        if info is None:
            raise Open  # a lambda's
        if id(function) in self.returning:
            return  # its calls are read (another `return`, or a recursive call)
        self.returning.add(id(function))
        # a member of its name (`self.f()`, `Cls.f()`, `super().f()`, or any other receiver's `f`): the model may
        # resolve it to this function, so each is read as such a call, which it must be
        members = sum(1 for n in self.walk.index(self.tree)[0] if type(n) is ast.Attribute and n.attr == info.name)
        if members:
            for call, scope in self.walk.calls:
                if type(call.func) is ast.Attribute and call.func.attr == info.name:
                    members -= 1
                    self.call_read(call, scope, info, path)
            if members:
                raise Open  # read without a call (a bound method passed on, a property, a store)
        for expr, scope in self.walk.chains:
            if type(expr) is not ast.Name or expr.id != info.name:
                continue
            if not any(b.kind == "def" and b.target is info for b in self.walk.lookup(expr.id, scope) or ()):
                continue
            call = self.parents.get(id(expr))
            if isinstance(call, ast.Call) and call.func is expr:
                self.call_read(call, scope, info, path)
            elif not _handed_as_argument(expr, call):
                raise Open  # aliased, stored, returned: called where this pass does not look

    def call_read(self, call: ast.Call, scope: Any, info: Any, path: str) -> None:
        """A call of a function returning an instance of `path` (`info`: the walk's function): the instance, read
        where the call stands (a coroutine function's where its `await` stands)."""
        if info.is_async:
            awaited = self.parents.get(id(call))
            if isinstance(awaited, ast.Await) and awaited.value is call:
                self.read_at(awaited, scope, path)
            elif not self.coroutine_handed_on(call, scope):
                raise Open  # a coroutine held or passed on (awaited later, it is an instance)
        else:
            self.read_at(call, scope, path)

    def coroutine_handed_on(self, call: ast.Call, scope: Any) -> bool:
        """`coro = f(...)` in a function, `coro` bound once and read only as an argument of calls (`loop.
        run_until_complete(coro)`): the model's Coroutine is awaited nowhere here (only `await` makes it the
        instance), a script runner given a name does not read it as an entry (python/model/handlers.py reads a
        function or a call), and DPR104 reads the SDK's coroutines only."""
        statement = self.parents.get(id(call))
        if not (isinstance(statement, ast.Assign) and statement.value is call and len(statement.targets) == 1):
            return False
        target = statement.targets[0]
        if not isinstance(target, ast.Name) or scope.kind != "function":
            return False
        bindings = self.walk.lookup(target.id, scope) or []
        if len(bindings) != 1 or bindings[0].value is not call:
            return False
        for expr, where in self.walk.chains:
            if type(expr) is ast.Name and expr.id == target.id and self.walk.lookup(expr.id, where) is bindings:  # type: ignore[attr-defined]
                up = self.parents.get(id(expr))
                if not ((isinstance(up, ast.Call) and any(expr is a for a in up.args)) or (isinstance(up, ast.keyword) and up.arg is not None)):
                    return False  # awaited, returned, stored, entered, starred: the model may read it
            elif _root_is(expr, target.id) and self.walk.lookup(target.id, where) is bindings:
                return False  # a member of the coroutine read
        return True

    def member_read(self, node: ast.Attribute, path: str, scope: Any) -> None:
        """`instance.attr`: silent in DPR108 and DPR205, and a value the model types as nothing further."""
        if not isinstance(node.ctx, ast.Load):
            store = self.parents.get(id(node))
            if isinstance(store, ast.Assign) and any(node is target for target in store.targets) and path != known.STATE_RESPONSE:
                return  # `resp.headers = ...`: DPR108 reads no store, and the value assigned is read where it is written
            raise Open  # a deletion, an augmented or unpacked store; a StateResponse's (DPR205 reads what it holds)
        attr, members, sdk = node.attr, MEMBERS[path], self.sdk
        if not attr.startswith("_"):  # DPR108 skips those
            absence = member_absence(path, attr, sdk) if sdk.older_than_newest else None
            if sdk.older_than_newest and absence is None:
                pass
            elif (absence is not None and absence.kind != "unknown") or attr not in members:
                raise Open  # DPR108 reports it
        member = members.get(attr)
        up = self.parents.get(id(node))
        if path == known.STATE_RESPONSE and attr in ("json", "data", "text"):
            _StateJson(self.walk, self.parents, self.class_of).state_decoded(node, up, scope)
        if member is None or member.get("kind") != "method":
            return  # the model knows nothing of its value
        if not (isinstance(up, ast.Call) and up.func is node):
            raise Open  # a bound method passed on (the model's SdkMethod)
        if member.get("is_async") or member.get("returns") in MEMBERS:
            raise Open  # a coroutine, or an instance the model types
        params = member.get("params")
        if params is None:
            return
        for keyword in up.keywords:
            if keyword.arg is None:
                continue
            absence = keyword_absence(path, attr, keyword.arg, sdk) if sdk.older_than_newest else None
            if sdk.older_than_newest and absence is None:
                continue
            if (absence is not None and absence.kind != "unknown") or keyword.arg not in params:
                raise Open  # DPR108 reports the keyword


class _Constructions:
    """What the rules read of a construction of a class of CALLED_CLASSES (`ValueTypes.called_at`)."""

    def __init__(self, walk: Any, parents: dict[int, ast.AST], bound: Callable[[], frozenset[str]]) -> None:
        self.walk, self.parents, self.bound = walk, parents, bound

    def construction(self, call: ast.Call, scope: Any, path: str) -> None:
        """`C(...)` of a class of CALLED_CLASSES: silent in the rules that read it, or opens."""
        if path in JOB_CLASSES:
            # DPR420 (rules/streams.py `invalid_job`) reads every construction of a module that schedules none
            # (none does here: that takes a client) unless it is a test module, which checks the Job class itself
            if not (self.walk.imports_module("unittest") or self.walk.imports_module("pytest")):
                raise Open
            return
        if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
            raise Open  # arguments placed where this pass cannot tell
        if path == known.DAPR_HEALTH:
            return  # the model's value of the construction is unknown
        if path in known.PAYLOAD_CLASSES:
            params = known.PAYLOAD_CLASSES[path]
            payload = _call_argument(call, params, _PAYLOAD_PARAM.get(path, ""))
            if payload is not None and not self.string_payload(payload, scope):
                raise Open  # DPR201 may read a container, a number (or a delete operation's data)
            metadata = _call_argument(call, params, "metadata") if path in _METADATA_OWNERS else None
            if metadata is not None and not _string_metadata(metadata):
                raise Open  # DPR203 may read a value that is not a str
            return
        # any SDK module's TopicEventResponse: DPR403 (rules/service.py `_topic_event_responses`) reads a status
        # the model knows as a constant
        status = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "status"), None)
        if status is None or (isinstance(status, ast.Constant) and isinstance(status.value, str) and status.value.lower() in _STATUSES):
            return
        if not self.never_constant(status, scope) and not self.expected_to_raise(call, scope):
            raise Open

    def expected_to_raise(self, node: ast.AST, scope: Any) -> bool:
        """Inside the body of a `with` a test expects to raise (`self.assertRaises(...)`, `pytest.raises(...)`:
        python/model/exceptions.py `expectation_kind`): the engine drops a finding predicting an exception there
        (engine/python_stage.py `_expected_failures_removed`; DPR403 predicts one)."""
        child, up = node, self.parents.get(id(node))
        while up is not None and not isinstance(up, _SCOPES):  # (the `with` read in the construction's scope)
            if isinstance(up, (ast.With, ast.AsyncWith)) and any(child is statement for statement in up.body):
                for item in up.items:
                    call = item.context_expr
                    if not isinstance(call, ast.Call):
                        continue
                    if isinstance(call.func, ast.Attribute) and call.func.attr in known.EXPECT_RAISES_METHODS:
                        return True
                    if isinstance(call.func, (ast.Name, ast.Attribute)):
                        callee = self.walk.value(call.func, scope)
                        if callee[0] == "ref" and known.canonical(callee[1]) in known.EXPECT_RAISES_FUNCTIONS:
                            return True
            child, up = up, self.parents.get(id(up))
        return False

    def string_payload(self, expr: ast.expr, scope: Any) -> bool:
        """A payload the model knows as a str or bytes, None, or a value it does not know: never a container or
        a number (rules/payloads.py `_non_json_payload`)."""
        if isinstance(expr, ast.Constant):
            return expr.value is None or isinstance(expr.value, (str, bytes))
        if isinstance(expr, ast.JoinedStr):
            return True
        if isinstance(expr, ast.Call) and isinstance(expr.func, (ast.Name, ast.Attribute)):
            value = self.walk.value(expr.func, scope)
            return value[0] == "ref" and known.canonical(value[1]) in ("json.dumps", "orjson.dumps")
        return self.never_constant(expr, scope)

    def never_constant(self, expr: ast.expr, scope: Any) -> bool:
        """A name or member the model's value of is never a constant nor a kind: a name bound only as a loop or
        `except` target or a parameter (typed, if at all, as an instance), a member of an import, or a member of
        a loop or `except` target of a function (the model reads `x.attr` bindings of module-level names only), or
        a member of any value by a name nothing in the file binds (`_bound_anywhere`)."""
        if isinstance(expr, ast.Attribute):
            if expr.attr not in self.bound():
                return True
            root: ast.expr = expr
            while isinstance(root, ast.Attribute):
                root = root.value
            value = self.walk.value(expr, scope) if isinstance(root, ast.Name) else ("unknown",)
            if value[0] == "ref":
                return True
            if not isinstance(root, ast.Name):
                return False
            bindings = self.walk.lookup(root.id, scope) or []
            if any(self.untyped_parameter(b) for b in bindings):
                return True  # the model joins the bindings: one it knows nothing of makes the name unknown
            # not a parameter: the model types `self` and annotated ones, whose members may be constants
            return bool(bindings) and all(b.kind == "unknown" and b.scope.kind != "module" for b in bindings)
        if isinstance(expr, ast.Name):
            bindings = self.walk.lookup(expr.id, scope) or []
            return bool(bindings) and all(b.kind in ("unknown", "param") for b in bindings)
        return False

    def untyped_parameter(self, binding: Any) -> bool:
        """A parameter the model binds with no value (python/model/builder.py): no annotation, and not the first
        parameter of a method (bound as `self` or `cls`). A lambda's are all such (no function of the walk)."""
        if binding.kind != "param" or binding.annotation is not None:
            return False
        info = next((f for f in self.walk.functions if f.inner is binding.scope), None)
        if info is None or info.klass is None:
            return True
        args = info.node.args  # (in the model's order: python/model/builder.py `all_params`)
        params = [*args.posonlyargs, *args.args, *filter(None, [args.vararg]), *args.kwonlyargs, *filter(None, [args.kwarg])]
        return not params or binding.scope.bindings[params[0].arg][0] is not binding  # (bound first, in order)


class _StateJson:
    """DPR205's reading of a StateResponse decoded as JSON (`ValueTypes.member_read`)."""

    def __init__(self, walk: Any, parents: dict[int, ast.AST], class_of: Any) -> None:
        self.walk, self.parents, self.class_of = walk, parents, class_of

    def state_decoded(self, node: ast.Attribute, up: Optional[ast.AST], scope: Any) -> None:
        """Opens where DPR205 (rules/payloads.py `_state_json_target`) may read a StateResponse decoded as JSON:
        `.json(...)`, and `.data`, `.text()`, `.data.decode()` as the first positional argument of a call of
        `json.loads` or `orjson.loads`."""
        if node.attr == "json":
            if self.built_full(node.value, scope):
                return
            raise Open
        value: Optional[ast.AST] = node
        if node.attr == "text" or (isinstance(up, ast.Attribute) and up.attr == "decode"):
            # the call `resp.text()` / `resp.data.decode()`
            callee = node if node.attr == "text" else up
            call = self.parents.get(id(callee))
            value = call if isinstance(call, ast.Call) and call.func is callee else None
        if value is None:
            return
        outer = self.parents.get(id(value))
        if not (isinstance(outer, ast.Call) and outer.args and outer.args[0] is value):
            return
        if not isinstance(outer.func, (ast.Name, ast.Attribute)):
            return  # the model's callee path is None
        if not (self.walk.imports_module("json") or self.walk.imports_module("orjson")):
            return  # the model makes an import path only of an import: no callee is either function
        callee = self.walk.value(outer.func, scope)
        if callee[0] == "ref" and known.canonical(callee[1]) not in ("json.loads", "orjson.loads"):
            return
        if callee[0] != "ref" and isinstance(outer.func, ast.Name):
            return  # (a name's import path is the model's: the same bindings followed)
        raise Open  # `json.loads`, or a member the model may follow to it (`self.decode = json.loads`)


    def built_full(self, expr: ast.expr, scope: Any) -> bool:
        """A StateResponse DPR205 knows is not empty (python/model/payloads.py `is_state_response`): built here from
        a non-empty str or bytes literal, directly or through a name bound once to it and read in no nested
        function (the model's `single_assignment`; a subscript or a mutating method opens where it is read)."""
        built: Any = expr
        if isinstance(expr, ast.Name):
            bindings = self.walk.lookup(expr.id, scope) or []
            if len(bindings) != 1 or bindings[0].kind != "assign" or self.read_nested(expr.id, bindings):
                return False
            built = bindings[0].value
        if not isinstance(built, ast.Call) or self.class_of(built.func, scope) != known.STATE_RESPONSE:
            return False
        if any(isinstance(a, ast.Starred) for a in built.args) or any(k.arg is None for k in built.keywords):
            return False
        data = built.args[0] if built.args else next((k.value for k in built.keywords if k.arg == "data"), None)
        return isinstance(data, ast.Constant) and isinstance(data.value, (str, bytes)) and bool(data.value)

    def read_nested(self, name: str, bindings: list) -> bool:
        """Whether `name` (its `bindings`) is read in a function, lambda or class nested in the scope that binds it
        (python/model/records.py `uses_of`: a "nested" use)."""
        home = bindings[0].scope
        for expr, scope in self.walk.chains:
            root = expr
            while isinstance(root, ast.Attribute):
                root = root.value
            if not isinstance(root, ast.Name) or root.id != name or scope is home:
                continue
            if self.walk.lookup(name, scope) is not bindings:
                continue
            current = scope
            while current is not None and current is not home:
                if current.kind != "comprehension":
                    return True
                current = current.parent
        return False


def _handed_as_argument(expr: ast.expr, up: Optional[ast.AST]) -> bool:
    """A function written as a plain argument of a call (`register(name, cb)`, `f(handler=cb)`): the model types no
    call of it by what it returns there. Its value reaches no name (a parameter's value is its annotation's type,
    or nothing: python/model `_binding_value`) and no call's callee; the readers of a function given as an
    argument (handler and workflow registrations, script runners, streaming handlers, timer callbacks) read its
    definition, whatever it returns."""
    return (isinstance(up, ast.Call) and any(expr is a for a in up.args)) or (
        isinstance(up, ast.keyword) and up.arg is not None
    )


def _bound_anywhere(nodes: list[ast.AST]) -> frozenset[str]:
    """Every name the file may bind in any scope (a store or deletion of a name, a `def`, `class`, import, `except`
    or pattern name, a `global`), and every attribute it stores or deletes: more than the model binds.

    What it tells: the model's value of `x.attr` (python/model `_attribute_value`) is a constant or a kind only
    through a member of a local class (its body's bindings, `self.attr` stores, its methods: `_local_member`) or
    a dotted binding (`a.b.attr = ...`); for an `attr` none of those can be, it is an import path, an SDK method or
    unknown, whatever `x` is."""
    found: set[str] = set()
    for node in nodes:
        kind = type(node)
        if kind is ast.Name:
            if not isinstance(node.ctx, ast.Load):  # type: ignore[attr-defined]
                found.add(node.id)  # type: ignore[attr-defined]
        elif kind is ast.Attribute:
            if not isinstance(node.ctx, ast.Load):  # type: ignore[attr-defined]
                found.add(node.attr)  # type: ignore[attr-defined]
        elif kind is ast.alias:
            found.update(node.name.split("."))  # type: ignore[attr-defined]
            if node.asname is not None:  # type: ignore[attr-defined]
                found.add(node.asname)  # type: ignore[attr-defined]
        elif kind is ast.Global or kind is ast.Nonlocal:
            found.update(node.names)  # type: ignore[attr-defined]
        else:
            for field in ("name", "rest"):  # a def, class, `except` or pattern name (no parameter: a function's)
                value = getattr(node, field, None)
                if isinstance(value, str):
                    found.add(value)
    return frozenset(found)


def _root_is(expr: ast.expr, name: str) -> bool:
    while isinstance(expr, ast.Attribute):
        expr = expr.value
    return isinstance(expr, ast.Name) and expr.id == name


def value_class_named(path: str) -> bool:
    """Whether an import path (as the gate resolves it) is a class this module reads: a value class, a class
    read where it is called (any SDK module's TopicEventResponse among them), or a member below one of those."""
    path = known.canonical(path)
    if path in VALUE_CLASSES or _called_class(path):
        return True
    owner = path.rpartition(".")[0]
    while owner:
        if _called_class(owner):
            return True
        owner = owner.rpartition(".")[0]
    return False


def _called_class(path: str) -> bool:
    return path in CALLED_CLASSES or (path.startswith("dapr.") and path.endswith(".TopicEventResponse"))


def _written(annotation: ast.AST) -> set[str]:
    """Every name and attribute name written in an annotation, its strings' included (more than CPython parses:
    every identifier of a string)."""
    found: set[str] = set()
    for node in ast.walk(annotation):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.update(_IDENTIFIER.findall(node.value))
    return found


_IDENTIFIER = re.compile(r"[^\W\d]\w*")


def _call_argument(call: ast.Call, params: tuple[str, ...], name: str) -> Optional[ast.expr]:
    """python/model `call_argument` for a call with no star arguments: by keyword, or by the parameter's place."""
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    position = params.index(name) if name in params else None
    return call.args[position] if position is not None and position < len(call.args) else None


def _string_metadata(expr: ast.expr) -> bool:
    """Metadata DPR203 finds nothing wrong in (rules/payloads.py `non_string_metadata_value`): None, or a dict
    display whose values are str or bytes literals or f-strings."""
    if isinstance(expr, ast.Constant):
        return expr.value is None
    if not isinstance(expr, ast.Dict) or any(key is None for key in expr.keys):
        return False
    return all(
        isinstance(v, ast.JoinedStr) or (isinstance(v, ast.Constant) and isinstance(v.value, (str, bytes)))
        for v in expr.values
    )
