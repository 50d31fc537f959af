"""The actor family in the first pass (python/gate.py): the SDK's actor names the walk reads itself.

A module defining actors or actor interfaces (`class X(Actor, XInterface)`, `@actormethod(name="...")`), calling
the state manager or the actor's coroutines, or calling actors through `ActorProxy.create(...)` closes when no
per-file actor rule can fire there, and its summary's actor facts are built here as python/model/actors.py
builds them (`actor_summary_draft`). Where this pass cannot tell what a rule would say it opens:

- DPR801: a plain undecorated `def` named like an SDK hook or a public method of a local interface, in a module
  with an actor class (more than the rule's own lookup through each actor's hierarchy);
- DPR802: an interface method (a class with `ActorInterface` as a direct base) taking two bodies or more;
- DPR803: `@actormethod()` without a name, a bare `@actormethod` on a method with no parameter beyond `self`, a
  name that is not a plain str literal (the model may resolve it otherwise);
- DPR104: a state manager call (`<x>._state_manager.<coroutine>(...)`), an actor coroutine (`unregister_timer`...)
  or a call through a proxy that is not the direct operand of `await`;
- DPR806: `name = await <x>._state_manager.get_state(...)` (the rule then reads how `name` is tested);
- DPR807, DPR808: any `register_reminder` or `register_timer` call;
- DPR809: a proxy whose interface is not an import path (a local interface: the rule reads its dispatch names),
  `invoke_method` given a body that is not a bytes literal;
- a proxy the model may read otherwise (bound once, other than by one plain assignment to one name).

`actormethod` is read only as a method's decorator (bare or called), `ActorProxy.create` only called; any other
use of them opens (an alias, an argument). The mock actor module (`dapr.actor.runtime.mock_actor`) only silences
DPR802, which is checked here regardless: its names pass in any shape.
"""

from __future__ import annotations

import ast
import keyword
import re
from typing import TYPE_CHECKING, Any, Optional

from dapr_lint.python.model.actors import (
    _LIBRARIES,
    ACTOR_COROUTINES,
    ASYNC_HOSTS,
    ACTORMETHOD,
    AWAITED_HOOKS,
    PROXY_CREATE,
    PROXY_MEMBERS,
    RUNTIME_REGISTER,
    STATE_MANAGER_COROUTINES,
    SYNC_HOSTS,
)
from dapr_lint.python.sdk_table import MEMBERS
from dapr_lint.python import known
from dapr_lint.python.hierarchy import breadth_first
from dapr_lint.python.sdk_releases import parse_version
from dapr_lint.summaries import ActorProxyCallFact, ActorRegistrationFact, Span

if TYPE_CHECKING:
    from dapr_lint.python.gate import _Class, _Function, _Gate, _Scope, _WalkFacts  # noqa: F401

_MOCK = "dapr.actor.runtime.mock_actor"
# The classes `ActorProxy.create` is called on: the model reads them only as that call's receiver (a proxy built
# by their constructor is none it knows), so they pass where gate._check_shape lets an actor class pass.
PROXY_CLASSES = frozenset(path.rsplit(".", 1)[0] for path in PROXY_CREATE)
_GRPC_HOSTS = frozenset(path for path in ASYNC_HOSTS if path.startswith("dapr.actor."))
# Their members (`ActorGrpcHost._resolve_app_port`): the model compares none (it reads a host's `register_actor`
# by the attribute's name on a receiver, `ActorWalk._registration`).
_GRPC_HOST_MEMBERS = tuple(f"{path}." for path in _GRPC_HOSTS)
# The hosts the model may hold as a value (an `Instance` of a path: python/model `_instantiate` makes one only of
# a class of known.CLIENTS, FRAMEWORK_CLASSES or MEMBERS; no SDK member returns one, tests/test_gate_actors.py):
# LibCST's path of such a value ends with a name written in the file, the last part of the class's path or of an
# alias known.canonical reads as it. A file writing none of these holds no host but one built by name
# (`_built_as`), whatever the receiver of its `register_actor` calls.
_HELD_HOSTS = tuple(
    sorted(
        {
            path.rsplit(".", 1)[1].encode("ascii")
            for path in {*ASYNC_HOSTS, *SYNC_HOSTS, *(alias for alias, to in known.CANONICAL.items() if to in ASYNC_HOSTS | SYNC_HOSTS)}
            if known.canonical(path) in known.CLIENTS or known.canonical(path) in known.FRAMEWORK_CLASSES
            or known.canonical(path) in MEMBERS
        }
    )
)
# `ActorRuntime.<member>`: the model reads only `register_actor` of it (RUNTIME_REGISTER), a call `run` reads itself.
_RUNTIMES = tuple(f"{path.rsplit('.', 1)[0]}." for path in RUNTIME_REGISTER)


