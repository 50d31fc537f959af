"""The written sections of the health routes rules' pages: each spec in python/rules/health_routes.py names its own,
`prose=pages.DPRxxx`, and scripts/gen_rule_docs.py generates the whole page from the spec."""

from dapr_lint.examples import page


DPR401 = page(
    (
        "What it does",
        """
        Reports a FastAPI or Flask app of a Dapr app (one whose modules use Dapr, or that a `dapr.yaml`, a Kubernetes
        manifest or a compose sidecar runs) that serves no liveness route. The routes that count
        are set by the `health-routes` option (default `/health`, `/healthz`, `/livez`, `/liveness`, `/health/live`). The finding is reported once per
        app, on the line that creates it (`app = FastAPI()`).

        Routes are collected over every module of the app (`dapr-lint apps` shows them), whichever files the run was
        given, so a route defined in another module counts, and a route of another app does not:

        - `@app.get(...)`, `@router.get(...)`, `@bp.route(...)`, `app.add_api_route(...)`, `app.add_url_rule(...)`;
        - `APIRouter(prefix=...)` with `app.include_router(router, prefix=...)`, Flask blueprints with `url_prefix`
          and `app.register_blueprint(bp, url_prefix=...)`, nested routers and blueprints;
        - routers, blueprints, apps and path constants imported from other modules of the run (absolute and relative
          imports);
        - `DaprActor(app)`, which registers `GET /healthz`.

        A path that ends with one of the configured routes counts (`/ops/health` is the service's health route under a
        prefix). When the tool cannot see everything an app serves, it says nothing: an app handed to an unknown function
        (`install_probes(app)`), returned from a factory, or including a router from outside the run is not reported, and
        neither is an app defined in a test file (`test_*.py`, `*_test.py`, `conftest.py`, a `tests/` folder).

        This is a project rule: it runs after every file has been read, in `dapr-lint check` and in the flake8 plugin (which
        runs the same engine over the paths flake8 was given).
        """,
    ),
    (
        "Why is this bad?",
        """
        Dapr's app health checks (`--enable-app-health-check`, `appHealthCheckPath`) and Kubernetes liveness probes need a
        route that answers while the process is healthy. Without one, a hung service keeps receiving events and requests,
        and the platform never restarts it. `DaprApp` registers only `/dapr/subscribe`; it adds no health route.
        """,
    ),
    (
        "Fix safety",
        """
        Unsafe: adding a route changes what the service serves. The fix adds a `GET` route for the first path of
        `health-routes` (`/health` by default), answering `{"status": "ok"}`, right after the module-level statement that
        creates the app; an app created inside a function is left to you. Run `dapr-lint check --fix --unsafe-fixes`.
        """,
    ),
    (
        "Configuration",
        """
        ```toml
        [tool.dapr-lint]
        health-routes = ["/health", "/healthz", "/livez"]
        ```
        """,
    ),
    (
        "References",
        """
        - Dapr app health checks: https://docs.dapr.io/operations/resiliency/health-checks/app-health/
        - Kubernetes liveness probes: https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/
        """,
    ),
)


DPR402 = page(
    (
        "What it does",
        """
        Reports a FastAPI or Flask app of a Dapr app that serves no readiness route. The routes that count
        are set by the `ready-routes` option (default `/ready`, `/readyz`, `/readiness`, `/health/ready`). Routes are collected across the app exactly
        as for [DPR401](DPR401.md): routers and blueprints with their prefixes, other modules, path constants. `DaprActor`
        registers `/healthz` only, so an actor service still needs a readiness route.

        The finding is reported once per app, on the line that creates it. Apps the tool cannot follow completely, and apps
        in test files, are not reported. This is a project rule: it runs in `dapr-lint check` and in the flake8 plugin alike.
        """,
    ),
    (
        "Why is this bad?",
        """
        A readiness route tells Kubernetes (and whoever routes traffic to the service) when the app can take work: after
        its clients, caches and the sidecar are up. Without one, the pod receives requests and events while it is still
        starting, and failures during start-up are retried against an app that cannot answer yet.

        Dapr itself does not call a readiness route: its app health check probes one path (`appHealthCheckPath`, default
        `/healthz`), which is the liveness route of [DPR401](DPR401.md). Readiness is for Kubernetes readiness probes and
        load balancers.
        """,
    ),
    (
        "Fix safety",
        """
        Unsafe: adding a route changes what the service serves, and a readiness route that always answers 200 says nothing
        about readiness until you make it check what the service needs. The fix adds a `GET` route for the first path of
        `ready-routes` (`/ready` by default), answering `{"status": "ok"}`, right after the module-level statement that
        creates the app; an app created inside a function is left to you.
        """,
    ),
    (
        "Configuration",
        """
        ```toml
        [tool.dapr-lint]
        ready-routes = ["/ready", "/readyz"]
        ```
        """,
    ),
    (
        "References",
        """
        - Kubernetes readiness probes: https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/
        - Dapr app health checks: https://docs.dapr.io/operations/resiliency/health-checks/app-health/
        """,
    ),
)
