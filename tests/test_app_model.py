"""The application model agrees with how Dapr runs the code: which app owns which module,
which app a scoped resource belongs to, routes registered at start-up, health checks only when enabled, and the
practice rules only for apps that use Dapr."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from conftest import write
from dapr_lint.cli import main
from dapr_lint.resources.summary import runs_python

_PUBSUB = """apiVersion: dapr.io/v1alpha1
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

_DAPR_APP = """from dapr.clients import DaprClient
from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
def health() -> dict:
    return {"ok": True}


@app.post("/orders")
def orders(order: dict) -> dict:
    with DaprClient() as client:
        client.publish_event("pubsub", "orders", "{}")
    return order
"""


def _check(*args: str, capsys) -> list[dict]:
    main(["check", ".", "--format", "json", "--no-cache", "--jobs", "1", *args])
    return json.loads(capsys.readouterr().out)


def _apps(capsys) -> dict[str, dict]:
    assert main(["apps", "--format", "json"]) == 0
    return {a["name"]: a for r in json.loads(capsys.readouterr().out) for a in r["apps"]}


# -- Q2: which app owns which code ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command, expected",
    [
        (["python3", "app.py"], True),
        (["uv", "run", "python", "app.py"], True),
        (["uvicorn", "app:app"], True),
        (["npm", "run", "start"], False),
        (["dotnet", "run"], False),
        (["go", "run", "."], False),
        (["java", "-jar", "target/orders.jar"], False),
        (["./orders"], False),
        (["./start.sh"], None),
        ([], None),
    ],
)
def test_what_a_run_command_runs(command, expected):
    assert runs_python(command) is expected


def test_a_node_app_sharing_the_folder_owns_no_python(project, capsys):
    write(
        project,
        "dapr.yaml",
        "version: 1\napps:\n  - appID: web\n    appDirPath: ./\n    command: [\"npm\", \"start\"]\n"
        "  - appID: orders\n    appDirPath: ./\n    command: [\"python3\", \"app.py\"]\n",
    )
    write(project, "app.py", _DAPR_APP)
    write(project, "helpers.py", "VALUE = 1\n")
    apps = _apps(capsys)
    assert apps["web"]["modules"] == []
    assert apps["orders"]["modules"] == ["app.py"]


def test_apps_sharing_a_folder_own_their_entry_and_its_imports(project, capsys):
    write(
        project,
        "dapr.yaml",
        "version: 1\napps:\n  - appID: triage\n    appDirPath: ./\n    command: [\"python3\", \"triage.py\"]\n"
        "  - appID: expert\n    appDirPath: ./\n    command: [\"python3\", \"expert.py\"]\n",
    )
    write(project, "triage.py", "from tools import lookup\nfrom fastapi import FastAPI\napp = FastAPI()\n")
    write(project, "expert.py", "from fastapi import FastAPI\napp = FastAPI()\n")
    write(project, "tools.py", "def lookup():\n    return 1\n")
    write(project, "scratch_client.py", "from dapr.clients import DaprClient\n")
    apps = _apps(capsys)
    assert apps["triage"]["modules"] == ["tools.py", "triage.py"]
    assert apps["expert"]["modules"] == ["expert.py"]


# -- Q2: scopes and app IDs --------------------------------------------------------------------------------


def test_a_subscription_scoped_to_another_app_is_not_charged_to_an_app_of_unknown_id(project, capsys):
    write(project, "components/pubsub.yaml", _PUBSUB)
    write(
        project,
        "components/subscription.yaml",
        "apiVersion: dapr.io/v2alpha1\nkind: Subscription\nmetadata:\n  name: refunds\nspec:\n  pubsubname: pubsub\n"
        "  topic: refunds\n  routes:\n    default: /refunds\nscopes:\n  - refunds-service\n",
    )
    write(project, "orders/app.py", _DAPR_APP)
    assert [f for f in _check("--select", "DPR604", capsys=capsys)] == []
    # the same subscription, unscoped: the app loads it and serves no /refunds
    (project / "components/subscription.yaml").write_text(
        (project / "components/subscription.yaml").read_text().split("scopes:")[0], encoding="utf-8"
    )
    found = _check("--select", "DPR604", capsys=capsys)
    assert [f["message"] for f in found] == [
        "Subscription `refunds` delivers to `/refunds`, not served by app `orders/app.py`: each event gets a 404 and is "
        "dropped"
    ]
    assert all(len(f["message"]) <= 120 for f in found)


