"""Builds the per-file summary of a Python module (`dapr_lint.summaries.ModuleSummary`) from its
ModuleModel, with no second walk. The builder collects drafts and the nodes whose positions it needs; the
Python stage (engine/python_stage.py) positions them in the one pass it makes for the findings, then
`PendingSummary.finish` freezes the summary. The engine adds where the file lives and which findings its
`# noqa` / `per-file-ignores` silence. Two fact families draft in modules of their own: apps, routers and routes
(python/summary_routes.py) and what DPR101 reads across modules (python/summary_blocking.py)."""

from __future__ import annotations

from typing import Any, Optional

import libcst as cst

from dapr_lint.python import practices
from dapr_lint.python.model import Const, ModuleModel, Ref, Scope, argument, is_blocking_method, is_none_literal, streams
from dapr_lint.python.model.actors import actor_summary_draft, freeze_actor_summary
from dapr_lint.python.model.clients import client_facts
from dapr_lint.python.model.exceptions import exception_facts
from dapr_lint.python.model.listings import summary_string
from dapr_lint.python.model.workflow_facts import workflow_facts
from dapr_lint.python.sdk_table import MEMBERS
from dapr_lint.python.summary_blocking import BlockingDrafts
from dapr_lint.python.summary_routes import RouteDrafts
from dapr_lint.summaries import (
    AsyncCall,
    ComponentUse,
    HandlerFact,
    ImportedName,
    Include,
    ModuleSummary,
    PracticeFacts,
    Route,
    RouteOwner,
    Span,
    StrValue,
    UnguardedCall,
    WiringFacts,
    WorkflowEvent,
    WorkflowFacts,
    WorkflowRegistration,
    WorkflowRuntimeStart,
    WorkflowTarget,
)

# The first parameter of these names the component (or app) a Dapr client call uses.
_COMPONENT_PARAMS = frozenset({"store_name", "pubsub_name", "binding_name", "app_id"})


def build_summary(model: ModuleModel) -> "PendingSummary":
    """The summary of one module, waiting for the positions of `nodes` (one position pass for the whole
    file, shared with the findings)."""
    draft, pending = _Builder(model).build()
    return PendingSummary(draft, pending)


class PendingSummary:
    """Drafts of a module's summary items and the nodes whose positions they need."""

    def __init__(self, draft: dict, pending: list[tuple[dict, cst.CSTNode]]) -> None:
        self.draft = draft
        self.pending = pending

    @property
    def nodes(self) -> list[cst.CSTNode]:
        return [node for _item, node in self.pending]

    def finish(self, spans: dict[int, tuple[int, int, int, int]]) -> ModuleSummary:
        for item, node in self.pending:
            item["span"] = Span(*spans.get(id(node), (1, 1, 1, 1)))
        return _freeze(self.draft)