class Opens(Exception):
    """Raised where the gate must open (gate.py turns it into its own `_Open`)."""


def shaped(path: str) -> bool:
    """A name of the family the walk reads where it is written (`check_use`)."""
    return (
        path in ACTORMETHOD or path in PROXY_CREATE or path == _MOCK or path.startswith(_MOCK + ".")
        or path in _GRPC_HOSTS or path.startswith(_RUNTIMES) or path.startswith(_GRPC_HOST_MEMBERS)
    )


def importable(path: str) -> bool:
    """An import that opens nothing by itself: every use of the name is a chain `check_use` or the walk reads
    (the host classes' uses are chains that open it)."""
    return shaped(path) or path in PROXY_CLASSES or path in _GRPC_HOSTS


def str_annotation(walk: "_WalkFacts", annotation: Optional[ast.expr], scope: "_Scope") -> bool:
    """A parameter's annotation that gives the model no value `ActorId` refuses (rules/actors.py `_non_str`):
    none, or the builtin `str`."""
    if annotation is None:
        return True
    return isinstance(annotation, ast.Name) and annotation.id == "str" and not walk.lookup("str", scope)


def check_use(expr: ast.expr, path: str, parents: dict[int, ast.AST]) -> None:
    """Opens unless `actormethod` decorates a function (bare or called), `ActorProxy.create`,
    `ActorRuntime.register_actor` or `ActorGrpcHost` is called; any other member of `ActorRuntime` passes."""
    if path == _MOCK or path.startswith(_MOCK + ".") or (path.startswith(_RUNTIMES) and path not in RUNTIME_REGISTER):
        return  # read only by `imports_module` (DPR802's silence); a runtime member the model never compares
    if path.startswith(_GRPC_HOST_MEMBERS):
        return  # a host class's member: compared by nothing
    up = parents.get(id(expr))
    if path in PROXY_CREATE or path in RUNTIME_REGISTER or path in _GRPC_HOSTS:
        if isinstance(up, ast.Call) and up.func is expr:
            return
        raise Opens
    if isinstance(up, ast.Call) and up.func is expr:
        expr, up = up, parents.get(id(up))
    if isinstance(up, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(expr is d for d in up.decorator_list):
        return
    raise Opens


class ActorWalk:
    """The actor rules' questions over one walked module, asked of the walk's classes, functions and calls."""

    def __init__(self, walk: "_Gate", base_kind: Any, parents: dict[int, ast.AST], call_span: Any) -> None:
        self.walk, self.parents = walk, parents
        self.base_kind = base_kind  # gate._base_kind
        self.call_span = call_span  # gate._call_span's reading: (call) -> Span, opening where LibCST's may differ
        # `register_actor` calls the model records (`_registration`): (call, actor, serializer), in order written
        self.registrations: list[tuple[ast.Call, Optional[str], bool]] = []
        self._bases: dict[int, list[tuple[str, Optional["_Class"]]]] = {}
        self.dispatch: dict[int, Optional[str]] = {}  # by `id` of a walk function: its `actor_method` dispatch
        self.reminders = False  # a `register_reminder` call seen

    # -- classes (model/actors.py `bases`, `chain`, `role`) ----------------------------------------------------

    def bases(self, klass: "_Class") -> list[tuple[str, Optional["_Class"]]]:
        found = self._bases.get(id(klass))
        if found is None:
            found = []
            for base in klass.node.bases:
                kind = self.base_kind(self.walk, base, klass.scope)
                local = None
                if kind.startswith("local:"):
                    local = self.walk.lookup(base.id, klass.scope)[0].target  # type: ignore[attr-defined,index]
                found.append((kind, local))
            self._bases[id(klass)] = found
        return found

    def chain(self, klass: "_Class") -> list["_Class"]:
        return list(breadth_first(klass, lambda current: [c for _kind, c in self.bases(current) if c is not None]))

    def role(self, klass: "_Class") -> Optional[str]:
        kinds = {kind for current in self.chain(klass) for kind, _local in self.bases(current)}
        return "actor" if "sdk:actor" in kinds else "interface" if "sdk:interface" in kinds else None

    # -- the checks --------------------------------------------------------------------------------------------

    def check(self) -> None:
        """Opens where a per-file actor rule may fire (see the module's docstring)."""
        walk = self.walk
        for info in walk.functions:
            self.dispatch[id(info)] = self._actor_method(info)
        roles = {id(klass): self.role(klass) for klass in walk.classes}
        interfaces = [k for k in walk.classes if any(kind == "sdk:interface" for kind, _l in self.bases(k))]
        for klass in interfaces if not walk.imports_module(_MOCK) else ():
            for info in walk.functions:
                if info.klass is klass and not info.name.startswith("_") and _arity(info.node) >= 2:
                    raise Opens  # DPR802
        if "actor" in roles.values():
            awaited = set(AWAITED_HOOKS)
            for klass in interfaces:
                awaited.update(name for name in klass.methods if not name.startswith("_"))
            for info in walk.functions:
                klass = info.klass
                if (
                    klass is not None and roles[id(klass)] != "interface" and info.name in awaited
                    and not info.is_async and not info.decorators
                ):
                    raise Opens  # DPR801
        parents = self.parents
        for call, scope in walk.calls:
            func = call.func
            if type(func) is not ast.Attribute:
                continue
            attr = func.attr
            up = parents.get(id(call))
            awaited_here = isinstance(up, ast.Await)
            if attr == "register_actor":
                self._registration(call, scope, up)
                continue
            if (
                attr in STATE_MANAGER_COROUTINES and isinstance(func.value, ast.Attribute) and func.value.attr == "_state_manager"
                and self._may_be_self(func.value.value, scope)
            ):
                if not awaited_here:
                    raise Opens  # DPR104
                if attr == "get_state" and up is not None:
                    self._state_read(up)
                continue
            if attr in ACTOR_COROUTINES and self._may_be_self(func.value, scope):
                if not awaited_here:
                    raise Opens  # DPR104
                if attr == "register_reminder":
                    self._reminder(call)
                elif attr == "register_timer":
                    self._timer(call, scope)
                continue
            if self.proxy_of(func.value, scope) is None or attr in ("actor_id", "actor_type", "create"):
                continue
            if not awaited_here:
                raise Opens  # DPR104
            if attr == "invoke_method":
                body = _argument(call, 1, "raw_body")
                if body is not None and not self._bytes(body, scope):
                    raise Opens  # DPR809
        if "actor" in roles.values() and self.reminders:
            self._remindable(roles)

    def _may_be_self(self, expr: ast.expr, scope: "_Scope") -> bool:
        """Whether the model may read `expr` as a method's `self` (model/actors.py `is_self`: a name all of whose
        bindings are that parameter): a name with a parameter among its bindings."""
        if type(expr) is not ast.Name:
            return False
        return any(b.kind == "param" for b in self.walk.lookup(expr.id, scope) or ())

    def _registration(self, call: ast.Call, scope: "_Scope", up: Optional[ast.AST]) -> None:
        """model/actors.py `_registration`: `ActorRuntime.register_actor(...)`, or `register_actor` on a name only
        ever bound to an `ActorGrpcHost(...)` (both coroutines), registering an imported class; anything the
        model may read otherwise opens (a local class: DPR804, DPR810; a helper's parameter: `_registered_refs`)."""
        walk, func = self.walk, call.func
        assert isinstance(func, ast.Attribute)
        if walk.path_of(func, scope) not in RUNTIME_REGISTER and not self._built_as(func.value, scope):
            if func.value.__class__ is ast.Name and walk.lookup(func.value.id, scope) is None:  # type: ignore[attr-defined]
                return  # an unbound name: no value the model knows (no registration)
            if not any(word in walk.data for word in _HELD_HOSTS):
                return  # no host the model may hold (`self.host = ActorGrpcHost(...)` is none it knows)
            raise Opens  # a receiver the model may know (a DaprActor, an attribute holding a host)
        if not (isinstance(up, ast.Await) or (isinstance(up, ast.Call) and any(a is call for a in up.args))):
            if not (isinstance(up, ast.keyword) and isinstance(self.parents.get(id(up)), ast.Call)):
                raise Opens  # DPR104: a coroutine not awaited nor handed on as an argument
        actor = _argument(call, 0, "actor", stars=None)
        if not isinstance(actor, (ast.Name, ast.Attribute)):
            raise Opens
        value = walk.value(actor, scope)
        registered: Optional[str]
        if value[0] == "ref":
            registered = f"import:{value[1]}"
        elif value[0] == "local" and isinstance(actor, ast.Name):
            registered = f"local:{self._registered_class(actor, scope)}"
        elif isinstance(actor, ast.Name) and self._helper_never_called(actor, scope):
            registered = None
        else:
            raise Opens
        serializer = any(k.arg == "message_serializer" for k in call.keywords) or (
            len(call.args) + len([k for k in call.keywords if k.arg is None]) > 1
        )
        self.registrations.append((call, registered, serializer))

    def _helper_never_called(self, actor: ast.Name, scope: "_Scope") -> bool:
        """model/actors.py `_registered_refs` of an actor given as a parameter of the function the registration is
        written in (`await ActorRuntime.register_actor(actor, ...)` in a host's own `register_actor`): one class
        `None` when no call of that function is found. True only where the model finds none for sure: the name a
        parameter bound once, of a function neither nested nor a lambda, written directly in its body, and that
        function's name never written in the module but as its `def` and as a member of an import (`ActorRuntime.
        register_actor`: the model follows no import into this module). A call through an alias, through `self`
        or the class opens."""
        walk = self.walk
        bindings = walk.lookup(actor.id, scope) or []
        if len(bindings) != 1 or bindings[0].kind != "param" or bindings[0].scope is not scope:
            return False
        helper = next((info for info in walk.functions if info.inner is scope), None)
        if helper is None or helper.nested or "<locals>" in helper.qualname or not isinstance(
            helper.node, (ast.FunctionDef, ast.AsyncFunctionDef)
        ):
            return False
        if helper.klass is not None and "." in helper.klass.qualname:
            return False  # a method of a nested class: the model's `is_module_level_or_method` not mirrored here
        name = helper.name
        for chain, where in walk.chains:  # every name and attribute chain the walk met, outermost first
            link = chain
            while type(link) is ast.Attribute:
                if link.attr == name and walk.value(link.value, where)[0] != "ref":
                    return False
                link = link.value
            if type(link) is ast.Name and link.id == name:
                return False
        return True

    def _registered_class(self, actor: ast.Name, scope: "_Scope") -> str:
        """A module-level actor class registered here: opens unless DPR804 (a dispatch interface of this module
        in its hierarchy) and DPR810 (no class here that may be a dataclass or a pydantic model: every class
        undecorated, without keywords, of SDK actor bases, local ones and imported classes other than pydantic's
        models only: model/payloads.py `is_pydantic_model`) are silent."""
        bindings = self.walk.lookup(actor.id, scope) or []
        if len(bindings) != 1 or bindings[0].kind != "class" or "." in bindings[0].target.qualname:
            raise Opens
        klass = bindings[0].target
        if not any(kind == "sdk:interface" for current in self.chain(klass) for kind, _l in self.bases(current)):
            raise Opens  # DPR804 (or a class the runtime rejects)
        for other in self.walk.classes:
            if other.node.decorator_list or other.node.keywords or any(
                not (kind.startswith(("sdk:", "local:")) or _imported_class(kind)) for kind, _l in self.bases(other)
            ):
                raise Opens  # DPR810 may find a payload class
        return str(klass.qualname)

    def _built_as(self, expr: ast.expr, scope: "_Scope") -> bool:
        """model/actors.py `_built_as(..., ASYNC_HOSTS)`: a name every binding of which is `= ActorGrpcHost(...)`."""
        if type(expr) is not ast.Name:
            return False
        bindings = self.walk.lookup(expr.id, scope) or []
        return bool(bindings) and all(
            b.kind == "assign" and type(b.value) is ast.Call and self.walk.path_of(b.value.func, b.scope) in _GRPC_HOSTS
            for b in bindings
        )

    def hosts_and_registrations(self) -> tuple[tuple[Span, ...], tuple[ActorRegistrationFact, ...]]:
        """The summary's hosts (each `ActorGrpcHost(...)`, else the first registration) and registrations, in the
        order LibCST meets them."""
        walk = self.walk
        built = sorted(
            (call for call, scope in walk.calls if walk.path_of(call.func, scope) in _GRPC_HOSTS), key=_position
        )
        registered = sorted(self.registrations, key=lambda item: _position(item[0]))
        if len({_position(call) for call in built}) != len(built) or len({_position(r[0]) for r in registered}) != len(registered):
            raise Opens
        registrations = tuple(ActorRegistrationFact(actor, serializer, self.call_span(call)) for call, actor, serializer in registered)
        hosts = tuple(self.call_span(call) for call in built)
        if registrations and not hosts:
            hosts = (registrations[0].span,)
        return hosts, registrations

    def _bytes(self, expr: ast.expr, scope: "_Scope") -> bool:
        """A value rules/actors.py `_non_bytes` finds nothing wrong with, as far as this pass tells: a bytes
        literal, or a parameter without annotation or annotated `bytes`."""
        if isinstance(expr, ast.Constant):
            return isinstance(expr.value, bytes)
        if isinstance(expr, ast.Name):
            bindings = self.walk.lookup(expr.id, scope) or []
            if len(bindings) == 1 and bindings[0].kind == "param":
                annotation = bindings[0].annotation
                return annotation is None or (
                    isinstance(annotation, ast.Name) and annotation.id == "bytes" and not self.walk.lookup("bytes", scope)
                )
        return False

    def _state_read(self, awaited: ast.AST) -> None:
        """DPR806: `name = await <x>._state_manager.get_state(...)` opens when the function may test `name` after
        the statement (rules/actors.py `_none_tested`: any condition or boolean operation written after it that
        names it, more than the rule's tests; nested functions included)."""
        statement = self.parents.get(id(awaited))
        if isinstance(statement, ast.Assign):
            targets = statement.targets
        elif isinstance(statement, ast.AnnAssign):
            targets = [statement.target]
        else:
            return
        names = {t.id for t in targets if isinstance(t, ast.Name)}
        if not names:
            return
        function = self._function_of(statement)
        if function is None:
            raise Opens
        end = (statement.end_lineno or statement.lineno, statement.end_col_offset or 0)
        for node in ast.walk(function):
            if not isinstance(node, ast.expr) and not isinstance(node, ast.stmt):
                continue
            if (node.lineno, node.col_offset) < end:
                continue  # before it, or around it (a loop's test): the rule starts after the statement
            tested: list[Any] = []
            if isinstance(node, (ast.If, ast.While, ast.IfExp, ast.Assert)):
                tested = [node.test]
            elif isinstance(node, ast.BoolOp):
                tested = node.values
            for expr in tested:
                if any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(expr)):
                    raise Opens

    def _function_of(self, node: ast.AST) -> Optional[ast.AST]:
        up = self.parents.get(id(node))
        while up is not None and not isinstance(up, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            up = self.parents.get(id(up))
        return up

    def _reminder(self, call: ast.Call) -> None:
        """DPR807's call half: the state a bytes literal (or not given); `period` passed, or not required by the
        releases pinned (known to the first pass)."""
        self.reminders = True
        state = _argument(call, 1, "state", stars=None)
        if state is not None and not (isinstance(state, ast.Constant) and isinstance(state.value, bytes)):
            raise Opens
        stars = any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords)
        if stars or len(call.args) >= 4 or any(k.arg == "period" for k in call.keywords):
            return
        sdk = self.walk.sdk
        if sdk is None:
            raise Opens  # the releases pinned not known
        high = parse_version(sdk.high) if sdk.source is not None else None
        if high is not None and high < (1, 16):
            raise Opens

    def _remindable(self, roles: dict[int, Optional[str]]) -> None:
        """DPR807's class half, in a module registering reminders: an actor class without `Remindable` as a direct
        base whose hierarchy has it (or a `receive_reminder`) opens."""
        for klass in self.walk.classes:
            if roles[id(klass)] != "actor" or any(kind == "sdk:remindable" for kind, _l in self.bases(klass)):
                continue
            chain = self.chain(klass)
            if any(kind == "sdk:remindable" for c in chain for kind, _l in self.bases(c)) or any(
                "receive_reminder" in c.methods for c in chain
            ):
                raise Opens

    def _timer(self, call: ast.Call, scope: "_Scope") -> None:
        """DPR808: the callback `self.<m>` (the method's first parameter), every local method named `m` an
        `async def` or decorated; anything else opens."""
        callback = _argument(call, 1, "callback", stars=None)
        if callback is None:
            return
        if not (isinstance(callback, ast.Attribute) and isinstance(callback.value, ast.Name)):
            raise Opens
        bindings = self.walk.lookup(callback.value.id, scope) or []
        function = self._function_of(call)
        if (
            len(bindings) != 1 or bindings[0].kind != "param" or not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
            or not [*function.args.posonlyargs, *function.args.args] or [*function.args.posonlyargs, *function.args.args][0].arg != callback.value.id
        ):
            raise Opens
        for info in self.walk.functions:
            if info.klass is not None and info.name == callback.attr and not info.is_async and not info.decorators:
                raise Opens
        for klass in self.walk.classes:
            for node in ast.walk(klass.node):
                if isinstance(node, ast.Name) and node.id == callback.attr and isinstance(node.ctx, ast.Store):
                    raise Opens  # a class attribute (a lambda the model reads as a plain method)

    def _actor_method(self, info: "_Function") -> Optional[str]:
        """model/actors.py `actor_method(info).dispatch`, opening where DPR803 may fire or the name may be read
        otherwise."""
        found: list[Optional[str]] = []
        for decorator in info.decorators:
            call = decorator if isinstance(decorator, ast.Call) else None
            target = call.func if call is not None else decorator
            if self.walk.path_of(target, info.scope) not in ACTORMETHOD:
                continue
            if call is None:
                node = info.node
                assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                args = node.args
                if len([*args.posonlyargs, *args.args][1:]) + len(args.kwonlyargs) == 0 and args.vararg is None and args.kwarg is None:
                    raise Opens  # DPR803 (a bare decorator on a method taking no body)
                found.append(info.name)
                continue
            if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
                raise Opens
            # the first positional argument, else `name=` (LibCST's first argument of either kind)
            name = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "name"), None)
            if name is None or not _plain_string(self.walk.data, name):
                raise Opens  # DPR803 (no name), or a name the model may read otherwise
            found.append(name.value)  # type: ignore[attr-defined]
        if len(found) > 1:
            raise Opens
        return found[0] if found else info.name

    # -- proxies (model/actors.py `_find_calls`, `proxy_of`) -----------------------------------------------------

    def proxy_of(self, expr: ast.expr, scope: "_Scope") -> Optional[tuple[ast.Call, "_Scope"]]:
        """The `ActorProxy.create(...)` call a receiver is (or a name holds); opens where the model may read the
        name otherwise."""
        walk = self.walk
        if type(expr) is ast.Call:
            return (expr, scope) if self._creates(expr, scope) else None
        if type(expr) is not ast.Name:
            return None
        bindings = walk.lookup(expr.id, scope) or []
        made = [b for b in bindings if type(b.value) is ast.Call and self._creates(b.value, b.scope)]
        if not made:
            return None
        if len(bindings) != 1:
            return None  # bound more than once: no proxy the model knows (`proxy_of`)
        if bindings[0].kind != "assign" or bindings[0].annotation is not None:
            raise Opens
        call = made[0].value
        statement = self.parents.get(id(call))
        if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name)):
            raise Opens
        return call, made[0].scope

    def _creates(self, call: ast.Call, scope: "_Scope") -> bool:
        return type(call.func) is ast.Attribute and call.func.attr == "create" and self.walk.path_of(call.func, scope) in PROXY_CREATE

    def proxy_calls(self, lines: list[str]) -> tuple[ActorProxyCallFact, ...]:
        """The summary's `proxy_calls` (`actor_summary_draft`): calls through a proxy whose interface is imported,
        in the order LibCST meets them (by position), at the span of the method's name."""
        walk = self.walk
        found: list[tuple[tuple[int, int], ActorProxyCallFact]] = []
        for call, scope in walk.calls:
            func = call.func
            if type(func) is not ast.Attribute or func.attr in PROXY_MEMBERS:
                continue
            proxy = self.proxy_of(func.value, scope)
            if proxy is None:
                continue
            interface = _argument(proxy[0], 2, "actor_interface", stars=None)
            if interface is None:
                continue
            value = walk.value(interface, proxy[1])
            if value[0] != "ref":
                raise Opens  # a local interface (DPR809 reads it) or one the model may know otherwise
            if value[1].split(".", 1)[0] in _LIBRARIES:
                continue
            fact = ActorProxyCallFact(
                value[1], func.attr, len([a for a in call.args if not isinstance(a, ast.Starred)]),
                bool(call.keywords), _attr_span(lines, func),
            )
            found.append(((call.lineno, call.col_offset), fact))
        found.sort(key=lambda item: item[0])
        if len({key for key, _fact in found}) != len(found):
            raise Opens
        return tuple(fact for _key, fact in found)


