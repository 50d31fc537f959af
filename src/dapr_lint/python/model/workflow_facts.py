"""The workflow facet of a module: what it registers with a WorkflowRuntime and under which
names, what its workflows call and schedule, the external events it raises and waits for, and the runtimes it
starts. Built from the ModuleModel's records (no walk); `workflow_facts(model)` builds it once per model.

Names are what the worker keys its registry by: the `name=` of `@wfr.workflow(name=)`, `@wfr.activity(name=)`,
`register_workflow(fn, name=)`, `register_activity(fn, name=)`, `versioned_workflow(name=)` or
`@alternate_name(name)`, else the function's `__name__` (the SDK stores it as `_dapr_alternate_name`, and
`call_activity(fn)` / `schedule_new_workflow(fn)` send that name).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union

import libcst as cst

from dapr_lint.python import known
from dapr_lint.python.model import (
    CallSite,
    Const,
    FunctionInfo,
    FunctionRef,
    Instance,
    ModuleModel,
    Ref,
    Scope,
    argument,
    keyword_arg,
)
from dapr_lint.python.model.clients import client_facts

WORKFLOW_CONTEXTS = frozenset(
    {
        "dapr.ext.workflow.DaprWorkflowContext",
        "dapr.ext.workflow.dapr_workflow_context.DaprWorkflowContext",
    }
)
ALTERNATE_NAME = frozenset({"dapr.ext.workflow.alternate_name", "dapr.ext.workflow.workflow_runtime.alternate_name"})
# Target parameters: call_activity(activity, ...), call_child_workflow(workflow, ...),
# schedule_new_workflow(workflow, ...).
_TARGET_PARAMS = {"call_activity": "activity", "call_child_workflow": "workflow", "schedule_new_workflow": "workflow"}
_REGISTER_METHODS = {
    "register_workflow": "workflow",
    "register_activity": "activity",
    "register_versioned_workflow": "workflow",
}
# dapr-agents: agents that run their own WorkflowRuntime unless given `runtime=`, and the runner that serves them.
DURABLE_AGENTS = frozenset({"dapr_agents.DurableAgent", "dapr_agents.agents.durable.DurableAgent"})
AGENT_RUNNERS = frozenset({"dapr_agents.AgentRunner", "dapr_agents.workflow.runners.AgentRunner",
                           "dapr_agents.workflow.runners.agent.AgentRunner"})
_RUNNER_METHODS = frozenset({"serve", "run", "run_sync", "subscribe", "workflow"})

# A name: a known string, an imported name the project stage resolves (a constant or a function of another
# module), or None (not known).
Name = Union[str, Ref, None]


@dataclass(eq=False)
class Registration:
    """A workflow or activity a runtime of this module registers."""

    kind: str  # "workflow" | "activity"
    name: Name  # the registered name (None: not known)
    function: Optional[str]  # the function's own name (`__name__`), when it is a function
    node: cst.CSTNode  # the decorator or the register call


@dataclass(eq=False)
class Target:
    """A workflow or activity that a call starts by name or by function."""

    method: str  # call_activity | call_child_workflow | schedule_new_workflow
    kind: str  # "workflow" | "activity"
    name: Name  # the name sent (a string; for a function, its registered name when registered here)
    function: Optional[str]  # the function's own name when the target is a function
    remote: bool  # `app_id=` names another app
    node: cst.Call
    argument: cst.BaseExpression
    scope: Scope


@dataclass(eq=False)
class Event:
    """An external event raised (`raise_workflow_event`) or waited for (`wait_for_external_event`)."""

    name: Name
    node: cst.Call
    remote: bool = False  # raised with `app_id=`: to another app's instance


@dataclass(eq=False)
class Runtime:
    """A WorkflowRuntime (or a dapr-agents DurableAgent with a runtime of its own) this module starts."""

    kind: str  # "WorkflowRuntime" | "DurableAgent"
    key: str  # the name it is held under
    node: cst.CSTNode  # the construction
    # an imported runtime this module starts (its import path), rather than one it constructs
    imported: Optional[str] = None
    # started under `if __name__ == "__main__":` (only when the module is the program itself)
    script: bool = False


@dataclass(eq=False)
class WorkflowFacts:
    registrations: list[Registration] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    raised: list[Event] = field(default_factory=list)
    awaited: list[Event] = field(default_factory=list)
    started: list[Runtime] = field(default_factory=list)
    # the module registers something whose name the model cannot tell (a loop, a helper, a framework such as
    # dapr-agents that registers its own workflows, a runtime handed to other code)
    opaque: bool = False
    # the module uses an agent framework (dapr-agents, Diagrid's agents) that runs workflows of its own
    agents: bool = False
    # functions of other modules a runtime is handed to (import paths): their registrations count when the project
    # holds them, else the app's registrations are not known
    handed: list[str] = field(default_factory=list)


def workflow_facts(model: ModuleModel) -> WorkflowFacts:
    """The workflow facet of a module (built once per model)."""
    facts = model.facets.get("workflow")
    if not isinstance(facts, WorkflowFacts):
        facts = _Builder(model).build()
        model.facets["workflow"] = facts
    return facts


def registered_functions(model: ModuleModel, kind: str) -> list[FunctionInfo]:
    """The local functions registered as workflows ("workflow") or activities ("activity")."""
    seen: dict[int, FunctionInfo] = {}
    for handler in model.handlers:
        if handler.kind == kind and handler.framework == "workflow" and not handler.function.is_lambda:
            seen.setdefault(id(handler.function), handler.function)
    return list(seen.values())


def context_param(info: FunctionInfo) -> Optional[str]:
    """The name of a workflow's context parameter: its first parameter after self."""
    node = info.node
    if not isinstance(node, cst.FunctionDef):
        return None
    params = list(node.params.posonly_params) + list(node.params.params)
    if info.klass is not None and params:
        binding = info.scope.bindings.get(params[0].name.value, [None])[0]
        if binding is not None and binding.kind in ("self", "cls"):
            params = params[1:]
    return params[0].name.value if params else None


