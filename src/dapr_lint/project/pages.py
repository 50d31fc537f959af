"""The written sections of the project rules' pages: each spec in project/rules.py names its own,
`prose=pages.DPRxxx`, and scripts/gen_rule_docs.py generates the whole page from the spec."""

from dapr_lint.examples import page

# the sections every project rule's page ends with
_NO_FIX = ("Fix safety", "None. The right name or route is a decision only the author can make.")
_SEE_APPS = ("See also", "`dapr-lint apps` prints the apps, resource sets and routes this rule reads.")


DPR601 = page(
    (
        "What it does",
        """
        Reports a component name used in code that no component of the app defines: the store of `save_state`,
        `get_state`, `query_state`, `execute_state_transaction`, ...; the pub/sub of `publish_event` and of subscription
        decorators; the binding of `invoke_binding` and `@app.binding`; the secret store of `get_secret`; the
        configuration store of `get_configuration`; the lock store of `try_lock`. Names are resolved through literals,
        module constants (also imported from another module of the app) and `os.getenv(NAME, "default")` defaults; the
        message says when the name is an environment default (the deployment may set another value).

        This is a project rule: it runs per app (see `dapr-lint apps`). An app's resource sets are the folders its
        `dapr.yaml` names (`resourcesPaths`), its compose sidecar's `--resources-path`, `--resources-path` /
        `resources-paths`, else a `components/` or `resources/` folder beside or above the app; components applied beside
        its Kubernetes manifests form a separate, Kubernetes set. Component `scopes` are respected. A set that defines no
        component at all is not checked (the app may run with the CLI's default components). The built-in `kubernetes` secret store is known in a Kubernetes set.
        """,
    ),
    (
        "Why is this bad?",
        """
        The sidecar has no component by that name, so every call fails at runtime (`state store statestor is not
        found`, `pubsub orderpubsub not found`), usually only on the path that uses it.
        """,
    ),
    _NO_FIX,
    _SEE_APPS,
)


DPR602 = page(
    (
        "What it does",
        """
        Reports a component name used as the wrong kind: `save_state` on a `pubsub.*` component,
        `publish_event` on a state store, `invoke_binding` on a secret store, and the like. Names and resource sets as
        for DPR601.

        This is a project rule: it runs per app (see `dapr-lint apps`). An app's resource sets are the folders its
        `dapr.yaml` names (`resourcesPaths`), its compose sidecar's `--resources-path`, `--resources-path` /
        `resources-paths`, else a `components/` or `resources/` folder beside or above the app; components applied beside
        its Kubernetes manifests form a separate, Kubernetes set. Component `scopes` are respected. A set that defines no
        component at all is not checked (the app may run with the CLI's default components).
        """,
    ),
    (
        "Why is this bad?",
        """
        Dapr looks the name up among the components of the kind the API serves; a component of another kind is not
        found, and the call fails at runtime.
        """,
    ),
    _NO_FIX,
    _SEE_APPS,
)


DPR603 = page(
    (
        "What it does",
        """
        Reports an input binding (a `bindings.*` component whose type reads events, with no `direction` that
        excludes input) whose route no app loading it serves: `/<component name>`, or the path its `route` metadata sets.
        gRPC-extension `@app.binding(name)` handlers count. It is reported on the component's name, for the apps that load
        the component and whose routes dapr-lint can see completely.
        """,
    ),
    (
        "Why is this bad?",
        """
        At start-up daprd sends `OPTIONS /<route>` to the app; when the app does not answer 2xx or 405 the binding is
        never read, silently. A route `/bindings/<name>` is never called unless the component sets
        `route`.
        """,
    ),
    _NO_FIX,
    _SEE_APPS,
)