def _freeze(draft: dict) -> ModuleSummary:
    def span(item: dict) -> Span:
        return item.get("span", Span())

    return ModuleSummary(
        uses_dapr=draft["uses_dapr"],
        entry=draft.get("entry", False),
        subscribed_routes=tuple(draft.get("subscribed_routes", ())),
        env_constants=draft.get("env_constants", {}),
        objects={
            key: RouteOwner(o["kind"], o["framework"], o["name"], o["prefix"], o["opaque"], o["actor"], span(o))
            for key, o in draft["objects"].items()
        },
        routes=tuple(Route(r["owner"], r["path"], span(r).line, tuple(r.get("methods", ())), r.get("function")) for r in draft["routes"]),
        includes=tuple(Include(i["parent"], i["child"], i["prefix"], i["replace"], span(i).line) for i in draft["includes"]),
        constants=draft["constants"],
        imports=draft["imports"],
        handlers=tuple(
            HandlerFact(
                h["kind"], h["framework"], h["function"], h["path"], h["pubsub"], h["topic"], h["resolved"],
                span(h).line, span(h["body"]), h.get("binding"),
            )
            for h in draft["handlers"]
        ),
        components=tuple(
            ComponentUse(
                c["method"], c["param"], c["name"], c["topic"], span(c), c.get("env"), tuple(c.get("keywords", ())),
                c.get("method_name"), c.get("http_verb"), c.get("has_body", False),
            )
            for c in draft["components"]
        ),
        defs=draft.get("defs", {}),
        classes=draft.get("classes", {}),
        async_calls=tuple(
            AsyncCall(
                a["target"], a["method"], a["function"], span(a), a.get("attribute"), a.get("called", False),
                a.get("instance", False), a.get("provided", False),
            )
            for a in draft.get("async_calls", ())
        ),
        instances=draft.get("instances", {}),
        practices=practices.freeze(draft["practices"]) if "practices" in draft else PracticeFacts(),
        actors=freeze_actor_summary(draft.get("actors")),
        unguarded_calls=tuple(UnguardedCall(u["method"], u["function"], span(u)) for u in draft.get("unguarded_calls", ())),
        catches_dapr_errors=draft.get("catches_dapr_errors", False),
        workflows=_freeze_workflows(draft["workflows"]) if "workflows" in draft else WorkflowFacts(),
        wiring=streams.freeze_wiring(draft["wiring"]) if "wiring" in draft else WiringFacts(),
    )


def _freeze_workflows(draft: dict) -> WorkflowFacts:
    def span(item: dict) -> Span:
        return item.get("span", Span())

    return WorkflowFacts(
        registrations=tuple(WorkflowRegistration(r["kind"], r["name"], r["function"], span(r)) for r in draft["registrations"]),
        targets=tuple(
            WorkflowTarget(t["method"], t["kind"], t["name"], t["function"], t["remote"], span(t)) for t in draft["targets"]
        ),
        raised=tuple(WorkflowEvent(e["name"], span(e), e["remote"]) for e in draft["raised"]),
        awaited=tuple(WorkflowEvent(e["name"], span(e)) for e in draft["awaited"]),
        started=tuple(
            WorkflowRuntimeStart(r["kind"], r["key"], r["imported"], span(r), r["script"]) for r in draft["started"]
        ),
        opaque=draft["opaque"],
        agents=draft["agents"],
        handed=tuple(draft["handed"]),
    )


def text_summary(data: bytes) -> ModuleSummary:
    """The summary of a module that is not modelled (it names no Dapr or web framework): only what its text
    says about logging and tracing set-up and the modules it imports (a shared bootstrap module)."""
    return ModuleSummary(practices=practices.text_facts(data))