def _imported_class(kind: str) -> bool:
    """A base `gate._base_kind` reads as an import path the model knows as none of pydantic's models (those of
    its libraries are "other": pydantic's own among them)."""
    return kind.startswith("import:") and kind[len("import:"):] not in known.PYDANTIC_MODELS


def _position(call: ast.Call) -> tuple[int, int]:
    return call.lineno, call.col_offset


_CALLEE_END = re.compile(rb"(?:([A-Za-z_][A-Za-z0-9_]*)|[)\]])$")


def unparenthesized(before: bytes) -> bytes:
    """The text before a call that is an argument (`run(ActorRuntime.register_actor(X))`): the bracket before it
    opens the arguments of another call (LibCST's, not the call's own parentheses), so what `gate._call_span`
    reads as the text before it ends with that call's callee instead. Anything else is returned unchanged."""
    stripped = before.rstrip(b" \t\f\r\n\\")
    if not stripped.endswith(b"("):
        return before
    callee = stripped[:-1].rstrip(b" \t\f\r\n\\")
    match = _CALLEE_END.search(callee)
    if match is None or (match.group(1) is not None and keyword.iskeyword(match.group(1).decode("ascii"))):
        return before  # grouping parentheses (`await (x)`, `f((x))`): LibCST's call node holds them
    if match.group(1) is not None and callee[: match.start()][-1:].decode("latin-1").isidentifier():
        return before  # a name ending in non-ASCII letters: not read here
    return callee + b" "