# -- Q3: health checks only when enabled; routes registered at start-up ---------------------------------------


_RUN_WITH_HEALTH = """version: 1
apps:
  - appID: orders
    appDirPath: ./orders
    appPort: 8000
    appHealthCheckPath: /healthz
{enabled}    command: ["uvicorn", "app:app", "--port", "8000"]
"""


@pytest.mark.parametrize("enabled", ["", "    enableAppHealthCheck: false\n"])
def test_a_health_check_path_is_not_called_unless_health_checks_are_enabled(enabled, project, capsys):
    write(project, "dapr.yaml", _RUN_WITH_HEALTH.format(enabled=enabled))
    write(project, "orders/app.py", _DAPR_APP)
    assert _check("--select", "DPR608", capsys=capsys) == []


def test_an_enabled_health_check_of_a_path_not_served(project, capsys):
    write(project, "dapr.yaml", _RUN_WITH_HEALTH.format(enabled="    enableAppHealthCheck: true\n"))
    write(project, "orders/app.py", _DAPR_APP)
    found = _check("--select", "DPR608", capsys=capsys)
    assert [(f["path"], f["line"], f["message"]) for f in found] == [
        (
            "dapr.yaml",
            6,
            "`appHealthCheckPath` calls `/healthz`, not served by app `orders`: Dapr marks it unhealthy and stops "
            "delivering to it",
        )
    ]
    assert len(found[0]["message"]) <= 120


def test_common_enables_health_checks_for_every_app(project, capsys):
    write(
        project,
        "dapr.yaml",
        "version: 1\ncommon:\n  enableAppHealthCheck: true\n  appHealthCheckPath: /healthz\napps:\n"
        "  - appID: orders\n    appDirPath: ./orders\n    command: [\"uvicorn\", \"app:app\"]\n",
    )
    write(project, "orders/app.py", _DAPR_APP)
    assert [f["code"] for f in _check("--select", "DPR608", capsys=capsys)] == ["DPR608"]


def test_an_actor_host_built_in_a_lifespan_serves_healthz(project, capsys):
    write(project, "dapr.yaml", _RUN_WITH_HEALTH.format(enabled="    enableAppHealthCheck: true\n"))
    write(
        project,
        "orders/app.py",
        "from contextlib import asynccontextmanager\n\nfrom dapr.actor import Actor\nfrom dapr.ext.fastapi import DaprActor\n"
        "from fastapi import FastAPI\n\n\nclass Orders(Actor):\n    pass\n\n\n@asynccontextmanager\n"
        "async def lifespan(app: FastAPI):\n    actors = DaprActor(app)\n    await actors.register_actor(Orders)\n"
        "    yield\n\n\napp = FastAPI(lifespan=lifespan)\n",
    )
    assert _check("--select", "DPR608", capsys=capsys) == []
    assert "/healthz" in _apps(capsys)["orders"]["routes"]


def test_a_kubernetes_probe_message(project, capsys):
    write(
        project,
        "deploy/orders.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: orders\nspec:\n  template:\n    metadata:\n"
        "      annotations:\n        dapr.io/enabled: \"true\"\n        dapr.io/app-id: orders\n    spec:\n"
        "      containers:\n        - name: orders\n          livenessProbe:\n            httpGet:\n"
        "              path: /live\n              port: 8000\n",
    )
    write(project, "orders/app.py", _DAPR_APP)
    found = _check("--select", "DPR608", capsys=capsys)
    assert [f["message"] for f in found] == [
        "A container probe calls `/live`, not served by app `orders`: the pod is restarted or never ready"
    ]


# -- practice and opinion rules: only apps that use Dapr ---------------------------------------------------------

_PLAIN_FASTAPI = 'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/")\ndef root() -> dict:\n    return {}\n'
_PLAIN_FLASK = 'from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.get("/")\ndef root():\n    return "ok"\n'
_APP_RULES = "DPR401,DPR402,DPR413,DPR414,DPR415,DPR416"