DPR604 = page(
    (
        "What it does",
        """
        Reports a declarative `Subscription` (v1alpha1 `route`, v2alpha1 `routes.default` and `routes.rules[].path`)
        whose route no app that loads it serves, and a `pubsubname` that names no pub/sub component of those apps.
        Router prefixes (`APIRouter(prefix=)`, `include_router(prefix=)`, blueprint `url_prefix`) are resolved; `DaprApp
        .subscribe(route=...)` routes count.
        """,
    ),
    (
        "Why is this bad?",
        """
        Dapr posts every event to the route; for an HTTP subscriber a 404 means "drop it": the sidecar logs a line and
        drops the event at once, with no retry and no dead-letter topic (other non-2xx answers are retried). A Subscription naming no pub/sub component never receives anything.
        """,
    ),
    _NO_FIX,
    _SEE_APPS,
)


DPR605 = page(
    (
        "What it does",
        """
        Reports a `Resiliency` target that names an app ID no run or deploy file of the repository declares
        (`dapr.yaml`, Kubernetes annotations, compose sidecars; checked only when the repository declares app IDs), or a
        component that the resource sets loading the Resiliency do not define.
        """,
    ),
    (
        "Why is this bad?",
        """
        Targets are matched by name; a misspelt or removed name applies the policies to nothing, and nothing says so.
        """,
    ),
    _NO_FIX,
    _SEE_APPS,
)


DPR606 = page(
    (
        "What it does",
        """
        Reports a component whose `auth.secretStore` names no `secretstores.*` component loaded with it (the
        resource sets that hold its file, else its folder). The built-in `kubernetes` store is never reported.
        """,
    ),
    (
        "Why is this bad?",
        """
        daprd resolves the component's `secretKeyRef`s through that store; without it the component fails to
        initialise.
        """,
    ),
    _NO_FIX,
    _SEE_APPS,
)


DPR607 = page(
    (
        "What it does",
        """
        Reports `execute_state_transaction` on a state store type without transactions, and `save_state` with
        `state_metadata={"ttlInSeconds": ...}` on a store type without TTL, by the Dapr docs' table of state stores
        (transactions: Aerospike, Cassandra, Couchbase, Consul, Hazelcast, JetStream KV, Memcached, Azure Table and Blob
        storage lack them; TTL: Aerospike, Couchbase, Consul, Hazelcast, JetStream KV). Only a store whose type is known
        in the app's resource set is checked.
        """,
    ),
    (
        "Why is this bad?",
        """
        The sidecar rejects the operation at runtime (`state store does not support transactions`) or ignores the
        TTL silently, depending on the store.
        """,
    ),
    _NO_FIX,
    _SEE_APPS,
)


DPR608 = page(
    (
        "What it does",
        """
        Reports a health or readiness path that the app does not serve: a Kubernetes container probe
        (`livenessProbe`/`readinessProbe`/`startupProbe` `httpGet.path` of the app container), the
        `dapr.io/app-health-check-path` annotation (with `dapr.io/enable-app-health-check: "true"`), or a `dapr.yaml`
        `appHealthCheckPath` (with `enableAppHealthCheck: true` on the app or in `common`: without it the CLI never hands
        the path to the sidecar, and nothing calls it). Router prefixes and constants are resolved; an app whose routes dapr-lint cannot see
        completely is not checked.
        """,
    ),
    (
        "Why is this bad?",
        """
        The probe always fails: Kubernetes restarts the pod or never sends it traffic; Dapr marks the app unhealthy
        and stops delivering events to it.
        """,
    ),
    _NO_FIX,
    _SEE_APPS,
)


DPR609 = page(
    (
        "What it does",
        """
        Reports `invoke_method(app_id, method, ...)` to an app of the same repository (its app ID declared by
        `dapr.yaml`, a Kubernetes manifest or a compose sidecar) that serves no such route, and a body sent with no
        `http_verb` (or `GET`) to a route of that app that does not accept GET. Only apps whose routes dapr-lint can see
        completely are checked; gRPC-extension apps are skipped.
        """,
    ),
    (
        "Why is this bad?",
        """
        A method the target does not serve answers 404 on every call. The SDK sends a call without `http_verb` as GET
        (dapr 1.19.0, `dapr/clients/http/dapr_invocation_http_client.py`), so a POST-only route answers 405.
        """,
    ),
    _NO_FIX,
    _SEE_APPS,
)
