"""`dapr-lint apps --format mermaid|dot|json`: the application graph, built from the model the project rules read."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import FIXTURES, expected_findings
from dapr_lint.cli import main
from dapr_lint.config import CommandLine, Resolver
from dapr_lint.engine.run import summarize
from dapr_lint.files import discover, display_path, repository_files
from dapr_lint.project import Project
from dapr_lint.project.graph import PUBLISH_METHODS, Edge, Graph, Node, build_graph
from dapr_lint.report.apps import project_findings
from dapr_lint.report.graph import to_dot, to_mermaid
from dapr_lint.roots import run_root
from dapr_lint.summaries import ModuleSummary, ResourceSummary

PROJECTS = FIXTURES / "projects"
REPOSITORIES = sorted(p for p in PROJECTS.iterdir() if p.is_dir())


def _project(root: Path, monkeypatch) -> Project:
    """The project of a fixture repository, as `dapr-lint apps` builds it."""
    monkeypatch.chdir(root)
    paths = [Path(".")]
    resolver = Resolver(CommandLine())
    files = discover(paths, resolver.config_for)
    run = run_root(paths)
    universe = (repository_files(files, resolver.config_for, run) if run.marked else files) or files
    settings = replace(
        resolver.settings_of(resolver.config_for(paths[0])), enabled=frozenset(), summaries=True, root=run
    )
    every = list(summarize(universe, settings))
    return Project(
        [s for s in every if isinstance(s, ModuleSummary)],
        [s for s in every if isinstance(s, ResourceSummary)],
        settings.resources_paths,
        settings.root,
    )


def _shown(file: str) -> str:
    return display_path(Path(file)) if file else ""


def _edges(graph: Graph) -> set[tuple]:
    return {(e.source, e.target, e.kind, e.label, e.file, e.line) for e in graph.edges}


def test_shop_graph_is_pinned(monkeypatch):
    project = _project(PROJECTS / "shop", monkeypatch)
    [model] = project.models
    graph = build_graph(project, model, _shown)
    assert set(graph.nodes) == {
        "app:checkout",
        "app:inventory",  # invoked, declared nowhere: drawn as an app the run did not analyse
        "app:notifier",
        "app:orders",
        "component:?:statestor",
        "component:components/bindings.yaml:mailer",
        "component:components/bindings.yaml:nightly",  # no code uses these: drawn all the same
        "component:components/bindings.yaml:tick",
        "component:components/caches.yaml:carts",
        "component:components/caches.yaml:sessions",
        "component:components/pubsub.yaml:pubsub",
        "component:components/secrets.yaml:archive",
        "component:components/secrets.yaml:audit",
        "component:components/secrets.yaml:localsecrets",
        "component:components/statestore.yaml:statestore",
        "topic:?:kafka/audit",  # no component `kafka`: keyed by the name alone
        "topic:components/pubsub.yaml:pubsub/orders",
        "topic:components/pubsub.yaml:pubsub/refunds",
    }
    assert graph.nodes["app:inventory"].external and not graph.nodes["app:orders"].external
    assert graph.nodes["app:orders"].detail == "orders/main.py"
    assert graph.nodes["component:components/statestore.yaml:statestore"].detail == "state.redis"
    main_py = "orders/main.py"
    assert _edges(graph) == {
        (
            "app:checkout",
            "component:components/statestore.yaml:statestore",
            "state",
            "get_state",
            "checkout/app.py",
            21,
        ),
        (
            "app:checkout",
            "component:components/secrets.yaml:localsecrets",
            "secretstores",
            "get_secret",
            "checkout/app.py",
            22,
        ),
        ("app:orders", "component:components/statestore.yaml:statestore", "state", "save_state", main_py, 20),
        ("app:orders", "component:?:statestor", "state", "save_state", main_py, 21),
        ("app:orders", "component:components/pubsub.yaml:pubsub", "state", "save_state", main_py, 22),
        ("app:orders", "topic:components/pubsub.yaml:pubsub/orders", "publish", "publish_event", main_py, 23),
        ("app:orders", "component:components/bindings.yaml:mailer", "bindings", "invoke_binding", main_py, 24),
        ("app:orders", "app:checkout", "invoke", "pay", main_py, 25),
        ("app:orders", "app:checkout", "invoke", "pay", main_py, 26),
        ("app:orders", "app:checkout", "invoke", "refund", main_py, 27),
        ("app:orders", "app:inventory", "invoke", "reserve", main_py, 28),
        (
            "app:orders",
            "component:components/statestore.yaml:statestore",
            "state",
            "execute_state_transaction",
            main_py,
            29,
        ),
        ("app:orders", "component:components/caches.yaml:sessions", "state", "execute_state_transaction", main_py, 30),
        ("app:orders", "component:components/caches.yaml:sessions", "state", "save_state", main_py, 31),
        ("app:orders", "component:components/caches.yaml:carts", "state", "save_state", main_py, 32),
        ("app:orders", "component:components/caches.yaml:carts", "state", "save_state", main_py, 33),
        (
            "topic:components/pubsub.yaml:pubsub/orders",
            "app:orders",
            "subscribe",
            "/events/orders",
            "components/subscriptions.yaml",
            6,
        ),  # metadata.name
        (
            "topic:components/pubsub.yaml:pubsub/refunds",
            "app:orders",
            "subscribe",
            "/events/refunds",
            "components/subscriptions.yaml",
            18,
        ),
        ("topic:?:kafka/audit", "app:orders", "subscribe", "/events/orders", "components/subscriptions.yaml", 30),
    }


@pytest.mark.parametrize("root", REPOSITORIES, ids=lambda p: p.name)
def test_a_publish_edge_exists_exactly_where_a_publish_event_has_a_resolved_topic(root, monkeypatch):
    project = _project(root, monkeypatch)
    for model in project.models:
        graph = build_graph(project, model, _shown)
        expected = set()
        for app in model.apps:
            if not model.uses_dapr(app) or app.python is False:
                continue
            for file in app.modules:
                summary = project.by_file.get(__import__("os").path.normcase(file))
                if summary is None:
                    continue
                for use in summary.components:
                    if use.method not in PUBLISH_METHODS:
                        continue
                    pubsub, topic = project.string(summary, use.name), project.string(summary, use.topic)
                    if pubsub and topic:
                        expected.add((app.key, pubsub, topic, summary.path, use.span.line))
        published = {
            (graph.nodes[e.source].label, graph.nodes[e.target].detail, graph.nodes[e.target].label, e.file, e.line)
            for e in graph.edges
            if e.kind == "publish"
        }
        assert published == expected


def test_focus_keeps_an_apps_neighbourhood(monkeypatch):
    project = _project(PROJECTS / "shop", monkeypatch)
    graph = build_graph(project, project.models[0], _shown)
    checkout = graph.focus("checkout")
    unused = {  # the components checkout loads that no code uses: kept, so their findings stay visible
        "component:components/bindings.yaml:nightly",
        "component:components/secrets.yaml:archive",
        "component:components/secrets.yaml:audit",
    }
    assert set(checkout.nodes) == {
        "app:checkout",
        "app:orders",
        "component:components/statestore.yaml:statestore",
        "component:components/secrets.yaml:localsecrets",
    } | unused
    # a used component another app reaches is not checkout's, nor one scoped to another app
    assert not {"component:components/bindings.yaml:mailer", "component:components/bindings.yaml:tick"} & set(
        checkout.nodes
    )
    assert "component:components/bindings.yaml:tick" in graph.focus("orders").nodes
    # orders' own stores are not checkout's neighbourhood
    assert all("checkout" in (e.source + e.target) for e in checkout.edges)
    assert graph.focus("no-such-app").nodes == {}
    # a topic brings its publishers and subscribers along
    assert {"app:orders", "topic:components/pubsub.yaml:pubsub/orders"} <= set(
        graph.focus("orders").only(["publish", "subscribe"]).nodes
    )


_PUBSUB = "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: pubsub\nspec:\n  type: pubsub.redis\n  version: v1\n"
_PUBLISHER = """from dapr.clients import DaprClient
from fastapi import FastAPI