def context_method(model: ModuleModel, site: CallSite) -> Optional[str]:
    """The method name when `site` is `ctx.<method>(...)` on the context parameter of a registered workflow,
    or on a parameter annotated `DaprWorkflowContext`."""
    func = site.node.func
    if not isinstance(func, cst.Attribute) or not isinstance(func.value, cst.Name):
        return None
    name = func.value.value
    bindings = model.lookup(name, site.scope)
    if not bindings or len(bindings) != 1 or bindings[0].kind != "param":
        return None
    owner = bindings[0].scope.function
    if owner is None:
        return None
    if any(h.kind == "workflow" and h.framework == "workflow" for h in owner.handlers) and context_param(owner) == name:
        return func.attr.value
    annotation = bindings[0].annotation
    if annotation is not None and model.qualified_name(annotation, owner.outer_scope) in WORKFLOW_CONTEXTS:
        return func.attr.value
    return None


class _Builder:
    def __init__(self, model: ModuleModel) -> None:
        self.m = model
        self.facts = WorkflowFacts()

    def build(self) -> WorkflowFacts:
        m = self.m
        if not m.imports_module("dapr.ext.workflow") and not m.imports_module("dapr_agents") and not m.imports_module("dapr"):
            return self.facts
        if m.imports_module("dapr_agents") or m.imports_module("diagrid.agent"):
            # agent frameworks register workflows and activities of their own, under names they compute, and wait
            # for events of their own
            self.facts.opaque = True
            self.facts.agents = True
        self._handlers()
        self._wrapped_decorators()
        for site in m.calls:
            self._call(site)
        return self.facts

    # -- registrations -----------------------------------------------------------------------------

    def _handlers(self) -> None:
        for handler in self.m.handlers:
            if handler.framework != "workflow" or handler.kind not in ("workflow", "activity"):
                continue
            info = handler.function
            scope = info.outer_scope
            name: Name = None
            given = argument(handler.call, None, "name") if handler.call is not None else None
            if given is not None:
                name = self._name(given, scope)
                if name is None:
                    self.facts.opaque = True
            else:
                name = self._alternate_name(info) or info.name
            self.facts.registrations.append(Registration(handler.kind, name, info.name, handler.node))

    def _wrapped_decorators(self) -> None:
        """`@<something>.workflow` / `.activity` that is not a WorkflowRuntime's (a project's own wrapper around
        one): it registers under names the model cannot tell."""
        if not self.m.imports_module("dapr.ext.workflow"):
            return
        for info in self.m.functions:
            registered = {id(h.node) for h in info.handlers}
            for decorator in info.decorators:
                expr = decorator.decorator
                target = expr.func if isinstance(expr, cst.Call) else expr
                if (
                    isinstance(target, cst.Attribute)
                    and target.attr.value in ("workflow", "activity", "versioned_workflow")
                    and id(decorator) not in registered
                ):
                    self.facts.opaque = True
                    return

    def _alternate_name(self, info: FunctionInfo) -> Optional[str]:
        for decorator in info.decorators:
            expr = decorator.decorator
            if isinstance(expr, cst.Call) and self.m.qualified_name(expr.func, info.outer_scope) in ALTERNATE_NAME:
                return self.m.string_of(argument(expr, 0, "name"), info.outer_scope) or info.name
        return None

    def _name(self, expr: cst.BaseExpression, scope: Scope) -> Name:
        value = self.m.value_of(expr, scope)
        if isinstance(value, Const) and isinstance(value.value, str):
            return value.value
        if isinstance(value, Ref):
            return value
        return None

    def _registration_call(self, site: CallSite, attr: str) -> None:
        """`<runtime>.register_*(fn, name=...)` the model did not already record as a handler (the function
        is imported, a method, or unknown; or the runtime is not resolved)."""
        call = site.node
        func = call.func
        assert isinstance(func, cst.Attribute)
        receiver = self.m.value_of(func.value, site.scope)
        resolved = isinstance(receiver, Instance) and receiver.local is None and receiver.path == known.WORKFLOW_RUNTIME
        if not resolved and not self.m.imports_module("dapr.ext.workflow"):
            return
        target = argument(call, 0, "fn")
        value = self.m.value_of(target, site.scope)
        if isinstance(value, FunctionRef) and any(h.node is call for h in value.info.handlers):
            return  # recorded from the model's handlers
        kind = _REGISTER_METHODS[attr]
        given = keyword_arg(call, "name")
        function: Optional[str] = None
        if isinstance(value, FunctionRef):
            function = value.info.name
        elif isinstance(value, Ref):
            function = value.path.rsplit(".", 1)[-1]
        elif isinstance(target, cst.Attribute) and _is_self_attribute(target):
            function = target.attr.value  # `self.activity_x` on an instance the model does not follow
        name: Name = self._name(given.value, site.scope) if given is not None else function
        if name is None or (given is None and function is None):
            self.facts.opaque = True
            return
        self.facts.registrations.append(Registration(kind, name, function, call))

    # -- calls ---------------------------------------------------------------------------------------

    def _call(self, site: CallSite) -> None:
        self._escapes(site)
        func = site.node.func
        if not isinstance(func, cst.Attribute):
            return
        attr = func.attr.value
        if attr in _REGISTER_METHODS:
            self._registration_call(site, attr)
            return
        if attr == "wait_for_external_event":
            # by shape: any waiter counts (more waiters only mean fewer findings)
            name = argument(site.node, 0, "name")
            self.facts.awaited.append(Event(self._name(name, site.scope) if name is not None else None, site.node))
            return
        if attr in ("call_activity", "call_child_workflow"):
            if context_method(self.m, site) == attr:
                self._target(site, attr)
            return
        if attr in ("schedule_new_workflow", "raise_workflow_event"):
            method = client_facts(self.m).client_method_call(site)
            if method is None or method[0].family != "workflow":
                return
            if attr == "schedule_new_workflow":
                self._target(site, attr)
            else:
                name = argument(site.node, 1, "event_name")
                self.facts.raised.append(
                    Event(self._name(name, site.scope) if name is not None else None, site.node, _is_remote(site.node))
                )
            return
        if attr == "start":
            self._start(site)
            return
        if attr in _RUNNER_METHODS:
            self._runner(site)

    def _target(self, site: CallSite, method: str) -> None:
        call = site.node
        expr = argument(call, 0, _TARGET_PARAMS[method])
        if expr is None:
            return
        remote = _is_remote(call)
        kind = "activity" if method == "call_activity" else "workflow"
        value = self.m.value_of(expr, site.scope)
        name: Name = None
        function: Optional[str] = None
        if isinstance(value, Const) and isinstance(value.value, str):
            name = value.value
        elif isinstance(value, FunctionRef) and not value.info.is_lambda:
            function = value.info.name
            names = {self._registered_name(h, value.info) for h in value.info.handlers if h.framework == "workflow"}
            name = names.pop() if len(names) == 1 else None
        elif isinstance(value, Ref):
            name = value  # a constant or a function of another module: the project stage tells
        else:
            return
        self.facts.targets.append(Target(method, kind, name, function, remote, call, expr, site.scope))

    def _registered_name(self, handler, info: FunctionInfo) -> Name:
        given = argument(handler.call, None, "name") if handler.call is not None else None
        if given is not None:
            return self._name(given, info.outer_scope)
        return self._alternate_name(info) or info.name

    # -- runtimes ------------------------------------------------------------------------------------

    def _start(self, site: CallSite) -> None:
        func = site.node.func
        assert isinstance(func, cst.Attribute)
        receiver = func.value
        if self._constructed(receiver, site.scope) in DURABLE_AGENTS:
            if keyword_arg(site.node, "runtime") is None:
                self._agent(receiver, site)
            return
        value = self.m.value_of(receiver, site.scope)
        if not isinstance(value, Instance) or value.local is not None or value.path != known.WORKFLOW_RUNTIME:
            return
        key = self.m.module.code_for_node(receiver)
        imported = self._imported_path(receiver, site.scope)
        if any(r.key == key and r.kind == "WorkflowRuntime" for r in self.facts.started):
            return
        self.facts.started.append(Runtime("WorkflowRuntime", key, site.node, imported, site.in_main_guard))

    def _constructed(self, expr: cst.BaseExpression, scope: Scope) -> Optional[str]:
        """The class path of what a name holds when it is bound once, to a construction (`agent = DurableAgent(...)`),
        or of a construction itself."""
        call: Optional[cst.CSTNode] = expr
        if isinstance(expr, cst.Name):
            bindings = self.m.lookup(expr.value, scope)
            if not bindings or len(bindings) != 1 or bindings[0].kind != "assign":
                return None
            call, scope = bindings[0].value, bindings[0].scope
        if not isinstance(call, cst.Call):
            return None
        path = self.m.callee_path(call, scope)
        return known.canonical(path) if path is not None else None

    def _runner(self, site: CallSite) -> None:
        """`AgentRunner().serve(agent)` / `.run(agent, ...)`: the agent starts its own runtime."""
        func = site.node.func
        assert isinstance(func, cst.Attribute)
        if self._constructed(func.value, site.scope) not in AGENT_RUNNERS:
            return
        agent = argument(site.node, 0, "agent")
        if agent is not None and self._constructed(agent, site.scope) in DURABLE_AGENTS:
            self._agent(agent, site)

    def _agent(self, expr: cst.BaseExpression, site: CallSite) -> None:
        """A DurableAgent started with a runtime of its own (constructed without `runtime=`)."""
        if not isinstance(expr, cst.Name):
            return
        bindings = self.m.lookup(expr.value, site.scope)
        if not bindings or len(bindings) != 1 or not isinstance(bindings[0].value, cst.Call):
            return
        construction = bindings[0].value
        if keyword_arg(construction, "runtime") is not None:
            return
        key = expr.value
        if any(r.key == key and r.kind == "DurableAgent" for r in self.facts.started):
            return
        self.facts.started.append(Runtime("DurableAgent", key, site.node, None, site.in_main_guard))

    def _imported_path(self, expr: cst.BaseExpression, scope: Scope) -> Optional[str]:
        if not isinstance(expr, cst.Name):
            return None
        bindings = self.m.lookup(expr.value, scope)
        if bindings and len(bindings) == 1 and bindings[0].kind == "import" and isinstance(bindings[0].target, str):
            return bindings[0].target
        return None

    def _escapes(self, site: CallSite) -> None:
        """A runtime handed to other code may get registrations the model cannot see: a local helper's are seen
        (its `register_*` calls on the parameter), an imported function's when the project holds its module;
        anything else (an agent framework, a method of an unknown object) makes the registrations unknown."""
        if not self.m.imports_module("dapr.ext.workflow"):
            return
        for arg in site.node.args:
            value = self.m.value_of(arg.value, site.scope)
            if not (isinstance(value, Instance) and value.local is None and value.path == known.WORKFLOW_RUNTIME):
                continue
            callee = self.m.value_of(site.node.func, site.scope)
            if isinstance(callee, FunctionRef):
                return
            if isinstance(callee, Ref) and isinstance(site.node.func, cst.Name):
                self.facts.handed.append(callee.path)
                return
            self.facts.opaque = True
            return


def _is_remote(call: cst.Call) -> bool:
    """The call names another app (`app_id=` other than None)."""
    app_id = keyword_arg(call, "app_id")
    return app_id is not None and not (isinstance(app_id.value, cst.Name) and app_id.value.value == "None")


def _is_self_attribute(expr: cst.Attribute) -> bool:
    return isinstance(expr.value, cst.Name) and expr.value.value in ("self", "cls")
