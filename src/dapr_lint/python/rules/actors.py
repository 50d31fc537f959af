"""DPR801-DPR810: the actor contract between interface, implementation, runtime and proxy.

The Python SDK checks this contract only when a call arrives: the runtime dispatches `await getattr(actor,
name)(body)` by the name `@actormethod(name=...)` gives, looks timer callbacks up by `__name__`, delivers
reminders only to classes with `Remindable` as a direct base. Each rule reads the actor facet of the model
(`dapr_lint.python.model.actors`) and stays silent where a class, an interface or a value cannot be resolved.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import partial
from typing import AbstractSet, Any, Iterator, Optional

import libcst as cst

from dapr_lint.diagnostics import EditBuilder, Finding, Fix, Location, ProjectEdit
from dapr_lint.project import Project
from dapr_lint.settings import Settings
from dapr_lint.summaries import ActorClassFact, ActorMethodFact, ComponentFact, ModuleSummary, Span
from dapr_lint.python import edits
from dapr_lint.python.model import CallSite, ClassInfo, Const, FunctionInfo, Kind, ModuleModel, is_none_literal
from dapr_lint.python.model.actors import ACTOR_ID, AWAITED_HOOKS, PROXY_MEMBERS, ActorModel, actor_facts, has_star_params
from dapr_lint.python.sdk_releases import parse_version
from dapr_lint.python.rules.pages import actors as pages
from dapr_lint.registry import Reporter, RuleSpec, check, invalid, rule, valid
from dapr_lint.python.model.exceptions import exception_facts
from dapr_lint.python.model.payloads import payload_facts

_KEY_ERRORS = frozenset({"KeyError", "LookupError", "Exception", "BaseException"})


def _def_keyword_fix(info: FunctionInfo) -> Optional[EditBuilder]:
    node = info.node
    if not isinstance(node, cst.FunctionDef) or node.asynchronous is not None:
        return None
    return partial(edits.Edit, node, _made_async)


def _made_async(node: cst.CSTNode) -> cst.CSTNode:
    return node.with_changes(asynchronous=cst.Asynchronous())  # type: ignore[union-attr]


# ------------------------------------------------------------------------------------------------
# DPR801
# ------------------------------------------------------------------------------------------------


@rule(
    RuleSpec(
        code="DPR801",
        name="sync-actor-method",
        category="bug",
        summary="An actor method the runtime awaits (an interface method, `_on_activate`, `receive_reminder`) defined with a plain `def`.",
        target="python",
        across_modules=True,
        predicts="exception",
        fix_safety="unsafe",
        fix_description="Make the method `async def` (callers inside the actor that call it without `await` must then await it).",
        prose=pages.DPR801,
        examples=(
            invalid(
                """
                from dapr.actor import Actor, ActorInterface, actormethod


                class CartInterface(ActorInterface):
                    @actormethod(name="GetItems")
                    async def get_items(self) -> list: ...


                class CartActor(Actor, CartInterface):
                    def get_items(self) -> list:  # DPR801: the runtime awaits the list it returns
                        return []
                """,
            ),
            valid(
                """
                from dapr.actor import Actor, ActorInterface, actormethod


                class CartInterface(ActorInterface):
                    @actormethod(name="GetItems")
                    async def get_items(self) -> list: ...


                class CartActor(Actor, CartInterface):
                    async def get_items(self) -> list:
                        return self._format([])

                    def _format(self, items: list) -> list:  # a helper of no interface
                        return sorted(items)
                """,
            ),
        ),
    )
)
def sync_actor_method(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    actors = actor_facts(model)
    seen: set[int] = set()
    for klass in actors.facts.actors:
        for info, why in _awaited_methods(actors, klass):
            if info.is_async or info.is_lambda or id(info) in seen or info.decorators:
                continue
            seen.add(id(info))
            yield report(
                info.name_node,
                f"`{info.name}` is a plain `def` but the actor runtime awaits it ({why}): it fails with TypeError",
                Fix("Make it `async def`.", _def_keyword_fix(info)),
            )


def _awaited_methods(actors: ActorModel, klass: ClassInfo) -> Iterator[tuple[FunctionInfo, str]]:
    """The methods of an actor class the runtime awaits, with why: interface methods and SDK hooks."""
    for interface in actors.dispatch_interfaces(klass):
        for method in actors.methods(interface):
            impl = actors.method_on(klass, method.name)
            if impl is None or impl.klass is None or actors.role(impl.klass) == "interface":
                continue  # not implemented here, or only the interface's own declaration
            yield impl, f"`{method.dispatch or method.name}` of `{interface.name}`"
    remindable = any(b.kind == "remindable" for b in actors.bases(klass))
    for hook in sorted(AWAITED_HOOKS):
        impl = klass.methods.get(hook)
        if impl is not None and (hook != "receive_reminder" or remindable):
            yield impl, "an SDK hook"


# ------------------------------------------------------------------------------------------------
# DPR802
# ------------------------------------------------------------------------------------------------


@rule(
    RuleSpec(
        code="DPR802",
        name="actor-method-arity",
        category="bug",
        summary="An actor interface method with two or more required parameters: the runtime passes one body.",
        target="python",
        predicts="exception",
        prose=pages.DPR802,
        examples=(
            invalid(
                """
                from dapr.actor import ActorInterface, actormethod


                class ScoreInterface(ActorInterface):
                    @actormethod(name="AddScore")
                    async def add_score(self, player: str, points: int) -> None: ...  # DPR802
                """,
            ),
            valid(
                """
                from dapr.actor import ActorInterface, actormethod


                class ScoreInterface(ActorInterface):
                    @actormethod(name="AddScore")
                    async def add_score(self, score: dict) -> None: ...  # {"player": ..., "points": ...}
                """,
            ),
        ),
    )
)
def actor_method_arity(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    actors = actor_facts(model)
    if model.imports_module("dapr.actor.runtime.mock_actor"):
        return  # a test calling its actors' methods directly, never through the runtime
    seen: set[int] = set()
    for klass in model.classes:
        if not actors.relevant or not any(b.kind == "interface" for b in actors.bases(klass)):
            continue
        for method in actors.methods(klass):
            if method.info.is_lambda or id(method.info) in seen or has_star_params(method.info):
                continue
            seen.add(id(method.info))
            required = method.required
            if required >= 2:
                yield report(
                    method.info.name_node,
                    f"actor method `{method.name}` takes {required} parameters but the runtime passes one body: "
                    "every call fails with TypeError",
                )


# ------------------------------------------------------------------------------------------------
# DPR803
# ------------------------------------------------------------------------------------------------


@rule(
    RuleSpec(
        code="DPR803",
        name="unnamed-actor-method",
        category="bug",
        summary="`@actormethod()` without a name (or `@actormethod` without parentheses): the method is unreachable.",
        target="python",
        predicts="exception",
        fix_safety="unsafe",
        fix_description='Name the method: `@actormethod(name="<python name>")` (callers then dispatch by that name).',
        prose=pages.DPR803,
        examples=(
            invalid(
                """
                from dapr.actor import ActorInterface, actormethod


                class CartInterface(ActorInterface):
                    @actormethod()  # DPR803: registered under the key None
                    async def get_items(self) -> list: ...
                """,
            ),
            valid(
                """
                from dapr.actor import ActorInterface, actormethod


                class CartInterface(ActorInterface):
                    @actormethod(name="get_items")
                    async def get_items(self) -> list: ...

                    async def clear(self) -> None: ...  # undecorated: dispatched as `clear`
                """,
            ),
        ),
    )
)
def unnamed_actor_method(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    actors = actor_facts(model)
    if not actors.relevant:
        return
    for info in model.functions:
        if not info.decorators or info.is_lambda:
            continue
        method = actors.actor_method(info)
        if not method.unnamed or method.decorator is None:
            continue
        if method.bare:
            if required_beyond_self(info) != 0 or has_star_params(info):
                continue  # the wrapper takes one argument: a one-parameter method still receives its body
            message = (
                f"bare `@actormethod` replaces `{info.name}` by its wrapper, which takes one argument: every call fails"
            )
        else:
            message = f"`@actormethod()` without a name registers `{info.name}` under the key None: no call reaches it"
        yield report(
            method.decorator.decorator,
            message,
            Fix(f'Use `@actormethod(name="{info.name}")`.', partial(_name_decorator, method.decorator, info.name)),
        )


def required_beyond_self(info: FunctionInfo) -> int:
    node = info.node
    if not isinstance(node, cst.FunctionDef):
        return 0
    return len([*node.params.posonly_params, *node.params.params][1:]) + len(node.params.kwonly_params)


def _name_decorator(decorator: cst.Decorator, name: str) -> edits.Edit:
    def replace(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.Decorator)
        expr = node.decorator
        target = expr.func if isinstance(expr, cst.Call) else expr
        call = cst.Call(
            func=target,  # type: ignore[arg-type]
            args=[
                cst.Arg(
                    keyword=cst.Name("name"),
                    value=cst.SimpleString(f'"{name}"'),
                    equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")),
                )
            ],
        )
        return node.with_changes(decorator=call)

    return edits.Edit(decorator, replace)


# ------------------------------------------------------------------------------------------------
# DPR806
# ------------------------------------------------------------------------------------------------


@rule(
    RuleSpec(
        code="DPR806",
        name="missing-actor-state-key",
        category="bug",
        summary="`get_state` on the actor state manager tested for `None`: a missing key raises KeyError instead.",
        target="python",
        predicts="exception",
        fix_safety="unsafe",
        fix_description="Use `try_get_state`, which returns `(found, value)` and `None` for a missing key, so the `None` branch runs.",
        prose=pages.DPR806,
        examples=(
            invalid(
                """
                from dapr.actor import Actor, ActorInterface, actormethod


                class CounterInterface(ActorInterface):
                    @actormethod(name="Increment")
                    async def increment(self) -> int: ...


                class CounterActor(Actor, CounterInterface):
                    async def increment(self) -> int:
                        count = await self._state_manager.get_state("count")  # DPR806: KeyError on the first call
                        if count is None:
                            count = 0
                        await self._state_manager.set_state("count", count + 1)
                        return count + 1
                """,
            ),
            valid(
                """
                from dapr.actor import Actor, ActorInterface, actormethod


                class CounterInterface(ActorInterface):
                    @actormethod(name="Increment")
                    async def increment(self) -> int: ...


                class CounterActor(Actor, CounterInterface):
                    async def increment(self) -> int:
                        _, count = await self._state_manager.try_get_state("count")
                        if count is None:
                            count = 0
                        await self._state_manager.set_state("count", count + 1)
                        return count + 1
                """,
            ),
        ),
    )
)
def missing_actor_state_key(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    actors = actor_facts(model)
    if not actors.facts.actors:
        return
    for site in model.calls:
        if site.context != "await" or actors.state_manager_call(site) != "get_state":
            continue
        info = site.function
        if info is None or _guarded_by_key_error(model, site):
            continue
        assigned = _assigned_name(site)
        if assigned is None:
            continue
        name, statement = assigned
        if any(actors.state_manager_call(s) == "contains_state" for s in info.calls):
            continue
        if _set_on_activation(model, actors, site):
            continue
        if not _none_tested(info.node, name, statement):
            continue
        yield report(
            site.node,
            f"`get_state` raises KeyError for a missing key, so the `None` test of `{name}` never runs: the call fails",
            Fix("Use `try_get_state` (the `None` branch then runs).", partial(_try_get_state, statement, name)),
        )


_WRITES = frozenset({"set_state", "add_state", "try_add_state", "get_or_add_state", "add_or_update_state", "set_state_ttl"})


def _set_on_activation(model: ModuleModel, actors: ActorModel, site: CallSite) -> bool:
    """Whether the actor's `_on_activate` writes the same key (`self._key` or a literal): it is never missing."""
    klass = actors.actor_class_of(site.scope)
    key = _call_arg(site.node, 0, "state_name")
    hook = actors.method_on(klass, "_on_activate") if klass is not None else None
    if hook is None or key is None or hook is site.function:
        return False
    text = model.module.code_for_node(key)
    for call in hook.calls:
        if actors.state_manager_call(call) in _WRITES:
            written = _call_arg(call.node, 0, "state_name")
            if written is not None and model.module.code_for_node(written) == text:
                return True
    return False