app = FastAPI()


@app.post("/go")
def go() -> None:
    with DaprClient() as client:
        client.publish_event("pubsub", "orders", "{}")
        client.invoke_method("worker", "work", "{}")
"""


def test_samples_sharing_app_ids_stay_apart(tmp_path, monkeypatch):
    """Two samples in one repository, each with its own run file, components and the same app IDs (the
    quickstarts' layout): two publishers, two brokers, and each invocation reaches its own sample's app."""
    (tmp_path / "pyproject.toml").write_text("[tool.dapr-lint]\n")
    for sample in ("one", "two"):
        (tmp_path / sample / "publisher").mkdir(parents=True)
        (tmp_path / sample / "worker").mkdir()
        (tmp_path / sample / "components").mkdir()
        (tmp_path / sample / "components" / "pubsub.yaml").write_text(_PUBSUB)
        (tmp_path / sample / "publisher" / "app.py").write_text(_PUBLISHER)
        (tmp_path / sample / "worker" / "app.py").write_text("from fastapi import FastAPI\n\napp = FastAPI()\n")
        (tmp_path / sample / "dapr.yaml").write_text(
            "version: 1\ncommon:\n  resourcesPath: ./components\napps:\n"
            "  - appID: publisher\n    appDirPath: ./publisher\n    command: [python, app.py]\n"
            "  - appID: worker\n    appDirPath: ./worker\n    command: [python, app.py]\n"
        )
    project = _project(tmp_path, monkeypatch)
    [model] = project.models
    graph = build_graph(project, model, _shown)
    publishes = {(e.source, e.target) for e in graph.edges if e.kind == "publish"}
    assert publishes == {
        ("app:publisher@one/publisher", "topic:one/components/pubsub.yaml:pubsub/orders"),
        ("app:publisher@two/publisher", "topic:two/components/pubsub.yaml:pubsub/orders"),
    }
    invokes = {(e.source, e.target) for e in graph.edges if e.kind == "invoke"}
    assert invokes == {
        ("app:publisher@one/publisher", "app:worker@one/worker"),
        ("app:publisher@two/publisher", "app:worker@two/worker"),
    }
    assert {k for k in graph.focus("worker").nodes} == {
        "app:worker@one/worker",
        "app:worker@two/worker",
        "app:publisher@one/publisher",
        "app:publisher@two/publisher",
    }


# -- the Mermaid grammar subset the renderer emits ---------------------------------------------------------

_LABEL = r'"[^"\n]*"'
_NODE = re.compile(rf"^n\d+(\[{_LABEL}\]|\[\({_LABEL}\)\]|\{{\{{{_LABEL}\}}\}}|\(\[{_LABEL}\]\))$")
_EDGE = re.compile(rf"^(n\d+) (-->|==>|-\.->)\|{_LABEL}\| (n\d+)$")
_SUBGRAPH = re.compile(rf"^subgraph r\d+\[{_LABEL}\]$")


def check_mermaid(text: str) -> None:
    """Raise AssertionError unless `text` is a flowchart in the subset: quoted labels holding no raw quote, `<`
    other than `<br/>`, `#` other than an entity code; IDs of letters and digits; edges between declared nodes."""
    lines = text.rstrip("\n").split("\n")
    assert lines[0] == "flowchart LR"
    declared: set[str] = set()
    depth = 0
    for line in lines[1:]:
        stripped = line.strip()
        if _SUBGRAPH.match(stripped):
            depth += 1
            continue
        if stripped == "end":
            depth -= 1
            assert depth >= 0
            continue
        for label in re.findall(_LABEL, stripped):
            inner = label[1:-1].replace("<br/>", "")
            assert "<" not in inner and ">" not in inner and "|" not in inner and "`" not in inner, line
            assert re.fullmatch(r"([^#&]|#\d+;)*", inner), line
        node = _NODE.match(stripped)
        if node:
            declared.add(re.split(r"[\[{(]", stripped, maxsplit=1)[0])
            continue
        edge = _EDGE.match(stripped)
        assert edge, f"not in the grammar: {line!r}"
        assert edge.group(1) in declared and edge.group(3) in declared, line
    assert depth == 0


def test_check_mermaid_rejects_what_github_would_not_render():
    with pytest.raises(AssertionError):
        check_mermaid('flowchart LR\n  n0["a "quoted" b"]\n')
    with pytest.raises(AssertionError):
        check_mermaid('flowchart LR\n  n0["a"]\n  n0 -->|"x"| n1\n')
    with pytest.raises(AssertionError):
        check_mermaid('flowchart LR\n  app:orders["a"]\n')


@pytest.mark.parametrize("root", REPOSITORIES, ids=lambda p: p.name)
def test_mermaid_of_each_fixture_repository_is_in_the_grammar(root, monkeypatch):
    project = _project(root, monkeypatch)
    check_mermaid(to_mermaid([build_graph(project, m, _shown) for m in project.models]))


def _hostile() -> list[Graph]:
    """Names that break a naive renderer: quotes, `#`, `<`, `|`, a newline, backslashes."""
    graph = Graph("odd repo")
    graph.add(Node('app:a"b', "app", 'a"b', "x<y>.py"))
    graph.add(Node("component:c#1", "component", "c#1|x", "state.redis\\n"))
    graph.add(Node("topic:p/t", "topic", "t\nnext", "p&q"))
    graph.connect(Edge('app:a"b', "component:c#1", "state", "save`state", "a.py", 1))
    graph.connect(Edge('app:a"b', "topic:p/t", "publish", "publish_event", "a.py", 2))
    graph.connect(Edge("topic:p/t", 'app:a"b', "subscribe", '/r"|#', "a.py", 3))
    return [graph, Graph("second")]


def test_mermaid_escapes_every_label():
    text = to_mermaid(_hostile())
    check_mermaid(text)
    assert "#34;" in text and "#35;" in text and "#60;" in text


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
@pytest.mark.parametrize("root", REPOSITORIES, ids=lambda p: p.name)
def test_graphviz_accepts_the_dot_output(root, monkeypatch, tmp_path):
    project = _project(root, monkeypatch)
    for graphs in ([build_graph(project, m, _shown) for m in project.models], _hostile()):
        source = tmp_path / "graph.dot"
        source.write_text(to_dot(graphs), encoding="utf-8")
        done = subprocess.run(["dot", "-Tsvg", str(source)], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr


def test_dot_quotes_labels():
    text = to_dot(_hostile())
    assert 'label="a\\"b\\nx<y>.py"' in text
    assert "subgraph cluster_0" in text and "subgraph cluster_1" in text
    assert text.count("{") == text.count("}")


def test_apps_command_draws_and_focuses(monkeypatch, capsys):
    monkeypatch.chdir(PROJECTS / "shop")
    assert main(["apps", "--format", "mermaid", "--app", "checkout"]) == 0
    out = capsys.readouterr().out
    check_mermaid(out)
    assert '["checkout<br/>checkout/app.py"]' in out and "mailer" not in out
    assert main(["apps", "--format", "dot", "--kind", "publish", "--kind", "subscribe"]) == 0
    out = capsys.readouterr().out
    assert "publish_event" in out and "save_state" not in out
    assert main(["apps", "--format", "json", "--app", "orders"]) == 0
    [repository] = json.loads(capsys.readouterr().out)
    edge = {
        "source": "app:orders",
        "target": "topic:components/pubsub.yaml:pubsub/orders",
        "kind": "publish",
        "label": "publish_event",
        "file": "orders/main.py",
        "line": 23,
        "findings": [],
    }
    assert edge in repository["graph"]["edges"]
    assert {n["id"] for n in repository["graph"]["nodes"]} >= {
        "app:orders",
        "topic:components/pubsub.yaml:pubsub/orders",
    }
    assert repository["apps"]  # the text model is still there beside the graph
    assert main(["apps", "--format", "mermaid", "--app", "nowhere"]) == 2
    assert "no app with ID `nowhere`" in capsys.readouterr().err


def test_the_docs_page_draws_what_the_command_prints(monkeypatch, capsys):
    page = (Path(__file__).resolve().parents[1] / "docs" / "apps-graph.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```mermaid\n(.*?)```", page, re.S)
    assert len(blocks) == 2
    for block in blocks:
        check_mermaid(block)
    monkeypatch.chdir(PROJECTS / "shop")
    assert main(["apps", "--format", "mermaid", "--app", "orders"]) == 0
    assert capsys.readouterr().out == blocks[1]


def test_findings_of_the_project_rules_are_marked_on_the_edges_they_concern(monkeypatch, capsys):
    """Each `# error: DPR6xx` marker of a client call in the shop fixture is on the edge drawn from that call,
    and no other edge carries a finding."""
    source = (PROJECTS / "shop" / "orders" / "main.py").read_text(encoding="utf-8")
    expected = {(line, code) for (line, code) in expected_findings(source) if code.startswith("DPR6")}
    monkeypatch.chdir(PROJECTS / "shop")
    assert main(["apps", "--format", "json"]) == 0
    [repository] = json.loads(capsys.readouterr().out)
    marked = {
        (e["line"], code)
        for e in repository["graph"]["edges"]
        for code in e["findings"]
        if e["file"] == "orders/main.py"
    }
    assert marked == expected and len(expected) == 6
    # the other marks are on subscriptions (DPR403, DPR604: the test of every marked finding below)
    assert all(not e["findings"] for e in repository["graph"]["edges"] if e["file"] != "orders/main.py" and e["kind"] != "subscribe")
    assert main(["apps", "--format", "mermaid", "--app", "orders"]) == 0
    assert '-.->|"save_state DPR601"|' in capsys.readouterr().out


@pytest.mark.parametrize("root", REPOSITORIES, ids=lambda p: p.name)
def test_a_job_without_a_handler_edge_is_exactly_where_dpr611_reports(root, monkeypatch):
    """Every job a schedule edge reaches has a handler edge (a `job_event`, a `POST /job/<name>` route), or DPR611
    reports at the schedule call; DPR611 reports nowhere else."""
    project = _project(root, monkeypatch)
    reported = {(path, line) for path, line, _code in project_findings(project, project_settings(), ["DPR611"])}
    unhandled = set()
    for model in project.models:
        graph = build_graph(project, model, _shown)
        served = {e.source for e in graph.edges if e.kind == "jobs" and graph.nodes[e.source].kind == "job"}
        for edge in graph.edges:
            if edge.kind == "jobs" and graph.nodes[edge.target].kind == "job":
                assert graph.nodes[edge.source].kind == "app" and edge.label == "schedule"
                if edge.target not in served:
                    unhandled.add((edge.file, edge.line))
    assert reported == unhandled


def project_settings():
    from dapr_lint.settings import Settings

    return Settings(enabled=frozenset({"DPR611"}), summaries=True)


def test_jobs_reach_the_handlers_of_their_app(monkeypatch):
    project = _project(PROJECTS / "wiring", monkeypatch)
    [model] = project.models
    jobs = {
        (e.source, e.target, e.label, e.file, e.line)
        for e in build_graph(project, model, _shown).edges
        if e.kind == "jobs" and e.source.startswith("job:")
    }
    assert jobs == {
        ("job:worker/main.py/cleanup", "app:worker/main.py", "job_event", "worker/main.py", 9),  # a constant's name
        ("job:billing/app.py/nightly-invoices", "app:billing/app.py", "/job/nightly-invoices", "billing/routes.py", 8),
        ("job:billing/app.py/monthly-close", "app:billing/app.py", "/job/monthly-close", "billing/routes.py", 13),
        ("job:catchall/app.py/report-ready", "app:catchall/app.py", "/job/<name>", "catchall/app.py", 9),
    }


# -- programmatic subscriptions -----------------------------------------------------------------------------


@pytest.mark.parametrize("root", REPOSITORIES, ids=lambda p: p.name)
def test_a_listed_subscription_is_an_edge_exactly_where_its_pubsub_topic_and_route_resolve(root, monkeypatch):
    """A `GET /dapr/subscribe` entry makes a subscribe edge at its line exactly when its pub/sub, topic and routes
    are known; its routes are among those the project rules take for subscriber routes."""
    project = _project(root, monkeypatch)
    for model in project.models:
        graph = build_graph(project, model, _shown)
        for app in model.apps:
            if not model.uses_dapr(app) or app.python is False:
                continue
            expected = set()
            for file in app.modules:
                summary = project.by_file.get(__import__("os").path.normcase(file))
                for listed in summary.wiring.listed if summary is not None else ():
                    pubsub, topic = project.string(summary, listed.pubsub), project.string(summary, listed.topic)
                    if pubsub and topic and listed.routes:
                        expected.add((pubsub, topic, summary.path, listed.span.line))
                        assert set(listed.routes) <= set(summary.subscribed_routes)
            listed_at = {(s.path, entry.span.line) for s in project.summaries for entry in s.wiring.listed}
            drawn = {
                (graph.nodes[e.source].detail, graph.nodes[e.source].label, e.file, e.line)
                for e in graph.edges
                if e.kind == "subscribe" and graph.nodes[e.target].label == app.key and (e.file, e.line) in listed_at
            }
            assert drawn == expected


def test_the_pub_sub_quickstarts_flask_subscriber_is_drawn(monkeypatch):
    """The Flask `order-processor-sdk` of the pub/sub quickstart lists its subscription in `GET /dapr/subscribe`
    (`route` without its leading slash); the JavaScript sample with the same app IDs stays apart, not analysed."""
    project = _project(PROJECTS / "quickstarts", monkeypatch)
    [model] = project.models
    graph = build_graph(project, model, _shown)
    topic = "topic:pub_sub/components/pubsub.yaml:orderpubsub/orders"
    python = "pub_sub/python/sdk/"
    assert {(e.source, e.target, e.kind, e.label, e.file, e.line) for e in graph.edges if topic in (e.source, e.target)} == {
        ("app:checkout-sdk@" + python + "checkout", topic, "publish", "publish_event", python + "checkout/app.py", 7),
        (topic, "app:order-processor-sdk@" + python + "order-processor", "subscribe", "/orders", python + "order-processor/app.py", 8),
        (topic, "app:" + python + "order-processor-fastapi/app.py", "subscribe", "orders_subscriber()", python + "order-processor-fastapi/app.py", 8),
    }
    assert graph.nodes["app:order-processor-sdk@pub_sub/javascript/sdk/order-processor"].external


# -- marks: the findings `dapr-lint check` reports, where they concern the picture ----------------------------


@pytest.mark.parametrize("name", ["shop", "quickstarts"])
def test_every_finding_of_the_marked_rules_is_on_the_picture_and_no_silenced_one(name, monkeypatch, capsys):
    """DPR401-DPR403 and the DPR6xx rules whose finding concerns an edge or a node (a client call, a component, a
    Subscription's route or pub/sub, a handler's answer, an app without probes) are each on one: the fixture's
    `# error:` markers of those codes, no more (a `# noqa` or `per-file-ignores` silences a mark as it silences the
    finding)."""
    root = PROJECTS / name
    monkeypatch.chdir(root)
    assert main(["apps", "--format", "json"]) == 0
    [repository] = json.loads(capsys.readouterr().out)
    project = _project(root, monkeypatch)
    [model] = project.models
    graph = build_graph(project, model, _shown)
    marked_codes = {"DPR401", "DPR402", "DPR403", "DPR601", "DPR602", "DPR603", "DPR604", "DPR607", "DPR609", "DPR611"}
    expected = set()
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".yaml"):
            rel = path.relative_to(root).as_posix()
            expected |= {(rel, line, code) for (line, code) in expected_findings(path.read_text(encoding="utf-8")) if code in marked_codes}
    marks = set()
    for key in ("nodes", "edges"):
        for item in repository["graph"][key]:
            for code in item["findings"]:
                places = _places_of(graph, item)
                hits = {(f, line, code) for f, line in places} & expected
                assert hits, (item, code)
                marks |= hits
    assert marks == expected


def _places_of(graph: Graph, item: dict) -> set[tuple[str, int]]:
    """Every line a node or edge of the JSON stands for (its own, its places)."""
    if "id" in item:
        node = graph.nodes[item["id"]]
        found = {(node.file, node.line)}
        places = node.places
    else:
        [edge] = [
            e
            for e in graph.edges
            if (e.source, e.target, e.kind, e.label, e.file, e.line)
            == (item["source"], item["target"], item["kind"], item["label"], item["file"], item["line"])
        ]
        found = {(edge.file, edge.line)}
        places = edge.places
    for place in places:
        found |= {(place.file, line) for line in range(place.line, (place.end_line or place.line) + 1)}
    return found


def test_a_silenced_finding_leaves_no_mark(monkeypatch, capsys):
    monkeypatch.chdir(PROJECTS / "quickstarts")
    assert main(["apps", "--format", "json", "--app", "order-processor"]) == 0
    [repository] = json.loads(capsys.readouterr().out)
    uses = {(e["target"], e["line"]): e["findings"] for e in repository["graph"]["edges"] if e["kind"] == "state"}
    assert uses[("component:?:statestor", 8)] == []  # its noqa comment
    assert uses[("component:?:cache", 5)] == []  # per-file-ignores
    # the rule does see the second: summarised without the configuration's per-file ignores, it is reported (the
    # first stays silenced: its noqa comment is in the summary)
    project = _project(PROJECTS / "quickstarts", monkeypatch)
    found = project_findings(project, project_settings(), ["DPR601"])
    assert found == [("state_management/python/sdk/order-processor/legacy.py", 5, "DPR601")]


# -- pinned graphs of every fixture repository --------------------------------------------------------------

GRAPHS = Path(__file__).resolve().parent / "snapshots" / "graphs"
GRAPH_UPDATE = "python -m pytest tests/test_apps_graph.py --snapshot-update"


def render_graph(repositories: list[dict]) -> str:
    """The graphs of `dapr-lint apps --format json`, one node or edge a line (what a review reads in a diff)."""
    lines = []
    for repository in repositories:
        graph = repository["graph"]
        lines.append(f"repository {repository['root']}")
        for n in graph["nodes"]:
            where = f"{n['file']}:{n['line']}" if n["file"] else "-"
            flags = " external" if n["external"] else ""
            marks = f" [{' '.join(n['findings'])}]" if n["findings"] else ""
            lines.append(f"node {n['id']} | {n['kind']} {n['label']!r} {n['detail']!r} | {where}{flags}{marks}")
        for e in graph["edges"]:
            marks = f" [{' '.join(e['findings'])}]" if e["findings"] else ""
            lines.append(f"edge {e['source']} -> {e['target']} | {e['kind']} {e['label']!r} | {e['file']}:{e['line']}{marks}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("root", REPOSITORIES, ids=lambda p: p.name)
def test_the_graph_of_each_fixture_repository_equals_its_pinned_expectation(root, monkeypatch, capsys, request):
    monkeypatch.chdir(root)
    assert main(["apps", "--format", "json"]) == 0
    text = render_graph(json.loads(capsys.readouterr().out))
    path = GRAPHS / f"{root.name}.graph"
    if request.config.getoption("--snapshot-update"):
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"no pinned graph {path.name}; create it: {GRAPH_UPDATE}"
    assert text == path.read_text(encoding="utf-8"), f"the graph of {root.name} changed (if intended: {GRAPH_UPDATE})"


def test_every_pinned_graph_has_its_fixture():
    assert sorted(p.stem for p in GRAPHS.glob("*.graph")) == [p.name for p in REPOSITORIES]


# -- large repositories stay readable --------------------------------------------------------------------------


def _quickstarts_at_scale(tmp_path: Path) -> Path:
    """The quickstarts fixture grown to dapr/quickstarts' shape: each building block three times, each Python
    sample also as an `http` variant with the same app IDs, and four other languages' samples with them too."""
    root = tmp_path / "quickstarts"
    shutil.copytree(PROJECTS / "quickstarts", root)
    blocks = [p for p in root.iterdir() if p.is_dir()]
    for block in blocks:
        for number in (2, 3):
            shutil.copytree(block, root / f"{block.name}_{number}")
    for run in sorted(root.glob("*/python/sdk/dapr.yaml")):
        sample = run.parent
        shutil.copytree(sample, sample.parent / "http")
        for language in ("csharp", "go", "java", "rust"):
            other = sample.parent.parent / language / "sdk"
            if other.exists():
                continue
            shutil.copytree(sample, other)
            for module in other.rglob("*.py"):
                module.with_suffix(".txt").write_text("not Python\n", encoding="utf-8")
                module.unlink()
            text = (other / "dapr.yaml").read_text(encoding="utf-8")
            text = re.sub(r"command: \[.*\]", 'command: ["./run.sh"]', text)
            (other / "dapr.yaml").write_text(text.replace("appProtocol: grpc\n", ""), encoding="utf-8")
    return root


def test_quickstarts_shaped_repositories_drawn_with_app_stay_under_60_nodes(tmp_path, monkeypatch, capsys):
    project = _project(_quickstarts_at_scale(tmp_path), monkeypatch)
    [model] = project.models
    graph = build_graph(project, model, _shown)
    ids = {n.label for n in graph.nodes.values() if n.kind == "app"}
    assert len(graph.nodes) > 100 and len(ids) >= 8  # too many to read at once
    sizes = {}
    for app_id in sorted(ids):  # what `--app` draws (the command narrows the same graph with `focus`)
        out = to_mermaid([graph.focus(app_id)])
        check_mermaid(out)
        sizes[app_id] = sum(1 for line in out.splitlines() if re.match(r"\s*n\d+[\[({]", line))
    assert max(sizes.values()) < 60, sizes
    # the shared IDs bring every sample of theirs (and what those samples use), nothing of the others
    assert sizes["order-processor-sdk"] > sizes["job-service-sdk"] > 1


# -- the rendered diagram committed beside the docs page ---------------------------------------------------------

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_the_committed_dot_source_is_what_the_command_prints(monkeypatch, capsys):
    monkeypatch.chdir(PROJECTS / "quickstarts")
    assert main(["apps", "--format", "dot"]) == 0
    assert capsys.readouterr().out == (DOCS / "apps-graph.dot").read_text(encoding="utf-8"), (
        "regenerate docs/apps-graph.dot and docs/apps-graph.svg (docs/apps-graph.md says how)"
    )


def _drawn(svg: str) -> list[tuple[str, list[str]]]:
    """Each node and edge of a Graphviz SVG: its title (`n3`, `n3->n7`) and its text lines, in order."""
    found = []
    for group in re.findall(r'<g id="(?:node|edge)\d+" class="(?:node|edge)">(.*?)</g>', svg, re.S):
        [title] = re.findall(r"<title>(.*?)</title>", group)
        found.append((title, re.findall(r"<text[^>]*>(.*?)</text>", group)))
    return sorted(found)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_the_committed_svg_is_drawn_from_the_committed_dot_source():
    done = subprocess.run(
        ["dot", "-Tsvg", str(DOCS / "apps-graph.dot")], capture_output=True, text=True, timeout=60, check=True
    )
    drawn = _drawn(done.stdout)
    assert len(drawn) > 20  # every node and edge of the fixture
    assert _drawn((DOCS / "apps-graph.svg").read_text(encoding="utf-8")) == drawn
