"""DPR601-DPR609: code held against the resources and the other apps of its repository.

Every check works per app (`project.apps.App`): the names an app's modules use are compared with the
components of each resource set the app loads (local and Kubernetes sets apart, `scopes` applied). A set that
declares no component at all says nothing (the app may run with the CLI's default components), and a name the
summaries cannot resolve is never reported."""

from __future__ import annotations

import os
from typing import Iterator, Optional

from dataclasses import dataclass

from dapr_lint.diagnostics import Finding, Location
from dapr_lint.examples import invalid, valid
from dapr_lint.project import Project, normalise_route, pages
from dapr_lint.project.apps import App, AppModel, ResourceSet
from dapr_lint.project.jobs import app_modules
from dapr_lint.registry import Reporter, RuleSpec, check, rule
from dapr_lint.resources.kinds.runfile import DPR512
from dapr_lint.settings import Settings
from dapr_lint.summaries import ComponentFact, ComponentUse, ModuleSummary, Span


@dataclass(frozen=True)
class _Route:
    """A route registered by a Dapr subscription decorator (`DaprApp.subscribe(route=...)`)."""

    path: str

    @property
    def full(self) -> str:
        return normalise_route(self.path)

# -- the examples' resources (rule pages show them beside the code; tests/test_rule_pages.py lints them) ---

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
        value: localhost:6379
    """
_PUBSUB = """
    apiVersion: dapr.io/v1alpha1
    kind: Component
    metadata:
      name: pubsub
    spec:
      type: pubsub.redis
      version: v1
      metadata:
      - name: redisHost
        value: localhost:6379
    """
_RESOURCES = {"components/statestore.yaml": _STATESTORE, "components/pubsub.yaml": _PUBSUB}
_CARTS = """
    apiVersion: dapr.io/v1alpha1
    kind: Component
    metadata:
      name: carts
    spec:
      type: {type}
      version: v1
      metadata:
      - name: {host}
        value: {value}
    """
_APP = """
    from fastapi import FastAPI

    app = FastAPI()


    @app.post("/orders")
    def create_order(order: dict) -> dict:
        return order
    """
_TICK = """
    apiVersion: dapr.io/v1alpha1
    kind: Component
    metadata:
      name: tick
    spec:
      type: bindings.cron
      version: v1
      metadata:
      - name: schedule
        value: "@every 1m"
    """
_REFUNDS_APP = """
    from fastapi import FastAPI

    app = FastAPI()


    @app.post("/refunds")
    def refund(event: dict) -> dict:
        return {"status": "SUCCESS"}
    """
_STATE_APP = """
    from dapr.clients import DaprClient
    from fastapi import FastAPI

    app = FastAPI()


    @app.post("/orders/{order_id}")
    def save_order(order_id: str, order: dict) -> None:
        with DaprClient() as client:
            client.save_state("statestore", order_id, str(order))
    """
_HEALTH_APP = """
    from fastapi import FastAPI

    app = FastAPI()


    @app.get("/health")
    def health() -> str:
        return "ok"
    """
_RUN = """
    version: 1
    apps:
      - appID: orders
        appDirPath: .
        command: ["uvicorn", "app:app"]
    """
_INVOKE_REPOSITORY = {
    "dapr.yaml": """
        version: 1
        apps:
          - appID: orders
            appDirPath: ./orders
            command: ["uvicorn", "app:app"]
          - appID: checkout
            appDirPath: ./checkout
            command: ["uvicorn", "app:app"]
        """,
    "checkout/app.py": """
        from fastapi import FastAPI

        app = FastAPI()


        @app.post("/pay")
        def pay(order_id: str) -> dict:
            return {"paid": order_id}
        """,
}


# -- what a name means ---------------------------------------------------------------------------------

_FAMILY_LABEL = {
    "state": "state store",
    "pubsub": "pub/sub component",
    "bindings": "binding",
    "secretstores": "secret store",
    "configuration": "configuration store",
    "lock": "lock store",
}
_SECRET_METHODS = frozenset({"get_secret", "get_bulk_secret"})
_CONFIGURATION_METHODS = frozenset({"get_configuration", "subscribe_configuration", "unsubscribe_configuration"})
_LOCK_METHODS = frozenset({"try_lock", "unlock"})
_TRANSACTION_METHODS = frozenset({"execute_state_transaction"})

# State stores without transactions or TTL (docs.dapr.io "State stores" table; Azure Table and Blob storage
# have no transactions either).
_NO_TRANSACTIONS = frozenset(
    {
        "state.aerospike",
        "state.cassandra",
        "state.couchbase",
        "state.consul",
        "state.hazelcast",
        "state.jetstream",
        "state.memcached",
        "state.azure.tablestorage",
        "state.azure.blobstorage",
    }
)
_NO_TTL = frozenset({"state.aerospike", "state.couchbase", "state.consul", "state.hazelcast", "state.jetstream"})


def family_of(use: ComponentUse) -> Optional[str]:
    if use.param == "pubsub_name":
        return "pubsub"
    if use.param == "binding_name":
        return "bindings"
    if use.param != "store_name":
        return None
    if use.method in _SECRET_METHODS:
        return "secretstores"
    if use.method in _CONFIGURATION_METHODS:
        return "configuration"
    if use.method in _LOCK_METHODS:
        return "lock"
    return "state"


def _family(component: ComponentFact) -> str:
    return component.type.split(".", 1)[0]


_modules = app_modules


def _dapr_apps(project: Project) -> Iterator[tuple[AppModel, App]]:
    for model in project.models:
        for app in model.apps:
            if model.uses_dapr(app):
                yield model, app


def _checked_sets(model: AppModel, app: App) -> list[tuple[ResourceSet, list[tuple[str, ComponentFact]]]]:
    """The resource sets of an app that declare components, with the components the app sees (a set that names a
    folder outside the repository is not whole: nothing can be said to be missing from it)."""
    found = []
    for resource_set in app.resource_sets:
        if not resource_set.complete:
            continue
        components = model.components(app, resource_set)
        if any(model.resources[f].components for f in resource_set.files):
            found.append((resource_set, components))
    return found


def _where(resource_set: ResourceSet) -> str:
    return f"its {resource_set.kind} resources ({resource_set.origin})"


class _NameUse:
    """A component name used in code (a client call or a subscription decorator), resolved."""

    def __init__(self, summary: ModuleSummary, name: str, family: str, what: str, span: Span, env: Optional[str], method: str = "") -> None:
        self.summary = summary
        self.name = name
        self.family = family
        self.what = what
        self.span = span
        self.env = env
        self.method = method

    @property
    def shown(self) -> str:
        if self.env:
            return f"`{self.name}` (the default of environment variable `{self.env}`)"
        return f"`{self.name}`"


def _name_uses(project: Project, app: App) -> Iterator[_NameUse]:
    for summary in _modules(project, app):
        for use in summary.components:
            family = family_of(use)
            if family is None:
                continue
            name = project.string(summary, use.name)
            if not name:
                continue
            env = use.env or project.environment_of(summary, use.name)
            yield _NameUse(summary, name, family, f"`{use.method}`", use.span, env, use.method)
        for handler in summary.handlers:
            if handler.kind in ("subscription", "grpc_subscription") and handler.framework not in ("programmatic-fastapi", "programmatic-flask"):
                name = project.string(summary, handler.pubsub)
                if name:
                    span = Span(handler.line, 1, handler.line, 1)
                    yield _NameUse(summary, name, "pubsub", f"the subscription of `{handler.function}`", span, None)
            elif handler.kind == "grpc_binding":
                name = project.string(summary, handler.binding)
                if name:
                    span = Span(handler.line, 1, handler.line, 1)
                    yield _NameUse(summary, name, "bindings", f"the binding handler `{handler.function}`", span, None)


# -- DPR601 / DPR602 -----------------------------------------------------------------------------------


@rule(
    RuleSpec(
        code="DPR601",
        name="unknown-component",
        category="bug",
        summary="A state store, pub/sub, binding, secret store, configuration or lock name used in code that no component of the app defines.",
        target="project",
        prose=pages.DPR601,
        examples=(
            invalid(
                """
                from dapr.clients import DaprClient
                from fastapi import FastAPI

                app = FastAPI()


                @app.post("/orders/{order_id}")
                def save_order(order_id: str, order: dict) -> None:
                    with DaprClient() as client:
                        client.save_state("statestor", order_id, str(order))  # DPR601: components/ defines `statestore`
                """,
                filename="app.py",
                files={"components/statestore.yaml": _STATESTORE},
            ),
            valid(
                """
                from dapr.clients import DaprClient
                from fastapi import FastAPI

                app = FastAPI()


                @app.post("/orders/{order_id}")
                def save_order(order_id: str, order: dict) -> None:
                    with DaprClient() as client:
                        client.save_state("statestore", order_id, str(order))
                """,
                filename="app.py",
                files={"components/statestore.yaml": _STATESTORE},
            ),
        ),
    )
)
def unknown_component(project: Project, settings: Settings, report: Reporter) -> Iterator[Finding]:
    for model, app in _dapr_apps(project):
        sets = _checked_sets(model, app)
        if not sets:
            continue
        for use in _name_uses(project, app):
            for resource_set, components in sets:
                named = [c for _f, c in components if c.name == use.name]
                if named:
                    continue
                if use.family == "secretstores" and use.name == "kubernetes" and resource_set.kind == "kubernetes":
                    continue  # the built-in Kubernetes secret store
                same_family = sorted({c.name for _f, c in components if _family(c) == use.family})
                hint = f" It defines {', '.join(f'`{n}`' for n in same_family)}." if same_family else ""
                yield report(
                    Location(use.summary.path, use.span),
                    f"{use.what} names {_FAMILY_LABEL[use.family]} {use.shown}, which app `{app.key}` does not define: "
                    "the call fails",
                    detail=f"No component of app `{app.key}` in {_where(resource_set)} has that name.{hint}",
                )
                break


@rule(
    RuleSpec(
        code="DPR602",
        name="component-kind-mismatch",
        category="bug",
        summary="A component used as the wrong kind: `save_state` on a `pubsub.*` component, `publish_event` on a state store, ...",
        target="project",
        prose=pages.DPR602,
        examples=(
            invalid(
                """
                from dapr.clients import DaprClient
                from fastapi import FastAPI

                app = FastAPI()


                @app.post("/orders/{order_id}")
                def save_order(order_id: str, order: dict) -> None:
                    with DaprClient() as client:
                        client.save_state("pubsub", order_id, str(order))  # DPR602: `pubsub` is a pubsub.redis component
                """,
                filename="app.py",
                files=_RESOURCES,
            ),
            valid(
                """
                from dapr.clients import DaprClient
                from fastapi import FastAPI

                app = FastAPI()


                @app.post("/orders/{order_id}")
                def save_order(order_id: str, order: dict) -> None:
                    with DaprClient() as client:
                        client.save_state("statestore", order_id, str(order))
                        client.publish_event("pubsub", "orders", str(order))
                """,
                filename="app.py",
                files=_RESOURCES,
            ),
        ),
    )
)
def component_kind_mismatch(project: Project, settings: Settings, report: Reporter) -> Iterator[Finding]:
    for model, app in _dapr_apps(project):
        for use in _name_uses(project, app):
            for resource_set, components in _checked_sets(model, app):
                named = [c for _f, c in components if c.name == use.name]
                if not named or any(_family(c) == use.family for c in named):
                    continue
                types = ", ".join(sorted({c.type for c in named}))
                yield report(
                    Location(use.summary.path, use.span),
                    f"{use.what} uses {use.shown} as a {_FAMILY_LABEL[use.family]}, but it is a `{types}`: the call fails",
                    detail=f"In {_where(resource_set)} of app `{app.key}` it is a `{types}` component.",
                )
                break


# -- DPR607 --------------------------------------------------------------------------------------------


@rule(
    RuleSpec(
        code="DPR607",
        name="unsupported-store-feature",
        category="bug",
        summary="A state transaction or a TTL on a state store type that does not support it.",
        target="project",
        prose=pages.DPR607,
        examples=(
            invalid(
                """
                from dapr.clients import DaprClient
                from dapr.clients.grpc._request import TransactionalStateOperation
                from fastapi import FastAPI

                app = FastAPI()


                @app.post("/carts/{cart_id}/checkout")
                def checkout(cart_id: str) -> None:
                    operations = [TransactionalStateOperation(key=cart_id, data="checked-out")]
                    with DaprClient() as client:
                        client.execute_state_transaction("carts", operations)  # DPR607: `carts` is state.cassandra
                """,
                filename="app.py",
                files={"components/carts.yaml": _CARTS.format(type="state.cassandra", host="hosts", value="cassandra:9042")},
            ),
            valid(
                """
                from dapr.clients import DaprClient
                from dapr.clients.grpc._request import TransactionalStateOperation
                from fastapi import FastAPI

                app = FastAPI()


                @app.post("/carts/{cart_id}/checkout")
                def checkout(cart_id: str) -> None:
                    operations = [TransactionalStateOperation(key=cart_id, data="checked-out")]
                    with DaprClient() as client:
                        client.execute_state_transaction("carts", operations)  # `carts` is state.redis
                """,
                filename="app.py",
                files={"components/carts.yaml": _CARTS.format(type="state.redis", host="redisHost", value="localhost:6379")},
                before="""
                Use a transactional store (Redis, PostgreSQL, MongoDB, ...) for transactions.
                """,
            ),
        ),
    )
)
def unsupported_store_feature(project: Project, settings: Settings, report: Reporter) -> Iterator[Finding]:
    for model, app in _dapr_apps(project):
        for summary in _modules(project, app):
            for use in summary.components:
                if family_of(use) != "state":
                    continue
                name = project.string(summary, use.name)
                if not name:
                    continue
                transaction = use.method in _TRANSACTION_METHODS
                ttl = "ttlInSeconds" in use.keywords
                if not transaction and not ttl:
                    continue
                for resource_set, components in _checked_sets(model, app):
                    types = {c.type for _f, c in components if c.name == name and _family(c) == "state"}
                    if len(types) != 1:
                        continue
                    store_type = types.pop()
                    if transaction and store_type in _NO_TRANSACTIONS:
                        feature = "transactions"
                    elif ttl and store_type in _NO_TTL:
                        feature = "TTL (`ttlInSeconds`)"
                    else:
                        continue
                    yield report(
                        Location(summary.path, use.span),
                        f"`{use.method}` needs {feature}, which state store `{name}` (`{store_type}`) lacks: the call fails",
                        detail=f"`{name}` is defined in {_where(resource_set)} of app `{app.key}`.",
                    )
                    break


# -- routes an app serves ------------------------------------------------------------------------------


def _serves(routes: list, path: str) -> bool:
    """Whether one of the routes may be `path` (unknown parts and catch-alls count as a match)."""
    wanted = normalise_route(path)
    for route in routes:
        full = route.full
        if full is None:
            return True
        if full == wanted:
            return True
        parts = [p for p in full.split("/") if p]
        if parts and (parts[-1].startswith("{") and ":path}" in parts[-1] or parts[-1].startswith("<path:")):
            prefix = "/" + "/".join(parts[:-1])
            if wanted.startswith(prefix.rstrip("/") + "/") or prefix == "/":
                return True
    return False


def _http_routes(project: Project, app: App) -> Optional[list]:
    """The routes an app serves over HTTP, or None when that list is not known completely (no HTTP app in
    its modules, or routes the summaries cannot follow)."""
    if not project.app_objects(app):
        return None
    routes, complete = project.app_routes(app)
    if not complete:
        return None
    found: list = list(routes)
    for summary in _modules(project, app):
        for handler in summary.handlers:
            # DaprApp.subscribe(route=...) and similar register their route on the app themselves
            if handler.kind == "subscription" and handler.path:
                found.append(_Route(handler.path))
    return found


# -- DPR603 / DPR604 -----------------------------------------------------------------------------------


def _loaders(model: AppModel, file: str) -> list[App]:
    """The apps whose resource sets hold a resource file."""
    return model.loaders(file)


def _input_directions(component: ComponentFact) -> bool:
    from dapr_lint.resources.component_tables import binding_directions

    directions = binding_directions(component.type)
    if directions is None or "input" not in directions:
        return False
    declared = component.metadata.get("direction")
    if declared is not None:
        return "input" in {d.strip().lower() for d in declared.split(",")}
    return True


@rule(
    RuleSpec(
        code="DPR603",
        name="input-binding-without-route",
        category="bug",
        summary="An input binding whose route (`/<name>` or its `route` metadata) no handler of the app serves: Dapr never delivers its events.",
        target="project",
        prose=pages.DPR603,
        examples=(
            invalid(
                """
                apiVersion: dapr.io/v1alpha1
                kind: Component
                metadata:
                  name: tick  # DPR603: the app serves no POST /tick
                spec:
                  type: bindings.cron
                  version: v1
                  metadata:
                  - name: schedule
                    value: "@every 1m"
                """,
                "yaml",
                filename="components/tick.yaml",
                files={"app.py": _APP, "dapr.yaml": _RUN},
            ),
            valid(
                """
                from fastapi import FastAPI

                app = FastAPI()


                @app.post("/tick")
                def tick() -> str:
                    return "ok"
                """,
                filename="app.py",
                files={"components/tick.yaml": _TICK, "dapr.yaml": _RUN},
                after="""
                Or set `route` in the component's metadata to the path the app serves.
                """,
            ),
        ),
    )
)
def input_binding_without_route(project: Project, settings: Settings, report: Reporter) -> Iterator[Finding]:
    for model in project.models:
        for file, resource in model.resources.items():
            for component in resource.components:
                if not component.type.startswith("bindings.") or not _input_directions(component):
                    continue
                route = component.metadata.get("route") or f"/{component.name}"
                apps = [a for a in _loaders(model, file) if model.in_scope(a, component.scopes) and model.uses_dapr(a)]
                if not apps:
                    continue
                served_by_one = False
                checked = []
                for app in apps:
                    if any(
                        h.kind == "grpc_binding" and project.string(s, h.binding) == component.name
                        for s in _modules(project, app)
                        for h in s.handlers
                    ):
                        served_by_one = True
                        break
                    routes = _http_routes(project, app)
                    if routes is None or _serves(routes, route):
                        served_by_one = True
                        break
                    checked.append(app.key)
                if served_by_one:
                    continue
                yield report(
                    Location(resource.path, component.span),
                    f"input binding `{component.name}` delivers to `POST {normalise_route(route)}`, which its app does not "
                    "serve: never read",
                    detail=(
                        f"App {', '.join(f'`{k}`' for k in checked)} does not serve it: Dapr's start-up `OPTIONS` call "
                        "fails and the binding is never read. Add the route, or set the component's `route` metadata."
                    ),
                )


@rule(
    RuleSpec(
        code="DPR604",
        name="subscription-without-handler",
        category="bug",
        summary="A declarative Subscription whose route no handler of the app serves, or whose `pubsubname` names no pub/sub component.",
        target="project",
        prose=pages.DPR604,
        examples=(
            invalid(
                """
                apiVersion: dapr.io/v2alpha1
                kind: Subscription
                metadata:
                  name: refunds
                spec:
                  pubsubname: pubsub
                  topic: refunds
                  routes:
                    default: /events/refunds  # DPR604: the app serves /refunds
                """,
                "yaml",
                filename="components/subscription.yaml",
                files={"app.py": _REFUNDS_APP, "components/pubsub.yaml": _PUBSUB, "dapr.yaml": _RUN},
            ),
            valid(
                """
                apiVersion: dapr.io/v2alpha1
                kind: Subscription
                metadata:
                  name: refunds
                spec:
                  pubsubname: pubsub
                  topic: refunds
                  routes:
                    default: /refunds
                """,
                "yaml",
                filename="components/subscription.yaml",
                files={"app.py": _REFUNDS_APP, "components/pubsub.yaml": _PUBSUB, "dapr.yaml": _RUN},
                before="""
                Serve the route in the app that loads the Subscription (`@router.post("/refunds")` under `prefix="/events"`),
                or fix the path.
                """,
            ),
        ),
    )
)
def subscription_without_handler(project: Project, settings: Settings, report: Reporter) -> Iterator[Finding]:
    for model in project.models:
        for file, resource in model.resources.items():
            for subscription in resource.subscriptions:
                apps = [a for a in _loaders(model, file) if model.in_scope(a, subscription.scopes) and model.uses_dapr(a)]
                if not apps:
                    continue
                for located in subscription.routes:
                    checked: list = []
                    for app in apps:
                        routes = _http_routes(project, app)
                        if routes is None or _serves(routes, located.value):
                            checked = []
                            break
                        checked.append(app.key)
                    if checked:
                        yield report(
                            Location(resource.path, located.span),
                            f"Subscription `{subscription.name}` delivers to `{normalise_route(located.value)}`, not served by "
                            f"app {', '.join(f'`{k}`' for k in checked)}: each event gets a 404 and is dropped",
                        )
                pubsub = subscription.pubsub
                if pubsub is None:
                    continue
                for app in apps:
                    sets = [s for s in app.resource_sets if file in s.files and s.complete]
                    for resource_set in sets:
                        components = model.components(app, resource_set)
                        if not any(c.type.startswith("pubsub.") for _f, c in components):
                            continue
                        if any(c.name == pubsub.value and c.type.startswith("pubsub.") for _f, c in components):
                            continue
                        yield report(
                            Location(resource.path, pubsub.span),
                            f"Subscription `{subscription.name}` names pub/sub `{pubsub.value}`, which no pub/sub "
                            f"component of app `{app.key}` defines in {_where(resource_set)}: it never receives an event",
                        )
                        break
                    else:
                        continue
                    break


# -- DPR605 / DPR606 -----------------------------------------------------------------------------------


@rule(
    RuleSpec(
        code="DPR605",
        name="unknown-resiliency-target",
        category="practice",
        summary="A Resiliency target naming a component or an app ID that does not exist: its policies apply to nothing.",
        target="project",
        prose=pages.DPR605,
        examples=(
            invalid(
                """
                apiVersion: dapr.io/v1alpha1
                kind: Resiliency
                metadata:
                  name: orders
                spec:
                  policies:
                    retries:
                      threeTimes:
                        policy: constant
                        duration: 1s
                        maxRetries: 3
                  targets:
                    components:
                      statestor:  # DPR605: components/ defines `statestore`
                        outbound:
                          retry: threeTimes
                """,
                "yaml",
                filename="components/resiliency.yaml",
                files={"app.py": _STATE_APP, "components/statestore.yaml": _STATESTORE},
            ),
            valid(
                """
                apiVersion: dapr.io/v1alpha1
                kind: Resiliency
                metadata:
                  name: orders
                spec:
                  policies:
                    retries:
                      threeTimes:
                        policy: constant
                        duration: 1s
                        maxRetries: 3
                  targets:
                    components:
                      statestore:
                        outbound:
                          retry: threeTimes
                """,
                "yaml",
                filename="components/resiliency.yaml",
                files={"app.py": _STATE_APP, "components/statestore.yaml": _STATESTORE},
                before="""
                Name an app ID or a component that exists.
                """,
            ),
        ),
    )
)
def unknown_resiliency_target(project: Project, settings: Settings, report: Reporter) -> Iterator[Finding]:
    for model in project.models:
        known_ids = {a.app_id for a in model.apps if a.app_id and a.declared}
        for file, resource in model.resources.items():
            if not resource.resiliencies:
                continue
            sets = [s for app in _loaders(model, file) for s in app.resource_sets if file in s.files]
            components: Optional[set[str]] = None
            if sets and all(s.complete for s in sets):
                components = {c.name for s in sets for f in s.files for c in model.resources[f].components}
            for resiliency in resource.resiliencies:
                if known_ids:
                    for target in resiliency.apps:
                        if target.value not in known_ids:
                            yield report(
                                Location(resource.path, target.span),
                                f"Resiliency `{resiliency.name}` targets app `{target.value}`, which no run or deploy file "
                                "declares",
                                detail=(
                                    "Its policies apply to nothing. The repository declares "
                                    f"{', '.join(f'`{i}`' for i in sorted(known_ids))}."
                                ),
                            )
                if components:
                    for target in resiliency.components:
                        if target.value not in components:
                            yield report(
                                Location(resource.path, target.span),
                                f"Resiliency `{resiliency.name}` targets component `{target.value}`, which is not defined",
                                detail="The resource sets loading this file do not define it: its policies apply to nothing.",
                            )


@rule(
    RuleSpec(
        code="DPR606",
        name="unknown-secret-store",
        category="bug",
        summary="`auth.secretStore` naming no secret store component beside it: the component is never initialised.",
        target="project",
        prose=pages.DPR606,
        examples=(
            invalid(
                """
                apiVersion: dapr.io/v1alpha1
                kind: Component
                metadata:
                  name: statestore
                spec:
                  type: state.redis
                  version: v1
                  metadata:
                  - name: redisHost
                    value: localhost:6379
                  - name: redisPassword
                    secretKeyRef:
                      name: redis-password
                      key: redis-password
                auth:
                  secretStore: vault  # DPR606: no secretstores.* component named vault
                """,
                "yaml",
                filename="components/statestore.yaml",
                files={"app.py": _STATE_APP},
            ),
            valid(
                """
                apiVersion: dapr.io/v1alpha1
                kind: Component
                metadata:
                  name: statestore
                spec:
                  type: state.redis
                  version: v1
                  metadata:
                  - name: redisHost
                    value: localhost:6379
                  - name: redisPassword
                    secretKeyRef:
                      name: redis-password
                      key: redis-password
                auth:
                  secretStore: vault
                """,
                "yaml",
                filename="components/statestore.yaml",
                files={
                    "app.py": _STATE_APP,
                    "components/vault.yaml": """
                        apiVersion: dapr.io/v1alpha1
                        kind: Component
                        metadata:
                          name: vault
                        spec:
                          type: secretstores.hashicorp.vault
                          version: v1
                          metadata:
                          - name: vaultAddr
                            value: https://vault.internal:8200
                        """
                },
                before="""
                Add the secret store component beside it, or name the one that exists.
                """,
            ),
        ),
    )
)
def unknown_secret_store(project: Project, settings: Settings, report: Reporter) -> Iterator[Finding]:
    for model in project.models:
        for file, resource in model.resources.items():
            for component in resource.components:
                store = component.secret_store
                if store is None or store.value == "kubernetes":
                    continue
                sets = [s for app in _loaders(model, file) for s in app.resource_sets if file in s.files]
                if not all(s.complete for s in sets):
                    continue  # loaded with a folder outside the repository: the store may be there
                files = {f for s in sets for f in s.files} or {
                    f for f in model.resources if os.path.dirname(f) == os.path.dirname(file)
                }
                stores = {c.name for f in files for c in model.resources[f].components if c.type.startswith("secretstores.")}
                if store.value in stores:
                    continue
                yield report(
                    Location(resource.path, store.span),
                    f"component `{component.name}` reads secrets from undefined store `{store.value}`: it cannot initialise",
                    detail="No `secretstores.*` component loaded with it defines that name.",
                )


# -- DPR608 --------------------------------------------------------------------------------------------


@rule(
    RuleSpec(
        code="DPR608",
        name="probe-path-not-served",
        category="bug",
        summary="A health or readiness path a probe, `dapr.io/app-health-check-path` or `appHealthCheckPath` names that the app does not serve.",
        target="project",
        prose=pages.DPR608,
        examples=(
            invalid(
                """
                version: 1
                apps:
                  - appID: orders
                    appDirPath: ./orders
                    appPort: 8000
                    enableAppHealthCheck: true
                    appHealthCheckPath: /healthz  # DPR608: the app serves /health
                    command: ["uvicorn", "app:app", "--port", "8000"]
                """,
                "yaml",
                filename="dapr.yaml",
                files={"orders/app.py": _HEALTH_APP},
            ),
            valid(
                """
                version: 1
                apps:
                  - appID: orders
                    appDirPath: ./orders
                    appPort: 8000
                    enableAppHealthCheck: true
                    appHealthCheckPath: /health
                    command: ["uvicorn", "app:app", "--port", "8000"]
                """,
                "yaml",
                filename="dapr.yaml",
                files={"orders/app.py": _HEALTH_APP},
                before="""
                Point the probe at the route the app serves, or add that route.
                """,
            ),
        ),
    )
)
def probe_path_not_served(project: Project, settings: Settings, report: Reporter) -> Iterator[Finding]:
    for model in project.models:
        for app in model.apps:
            if not app.health_paths:
                continue
            routes = _http_routes(project, app)
            if routes is None:
                continue
            for declared in app.health_paths:
                if _serves(routes, declared.value):
                    continue
                path = project.resources_by_file_display(declared.file)
                if path is None:
                    continue
                origin = declared.origin.split(" in ")[0]
                if origin == "a container probe":
                    origin, effect = "A container probe", "the pod is restarted or never ready"
                else:
                    origin, effect = f"`{origin}`", "Dapr marks it unhealthy and stops delivering to it"
                yield report(
                    Location(path, declared.span),  # type: ignore[arg-type]
                    f"{origin} calls `{normalise_route(declared.value)}`, not served by app `{app.key}`: {effect}",
                )


# -- DPR609 --------------------------------------------------------------------------------------------


@rule(
    RuleSpec(
        code="DPR609",
        name="unknown-invoke-target",
        category="bug",
        summary="`invoke_method` to an app of the repository that serves no such method, or a body sent as GET to a route that does not accept GET.",
        target="project",
        prose=pages.DPR609,
        examples=(
            invalid(
                """
                from dapr.clients import DaprClient
                from fastapi import FastAPI

                app = FastAPI()


                @app.post("/orders/{order_id}")
                def place_order(order_id: str, order: dict) -> None:
                    with DaprClient() as client:
                        client.invoke_method("checkout", "pay", data=order_id)  # DPR609: /pay accepts only POST
                """,
                filename="orders/app.py",
                files=_INVOKE_REPOSITORY,
            ),
            invalid(
                """
                from dapr.clients import DaprClient
                from fastapi import FastAPI

                app = FastAPI()


                @app.post("/orders/{order_id}")
                def place_order(order_id: str, order: dict) -> None:
                    with DaprClient() as client:
                        client.invoke_method("checkout", "refund", data=order_id, http_verb="POST")  # DPR609: checkout serves no /refund
                """,
                filename="orders/app.py",
                files=_INVOKE_REPOSITORY,
            ),
            valid(
                """
                from dapr.clients import DaprClient
                from fastapi import FastAPI

                app = FastAPI()


                @app.post("/orders/{order_id}")
                def place_order(order_id: str, order: dict) -> None:
                    with DaprClient() as client:
                        client.invoke_method("checkout", "pay", data=order_id, http_verb="POST")
                """,
                filename="orders/app.py",
                files=_INVOKE_REPOSITORY,
            ),
        ),
    )
)
def unknown_invoke_target(project: Project, settings: Settings, report: Reporter) -> Iterator[Finding]:
    for model, app in _dapr_apps(project):
        for summary in _modules(project, app):
            for use in summary.components:
                if use.param != "app_id" or use.method not in ("invoke_method", "invoke_method_async"):
                    continue
                target_id = project.string(summary, use.name)
                method = project.string(summary, use.method_name)
                if not target_id or not method:
                    continue
                targets = [a for a in model.apps if a.app_id == target_id]
                if len(targets) != 1:
                    continue
                target = targets[0]
                if any(h.kind == "grpc_method" for s in _modules(project, target) for h in s.handlers):
                    continue  # a gRPC-extension app: methods by name
                routes = _http_routes(project, target)
                if routes is None:
                    continue
                path = "/" + method.split("?", 1)[0].lstrip("/")
                if not _serves(routes, path):
                    yield report(
                        Location(summary.path, use.span),
                        f"`{use.method}` calls `{normalise_route(path)}` of app `{target_id}`, which it does not serve: 404",
                        detail=f"Method `{method}`: app `{target_id}` serves no such route, so every call fails with 404.",
                    )
                    continue
                verb = project.string(summary, use.http_verb) if use.http_verb is not None else None
                if not use.has_body or (use.http_verb is not None and verb is None):
                    continue
                if verb is not None and verb.upper() != "GET":
                    continue
                matching = [r for r in routes if r.full == normalise_route(path)]
                if matching and all(getattr(r, "entry", None) is not None and r.entry.methods and "GET" not in r.entry.methods for r in matching):
                    accepted = sorted({m for r in matching for m in r.entry.methods})  # type: ignore[union-attr]
                    yield report(
                        Location(summary.path, use.span),
                        f"`{use.method}` sends a body to `{normalise_route(path)}` of app `{target_id}` as GET: 405",
                        detail=(
                            f"No `http_verb`, and that route accepts only {', '.join(accepted)}. Pass "
                            f"`http_verb=\"{accepted[0]}\"`."
                        ),
                    )


# -- DPR512 (invalid-run-template): two apps of a run template that both serve on one appPort --------------------
# The rest of DPR512 reads the template alone (resources/kinds/runfile.py); whether an app runs a server is a fact of
# its code, which the application model has whatever files the run was given.


@check(DPR512.code, "project")
def check_shared_app_port(project: Project, settings: Settings, report: Reporter) -> Iterator[Finding]:
    """An appPort an app of a run template repeats from an earlier app of it: an app with no server of its own
    binds no appPort (a client naming its server's port is fine), so only two apps known to serve clash."""
    for model in project.models:
        for summary in model.resources.values():
            for run in summary.run_apps:
                if run.shares_app_port is None or run.port_span is None:
                    continue
                first_id, first_dir, owner = run.shares_app_port
                if _runs_server(model, run.app_id, run.app_dir) and _runs_server(model, first_id, first_dir):
                    yield report(
                        Location(summary.path, run.port_span),
                        f"port {run.port} is also {owner}: the apps cannot both bind it",
                    )


def _runs_server(model: AppModel, app_id: str, app_dir: str) -> bool:
    """Whether the app a run template declares (by app ID and folder) is known to run a server: a module of it
    builds a web app or a gRPC-extension App, or serves on a port. An app of another language, or whose folder
    holds no Python module, is not known to bind its port."""
    folder = app_dir if model.contains(app_dir) else ""
    app = next((a for a in model.apps if a.declared and a.key == app_id and a.folder == folder), None)
    if app is None or app.python is False:
        return False
    return any(_module_runs_server(model.modules[m]) for m in app.modules if m in model.modules)


def _module_runs_server(module: ModuleSummary) -> bool:
    return (
        any(owner.kind == "app" for owner in module.objects.values())
        or module.wiring.grpc_app
        or bool(module.wiring.ports)
    )