class _Builder:
    def __init__(self, model: ModuleModel) -> None:
        self.m = model
        self.pending: list[tuple[dict, cst.CSTNode]] = []
        self.routes = RouteDrafts(model, self.pending)
        self.blocking = BlockingDrafts(model, self.pending)

    def build(self) -> tuple[dict, list[tuple[dict, cst.CSTNode]]]:
        m = self.m
        summary: dict[str, Any] = {
            "uses_dapr": m.imports_module("dapr") or m.imports_module("flask_dapr"),
            "objects": self.routes.objects,
            "routes": [],
            "includes": [],
            "constants": self._constants(),
            "imports": self._imports(),
            "handlers": [],
            "components": [],
        }
        owners_possible = m.imports_module("fastapi") or m.imports_module("flask") or m.imports_module("starlette")
        if owners_possible:
            self.routes.objects_and_escapes()
        summary["entry"] = self.routes.is_entry()
        summary["env_constants"] = self.env_constants
        summary["subscribed_routes"] = sorted(m.programmatic_routes)
        self.routes.routes_and_includes(summary)
        self._handlers(summary)
        if summary["uses_dapr"]:
            self._components(summary)
        self.blocking.blocking_definitions(summary)
        self.blocking.async_calls(summary)
        summary["actors"], actor_pending = actor_summary_draft(m)
        self.pending.extend(actor_pending)
        self._unguarded_calls(summary)
        summary["practices"], practice_pending = practices.practice_facts(m)
        self.pending.extend(practice_pending)
        summary["workflows"] = self._workflows()
        summary["wiring"], wiring_pending = streams.wiring_draft(m)
        self.pending.extend(wiring_pending)
        return summary, self.pending

    # -- DPR301 ----------------------------------------------------------------------------------------

    def _unguarded_calls(self, summary: dict) -> None:
        """Dapr client calls in HTTP route handlers (not subscription routes, where raising means "retry") with
        no `try` around them that catches Dapr errors; and whether an app-level handler catches them."""
        m = self.m
        calls = []
        for info in m.functions:
            if not any(h.kind == "route" for h in info.handlers):
                continue
            if any(h.kind in ("subscription", "grpc_subscription") for h in info.handlers):
                continue
            for site in info.calls:
                method = client_facts(m).client_method_call(site)
                if method is None or not is_blocking_method(*method) or exception_facts(m).protected_by(site, "dapr"):
                    continue
                item = {"method": method[1], "function": info.name}
                calls.append(item)
                self.pending.append((item, site.node))
        summary["unguarded_calls"] = calls
        summary["catches_dapr_errors"] = exception_facts(m).catches_dapr_errors_app_wide()

    # -- workflow registrations, targets, events, runtimes (DPR707-DPR710) ----------------------------

    def _workflows(self) -> dict:
        facts = workflow_facts(self.m)

        def name(value: object) -> StrValue:
            if isinstance(value, Ref):
                return ImportedName(value.path)
            return value if isinstance(value, str) else None

        def item(data: dict, node: cst.CSTNode) -> dict:
            self.pending.append((data, node))
            return data

        return {
            "registrations": [item({"kind": r.kind, "name": name(r.name), "function": r.function}, r.node) for r in facts.registrations],
            "targets": [
                item({"method": t.method, "kind": t.kind, "name": name(t.name), "function": t.function, "remote": t.remote}, t.argument)
                for t in facts.targets
            ],
            "raised": [item({"name": name(e.name), "remote": e.remote}, e.node) for e in facts.raised],
            "awaited": [item({"name": name(e.name)}, e.node) for e in facts.awaited],
            "started": [
                item({"kind": r.kind, "key": r.key, "imported": r.imported, "script": r.script}, r.node) for r in facts.started
            ],
            "opaque": facts.opaque,
            "agents": facts.agents,
            "handed": list(facts.handed),
        }

    # -- module facts ------------------------------------------------------------------------------

    def _constants(self) -> dict[str, str]:
        constants: dict[str, str] = {}
        self.env_constants: dict[str, str] = {}
        for name, bindings in self.m.module_scope.bindings.items():
            if len(bindings) != 1 or bindings[0].kind != "assign":
                continue
            env = self._env_default(bindings[0].value, self.m.module_scope) if isinstance(bindings[0].value, cst.Call) else None
            if env is not None:
                constants[name] = env[1]
                self.env_constants[name] = env[0]
                continue
            if isinstance(bindings[0].value, (cst.SimpleString, cst.ConcatenatedString)):
                value = self.m.string_of(bindings[0].value, self.m.module_scope)
                if value is not None:
                    constants[name] = value
        return constants

    def _imports(self) -> dict[str, str]:
        return {
            name: bindings[0].target
            for name, bindings in self.m.module_scope.bindings.items()
            if len(bindings) == 1 and bindings[0].kind == "import"
        }

    def _env_default(self, expr: Optional[cst.BaseExpression], scope: Scope, depth: int = 0) -> Optional[tuple[str, str]]:
        """(variable, default) when a name comes from `os.getenv(NAME, default)` / `os.environ.get(...)`,
        directly or through a name bound once to it."""
        if expr is None or depth > 2:
            return None
        if isinstance(expr, cst.Name):
            bindings = self.m.lookup(expr.value, scope)
            if bindings and len(bindings) == 1 and bindings[0].kind == "assign" and bindings[0].value is not None:
                return self._env_default(bindings[0].value, bindings[0].scope, depth + 1)  # type: ignore[arg-type]
            return None
        if not isinstance(expr, cst.Call) or self.m.callee_path(expr, scope) not in ("os.getenv", "os.environ.get"):
            return None
        variable = self.m.string_of(argument(expr, 0, ("key",)), scope)
        default = self.m.string_of(argument(expr, 1, ("default",)), scope)
        if variable is not None and default is not None:
            return variable, default
        return None

    # -- handlers and component names --------------------------------------------------------------

    def _handlers(self, summary: dict) -> None:
        for handler in self.m.handlers:
            scope = handler.function.outer_scope
            pubsub = topic = None
            if handler.kind in ("subscription", "grpc_subscription") and handler.call is not None:
                pubsub = summary_string(self.m, argument(handler.call, 0, ("pubsub", "pubsub_name")), scope)
                topic = summary_string(self.m, argument(handler.call, 1, ("topic",)), scope)
            binding = None
            if handler.kind == "grpc_binding" and handler.call is not None:
                binding = summary_string(self.m, argument(handler.call, 0, ("name",)), scope)
            item: dict[str, Any] = {
                "kind": handler.kind,
                "framework": handler.framework,
                "function": handler.function.qualname,
                "path": handler.path,
                "pubsub": pubsub,
                "topic": topic,
                "resolved": handler.resolved,
                "binding": binding,
            }
            summary["handlers"].append(item)
            self.pending.append((item, handler.node))
            # the handler function's lines, so the project stage can refine per-file findings inside it
            item["body"] = {}
            self.pending.append((item["body"], handler.function.node))

    def _components(self, summary: dict) -> None:
        m = self.m
        for site in m.calls:
            method = client_facts(m).client_method_call(site)
            if method is None or method[0].family != "dapr":
                continue
            member = MEMBERS.get(method[0].path, {}).get(method[1], {})
            params = member.get("params") or ()
            if not params or params[0] not in _COMPONENT_PARAMS:
                continue
            name_expr = argument(site.node, 0, (params[0],))
            env = self._env_default(name_expr, site.scope)
            item = {
                "method": method[1],
                "param": params[0],
                "name": env[1] if env is not None else summary_string(self.m, name_expr, site.scope),
                "env": env[0] if env is not None else None,
                "topic": None,
                "keywords": tuple(
                    sorted(
                        {arg.keyword.value for arg in site.node.args if arg.keyword is not None}
                        | {params[i] for i, arg in enumerate(site.node.args) if arg.keyword is None and not arg.star and i < len(params)}
                    )
                ),
            }
            metadata = argument(site.node, None, "state_metadata")
            if isinstance(metadata, cst.Dict) and any(
                isinstance(e, cst.DictElement) and self.m.value_of(e.key, site.scope) == Const("ttlInSeconds")
                for e in metadata.elements
            ):
                item["keywords"] = tuple(sorted({*item["keywords"], "ttlInSeconds"}))
            if len(params) > 1 and params[1] in ("topic_name", "topic"):
                item["topic"] = summary_string(self.m, argument(site.node, 1, (params[1],)), site.scope)
            if method[1] in ("invoke_method", "invoke_method_async"):
                item["method_name"] = summary_string(self.m, argument(site.node, 1, ("method_name",)), site.scope)
                verb = argument(site.node, 5, ("http_verb",))
                item["http_verb"] = summary_string(self.m, verb, site.scope) if verb is not None else None
                data = argument(site.node, 2, ("data",))
                item["has_body"] = data is not None and not is_none_literal(data)
            summary["components"].append(item)
            self.pending.append((item, site.node))