def _guarded_by_key_error(model: ModuleModel, site: CallSite) -> bool:
    for info in site.tries:
        for clause in info.handlers:
            if any(t in _KEY_ERRORS or t == "?" for t in exception_facts(model).caught_types(clause)):
                return True
    return False


def _assigned_name(site: CallSite) -> Optional[tuple[str, cst.SimpleStatementLine]]:
    """`name = await self._state_manager.get_state(k)`: the name and its statement."""
    statement = site.statement
    if statement is None or len(statement.body) != 1:
        return None
    small = statement.body[0]
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        target, value = small.targets[0].target, small.value
    elif isinstance(small, cst.AnnAssign) and small.value is not None:
        target, value = small.target, small.value
    else:
        return None
    if not isinstance(target, cst.Name) or not isinstance(value, cst.Await) or value.expression is not site.node:
        return None
    return target.value, statement


class _NoneTests(cst.CSTVisitor):
    """Finds a test of `name` for `None` or falsiness after a statement: `if x is None`, `if not x`, `if x:`,
    `x or default`, `x if x else y`, `assert x`."""

    def __init__(self, name: str, after: cst.CSTNode) -> None:
        self.name = name
        self.after = after
        self.started = False
        self.found = False

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self.found:
            return False
        if node is self.after:
            self.started = True
            return False
        if isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef)) and self.started:
            return False
        if self.started:
            if isinstance(node, (cst.If, cst.While)) and self._tests(node.test):
                self.found = True
            elif isinstance(node, cst.IfExp) and self._tests(node.test):
                self.found = True
            elif isinstance(node, cst.Assert) and self._tests(node.test):
                self.found = True
            elif isinstance(node, cst.BooleanOperation) and isinstance(node.operator, cst.Or) and self._is_name(node.left):
                self.found = True
        return True

    def _is_name(self, node: cst.BaseExpression) -> bool:
        return isinstance(node, cst.Name) and node.value == self.name

    def _tests(self, test: cst.BaseExpression) -> bool:
        if self._is_name(test):
            return True
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            return self._tests(test.expression)
        if isinstance(test, cst.BooleanOperation):
            return self._tests(test.left) or self._tests(test.right)
        if isinstance(test, cst.Comparison) and self._is_name(test.left) and len(test.comparisons) == 1:
            target = test.comparisons[0]
            return isinstance(target.operator, (cst.Is, cst.IsNot, cst.Equal, cst.NotEqual)) and (
                isinstance(target.comparator, cst.Name) and target.comparator.value == "None"
            )
        return False