def _arity(node: Any) -> int:
    """model/actors.py `required_params` of a method without star parameters (0 with them: DPR802 skips those)."""
    args = node.args
    if args.vararg is not None or args.kwarg is not None:
        return 0
    params = [*args.posonlyargs, *args.args]
    with_default = len(args.defaults)
    return sum(1 for i in range(1, len(params)) if i < len(params) - with_default)


def _argument(call: ast.Call, index: int, keyword: str, stars: Any = Opens) -> Optional[ast.expr]:
    """model/actors.py `_argument` (rules/actors.py `_call_arg`): by keyword, else by position; with star
    arguments the position is not known (opens, or None when `stars` is None)."""
    for k in call.keywords:
        if k.arg == keyword:
            return k.value
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        if stars is None:
            return None
        raise stars
    return call.args[index] if index < len(call.args) else None


def _plain_string(data: bytes, node: ast.expr) -> bool:
    """A str literal written as one plain string on one line (not concatenated, no prefix, no escapes): its
    value is its text, as LibCST's `evaluated_value` gives it."""
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or node.lineno != node.end_lineno:
        return False
    if node.end_col_offset is None:
        return False
    line = data.split(b"\n", node.lineno)[node.lineno - 1]
    text = line[node.col_offset:node.end_col_offset]
    inner = node.value.encode("utf-8")
    return text in (b'"' + inner + b'"', b"'" + inner + b"'") and b"\\" not in inner


def _attr_span(lines: list[str], func: ast.Attribute) -> Span:
    """The span of an attribute's name (LibCST's positions: 1-based columns in characters)."""
    if func.end_lineno is None or func.end_col_offset is None:
        raise Opens
    line = lines[func.end_lineno - 1]
    end = len(line.encode("utf-8")[: func.end_col_offset].decode("utf-8", "strict"))
    start = end - len(func.attr)
    if start < 0 or line[start:end] != func.attr:
        raise Opens  # a name CPython normalised (NFKC)
    return Span(func.end_lineno, start + 1, func.end_lineno, end + 1)