@pytest.mark.parametrize("layout", ["own folders", "one folder with a run template"])
def test_plain_web_apps_beside_a_dapr_app_get_no_app_finding(layout, project, capsys):
    if layout == "own folders":
        write(project, "orders/app.py", _DAPR_APP.replace('@app.get("/health")', '@app.get("/status")'))
        write(project, "web/main.py", _PLAIN_FASTAPI)
        write(project, "admin/server.py", _PLAIN_FLASK)
        dapr_file = "orders/app.py"
    else:
        write(project, "dapr.yaml", "version: 1\napps:\n  - appID: orders\n    appDirPath: ./\n    command: [\"python3\", \"app.py\"]\n")
        write(project, "app.py", _DAPR_APP.replace('@app.get("/health")', '@app.get("/status")'))
        write(project, "web.py", _PLAIN_FASTAPI)
        write(project, "admin.py", _PLAIN_FLASK)
        dapr_file = "app.py"
    found = Counter((f["path"], f["code"]) for f in _check("--select", _APP_RULES, capsys=capsys))
    assert {path for path, _code in found} == {dapr_file}
    assert {code for _path, code in found} >= {"DPR401", "DPR414", "DPR415"}


def test_self_hosted_tracing_message_says_the_sidecar_traces(project, capsys):
    write(project, "orders/app.py", _DAPR_APP)
    found = _check("--select", "DPR414", capsys=capsys)
    assert [f["message"] for f in found] == [
        "FastAPI app `app` has no tracing set-up in its code: traces show its sidecar's spans, none from inside the app"
    ]


@pytest.mark.parametrize(
    "name, script",
    [
        ("run.sh", 'DIR=$(dirname "$0")\ndapr run --app-id orders \\\n  --config "$DIR/config.yaml" \\\n  -- python3 orders/app.py\n'),
        ("start.sh", "docker run -d --name jaeger jaegertracing/all-in-one\nsed -i s@9411@9412@ \"$HOME\"/.dapr/config.yaml\n"),
    ],
)
def test_tracing_set_up_in_a_run_script_counts(name, script, project, capsys):
    write(project, "orders/app.py", _DAPR_APP)
    write(project, name, script)
    assert _check("--select", "DPR414", capsys=capsys) == []


def test_aiologger_is_a_logging_set_up(project, capsys):
    write(project, "orders/app.py", "from aiologger import Logger\n\nlogger = Logger.with_default_handlers()\n" + _DAPR_APP)
    assert _check("--select", "DPR415", capsys=capsys) == []


def test_an_app_id_from_a_run_script_never_from_prose(project, capsys):
    write(project, "components/pubsub.yaml", _PUBSUB)
    write(
        project,
        "components/subscription.yaml",
        "apiVersion: dapr.io/v2alpha1\nkind: Subscription\nmetadata:\n  name: refunds\nspec:\n  pubsubname: pubsub\n"
        "  topic: refunds\n  routes:\n    default: /refunds\nscopes:\n  - orders\n",
    )
    write(project, "orders/main.py", _DAPR_APP)
    write(project, "README.md", "Start it with `dapr run --app-id orders -- uvicorn orders.main:app`.\n")
    write(project, "start.sh", "# dapr run --app-id refunds -- uvicorn orders.main:app\n")
    assert _check("--select", "DPR604", capsys=capsys) == []  # the ID is unknown: not charged
    write(project, "start.sh", 'dapr run --app-id orders --app-port "$PORT" \\\n  -- uvicorn --port "$PORT" orders.main:app &\n')
    found = _check("--select", "DPR604", capsys=capsys)
    assert [f["message"] for f in found] == [
        "Subscription `refunds` delivers to `/refunds`, not served by app `orders`: each event gets a 404 and is dropped"
    ]
    assert "app orders (app ID orders)" in (main(["apps"]), capsys.readouterr().out)[1]


def test_an_app_subscribing_by_hand_uses_dapr(project, capsys):
    """No SDK import, but it answers the sidecar's `GET /dapr/subscribe`: a Dapr app, beside a plain one."""
    write(
        project,
        "sub.py",
        "import flask\n\napp = flask.Flask(__name__)\n\n\n@app.route('/dapr/subscribe', methods=['GET'])\n"
        "def subscribe():\n    return flask.jsonify([{'pubsubname': 'pubsub', 'topic': 'A', 'route': 'A'}])\n\n\n"
        "@app.route('/A', methods=['POST'])\ndef a():\n    return 'ok'\n",
    )
    write(project, "web.py", _PLAIN_FLASK)
    found = {(f["path"], f["code"]) for f in _check("--select", "DPR401", capsys=capsys)}
    assert found == {("sub.py", "DPR401")}