def _none_tested(function: cst.CSTNode, name: str, statement: cst.CSTNode) -> bool:
    visitor = _NoneTests(name, statement)
    function.visit(visitor)
    return visitor.found


def _try_get_state(statement: cst.SimpleStatementLine, name: str) -> edits.Edit:
    def replace(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.SimpleStatementLine)
        small = node.body[0]
        assert isinstance(small, (cst.Assign, cst.AnnAssign)) and isinstance(small.value, cst.Await)
        value = small.value
        call = value.expression
        assert isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)
        call = call.with_changes(func=call.func.with_changes(attr=cst.Name("try_get_state")))
        targets = cst.Tuple(
            elements=[cst.Element(cst.Name("_"), comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))), cst.Element(cst.Name(name))],
            lpar=[],
            rpar=[],
        )
        assign = cst.Assign(targets=[cst.AssignTarget(targets)], value=value.with_changes(expression=call))
        return node.with_changes(body=[assign])

    return edits.Edit(statement, replace)


# ------------------------------------------------------------------------------------------------
# DPR808
# ------------------------------------------------------------------------------------------------


@rule(
    RuleSpec(
        code="DPR808",
        name="timer-callback",
        category="bug",
        summary="An actor timer whose callback is not an `async` method of the actor: it fails when the timer fires.",
        target="python",
        predicts="exception",
        prose=pages.DPR808,
        examples=(
            invalid(
                """
                from datetime import timedelta

                from dapr.actor import Actor, ActorInterface, actormethod


                class ClockInterface(ActorInterface):
                    @actormethod(name="Start")
                    async def start(self) -> None: ...


                class ClockActor(Actor, ClockInterface):
                    async def start(self) -> None:
                        await self.register_timer(
                            "tick",
                            lambda state: None,  # DPR808: looked up as `<lambda>` on the actor when the timer fires
                            None,
                            timedelta(seconds=1),
                            timedelta(seconds=5),
                        )
                """,
            ),
            valid(
                """
                from datetime import timedelta

                from dapr.actor import Actor, ActorInterface, actormethod


                class ClockInterface(ActorInterface):
                    @actormethod(name="Start")
                    async def start(self) -> None: ...


                class ClockActor(Actor, ClockInterface):
                    async def start(self) -> None:
                        await self.register_timer("tick", self.on_tick, None, timedelta(seconds=1), timedelta(seconds=5))

                    async def on_tick(self, state) -> None:
                        await self._state_manager.set_state("last_tick", state)
                """,
            ),
        ),
    )
)
def timer_callback(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    actors = actor_facts(model)
    if not actors.facts.actors:
        return
    for site in model.calls:
        if actors.actor_call(site) != "register_timer":
            continue
        klass = actors.actor_class_of(site.scope)
        callback = _call_arg(site.node, 1, "callback")
        if klass is None or callback is None:
            continue
        problem = _timer_problem(model, actors, klass, callback, site)
        if problem is not None:
            yield report(callback, f"{problem}: the timer fails on every firing")


def _timer_problem(model: ModuleModel, actors: ActorModel, klass: ClassInfo, callback: cst.BaseExpression, site: CallSite) -> Optional[str]:
    complete = actors.complete(klass)
    if isinstance(callback, cst.Lambda):
        return "timer callback is a lambda, looked up as `<lambda>` on the actor"
    if isinstance(callback, cst.Attribute) and actors.is_self(callback.value, site.scope):
        name = callback.attr.value
        method = actors.method_on(klass, name)
        if method is None:
            return None  # an SDK or imported method: not known here
        if not method.is_async and not method.decorators:
            return f"timer callback `{name}` is a plain `def`, which the runtime awaits"
        return None
    info = actors.function_value(callback, site.scope)
    name = None
    if info is not None and info.klass is None:
        name = info.name
        what = f"timer callback `{name}` is no method of the actor, where it is looked up by name"
    elif isinstance(callback, cst.Attribute):
        name = callback.attr.value
        what = f"timer callback `{name}` is another object's method, looked up by name on the actor"
    if name is None or not complete or actors.method_on(klass, name) is not None:
        return None
    return what


def _call_arg(call: cst.Call, position: int, keyword: str) -> Optional[cst.BaseExpression]:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg.value
    if any(arg.star for arg in call.args):
        return None
    positional = [arg for arg in call.args if arg.keyword is None]
    return positional[position].value if len(positional) > position else None



# ------------------------------------------------------------------------------------------------
# DPR809
# ------------------------------------------------------------------------------------------------


@rule(
    RuleSpec(
        code="DPR809",
        name="actor-proxy-call",
        category="bug",
        summary="An actor proxy call the proxy cannot send: a Python name the interface renamed, keywords, several arguments, a non-str id.",
        target="python",
        across_modules=True,
        predicts="exception",
        fix_safety="safe",
        fix_note="(a call by the Python name)",
        fix_description="Call the method by its actor-method name (the `name=` of its `@actormethod`).",
        prose=pages.DPR809,
        examples=(
            invalid(
                """
                from dapr.actor import ActorId, ActorInterface, ActorProxy, actormethod


                class CartInterface(ActorInterface):
                    @actormethod(name="AddItem")
                    async def add_item(self, item: dict) -> None: ...


                async def add(cart_id: str, item: dict) -> None:
                    proxy = ActorProxy.create("CartActor", ActorId(cart_id), CartInterface)
                    await proxy.add_item(item)  # DPR809: the proxy knows the method as `AddItem`
                """,
            ),
            valid(
                """
                from dapr.actor import ActorId, ActorInterface, ActorProxy, actormethod


                class CartInterface(ActorInterface):
                    @actormethod(name="AddItem")
                    async def add_item(self, item: dict) -> None: ...


                async def add(cart_id: str, item: dict) -> None:
                    proxy = ActorProxy.create("CartActor", ActorId(cart_id), CartInterface)
                    await proxy.AddItem(item)
                """,
            ),
        ),
    )
)
def actor_proxy_call(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    actors = actor_facts(model)
    if not actors.relevant:
        return
    for site in model.calls:
        func = site.node.func
        if model.callee_path(site.node, site.scope) in ACTOR_ID:
            arg = _call_arg(site.node, 0, "actor_id")
            kind = _non_str(model, arg, site) if arg is not None else None
            if kind is not None:
                yield report(arg, f"`ActorId` takes a str, not {kind}: it raises TypeError")  # type: ignore[arg-type]
            continue
        if not isinstance(func, cst.Attribute):
            continue
        proxy = actors.proxy_of(func.value, site.scope)
        if proxy is None:
            continue
        attr = func.attr.value
        if attr == "invoke_method":
            body = _call_arg(site.node, 1, "raw_body")
            kind = _non_bytes(model, body, site) if body is not None else None
            if kind is not None:
                yield report(body, f"`invoke_method` on a proxy sends bytes, not {kind}: it raises ValueError")  # type: ignore[arg-type]
            continue
        if attr in PROXY_MEMBERS:
            continue
        interface = actors.interface_of(proxy)
        if interface is None:
            continue
        methods = actors.methods(interface)
        by_dispatch = {m.dispatch: m for m in methods if m.dispatch is not None}
        by_name = {m.name: m for m in methods}
        if attr in by_dispatch:
            keywords = [a for a in site.node.args if a.keyword is not None or a.star == "**"]
            positional = [a for a in site.node.args if a.keyword is None and a.star == ""]
            if keywords:
                yield report(func.attr, f"`{attr}` through a proxy drops keyword arguments: the actor receives no body")
            elif len(positional) > 1:
                yield report(
                    func.attr,
                    f"`{attr}` through a proxy with {len(positional)} arguments: the proxy raises ValueError (one body only)",
                )
            continue
        method = by_name.get(attr)
        if method is None or method.dispatch in (None, "?", attr) or not str(method.dispatch).isidentifier():
            continue
        yield report(
            func.attr,
            f"the proxy knows `{attr}` as `{method.dispatch}` (its `@actormethod` name): calling `{attr}` raises AttributeError",
            Fix(f"Call `{method.dispatch}`.", partial(edits.rename_name, func.attr, str(method.dispatch))),
        )


def _non_str(model: ModuleModel, expr: cst.BaseExpression, site: CallSite) -> Optional[str]:
    value = model.value_of(expr, site.scope)
    if isinstance(value, Const) and not isinstance(value.value, str):
        return "None" if value.value is None else f"`{type(value.value).__name__}`"
    if isinstance(value, Kind) and value.kind in ("dict", "list", "tuple", "set", "bytes"):
        return f"`{value.kind}`"
    return None


def _non_bytes(model: ModuleModel, expr: cst.BaseExpression, site: CallSite) -> Optional[str]:
    value = model.value_of(expr, site.scope)
    if isinstance(value, Const) and value.value is not None and not isinstance(value.value, bytes):
        return f"`{type(value.value).__name__}`"
    if isinstance(value, Kind) and value.kind in ("dict", "list", "tuple", "set", "str"):
        return f"`{value.kind}`"
    return None


# ------------------------------------------------------------------------------------------------
# DPR807
# ------------------------------------------------------------------------------------------------


@rule(
    RuleSpec(
        code="DPR807",
        name="reminder-contract",
        category="bug",
        summary="Reminders that cannot fire: `Remindable` inherited through a base class, or a reminder state that is not bytes.",
        target="python",
        predicts="exception",
        prose=pages.DPR807,
        examples=(
            invalid(
                """
                from datetime import timedelta

                from dapr.actor import Actor, ActorInterface, Remindable, actormethod


                class AlarmInterface(ActorInterface):
                    @actormethod(name="Arm")
                    async def arm(self) -> None: ...


                class RemindableActor(Actor, Remindable):
                    async def receive_reminder(self, name, state, due_time, period, ttl=None) -> None:
                        print("ring", name)


                class AlarmActor(RemindableActor, AlarmInterface):  # DPR807: Remindable is not a direct base
                    async def arm(self) -> None:
                        await self.register_reminder("ring", b"", timedelta(seconds=5), timedelta(minutes=1))
                """,
            ),
            valid(
                """
                from datetime import timedelta

                from dapr.actor import Actor, ActorInterface, Remindable, actormethod


                class AlarmInterface(ActorInterface):
                    @actormethod(name="Arm")
                    async def arm(self) -> None: ...


                class AlarmActor(Actor, AlarmInterface, Remindable):
                    async def arm(self) -> None:
                        await self.register_reminder("ring", b"", timedelta(seconds=5), timedelta(minutes=1))

                    async def receive_reminder(self, name, state, due_time, period, ttl=None) -> None:
                        print("ring", name)
                """,
            ),
        ),
    )
)
def reminder_contract(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    actors = actor_facts(model)
    if not actors.facts.actors:
        return
    for site in model.calls:
        if actors.actor_call(site) != "register_reminder":
            continue
        state = _call_arg(site.node, 1, "state")
        kind = _non_bytes(model, state, site) if state is not None else None
        if state is not None and kind is None and is_none_literal(state):
            kind = "None"
        if kind is not None:
            yield report(state, f"reminder state must be bytes, not {kind}: `register_reminder` raises ValueError")  # type: ignore[arg-type]
        if _period_required(model) and not _passes_period(site.node):
            yield report(
                site.node.func,
                f"`register_reminder` without `period`: dapr {model.sdk.high} (pinned) requires it and raises TypeError",
            )
    subclassed = {id(b.local) for klass in model.classes for b in actors.bases(klass) if b.local is not None}
    for klass in actors.facts.actors:
        if id(klass) in subclassed or not actors.dispatch_interfaces(klass):
            continue  # an abstract base, or a class of no interface (DPR804)
        if any(b.kind == "remindable" for b in actors.bases(klass)):
            continue
        indirect = any(b.kind == "remindable" for _c, bases in actors.chain(klass) for b in bases)
        receives = actors.method_on(klass, "receive_reminder") is not None
        registers = any(
            actors.actor_call(site) == "register_reminder"
            for current, _b in actors.chain(klass)
            for info in current.methods.values()
            for site in info.calls
        )
        if (indirect or receives) and registers:
            yield report(
                klass.node.name,
                f"`{klass.name}` registers reminders but `Remindable` is not its direct base: each reminder fails with ValueError",
            )


def _period_required(model: ModuleModel) -> bool:
    """Whether every SDK release the project pins requires `period` (optional from 1.16.0)."""
    if model.sdk.source is None:
        return False
    high = parse_version(model.sdk.high)
    return high is not None and high < (1, 16)


def _passes_period(call: cst.Call) -> bool:
    if any(arg.star for arg in call.args):
        return True
    positional = [arg for arg in call.args if arg.keyword is None]
    return len(positional) >= 4 or any(arg.keyword is not None and arg.keyword.value == "period" for arg in call.args)


# ------------------------------------------------------------------------------------------------
# DPR804
# ------------------------------------------------------------------------------------------------


@rule(
    RuleSpec(
        code="DPR804",
        name="actor-without-interface",
        category="bug",
        summary="An actor class registered with the runtime that inherits no `ActorInterface`: registration raises ValueError.",
        target="python",
        across_modules=True,
        predicts="exception",
        prose=pages.DPR804,
        examples=(
            invalid(
                """
                from dapr.actor import Actor
                from dapr.ext.fastapi import DaprActor
                from fastapi import FastAPI

                app = FastAPI()
                actor = DaprActor(app)


                class CartActor(Actor):
                    async def get_items(self) -> list:
                        return []


                @app.on_event("startup")
                async def register() -> None:
                    await actor.register_actor(CartActor)  # DPR804: no ActorInterface to dispatch from
                """,
            ),
            valid(
                """
                from dapr.actor import Actor, ActorInterface, actormethod
                from dapr.ext.fastapi import DaprActor
                from fastapi import FastAPI

                app = FastAPI()
                actor = DaprActor(app)


                class CartInterface(ActorInterface):
                    @actormethod(name="GetItems")
                    async def get_items(self) -> list: ...


                class CartActor(Actor, CartInterface):
                    async def get_items(self) -> list:
                        return []


                @app.on_event("startup")
                async def register() -> None:
                    await actor.register_actor(CartActor)
                """,
            ),
        ),
    )
)
def actor_without_interface(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    actors = actor_facts(model)
    for registration in actors.facts.registrations:
        klass = actors.registered_class(registration)
        if klass is None or actors.role(klass) != "actor" or not actors.complete(klass):
            continue
        if actors.dispatch_interfaces(klass):
            continue
        yield report(
            registration.actor,  # type: ignore[arg-type]
            f"`{klass.name}` inherits no `ActorInterface`: `register_actor` raises ValueError at start-up",
        )


# ------------------------------------------------------------------------------------------------
# Across modules: classes, interfaces and registrations resolved through the summaries
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Class:
    summary: ModuleSummary
    fact: ActorClassFact


def _closeness(origin: str, candidate: str) -> int:
    return len(os.path.commonpath([os.path.dirname(origin), os.path.dirname(candidate)]))


def _resolve_class(project: Project, origin: ModuleSummary, ref: str, depth: int = 0) -> Optional[_Class]:
    """The class an `ActorClassFact` base or a registration names ("local:<Name>", "import:<path>")."""
    if ref.startswith("local:"):
        fact = origin.actors.classes.get(ref[6:])
        return _Class(origin, fact) if fact is not None else None
    if not ref.startswith("import:") or depth > 4:
        return None
    dotted = ref[7:]
    level = len(dotted) - len(dotted.lstrip("."))
    parts = dotted[level:].split(".")
    if level == 0 and len(parts) < 2:
        return None
    module, name = "." * level + ".".join(parts[:-1]), parts[-1]
    found: list[_Class] = []
    for summary in project.modules(origin, module):
        fact = summary.actors.classes.get(name)
        if fact is not None:
            found.append(_Class(summary, fact))
            continue
        target = summary.imports.get(name)
        if target is not None:
            resolved = _resolve_class(project, summary, f"import:{target}", depth + 1)
            if resolved is not None:
                found.append(resolved)
    if len(found) > 1:
        # the same module name in several folders (copies of a tutorial): the nearest one, when one is nearest
        best = max(_closeness(origin.file, c.summary.file) for c in found)
        found = [c for c in found if _closeness(origin.file, c.summary.file) == best]
    return found[0] if len(found) == 1 else None


def _hierarchy(project: Project, start: _Class) -> tuple[list[tuple[_Class, tuple[str, ...]]], bool]:
    """The classes of a hierarchy (itself first, breadth first) with their own bases, and whether every base is
    known (an SDK class, a class of the run, or a library class)."""
    seen: set[tuple[str, str]] = set()
    found: list[tuple[_Class, tuple[str, ...]]] = []
    complete = True
    queue = [start]
    while queue:
        current = queue.pop(0)
        key = (current.summary.file, current.fact.name)
        if key in seen:
            continue
        seen.add(key)
        found.append((current, current.fact.bases))
        for base in current.fact.bases:
            if base.startswith(("local:", "import:")):
                resolved = _resolve_class(project, current.summary, base)
                if resolved is None:
                    complete = False
                else:
                    queue.append(resolved)
            elif base == "unknown":
                complete = False
    return found, complete


def _is_actor(classes: list[tuple[_Class, tuple[str, ...]]]) -> bool:
    return any("sdk:actor" in bases for _c, bases in classes)


def _dispatch_interfaces(classes: list[tuple[_Class, tuple[str, ...]]]) -> list[_Class]:
    return [c for c, bases in classes if "sdk:interface" in bases]


def _subclassed(project: Project) -> set[tuple[str, str]]:
    """(file, class) of every class another class of the run derives from."""
    found: set[tuple[str, str]] = set()
    for summary in project.summaries:
        for fact in summary.actors.classes.values():
            for base in fact.bases:
                if base.startswith(("local:", "import:")):
                    resolved = _resolve_class(project, summary, base)
                    if resolved is not None:
                        found.add((resolved.summary.file, resolved.fact.name))
    return found


@check("DPR801", "project")
def sync_actor_method_across_modules(project: Project, settings: Settings, report: Reporter) -> Iterator[Finding]:
    """DPR801 where the interface or the implementing class is in another module than the actor."""
    seen: set[tuple[str, int, int]] = set()
    for summary in project.summaries:
        for fact in summary.actors.classes.values():
            if not any(b.startswith("import:") for b in fact.bases) and not _has_imported_ancestor(project, summary, fact):
                continue
            classes, _complete = _hierarchy(project, _Class(summary, fact))
            if not _is_actor(classes):
                continue
            for interface in _dispatch_interfaces(classes):
                for method in interface.fact.methods:
                    if method.name.startswith("_"):
                        continue
                    impl = _implementation(classes, method.name)
                    if impl is None:
                        continue
                    owner, found = impl
                    if owner.summary.file == summary.file == interface.summary.file:
                        continue  # all in one module: the per-file check reports it
                    if found.is_async or found.decorated:
                        continue
                    key = (owner.summary.file, found.span.line, found.span.column)
                    if key in seen:
                        continue
                    seen.add(key)
                    yield report(
                        Location(owner.summary.path, found.span),
                        f"`{found.name}` is a plain `def` but the actor runtime awaits it "
                        f"(`{method.dispatch or method.name}` of `{interface.fact.name}`): it fails with TypeError",
                        Fix("Make it `async def`.", partial(ProjectEdit, _async_def_at, (found.span.line, found.span.column, found.name))),
                    )


def _has_imported_ancestor(project: Project, summary: ModuleSummary, fact: ActorClassFact) -> bool:
    classes, _complete = _hierarchy(project, _Class(summary, fact))
    return any(c.summary.file != summary.file for c, _b in classes)


def _implementation(classes: list[tuple[_Class, tuple[str, ...]]], name: str) -> Optional[tuple[_Class, ActorMethodFact]]:
    for current, bases in classes:
        for method in current.fact.methods:
            if method.name == name:
                if "sdk:interface" in bases and "sdk:actor" not in bases:
                    return None  # the interface's own declaration: not implemented in between
                return current, method
    return None


@check("DPR804", "project")
def actor_without_interface_across_modules(project: Project, settings: Settings, report: Reporter) -> Iterator[Finding]:
    """DPR804 for a registered class, or a base of it, from another module."""
    for summary in project.summaries:
        for registration in summary.actors.registrations:
            if registration.actor is None:
                continue
            target = _resolve_class(project, summary, registration.actor)
            if target is None:
                continue
            classes, complete = _hierarchy(project, target)
            if not complete or not _is_actor(classes) or _dispatch_interfaces(classes):
                continue
            if all(c.summary.file == summary.file for c, _b in classes):
                continue  # all in one module: the per-file check reports it
            yield report(
                Location(summary.path, registration.span),
                f"`{target.fact.name}` inherits no `ActorInterface`: `register_actor` raises ValueError at start-up",
            )


@check("DPR809", "project")
def actor_proxy_call_across_modules(project: Project, settings: Settings, report: Reporter) -> Iterator[Finding]:
    """DPR809 for proxies whose interface is imported from another module of the run."""
    for summary in project.summaries:
        for call in summary.actors.proxy_calls:
            interface = _resolve_class(project, summary, f"import:{call.interface}")
            if interface is None:
                continue
            classes, _complete = _hierarchy(project, interface)
            if "sdk:interface" not in interface.fact.bases or _is_actor(classes):
                continue
            methods = [m for m in interface.fact.methods if not m.name.startswith("_")]
            by_dispatch = {m.dispatch: m for m in methods if m.dispatch is not None}
            by_name = {m.name: m for m in methods}
            where = Location(summary.path, call.span)
            if call.method in by_dispatch:
                if call.keywords:
                    yield report(where, f"`{call.method}` through a proxy drops keyword arguments: the actor receives no body")
                elif call.positional > 1:
                    yield report(
                        where,
                        f"`{call.method}` through a proxy with {call.positional} arguments: the proxy raises ValueError (one body only)",
                    )
                continue
            method = by_name.get(call.method)
            if method is None or method.dispatch in (None, "?", call.method) or not str(method.dispatch).isidentifier():
                continue
            yield report(
                where,
                f"the proxy knows `{call.method}` as `{method.dispatch}` (its `@actormethod` name): calling `{call.method}` raises AttributeError",
                Fix(f"Call `{method.dispatch}`.", partial(ProjectEdit, _rename_at, (call.span.line, call.span.column, call.method, method.dispatch))),
            )


def _async_def_at(text: bytes, keys: AbstractSet[Any]) -> Optional[bytes]:
    """`def name` becomes `async def name` at each (line, column of the name, name) key."""
    lines = text.split(b"\n")
    changed = False
    for line, column, name in keys:
        if not 0 < line <= len(lines):
            continue
        row = lines[line - 1]
        start = len(row.decode("utf-8", "replace")[: column - 1].encode("utf-8"))
        head = row[:start]
        if not head.rstrip().endswith(b"def") or row[start : start + len(name)] != name.encode():
            continue
        at = head.rstrip().rfind(b"def")
        if head[:at].strip() and not head[:at].rstrip().endswith(b";"):
            continue  # not a plain `def` at the start of its line
        lines[line - 1] = head[:at] + b"async " + row[at:]
        changed = True
    return b"\n".join(lines) if changed else None


def _rename_at(text: bytes, keys: AbstractSet[Any]) -> Optional[bytes]:
    """Rename `old` to `new` at each (line, column) key: the attribute of a proxy call."""
    lines = text.split(b"\n")
    changed = False
    for line, column, old, new in sorted(keys, reverse=True):
        if not 0 < line <= len(lines):
            continue
        row = lines[line - 1]
        start = len(row.decode("utf-8", "replace")[: column - 1].encode("utf-8"))
        if row[start : start + len(old)] != old.encode() or row[start + len(old) : start + len(old) + 1] not in (b"(", b" "):
            continue
        lines[line - 1] = row[:start] + new.encode() + row[start + len(old) :]
        changed = True
    return b"\n".join(lines) if changed else None


# ------------------------------------------------------------------------------------------------
# DPR805
# ------------------------------------------------------------------------------------------------


@rule(
    RuleSpec(
        code="DPR805",
        name="actor-not-registered",
        category="bug",
        summary="An actor class in an app that hosts actors which nothing in the app registers.",
        target="project",
        prose=pages.DPR805,
        examples=(
            invalid(
                """
                from dapr.actor import Actor, ActorInterface, actormethod
                from dapr.ext.fastapi import DaprActor
                from fastapi import FastAPI

                app = FastAPI()
                actor = DaprActor(app)


                class CartInterface(ActorInterface):
                    @actormethod(name="GetItems")
                    async def get_items(self) -> list: ...


                class CartActor(Actor, CartInterface):
                    async def get_items(self) -> list:
                        return []


                class WishlistActor(Actor, CartInterface):  # DPR805: never registered
                    async def get_items(self) -> list:
                        return []


                @app.on_event("startup")
                async def register() -> None:
                    await actor.register_actor(CartActor)
                """,
                filename="app.py",
            ),
            valid(
                """
                from dapr.actor import Actor, ActorInterface, actormethod
                from dapr.ext.fastapi import DaprActor
                from fastapi import FastAPI

                app = FastAPI()
                actor = DaprActor(app)


                class CartInterface(ActorInterface):
                    @actormethod(name="GetItems")
                    async def get_items(self) -> list: ...


                class CartActor(Actor, CartInterface):
                    async def get_items(self) -> list:
                        return []


                class WishlistActor(Actor, CartInterface):
                    async def get_items(self) -> list:
                        return []


                @app.on_event("startup")
                async def register() -> None:
                    for actor_type in (CartActor, WishlistActor):  # a loop: registrations the tool cannot follow
                        await actor.register_actor(actor_type)
                """,
                filename="app.py",
            ),
        ),
    )
)
def actor_not_registered(project: Project, settings: Settings, report: Reporter) -> Iterator[Finding]:
    registered: set[tuple[str, str]] = set()
    unresolved: set[str] = set()  # modules registering something the tool cannot follow
    for summary in project.summaries:
        for registration in summary.actors.registrations:
            target = _resolve_class(project, summary, registration.actor) if registration.actor is not None else None
            if target is None:
                unresolved.add(summary.file)
            else:
                registered.add((target.summary.file, target.fact.name))
    if not registered:
        return  # no registration the tool can see: say nothing
    subclassed = _subclassed(project)
    apps = [(model, app, set(app.modules)) for model in project.models for app in model.apps]
    for _model, app, modules in apps:
        if any(f in modules for f in unresolved):
            continue  # this app registers something the tool cannot follow
        summaries = [s for f in app.modules if (s := project.by_file.get(os.path.normcase(f))) is not None]
        if not any(s.actors.hosts for s in summaries):
            continue
        for summary in summaries:
            if app.folder and not summary.file.startswith(app.folder.rstrip(os.sep) + os.sep):
                continue  # a module shared with other apps
            if any(summary.file in others and unresolved & others for _m, _a, others in apps):
                continue  # another app that may register it registers something the tool cannot follow
            for fact in summary.actors.classes.values():
                key = (summary.file, fact.name)
                if key in registered or key in subclassed:
                    continue
                classes, complete = _hierarchy(project, _Class(summary, fact))
                if not complete or not _is_actor(classes) or not _dispatch_interfaces(classes):
                    continue
                yield report(
                    Location(summary.path, fact.span),
                    f"actor `{fact.name}` is never registered in app `{app.key}`: Dapr finds no host for its type",
                )


# ------------------------------------------------------------------------------------------------
# DPR610
# ------------------------------------------------------------------------------------------------

_FALSE = frozenset({"false", "0", "no", "n", "f", "off"})
_STATESTORE = """
    apiVersion: dapr.io/v1alpha1
    kind: Component
    metadata:
      name: statestore
    spec:
      type: state.redis
      version: v1
      metadata:
      - name: redisHost
        value: localhost:6379{extra}
    """
_ACTOR_FLAG = """
      - name: actorStateStore
        value: "true\""""


@rule(
    RuleSpec(
        code="DPR610",
        name="missing-actor-state-store",
        category="bug",
        summary="An app hosting actors or a WorkflowRuntime whose resources hold no state store with `actorStateStore: \"true\"`.",
        target="project",
        prose=pages.DPR610,
        examples=(
            invalid(
                """
                from dapr.ext.workflow import DaprWorkflowContext, WorkflowRuntime

                wfr = WorkflowRuntime()  # DPR610: components/ holds no actor state store


                @wfr.workflow(name="order")
                def order_workflow(ctx: DaprWorkflowContext, order: dict):
                    return order


                if __name__ == "__main__":
                    wfr.start()
                """,
                filename="app.py",
                files={"components/statestore.yaml": _STATESTORE.format(extra="")},
            ),
            valid(
                """
                from dapr.ext.workflow import DaprWorkflowContext, WorkflowRuntime

                wfr = WorkflowRuntime()


                @wfr.workflow(name="order")
                def order_workflow(ctx: DaprWorkflowContext, order: dict):
                    return order


                if __name__ == "__main__":
                    wfr.start()
                """,
                filename="app.py",
                files={"components/statestore.yaml": _STATESTORE.format(extra=_ACTOR_FLAG)},
            ),
        ),
    )
)
def missing_actor_state_store(project: Project, settings: Settings, report: Reporter) -> Iterator[Finding]:
    for model in project.models:
        for app in model.apps:
            where: Optional[tuple[ModuleSummary, Span, str, str]] = None
            for file in app.modules:
                summary = project.by_file.get(os.path.normcase(file))
                if summary is None:
                    continue
                if summary.actors.hosts:
                    where = (summary, summary.actors.hosts[0], "hosts actors", "actor calls fail")
                    break
                if summary.actors.workflow_runtimes and where is None:
                    where = (summary, summary.actors.workflow_runtimes[0], "runs a WorkflowRuntime", "workflows never start")
            if where is None:
                continue
            for resource_set in app.resource_sets:
                if resource_set.kind != "local" or not resource_set.complete or not any(model.resources[f].components for f in resource_set.files):
                    continue  # (a set naming a folder outside the repository may hold the store there)
                components = model.components(app, resource_set)
                if any(_actor_state_store(c) for _f, c in components):
                    continue
                summary, span, what, consequence = where
                yield report(
                    Location(summary.path, span),
                    f"app `{app.key}` {what} but no state store of its resources sets `actorStateStore`: {consequence}",
                )
                break


def _actor_state_store(component: ComponentFact) -> bool:
    if not component.type.startswith("state."):
        return False
    flag = component.metadata.get("actorstatestore")
    return flag is not None and flag.strip().lower() not in _FALSE


# ------------------------------------------------------------------------------------------------
# DPR810
# ------------------------------------------------------------------------------------------------

_DATACLASS = frozenset({"dataclasses.dataclass", "pydantic.dataclasses.dataclass"})


@rule(
    RuleSpec(
        code="DPR810",
        name="actor-unserializable-value",
        category="bug",
        summary="An actor method returning a dataclass or pydantic model, or reading one from its argument, with the default JSON serializer.",
        target="python",
        predicts="exception",
        prose=pages.DPR810,
        examples=(
            invalid(
                """
                from dataclasses import dataclass

                from dapr.actor import Actor, ActorInterface, actormethod
                from dapr.ext.fastapi import DaprActor
                from fastapi import FastAPI

                app = FastAPI()
                actor = DaprActor(app)


                @dataclass
                class Cart:
                    items: list


                class CartInterface(ActorInterface):
                    @actormethod(name="GetCart")
                    async def get_cart(self) -> Cart: ...


                class CartActor(Actor, CartInterface):
                    async def get_cart(self) -> Cart:
                        return Cart(items=[])  # DPR810: not JSON serializable


                @app.on_event("startup")
                async def register() -> None:
                    await actor.register_actor(CartActor)
                """,
            ),
            valid(
                """
                from dataclasses import asdict, dataclass

                from dapr.actor import Actor, ActorInterface, actormethod
                from dapr.ext.fastapi import DaprActor
                from fastapi import FastAPI

                app = FastAPI()
                actor = DaprActor(app)


                @dataclass
                class Cart:
                    items: list


                class CartInterface(ActorInterface):
                    @actormethod(name="GetCart")
                    async def get_cart(self) -> dict: ...


                class CartActor(Actor, CartInterface):
                    async def get_cart(self) -> dict:
                        return asdict(Cart(items=[]))


                @app.on_event("startup")
                async def register() -> None:
                    await actor.register_actor(CartActor)
                """,
            ),
        ),
    )
)
def actor_unserializable_value(model: ModuleModel, report: Reporter) -> Iterator[Finding]:
    actors = actor_facts(model)
    default_serializer: set[int] = set()
    custom: set[int] = set()
    for registration in actors.facts.registrations:
        klass = actors.registered_class(registration)
        if klass is not None:
            (custom if registration.serializer else default_serializer).add(id(klass))
    seen: set[int] = set()
    for klass in actors.facts.actors:
        if id(klass) not in default_serializer or id(klass) in custom:
            continue
        for impl, _why in _awaited_methods(actors, klass):
            if id(impl) in seen or impl.name in AWAITED_HOOKS or not impl.is_async:
                continue
            seen.add(id(impl))
            for expr in impl.returns:
                value = expr.value if isinstance(expr, cst.Return) else expr
                model_class = _model_class_of(model, model.value_of(value, impl.scope)) if value is not None else None
                if model_class is not None:
                    yield report(
                        value,  # type: ignore[arg-type]
                        f"`{impl.name}` returns a `{model_class}`, which the actor's JSON serializer cannot encode: TypeError",
                    )
            node = impl.node
            if not isinstance(node, cst.FunctionDef):
                continue
            params = [*node.params.posonly_params, *node.params.params][1:2]
            for param in params:
                if param.annotation is None:
                    continue
                typed = model.type_from_annotation(param.annotation.annotation, impl.outer_scope)
                model_class = _model_class_of(model, typed)
                if model_class is None:
                    continue
                name = param.name.value
                if len(impl.scope.bindings.get(name, ())) > 1:
                    continue  # rebound (`item = Item.model_validate(item)`): converted before use
                uses = model.uses_of(name, impl.scope)
                if not any(context == "attr" for context, _detail in uses) or any(context == "arg" for context, _detail in uses):
                    continue  # never read as an object, or handed to a call that may convert it
                yield report(
                    param.annotation.annotation,
                    f"`{param.name.value}` arrives as a dict, not a `{model_class}`: reading its attributes raises AttributeError",
                )


def _model_class_of(model: ModuleModel, value: object) -> Optional[str]:
    """The name of the local dataclass or pydantic model an instance value is of."""
    from dapr_lint.python.model import Instance

    if not isinstance(value, Instance) or value.local is None:
        return None
    klass = value.local
    if payload_facts(model).is_pydantic_model(klass):
        return klass.name
    for decorator in klass.node.decorators:
        expr = decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator
        if model.qualified_name(expr, klass.outer_scope) in _DATACLASS:
            return klass.name
    return None
