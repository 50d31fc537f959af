"""The first pass (python/gate.py): a file it closes is never parsed with LibCST, and the run is the same.

The differential: every Python fixture, `examples/` and a tree of real code built from them (the fixtures as one
repository, with their resources) give the same findings, summaries and JSON output with the gate and without.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import load_script, spy_on_check_file

from dapr_lint import specs
from dapr_lint.cli import main
from dapr_lint.engine.python_stage import analyze_python
from dapr_lint.python import gate, gate_actors, gate_names
from dapr_lint.settings import Settings
from dapr_lint.summaries import ImportedName, Span

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SOURCES = sorted([*FIXTURES.rglob("*.py"), *(ROOT / "examples").rglob("*.py")])


def _generator():
    return load_script("scripts/gen_gate_names.py")


@pytest.mark.slow
def test_every_dotted_name_written_in_python_is_known_to_the_gate():
    """A rule, the model or the summary builder comparing against a dotted name the gate does not know would let
    the gate close a file where it fires: every such literal is a name the gate opens on, context or no name."""
    generator = _generator()
    unknown = sorted(
        name for name in generator.written_names()
        if name.rstrip(".") not in gate_names.NAMES and name not in gate.CONTEXT and name not in gate.NOT_NAMES
    )
    assert unknown == [], f"run `python scripts/gen_gate_names.py` (or list them in gate.CONTEXT): {unknown}"


@pytest.mark.slow
def test_gate_names_are_current():
    assert (ROOT / "src" / "dapr_lint" / "python" / "gate_names.py").read_text(encoding="utf-8") == _generator().render()


def _everything(summaries: bool = True) -> Settings:
    return Settings(frozenset(rule.code for rule in specs.all_rules()), summaries=summaries)


def _both(path: Path, data: bytes, settings: Settings, monkeypatch):
    results = []
    for value in ("0", "1"):
        monkeypatch.setenv(gate.ENVIRONMENT, value)
        result = analyze_python(str(path), data, settings)
        results.append((result.diagnostics, result.summary, result.warnings, [e.message for e in result.errors]))
    return results


def assert_opens(source: bytes, monkeypatch):
    """The shape opens and the gated run equals the full run. Returns the full run's result."""
    assert gate.closed_summary(source) is None
    full, gated = _both(Path("module.py"), source, _everything(), monkeypatch)
    assert gated == full
    return full


def assert_opens_for(source: bytes, code: str, monkeypatch):
    """`assert_opens`, and the full run reports `code`: a shape a rule keys on proves something only where the
    rule fires on it. Returns the full run's result."""
    full = assert_opens(source, monkeypatch)
    assert code in {d.code for d in full[0]}
    return full


def assert_closes_clean(source: bytes, monkeypatch):
    """The shape closes, the gated run equals the full run, and the full run reports nothing (a closed shape with
    findings would prove nothing). Returns the first pass's summary."""
    summary = gate.closed_summary(source)
    assert summary is not None
    full, gated = _both(Path("module.py"), source, _everything(), monkeypatch)
    assert gated == full
    assert not full[0], "a closed shape with findings proves nothing"
    return summary


@pytest.mark.slow
def test_gated_run_equals_full_run_on_every_fixture_and_example(monkeypatch):
    settings = _everything()
    closed = []
    for path in SOURCES:
        data = path.read_bytes()
        full, gated = _both(path, data, settings, monkeypatch)
        assert gated == full, path
        if gate.closed_summary(data) is not None:
            closed.append(path)
    assert closed, "the gate closed nothing: the differential proves nothing"


def test_closed_and_open_shapes(monkeypatch):
    closed = b"import os\nimport logging\nSTORE = os.getenv('STORE', 'statestore')\nNAME = 'x'\n\nclass Repo:\n    @property\n    def name(self):\n        return NAME\n\ndef helper(x):\n    logging.basicConfig()\n    return x\n"
    summary = gate.closed_summary(closed)
    assert summary is not None
    assert summary.constants == {"STORE": "statestore", "NAME": "x"} and summary.env_constants == {"STORE": "STORE"}
    assert summary.practices.logging and set(summary.classes["Repo"]) == {"name"} and "helper" in summary.defs
    patched = b"from unittest import mock\nimport unittest.mock\nT = 'pkg.g'\n\nclass Test:\n    @mock.patch('pkg.f')\n    @unittest.mock.patch(T)\n    def test_x(self, f, g):\n        pass\n"
    summary = gate.closed_summary(patched)
    assert summary is not None and [(r.path, r.line, r.function) for r in summary.routes] == [
        ("pkg.f", 6, "Test.test_x"), ("pkg.g", 7, "Test.test_x"),
    ]
    full, gated = _both(Path("test_x.py"), patched, _everything(), monkeypatch)
    assert gated == full
    opened = [
        b"from dapr.clients import DaprClient\nx = DaprClient\n",
        b"import dapr.clients as c\nx = c.DaprClient\n",
        b"from .helpers import save\nasync def f():\n    save()\n",
        b"import fastapi\n",
        b"def f(:\n",
    ]
    for source in opened:
        assert gate.closed_summary(source) is None, source
    assert gate.closed_summary(closed, subscribers=("f",)) is None
    # a route on an app imported from another module of the project: the summary's route, from the ast
    imported_app = b"from .app import app\n@app.get('/x')\ndef f():\n    pass\n"
    assert [(r.owner, r.path, r.methods) for r in gate.closed_summary(imported_app).routes] == [
        (ImportedName(".app.app"), "/x", ("GET",))
    ]
    for source in [closed, imported_app, *opened]:
        full, gated = _both(Path("app.py"), source, _everything(), monkeypatch)
        assert gated == full, source


def _check_json(tree: Path, value: str) -> str:
    env = dict(os.environ, **{gate.ENVIRONMENT: value})
    done = subprocess.run(
        [sys.executable, "-m", "dapr_lint", "check", ".", "--no-cache", "--output-format", "json"],
        cwd=tree, capture_output=True, text=True, env=env, timeout=300,
    )
    assert done.returncode in (0, 1), done.stderr
    return done.stdout


@pytest.mark.slow
def test_gated_json_equals_full_json_on_a_tree_of_real_code(tmp_path):
    """The fixture projects and the examples as one repository: apps, components, subscriptions and modules
    importing one another, linted whole (the project stage included) with the gate and without."""
    tree = tmp_path / "repo"
    shutil.copytree(FIXTURES / "projects", tree / "projects")
    shutil.copytree(ROOT / "examples", tree / "examples")
    full = _check_json(tree, "0")
    assert '"code"' in full
    assert _check_json(tree, "1") == full


AGENT_MODULE = (
    b"import asyncio\nfrom dapr_agents.agents.base import AgentBase\nfrom dapr_agents.tool.base import AgentTool\n\n\n"
    b"class Helper(AgentBase):\n    tools: list[AgentTool] = []\n\n    async def run(self, task: str):\n"
    b"        return await self.llm.generate(task)\n"
)


ACTOR_CLASSES_MODULE = (
    "import typing\nfrom dapr.actor.runtime.config import ActorRuntimeConfig\nfrom .base import Service\n\nT = typing.TypeVar('T')\n\n\n"
    "class Local:\n\tdef run(self):\n\t\treturn ActorRuntimeConfig()\n\n\n"
    "class Café(Service, Local, object, typing.Generic[T], metaclass=type):\n"
    "    @staticmethod\n    def naïve():\n        pass\n\n    async  def  run(self):\n        pass\n\n"
    "    def naïve(self):\n        pass\n\n    class Inner:\n        pass\n\n\n"
    "def factory():\n    class Made(Local):\n        pass\n    return Made\n"
).encode("utf-8")


# Refinements of the gate: each name the gate no longer opens on by itself, closed where nothing anchors it, and
# the shape a rule keys on, which still opens (and there the full run reports what the rule finds).
CLOSED_BY_REFINEMENT = {
    # a module of the actor runtime or an extension: every class it names goes in the summary's actor facts
    "classes of a module importing the actor runtime": ACTOR_CLASSES_MODULE,
    # an agent framework's module: its workflow facts (opaque, agents) come from the ast
    "a module of the agent framework": AGENT_MODULE,
    "pydantic model, no Dapr code": (
        b"from pydantic import BaseModel\nimport pydantic\n\n\nclass Order(BaseModel):\n    id: int\n\n\n"
        b"class Line(pydantic.BaseModel):\n    n: int\n\n\ndef dump(order: Order):\n    return order.dict(), order.json()\n"
    ),
    "Dapr and gRPC errors caught, raised and tested, no Dapr call": (
        b"import grpc\nimport pytest\nfrom grpc.aio import AioRpcError\n"
        b"from dapr.clients.exceptions import DaprGrpcError, DaprInternalError\n\n\n"
        b"def retry(call):\n    try:\n        return call()\n    except (grpc.RpcError, AioRpcError) as error:\n"
        b"        raise DaprInternalError(str(error))\n    except DaprGrpcError:\n        raise\n\n\n"
        b"def test_retry():\n    with pytest.raises(DaprInternalError):\n        retry(lambda: 1 / 0)\n"
    ),
    # coroutines a script runs on its own loop: no call of theirs is on a shared event loop (async_calls)
    "a script's async main calling into other packages": (
        b"import asyncio\nfrom graphiti_core import Graphiti\nfrom .store import save\n\n\n"
        b"async def main():\n    graph = Graphiti('bolt://localhost')\n    await graph.add_episode('x')\n    save(graph)\n\n\n"
        b"async def other():\n    save(None)\n\n\n"
        b"if __name__ == '__main__':\n    asyncio.run(main())\n    asyncio.get_event_loop().run_until_complete(other())\n"
    ),
    # a coroutine on the loop whose calls reach nothing imported from (maybe) the project
    "a coroutine calling only libraries, a project import used by sync code": (
        b"import asyncio\nimport json\nfrom .store import save\n\n\ndef persist(item):\n    save(json.dumps(item))\n\n\n"
        b"class Worker:\n    def __init__(self):\n        self.queue = asyncio.Queue()\n\n"
        b"    async def run(self):\n        item = await self.queue.get()\n        await asyncio.sleep(0)\n        return item\n"
    ),
    # Dapr names in prose and in strings, and a class of the file's own by that name: the text shortcut skips them
    # and the walk finds no name of NAMES
    "Dapr names in a docstring, a comment, a patch target and a local class": (
        b'"""Wraps ``DaprClient.invoke_method``; see WorkflowRuntime."""\nfrom unittest import mock\n\n\n'
        b"class DaprWorkflowClient:  # not ActorRuntime.register_actor\n    pass\n\n\n"
        b"@mock.patch('app.store.DaprClient')\ndef test_save(client):\n    assert client\n"
    ),
    # a coroutine calling a plain method of its own class: the model resolves the call to that method and the
    # summary's async_calls skip it (what the method returns is read where it is used)
    "a coroutine calling its own class's method, which uses the project": (
        b"from .tracing import tracer\n\n\nclass Worker:\n    def _span(self, name):\n"
        b"        return tracer.start_span(name)\n\n    async def run(self):\n        with self._span('run'):\n"
        b"            return 1\n"
    ),
    # the decorators and defaults of a coroutine are calls of the scope around it, not on the loop
    "a coroutine under a library's decorator": (
        b"import asyncio\nimport pytest\n\n\n@pytest.mark.parametrize('n', [1, pytest.param(2)])\n"
        b"async def test_sleep(n, marker=pytest.mark.slow):\n    await asyncio.sleep(0)\n"
    ),
    # the actor classes and ActorId where the model reads nothing by them: annotations, checked types,
    # comparisons, a call of an actor class, ActorId of a str or of a parameter with no type
    "actor names in annotations, checks, comparisons and ActorId of a str": (
        b"from typing import Callable, Optional, Type\nfrom dapr.actor import Actor, ActorId, ActorInterface\n"
        b"from dapr.actor.runtime.remindable import Remindable\n\nFactory = Callable[[ActorInterface, str], object]\n\n\n"
        b"def is_actor(cls: Type[Actor], other: 'Remindable') -> bool:\n"
        b"    return issubclass(cls, (str, Remindable)) or cls is Actor or ActorInterface in cls.__bases__\n\n\n"
        b"def make(actor_id, name: Optional[ActorId] = None) -> ActorId:\n"
        b"    return ActorId(actor_id) if name is None else ActorId(f'{name}-1') or ActorId('x') or ActorId.create_random_id\n"
    ),
    # OpenTelemetry set up and used with no Dapr client or app in the module: the summary's tracing and forwarding
    # facts come from the ast
    "OpenTelemetry set-up, instrumentors and a tracer": (
        b"from opentelemetry import trace\nfrom opentelemetry.sdk.trace import TracerProvider\n"
        b"from opentelemetry.instrumentation.grpc import GrpcInstrumentorClient\n\n\n"
        b"def setup():\n    trace.set_tracer_provider(TracerProvider())\n    GrpcInstrumentorClient().instrument()\n\n\n"
        b"def work():\n    with trace.get_tracer(__name__).start_as_current_span('work'):\n        return 1\n"
    ),
}
OPEN_FOR_A_RULE = {
    "ActorId of an int (DPR809)": (
        b"from dapr.actor import ActorId\n\n\ndef make():\n    return ActorId(42)\n",
        "DPR809",
    ),
    "ActorId through an alias, of None (DPR809)": (
        b"from dapr.actor.id import ActorId\n\nMake = ActorId\n\n\ndef make():\n    return Make(None)\n",
        "DPR809",
    ),
    "an actor class as a base through an alias (summary: actors)": (
        b"from dapr.actor import Actor\n\nBase = Actor\n\n\nclass Cart(Base):\n    async def _on_activate(self):\n        pass\n",
        "actors",
    ),
    "a library that may be the project's called in a coroutine (summary: async_calls)": (
        b"import asyncio\nimport pytest\n\n\n@pytest.mark.parametrize('n', [1])\nasync def test_sleep(n):\n"
        b"    with pytest.raises(ValueError):\n        await asyncio.sleep(n)\n",
        "async_calls",
    ),
    "a property of the class returning a project function, called on the loop (summary: async_calls)": (
        b"from .handlers import save\n\n\nclass Worker:\n    @property\n    def handler(self):\n        return save\n\n"
        b"    async def run(self, event):\n        self.handler(event)\n",
        "async_calls",
    ),
    # an app handed to an instrumentor stays the module's own (summary_routes.py); DPR413's fix reads `propagate`
    "an app handed to an OpenTelemetry instrumentor (summary: objects)": (
        b"from fastapi import FastAPI\nfrom opentelemetry.instrumentation.fastapi import FastAPIInstrumentor\n\n"
        b"app = FastAPI()\nFastAPIInstrumentor.instrument_app(app)\n",
        "objects",
    ),
    "a Dapr client used after a docstring naming it (DPR302)": (
        b'"""A store over ``DaprClient``."""\nimport dapr.clients as c\nfrom dapr.clients.exceptions import DaprInternalError\n\n\n'
        b"def save():\n    with c.DaprClient() as client:\n        try:\n            client.save_state('store', 'k', 'v')\n"
        b"        except DaprInternalError:\n            raise\n",
        "DPR302",
    ),
    "pydantic model published as a dict (DPR201)": (
        b"from dapr.clients import DaprClient\nfrom pydantic import BaseModel\n\n\nclass Order(BaseModel):\n    id: int\n\n\n"
        b"def send():\n    with DaprClient() as client:\n        client.publish_event('pubsub', 'orders', Order(id=1).dict())\n",
        "DPR201",
    ),
    "only DaprInternalError caught around a gRPC call (DPR302)": (
        b"from dapr.clients import DaprClient\nfrom dapr.clients.exceptions import DaprInternalError\n\n\n"
        b"def save():\n    with DaprClient() as client:\n        try:\n            client.save_state('store', 'k', 'v')\n"
        b"        except DaprInternalError:\n            raise\n",
        "DPR302",
    ),
    # the model parses a string annotation: its names are read as if written outside the string
    "an SDK response typed by a string annotation (DPR108)": (
        b"import dapr.clients.grpc._response as r\n\n\ndef check(resp: 'r.InvokeMethodResponse'):\n    return resp.status\n",
        "DPR108",
    ),
    "a nested string annotation, in the function's scope (DPR108)": (
        b"import typing\n\n\ndef check(resp: typing.Optional['\"InvokeMethodResponse\"']):\n"
        b"    from dapr.clients.grpc._response import InvokeMethodResponse\n    return resp.status\n",
        "DPR108",
    ),
    # an `async def` no script runner is given calls into a module that may be the project's (DPR101 across modules)
    "a coroutine on a shared loop calling into the project (summary: async_calls)": (
        b"import asyncio\nfrom .store import save\n\n\nasync def handle(event):\n    save(event)\n\n\n"
        b"async def main():\n    await asyncio.sleep(1)\n\n\nasyncio.run(main())\n",
        "async_calls",
    ),
    "a coroutine run through a name bound twice (summary: async_calls)": (
        b"import asyncio\nfrom .store import save\n\n\nasync def main():\n    save(1)\n\n\n"
        b"if True:\n    main = main\nasyncio.run(main())\n",
        "async_calls",
    ),
    "a registration by its attribute alone (summary: workflows)": (
        b"import dapr.ext.workflow as wf\n\n\ndef setup(runtime, fn):\n    runtime.register_workflow(fn, name='x')\n",
        "workflows",
    ),
    "an actor-module class whose base a local function returns (summary: actors)": (
        b"from dapr.actor.runtime.config import ActorRuntimeConfig\n\n\ndef make_base():\n    class Base:\n        pass\n"
        b"    return Base\n\n\nBase = make_base()\n\n\nclass Config(Base):\n    pass\n",
        "actors",
    ),
    # an extension's module imported: a subscription on an app of another module, by the decorator's shape
    "a subscription decorator on an imported app (summary: handlers)": (
        b"import dapr.ext.fastapi\nfrom .app import dapr_app\n\n\n@dapr_app.subscribe(pubsub='pubsub', topic='orders')\n"
        b"def orders(event):\n    return None\n",
        "handlers",
    ),
    # an app-level error handler on a blueprint of another module (model/exceptions.py `_HANDLER_DECORATORS`)
    "a blueprint's app-wide error handler (summary: catches_dapr_errors)": (
        b"from .views import bp\nSTORE = 'statestore'\n\n\n@bp.app_errorhandler(Exception)\ndef oops(e):\n"
        b"    return 'x', 500\n",
        "catches_dapr_errors",
    ),
    # any SDK module's TopicEventResponse (rules/service.py), not only the names of NAMES
    "the aio TopicEventResponse built with a bad status (DPR403)": (
        b"from dapr.aio.clients.grpc._response import TopicEventResponse\n\n\ndef answer():\n"
        b"    return TopicEventResponse('ok')\n",
        "DPR403",
    ),
    "an instance of a project class held by an attribute, called on the loop (summary: async_calls)": (
        b"from .services import Store\n\n\nclass Worker:\n    def __init__(self):\n        self.store = Store()\n\n"
        b"    async def run(self):\n        return self.store.load()\n",
        "async_calls",
    ),
    "a project module reached through a local function's return (summary: async_calls)": (
        b"import pkg.tasks as tasks\n\n\ndef module():\n    return tasks\n\n\nasync def run():\n    m = module()\n    m.go()\n",
        "async_calls",
    ),
}


@pytest.mark.parametrize("name", sorted(CLOSED_BY_REFINEMENT))
def test_refined_shapes_close(name, monkeypatch):
    source = CLOSED_BY_REFINEMENT[name]
    assert gate.closed_summary(source) is not None
    full, gated = _both(Path("module.py"), source, _everything(), monkeypatch)
    assert gated == full


@pytest.mark.parametrize("name", sorted(OPEN_FOR_A_RULE))
def test_shapes_a_rule_keys_on_still_open(name, monkeypatch):
    source, code = OPEN_FOR_A_RULE[name]
    full = assert_opens(source, monkeypatch)
    if code.startswith("DPR"):
        assert code in {d.code for d in full[0]}
    else:
        assert getattr(full[1], code), f"the summary's {code} is empty: the shape proves nothing"


def test_an_agent_framework_module_has_its_workflow_facts(monkeypatch):
    summary = gate.closed_summary(AGENT_MODULE)
    assert summary is not None and summary.workflows.opaque and summary.workflows.agents
    full, gated = _both(Path("helper.py"), AGENT_MODULE, _everything(), monkeypatch)
    assert gated == full


WAITING_MODULE = (
    "from datetime import timedelta\nimport dapr.ext.workflow._durabletask.task as task\nfrom .events import APPROVED\n"
    "REJECTED = 'rejected'\n\n\ndef orchestrator(ctx: task.OrchestrationContext, _):\n"
    "    first = yield ctx.wait_for_external_event('my_event')\n"
    "    ctx.wait_for_external_event(name=REJECTED, timeout=timedelta(seconds=5))\n"
    "    winner = yield task.when_any([ctx.wait_for_external_event(APPROVED), ctx.wait_for_external_event(\n"
    "        'é')])\n    return ctx.wait_for_external_event()\n"
).encode("utf-8")


def test_external_event_waiters_of_a_closed_module(monkeypatch):
    """`wait_for_external_event` on any receiver: the summary's awaited events come from the ast (names as the
    model reads them, spans in characters), in the order written."""
    summary = gate.closed_summary(WAITING_MODULE)
    assert summary is not None
    assert [(e.name, e.span) for e in summary.workflows.awaited] == [
        ("my_event", Span(8, 19, 8, 58)), ("rejected", Span(9, 5, 9, 77)),
        (ImportedName(".events.APPROVED"), Span(10, 35, 10, 72)), ("é", Span(10, 74, 11, 13)), (None, Span(12, 12, 12, 41)),
    ]
    full, gated = _both(Path("orchestrators.py"), WAITING_MODULE, _everything(), monkeypatch)
    assert gated == full
    # with no Dapr import the model records no workflow facts at all: any waiter closes
    plain = b"def f(ctx):\n    return [ctx.wait_for_external_event(n) for n in ('a', 'b')]\n"
    assert gate.closed_summary(plain) is not None
    full, gated = _both(Path("plain.py"), plain, _everything(), monkeypatch)
    assert gated == full


@pytest.mark.parametrize(
    "waiter",
    [
        "[ctx.wait_for_external_event(n) for n in ('a', 'b')]",  # a comprehension: visited in another order
        "(ctx.wait_for_external_event('a'))",  # parentheses of its own: part of the call's span in LibCST
        "ctx.wait_for_external_event('a') if n else None",  # a condition
    ],
)
def test_external_event_waiters_the_model_may_read_otherwise_open(waiter, monkeypatch):
    source = f"import dapr.ext.workflow as wf\n\n\ndef orchestrator(ctx, n):\n    return {waiter}\n".encode()
    assert gate.closed_summary(source) is None
    full, gated = _both(Path("orchestrators.py"), source, _everything(), monkeypatch)
    assert gated == full and full[1].workflows.awaited


_AGENT_HEAD = "from dapr_agents import AgentRunner, DurableAgent\n\n\n"
# dapr-agents' DurableAgent and AgentRunner (gate._STARTED_BY_CALLS): (source, opens, the full summary's started
# agents as (key, script)). The model reads them only as what built the receiver of `.start()` or of a runner
# method (python/model/workflow_facts.py `_start`, `_runner`, `_agent`); the first pass builds that entry itself.
AGENT_STARTS = {
    "built, run, never started": (
        "agent = DurableAgent(name='a', role='r')\n\n\ndef main():\n    return agent.run('task')\n", False, (),
    ),
    "annotated, checked, served by a runner it was given": (
        "def serve(agent: DurableAgent, runner: 'AgentRunner') -> None:\n    if isinstance(agent, DurableAgent):\n"
        "        runner.serve(agent)\n", False, (),
    ),
    "started through an attribute (the model reads names only)": (
        "class Service:\n    def __init__(self):\n        self.agent = DurableAgent(name='a')\n\n"
        "    def go(self):\n        self.agent.start()\n", False, (),
    ),
    "started": ("agent = DurableAgent(name='a')\nagent.start()\n", False, (("agent", False),)),
    "started in a function": (
        "agent = DurableAgent(name='a')\n\n\ndef main():\n    agent.start()\n", False, (("agent", False),),
    ),
    "started as a script": (
        "agent = DurableAgent(name='a')\nif __name__ == \"__main__\":\n    agent.start()\n", False, (("agent", True),),
    ),
    "started under a test the model does not read as the script's": (
        "agent = DurableAgent(name='a')\nif __name__ == \"\"\"__main__\"\"\":\n    agent.start()\nelse:\n    pass\n",
        False, (("agent", False),),
    ),
    "served by a runner built here": (
        "agent = DurableAgent(name='a')\nrunner = AgentRunner()\nrunner.serve(agent)\n", False, (("agent", False),),
    ),
    "served by a runner, the agent by keyword": (
        "bot = DurableAgent(name='a')\nrunner = AgentRunner()\nrunner.run(agent=bot)\n", False, (("bot", False),),
    ),
    "served by a runner built in place (a span this pass does not place)": (
        "bot = DurableAgent(name='a')\nAgentRunner().run(agent=bot)\n", True, (("bot", False),),
    ),
    "started as built (the model has no name for it)": ("DurableAgent(name='a').start()\n", False, ()),
    "started with a runtime of its own given": ("agent = DurableAgent(name='a', runtime=object())\nagent.start()\n", False, ()),
    "started twice (the model keeps one; the order of several is its own)": (
        "agent = DurableAgent(name='a')\nagent.start()\nagent.start()\n", True, (("agent", False),),
    ),
    "started in parentheses of its own (LibCST's span differs)": (
        "agent = DurableAgent(name='a')\nx = (agent.start())\n", True, (("agent", False),),
    ),
    "served with arguments unpacked": (
        "agent = DurableAgent(name='a')\nrunner = AgentRunner()\nrunner.serve(*[agent])\n", True, (),
    ),
    "the class handed on (a value the model may follow)": ("factory = DurableAgent\n", True, ()),
}


@pytest.mark.parametrize("name", sorted(AGENT_STARTS))
def test_a_durable_agent_started_is_in_the_first_pass_summary(name, monkeypatch):
    from dapr_lint.python.sdk_releases import unpinned

    body, opens, started = AGENT_STARTS[name]
    source = (_AGENT_HEAD + body).encode()
    closed = gate.first_pass(source, sdk=unpinned())[0]
    assert (closed is None) == opens
    full = _full_summary(Path("agent.py"), source, monkeypatch)
    assert [(s.key, s.script) for s in full.workflows.started] == list(started)
    if closed is not None:
        assert closed == full
    gated_full, gated = _both(Path("agent.py"), source, _everything(), monkeypatch)
    assert gated == gated_full


# Where python/ reads the names the first pass lets pass outside one shape (gate._READ_IN_ONE_SHAPE, the waiters it
# reads itself): a new reading changes these counts, and must be matched in gate._check_shape / _awaited_events.
_SHAPED_READINGS = re.compile(
    r"\b(?:ACTOR_ID|ACTOR_CLASSES|INTERFACE_CLASSES|REMINDABLE_CLASSES|DURABLE_AGENTS|AGENT_RUNNERS)\b"
    r"|wait_for_external_event|\"dapr\.actor[a-z_.]*\.(?:ActorId|Actor|ActorInterface|Remindable)\""
    r"|\"dapr_agents[a-z_.]*\.(?:DurableAgent|AgentRunner)\""
)


def test_the_names_read_in_one_shape_are_read_where_the_gate_knows():
    found = {}
    for path in sorted((ROOT / "src" / "dapr_lint" / "python").rglob("*.py")):
        if path.name in ("gate.py", "gate_names.py") or path.name.startswith("sdk_") or "pages" in path.parts:
            continue
        count = len(_SHAPED_READINGS.findall(path.read_text(encoding="utf-8")))
        if count:
            found[path.relative_to(ROOT / "src" / "dapr_lint" / "python").as_posix()] = count
    assert found == {
        "model/actors.py": 16,  # the sets and their names; `bases` (a class's base); exported
        # `_call`: the awaited events (gate._awaited_events); DURABLE_AGENTS and AGENT_RUNNERS, their names and
        # `_start` / `_runner`: what built a started agent (gate._started_agents)
        "model/workflow_facts.py": 12,
        "rules/actors.py": 2,  # DPR809: `ActorId(...)` as a callee (gate._str_actor_id)
        "rules/workflows.py": 3,  # in a registered workflow only (which opens the file)
    }, "a new reading of a name the gate lets pass: teach gate._check_shape or _awaited_events, then update this"


@pytest.mark.slow
def test_what_dapr_agents_exports_still_opens(tmp_path):
    """`from dapr_agents import X` is judged against the admitted releases' exports (DPR108): such a file opens,
    and the whole run is the same with the gate and without."""
    source = b"from dapr_agents import AssistantAgent\n\n\ndef make():\n    return AssistantAgent\n"
    assert gate.closed_summary(source) is None
    tree = tmp_path / "repo"
    tree.mkdir()
    (tree / "agent.py").write_bytes(source)
    (tree / "requirements.txt").write_text("dapr-agents==0.10.0\n", encoding="utf-8")
    full = _check_json(tree, "0")
    assert "AssistantAgent" in full and '"DPR108"' in full
    assert _check_json(tree, "1") == full


def test_dapr_agents_imports_open_only_where_the_pinned_releases_may_lack_a_name(monkeypatch):
    """DPR108 judges `from dapr_agents import X` only when the project pins dapr-agents releases: unpinned, or
    pinned to releases that all export X, the file closes (and its summary is the full way's)."""
    from dapr_lint.python.sdk_releases import agents_range, unpinned

    source = b"from dapr_agents import AssistantAgent, tool\n\n\ndef make():\n    return AssistantAgent\n"
    pinned = dataclasses.replace(unpinned(), agents=agents_range(None, "0.10.0", "requirements.txt"))
    assert gate.first_pass(source)[0] is None  # the pin not known: opens
    assert gate.first_pass(source, sdk=pinned)[0] is None  # 0.10.0 no longer exports AssistantAgent
    closed = gate.first_pass(source, sdk=unpinned())[0]
    assert closed is not None and closed == _full_summary(Path("agent.py"), source, monkeypatch)
    exported = source.replace(b"AssistantAgent", b"Agent")
    assert gate.first_pass(exported, sdk=pinned)[0] is not None
    assert _both(Path("agent.py"), source, _everything(), monkeypatch)[0] == _both(Path("agent.py"), source, _everything(), monkeypatch)[1]


def test_actor_facts_of_a_closed_module(monkeypatch):
    """The summary's actor classes from the ast: bases as the model names them, methods (the last of a name, in
    the order first written), spans of the names in characters."""
    summary = gate.closed_summary(ACTOR_CLASSES_MODULE)
    assert summary is not None
    classes = summary.actors.classes
    assert list(classes) == ["Local", "Café", "Made"]
    assert classes["Café"].bases == ("import:.base.Service", "local:Local", "other", "unknown")
    assert [(m.name, m.is_async, m.decorated) for m in classes["Café"].methods] == [("naïve", False, False), ("run", True, False)]
    assert classes["Café"].span == Span(13, 7, 13, 11) and classes["Local"].methods[0].span == Span(9, 6, 9, 9)
    full, gated = _both(Path("actors.py"), ACTOR_CLASSES_MODULE, _everything(), monkeypatch)
    assert gated == full


@pytest.mark.parametrize(
    "source", [b"import os\nreturn 1\n", b"def f():\n    nonlocal x\n", b"async def f():\n    yield from g()\n"]
)
def test_what_only_the_compiler_refuses_opens(source, monkeypatch):
    """The pass compiles a file only once it would close it: a file CPython parses but will not compile is the
    full path's (DPR001)."""
    assert gate.closed_summary(source) is None
    full, gated = _both(Path("module.py"), source, _everything(), monkeypatch)
    assert gated == full and [d.code for d in full[0]] == ["DPR001"]


# Every kind the walk descends through by its table (gate._CHILD_FIELDS), in one module.
EVERY_KIND = b'''
import os
from a import b as c
x: int = 1
del x[0], y.z
assert x, "m"
while x:
    break
else:
    pass
for i in range(3):
    continue
try:
    raise ValueError("v") from None
except (KeyError, OSError) as e:
    pass
else:
    pass
finally:
    pass
if not x and y or -z:
    v = a if b else c
d = {1: 2, **e}
s = {1, *t}
f = f"{x!r:>{width}} and {y}"
g = a[1:2:3], a[::], [*l], (1, 2), 1 < 2 <= 3 != 4, u + w
h = lambda q=1: q
async def k():
    await m()
    async for n in o:
        pass
    async with p as q:
        pass
def gen():
    yield
    yield 1
    yield from r
    return
    return s
print(*args, sep="", **kw)
'''


def test_the_walks_table_reads_every_child_as_ast_does():
    """gate._CHILD_FIELDS: the children the walk descends to are those `ast.iter_child_nodes` gives, in its order,
    less the contexts and operators (nodes without children)."""
    import ast

    childless = (ast.expr_context, ast.operator, ast.unaryop, ast.boolop, ast.cmpop)
    seen = set()
    source = EVERY_KIND + (b"try:\n    pass\nexcept* ValueError:\n    pass\n" if sys.version_info >= (3, 11) else b"")
    for node in ast.walk(ast.parse(source)):
        fields = gate._CALL_FIELDS if type(node) is ast.Call else gate._CHILD_FIELDS.get(type(node))
        if fields is None:
            continue
        seen.add(type(node))
        table = []
        for field in fields:
            value = getattr(node, field)
            table.extend([v for v in value if v is not None] if isinstance(value, list) else [value] if value is not None else [])
        assert table == [c for c in ast.iter_child_nodes(node) if not isinstance(c, childless)], ast.dump(node)
    assert seen == {*gate._CHILD_FIELDS, ast.Call}


def test_the_starts_of_surely_open_hold_every_match_of_its_pattern():
    """gate._starts finds by byte search where `_SURELY_OPEN` can match: walking them in order, skipping those inside
    the match before, meets the matches `finditer` gives (on texts made of the pattern's words and its neighbours)."""
    import random

    words = [
        b"Dapr", b"DaprClient", b"DaprGrpcClientAsync", b"DaprWorkflowClient", b"DaprWorkflowContext", b"DaprApp",
        b"DaprActor", b"WorkflowRuntime", b"ActorProxy", b"Actor", b"ActorInterface", b"Remindable", b"actormethod",
        b"mock_actor", b".register_actor", b".register_activity", b".register_", b"from ", b"import ", b"fastapi",
        b"flask_dapr", b"starlette", b"uvicorn", b"cloudevents", b'"""', b"'''", b"'", b"`", b"#", b"class ", b"(", b"@",
        b".", b"x", b"_", b"\n", b" ", b"\t", b"\r", b"\x0c", b"\n    ", b"Client", b"Async",
    ]
    pattern, draw = gate._SURELY_OPEN, random.Random(20)
    for _ in range(3000):
        text = b"".join(draw.choice(words) for _ in range(draw.randint(0, 24)))
        walked, last = [], 0
        for start in gate._starts(text):
            match = pattern.match(text, start) if start >= last else None
            if match is not None:
                walked.append(match.span())
                last = match.end()
        assert walked == [m.span() for m in pattern.finditer(text)], text


def test_the_walk_of_a_tree_meets_what_ast_walk_meets():
    """gate._nodes (the one walk the reach, shape and waiter checks share): the nodes `ast.walk` gives, in its order,
    less those without children that nobody reads (contexts, operators), and each one's parent."""
    import ast

    childless = (ast.expr_context, ast.operator, ast.unaryop, ast.boolop, ast.cmpop, ast.type_ignore)
    for source in (EVERY_KIND, Path(gate.__file__).read_bytes()):
        tree = ast.parse(source)
        parents: dict[int, ast.AST] = {}
        nodes = gate._nodes(tree, parents)
        assert nodes == [node for node in ast.walk(tree) if not isinstance(node, childless)]
        kept = {id(node) for node in nodes}
        assert all(parents[id(c)] is node for node in nodes for c in ast.iter_child_nodes(node) if id(c) in kept)


# -- async calls left to the project stage (gate.first_pass `defer`, engine/project_stage.py `_complete`) ----------

# A module with nothing Dapr in it whose coroutine calls a function imported from (maybe) the project: only the
# summary's async calls (DPR101 across modules) need LibCST here.
CALLER = "from helpers import save\n\n\nasync def handle(order):\n    save(order)\n"
BLOCKING_HELPER = (
    "from dapr.clients import DaprClient\n\n\ndef save(order):\n    with DaprClient() as client:\n"
    "        client.save_state('statestore', 'order', order)\n"
)
PLAIN_HELPER = "def save(order):\n    return order\n"


def _full_summary(path: Path, data: bytes, monkeypatch):
    monkeypatch.setenv(gate.ENVIRONMENT, "0")
    summary = analyze_python(str(path), data, _everything()).summary
    monkeypatch.setenv(gate.ENVIRONMENT, "1")
    return summary


def test_a_module_opened_for_its_async_calls_alone_leaves_them_to_the_project_stage(monkeypatch):
    data = CALLER.encode()
    assert gate.closed_summary(data) is None  # without `defer`, the gate opens for them
    deferred, tree = gate.first_pass(data, defer=True)
    assert deferred is not None and tree is None
    # the parts of the import paths it may call into, not every name it writes
    assert deferred.async_calls == () and deferred.async_calls_deferred == ("helpers", "save")
    full = _full_summary(Path("app.py"), data, monkeypatch)
    assert [(c.target, c.function) for c in full.async_calls] == [("helpers.save", "handle")]
    assert dataclasses.replace(full, async_calls=(), async_calls_deferred=deferred.async_calls_deferred) == deferred
    # what the file stage asks for: a file from disk, no fix, not a second look
    assert analyze_python("app.py", data, _everything(), defer=True).summary == deferred


def _findings(root: Path, monkeypatch, capsys, *extra: str) -> list[tuple[str, int, str]]:
    monkeypatch.chdir(root)
    assert main(["check", ".", "--no-cache", "--output-format", "json", "--jobs", "1", "--exit-zero", *extra]) == 0
    return sorted((f["path"], f["line"], f["code"]) for f in json.loads(capsys.readouterr().out))


@pytest.mark.parametrize("helper, found", [(BLOCKING_HELPER, [("app.py", 5, "DPR101")]), (PLAIN_HELPER, [])])
def test_deferred_async_calls_are_read_when_another_module_may_block(helper, found, tmp_path, monkeypatch, capsys):
    (tmp_path / "app.py").write_text(CALLER, encoding="utf-8")
    (tmp_path / "helpers.py").write_text(helper, encoding="utf-8")
    from dapr_lint.engine import project_stage

    again = spy_on_check_file(monkeypatch, project_stage)
    gated = _findings(tmp_path, monkeypatch, capsys, "--select", "DPR101")
    assert gated == found
    # the caller is checked the full way only when the helper it may call blocks
    assert again == (["app.py"] if found else [])
    monkeypatch.setenv(gate.ENVIRONMENT, "0")
    assert _findings(tmp_path, monkeypatch, capsys, "--select", "DPR101") == gated


def test_a_cached_deferred_summary_is_read_in_full_once_a_helper_blocks(tmp_path, monkeypatch, capsys):
    """Through the cache (its folder: conftest): the caller's deferred summary is served from it, and the project
    stage reads its async calls the full way as soon as, and only while, the helper blocks."""
    from dapr_lint.engine import project_stage, run

    (tmp_path / "app.py").write_text(CALLER, encoding="utf-8")
    helper = tmp_path / "helpers.py"
    seen = spy_on_check_file(monkeypatch, run, project_stage)

    def findings() -> list[tuple[str, int, str]]:
        seen.clear()
        assert main(["check", ".", "--output-format", "json", "--jobs", "1", "--exit-zero", "--select", "DPR101"]) == 0
        return sorted((f["path"], f["line"], f["code"]) for f in json.loads(capsys.readouterr().out))

    monkeypatch.chdir(tmp_path)
    helper.write_text(PLAIN_HELPER, encoding="utf-8")
    assert findings() == [] and sorted(seen) == ["app.py", "helpers.py"]
    helper.write_text(BLOCKING_HELPER, encoding="utf-8")
    assert findings() == [("app.py", 5, "DPR101")]
    assert seen == ["helpers.py", "app.py"]  # app.py from the cache, then checked the full way for its calls
    helper.write_text(PLAIN_HELPER + "\n", encoding="utf-8")
    assert findings() == [] and seen == ["helpers.py"]


def test_apps_reads_deferred_async_calls_where_dpr101_needs_them(tmp_path, monkeypatch):
    from dapr_lint.engine.project_stage import completed
    from dapr_lint.engine.run import summarize
    from dapr_lint.files import SourceFile

    (tmp_path / "app.py").write_text(CALLER, encoding="utf-8")
    (tmp_path / "helpers.py").write_text(BLOCKING_HELPER, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    files = [SourceFile(Path("app.py"), "python"), SourceFile(Path("helpers.py"), "python")]
    settings = Settings(frozenset(), summaries=True)
    made = {s.path: s for s in summarize(files, settings, jobs=1)}
    assert made["app.py"].async_calls_deferred is not None and made["app.py"].async_calls == ()
    assert completed(list(made.values()), settings, 1) == list(made.values())  # DPR101 off: nothing to read
    done = {s.path: s for s in completed(list(made.values()), dataclasses.replace(settings, enabled=frozenset({"DPR101"})), 1)}
    assert done["app.py"].async_calls_deferred is None
    assert [(c.target, c.function) for c in done["app.py"].async_calls] == [("helpers.save", "handle")]
    kept = made["app.py"].async_calls_deferred
    assert dataclasses.replace(done["app.py"], async_calls=(), async_calls_deferred=kept) == made["app.py"]
    assert done["helpers.py"] == made["helpers.py"]


@pytest.mark.slow
def test_deferred_summaries_are_the_full_ones_but_their_async_calls_on_every_fixture_and_example(monkeypatch):
    """Where the first pass leaves a file's async calls to the project stage, the rest of its summary is what the
    full way gives, and the names it keeps hold the last part of every call's target (what `blocking_names` is
    matched against)."""
    deferred = 0
    for path in SOURCES:
        data = path.read_bytes()
        summary, _tree = gate.first_pass(data, defer=True)
        if summary is None or summary.async_calls_deferred is None:
            continue
        deferred += 1
        full = _full_summary(path, data, monkeypatch)
        assert dataclasses.replace(full, async_calls=(), async_calls_deferred=summary.async_calls_deferred) == summary, path
        names = set(summary.async_calls_deferred)
        assert all(call.target.rpartition(".")[2] in names for call in full.async_calls), path
    assert deferred, "no fixture or example defers its async calls: the differential proves nothing"


# -- Dapr clients read by the first pass (python/gate_clients.py) -------------------------------------------------

SYNC_CLIENT_MODULE = b"""from dapr.clients import DaprClient

STORE = "statestore"


def main():
    with DaprClient() as d:
        d.save_state(STORE, "key", "value")
        d.publish_event(pubsub_name="pubsub", topic_name="orders", data="hello")
        d.invoke_method("app", "m", "body", http_verb="POST")
        d.get_secret(store_name="secrets", key="k")


if __name__ == "__main__":
    main()
"""
AIO_CLIENT_MODULE = b"""from dapr.aio.clients import DaprClient as AsyncDaprClient

GRPC_ADDRESS = '127.0.0.1:13501'


async def test_round_trip(sidecar):
    async with AsyncDaprClient(address=GRPC_ADDRESS) as d:
        await d.set_metadata('async-key', 'async-value')
        await d.delete_state(store_name='s', key='k')
        await d.invoke_method('app', method_name='ping')
"""


def test_a_client_in_a_with_block_closes_with_its_components_and_blocking_entry(monkeypatch):
    summary = gate.closed_summary(SYNC_CLIENT_MODULE)
    assert summary is not None
    assert [(c.method, c.param, c.name, c.topic, c.keywords) for c in summary.components] == [
        ("save_state", "store_name", "statestore", None, ("key", "store_name", "value")),
        ("publish_event", "pubsub_name", "pubsub", "orders", ("data", "pubsub_name", "topic_name")),
        ("invoke_method", "app_id", "app", None, ("app_id", "data", "http_verb", "method_name")),
        ("get_secret", "store_name", "secrets", None, ("key", "store_name")),
    ]
    invoke = summary.components[2]
    assert (invoke.method_name, invoke.http_verb, invoke.has_body, invoke.span) == ("m", "POST", True, Span(10, 9, 10, 62))
    assert summary.defs["main"].blocking == "DaprClient()"  # DPR101 across modules reads it
    aio = gate.closed_summary(AIO_CLIENT_MODULE)
    assert aio is not None and aio.defs["test_round_trip"].blocking is None
    assert [(c.method, c.name, c.method_name, c.has_body) for c in aio.components] == [
        ("delete_state", "s", None, False), ("invoke_method", "app", "ping", False),
    ]
    for source in (SYNC_CLIENT_MODULE, AIO_CLIENT_MODULE):
        full, gated = _both(Path("module.py"), source, _everything(), monkeypatch)
        assert gated == full


def test_a_client_judged_against_the_pinned_releases(monkeypatch):
    """DPR108 by the pin: a keyword the oldest admitted release lacks opens the file; unpinned it closes."""
    from dapr_lint.python.sdk_releases import unpinned

    source = SYNC_CLIENT_MODULE
    assert gate.first_pass(source, sdk=unpinned())[0] == gate.closed_summary(source)
    assert gate.first_pass(source.replace(b"STORE, ", b"STORE, nonsense='x', "), sdk=unpinned())[0] is None


_SYNC = b"from dapr.clients import DaprClient\n\n\ndef main():\n    with DaprClient() as d:\n        %s\n"
_AIO = b"from dapr.aio.clients import DaprClient\n\n\nasync def main():\n    async with DaprClient() as d:\n        %s\n"
# Each variant of the shape a rule or a summary fact keys on: it opens, and the full way finds it (a code) or
# fills the fact (a summary field).
CLIENT_SHAPES_OPEN = {
    "a sync client in a coroutine (DPR101)": (
        b"from dapr.clients import DaprClient\n\n\nasync def main():\n    with DaprClient() as d:\n        d.save_state('s', 'k', 'v')\n",
        "DPR101",
    ),
    "a coroutine calling a def holding a sync client (DPR101)": (
        (_SYNC % b"d.save_state('s', 'k', 'v')") + b"\n\nasync def handle():\n    main()\n",
        "DPR101",
    ),
    "a def calling a def holding a sync client through an alias (summary: its blocking entry)": (
        (_SYNC % b"d.save_state('s', 'k', 'v')") + b"\n\ng = main\n\n\ndef outer():\n    g()\n",
        "defs",
    ),
    "async with on the sync client (DPR102)": (
        b"from dapr.clients import DaprClient\n\n\nasync def main():\n    async with DaprClient() as d:\n        d.save_state('s', 'k', 'v')\n",
        "DPR102",
    ),
    "with on the aio client (DPR102)": (
        b"from dapr.aio.clients import DaprClient\n\n\ndef main():\n    with DaprClient() as d:\n        d.save_state('s', 'k', 'v')\n",
        "DPR102",
    ),
    "an aio call not awaited (DPR104)": (_AIO % b"d.save_state('s', 'k', 'v')", "DPR104"),
    "an aio client never closed (DPR105)": (
        b"from dapr.aio.clients import DaprClient\n\n\nasync def main():\n    d = DaprClient()\n    await d.save_state('s', 'k', 'v')\n",
        "DPR105",
    ),
    "a sync client never closed (DPR106)": (
        b"from dapr.clients import DaprClient\n\n\ndef main():\n    d = DaprClient()\n    d.save_state('s', 'k', 'v')\n",
        "DPR106",
    ),
    "a method the SDK lacks (DPR108)": (_SYNC % b"d.invoke_service('app', 'm')", "DPR108"),
    "a keyword the SDK lacks (DPR108)": (_SYNC % b"d.publish_event('p', 't', 'x', content_type='text/plain')", "DPR108"),
    "an http:// address (DPR109)": (
        b"from dapr.clients import DaprClient\n\n\ndef main():\n    with DaprClient('http://localhost:50001') as d:\n        d.save_state('s', 'k', 'v')\n",
        "DPR109",
    ),
    "a deprecated wait (DPR109)": (_SYNC % b"d.wait(5)", "DPR109"),
    "a dict as a state value (DPR201)": (_SYNC % b"d.save_state('s', 'k', {'a': 1})", "DPR201"),
    "a list as a state value (DPR201)": (_SYNC % b"d.save_state('s', 'k', ['a'])", "DPR201"),
    "JSON sent as GET to an HTTP route (DPR206)": (
        b"import json\n" + (_SYNC % b"d.invoke_method('app', 'orders/new', data=json.dumps({'a': 1}))"), "DPR206",
    ),
    "JSON published without its content type (DPR202)": (
        b"import json\n" + (_SYNC % b"d.publish_event('p', 't', json.dumps({'a': 1}))"), "DPR202",
    ),
    "a number in state metadata (DPR203)": (
        _SYNC % b"d.save_state('s', 'k', 'v', state_metadata={'ttlInSeconds': 5})", "DPR203",
    ),
    "a bool in publish metadata (DPR203)": (_SYNC % b"d.publish_event('p', 't', 'x', publish_metadata={'rawPayload': True})", "DPR203"),
    "a CloudEvent's dict published as JSON (DPR207)": (
        b"import json\n" + (_SYNC % b"e = {'specversion': '1.0'}\n        d.publish_event('p', 't', json.dumps(e), data_content_type='application/json')"),
        "DPR207",
    ),
    "a number in binding metadata (DPR203)": (
        _SYNC % b"n = 5\n        d.invoke_binding('b', 'create', 'x', binding_metadata={'n': n})", "DPR203",
    ),
    "a dict as gRPC metadata (DPR204)": (_SYNC % b"d.save_state('s', 'k', 'v', metadata={'a': 'b'})", "DPR204"),
    "a state read as JSON (DPR205)": (_SYNC % b"d.get_state('s', 'k').json()", "DPR205"),
    "an invocation with a body and no verb (DPR206)": (_SYNC % b"d.invoke_method('app', 'orders/new', 'body')", "DPR206"),
    "a CloudEvent published as JSON (DPR207)": (
        b"import json\n" + (_SYNC % b"d.publish_event('p', 't', json.dumps({'specversion': '1.0', 'data': 1}), data_content_type='application/json')"),
        "DPR207",
    ),
    "an HTTP binding envelope as data (DPR208)": (
        b"import json\n" + (_SYNC % b"d.invoke_binding('b', 'create', json.dumps({'data': 1, 'metadata': {}}))"), "DPR208",
    ),
    "a call in a try that swallows the error (DPR303)": (
        _SYNC % b"try:\n            d.save_state('s', 'k', 'v')\n        except Exception:\n            pass", "DPR303",
    ),
    "a call in a try that returns nothing on failure (DPR303)": (
        _SYNC % b"try:\n            d.save_state('s', 'k', 'v')\n        except Exception:\n            'ignored'\n            return None",
        "DPR303",
    ),
    "only DaprInternalError caught around a gRPC call (DPR302)": (
        b"import logging\nfrom dapr.clients.exceptions import DaprInternalError\n"
        + (_SYNC % b"try:\n            d.save_state('s', 'k', 'v')\n        except DaprInternalError:\n            logging.error('x')\n            raise"),
        "DPR302",
    ),
    "a lock held whatever it answers (DPR419)": (
        _SYNC % b"with d.try_lock('s', 'r', 'o', 10):\n            pass", "DPR419",
    ),
    "a trace-forwarding client (summary: practices.forward_http)": (
        b"from dapr.clients import DaprClient\n\n\ndef main():\n    with DaprClient(headers_callback=lambda: {}) as d:\n        d.save_state('s', 'k', 'v')\n",
        "practices",
    ),
    "a component named by an environment default (summary: components)": (
        b"import os\n" + (_SYNC % b"d.save_state(os.getenv('STORE', 'statestore'), 'k', 'v')"), "components",
    ),
    "the client handed on (summary: defs, its returned client)": (
        b"from dapr.clients import DaprClient\n\n\ndef main():\n    with DaprClient() as d:\n        return d\n", "defs",
    ),
}


@pytest.mark.parametrize("name", sorted(CLIENT_SHAPES_OPEN))
def test_client_shapes_a_rule_keys_on_still_open(name, monkeypatch):
    source, code = CLIENT_SHAPES_OPEN[name]
    full = assert_opens(source, monkeypatch)
    if code.startswith("DPR"):
        assert code in {d.code for d in full[0]}
    elif code == "defs":
        assert any(d.blocking or d.returns for d in full[1].defs.values())
    elif code == "practices":
        assert full[1].practices.forward_http
    else:
        assert getattr(full[1], code), f"the summary's {code} is empty: the shape proves nothing"


# -- the actor family read by the first pass itself (python/gate_actors.py) ---------------------------------------

ACTOR_CLOSES = {
    # the name tested only around the read (the loop's test comes first): DPR806 reads what follows it
    'c_get_state_tested_before': 'from dapr.actor import Actor\n\nfrom interfaces.cart import CartInterface\n\n\nclass CartActor(Actor, CartInterface):\n    async def get_items(self) -> list:\n        items = []\n        while not items:\n            items = await self._state_manager.get_state("cart")\n        return items\n',
    # bound twice: the model knows no proxy there (no DPR104, no proxy_calls)
    'c_proxy_bound_twice': 'import asyncio\n\nfrom dapr.actor import ActorId, ActorProxy\nfrom iface import Cart\n\n\nasync def main(flag):\n    if flag:\n        proxy = ActorProxy.create("T", ActorId("1"), Cart)\n        await proxy.Add()\n    else:\n        proxy = ActorProxy.create("T", ActorId("2"), Cart)\n        proxy.Add()\n\n\nasyncio.run(main(True))\n',
    'c_host_only': 'from dapr.actor.runtime.grpc_host import ActorGrpcHost\n\nhost = ActorGrpcHost()\n',
    'c_grpc_host': 'import asyncio\n\nfrom dapr.actor import ActorGrpcHost\nfrom dapr.actor.runtime.runtime import ActorRuntime\n\nfrom cart.actor import CartActor\n\n\nasync def main() -> None:\n    ActorRuntime.set_actor_config(None)\n    host = ActorGrpcHost()\n    await host.register_actor(CartActor)\n\n\nasyncio.run(main())\n',
    'c_local_registered': 'from dapr.actor import Actor, ActorInterface, ActorRuntime, actormethod\n\n\nclass CartInterface(ActorInterface):\n    @actormethod(name="GetItems")\n    async def get_items(self) -> list: ...\n\n\nclass CartActor(Actor, CartInterface):\n    async def get_items(self) -> list:\n        return []\n\n\nasync def main() -> None:\n    await ActorRuntime.register_actor(CartActor)\n',
    'c_runtime_arg': 'from dapr.actor.runtime.runtime import ActorRuntime\n\nfrom cart import CartActor, Other\nfrom tests.utils import _run\n\n\ndef test_register():\n    _run(ActorRuntime.register_actor(CartActor))\n    _run(ActorRuntime.register_actor(Other, message_serializer=None))\n    assert ActorRuntime.get_registered_actor_types()\n',
    'c_proxy_ctor': "from dapr.actor import ActorProxy\n\n\ndef build(client) -> ActorProxy:\n    return ActorProxy(client, 'T', None, None, None)\n",
    'c_actor': 'from dapr.actor import Actor, Remindable\n\nfrom interfaces.cart import CartInterface\n\n\nclass CartActor(Actor, CartInterface, Remindable):\n    def __init__(self, ctx, actor_id):\n        super(CartActor, self).__init__(ctx, actor_id)\n\n    async def _on_activate(self) -> None:\n        await self._state_manager.set_state("items", [])\n        await self._state_manager.save_state()\n\n    async def receive_reminder(self, name, state, due_time, period, ttl=None):\n        await self.unregister_reminder(name)\n\n    async def get_items(self) -> list:\n        found, items = await self._state_manager.try_get_state("items")\n        return items if found else []\n',
    'c_client': 'import asyncio\n\nfrom dapr.actor import ActorId, ActorProxy\nfrom interfaces.cart import CartInterface\n\n\nasync def main() -> None:\n    proxy = ActorProxy.create("CartActor", ActorId("1"), CartInterface)\n    await proxy.AddItem({"sku": "a"})\n    items = await proxy.GetItems()\n    await proxy.invoke_method("AddItem", b"{}")\n    print(items, proxy.actor_id)\n\n\nasyncio.run(main())\n',
    'c_get_state': 'from dapr.actor import Actor, Remindable\n\nfrom interfaces.cart import CartInterface\n\n\nclass CartActor(Actor, CartInterface, Remindable):\n    def __init__(self, ctx, actor_id):\n        super(CartActor, self).__init__(ctx, actor_id)\n\n    async def _on_activate(self) -> None:\n        await self._state_manager.set_state("items", [])\n        await self._state_manager.save_state()\n\n    async def receive_reminder(self, name, state, due_time, period, ttl=None):\n        await self.unregister_reminder(name)\n\n    async def get_items(self) -> list:\n        items = await self._state_manager.get_state("cart")\n        return items\n',
    'c_iface': 'from dapr.actor import ActorInterface, actormethod\n\n\nclass CartInterface(ActorInterface):\n    @actormethod(name="GetItems")\n    async def get_items(self) -> list: ...\n\n    @actormethod(\'AddItem\')\n    async def add_item(self, item: dict) -> None: ...\n\n    @actormethod\n    async def clear(self, data) -> None: ...\n\n    async def plain(self) -> None: ...\n',
    'c_init': "from dapr.actor.actor_interface import ActorInterface, actormethod\nfrom dapr.actor.client.proxy import ActorProxy\nfrom dapr.actor.runtime.grpc_host import ActorGrpcHost\n\n__all__ = ['ActorInterface', 'actormethod', 'ActorProxy', 'ActorGrpcHost']\n",
    'c_invoke_param': 'import asyncio\n\nfrom dapr.actor import ActorId, ActorProxy\n\nACTOR_TYPE = "Cart"\nACTOR_ID = "1"\n\n\ndef invoke(method: str, data: bytes = None):\n    async def run():\n        proxy = ActorProxy.create(ACTOR_TYPE, ActorId(ACTOR_ID))\n        return await proxy.invoke_method(method, data)\n\n    return asyncio.run(run())\n',
    'c_local': 'from dapr.actor import Actor, ActorInterface, actormethod\n\n\nclass CartInterface(ActorInterface):\n    @actormethod(name="GetItems")\n    async def get_items(self) -> list: ...\n\n\nclass CartActor(Actor, CartInterface):\n    async def get_items(self) -> list:\n        return []\n\n    def helper(self):\n        return 1\n',
    'c_mock': 'import unittest\n\nfrom dapr.actor.runtime.mock_actor import create_mock_actor\n\nfrom cart import CartActor\n\n\nclass Test(unittest.TestCase):\n    def test_x(self):\n        actor = create_mock_actor(CartActor, "1")\n        self.assertIsNotNone(actor)\n',
    'c_timers': 'from dapr.actor import Actor, Remindable\n\nfrom interfaces.cart import CartInterface\n\n\nclass CartActor(Actor, CartInterface, Remindable):\n    def __init__(self, ctx, actor_id):\n        super(CartActor, self).__init__(ctx, actor_id)\n\n    async def _on_activate(self) -> None:\n        await self._state_manager.set_state("items", [])\n        await self._state_manager.save_state()\n\n    async def receive_reminder(self, name, state, due_time, period, ttl=None):\n        await self.register_timer("t", self.tick, None, None, None)\n        await self.register_reminder("r", b"x", None, None)\n\n    async def get_items(self) -> list:\n        found, items = await self._state_manager.try_get_state("items")\n        return items if found else []\n\n    async def tick(self, state):\n        pass\n',
}
# each a variant of a closing shape where a rule fires (or one the model may read otherwise: None): opens
ACTOR_OPENS = {
    'o_806_or': ('from dapr.actor import Actor, Remindable\n\nfrom interfaces.cart import CartInterface\n\n\nclass CartActor(Actor, CartInterface, Remindable):\n    def __init__(self, ctx, actor_id):\n        super(CartActor, self).__init__(ctx, actor_id)\n\n    async def _on_activate(self) -> None:\n        await self._state_manager.set_state("items", [])\n        await self._state_manager.save_state()\n\n    async def receive_reminder(self, name, state, due_time, period, ttl=None):\n        await self.unregister_reminder(name)\n\n    async def get_items(self) -> list:\n        items = await self._state_manager.get_state("cart")\n        return items or []\n', 'DPR806'),
    'o_104_register': ('import asyncio\n\nfrom dapr.actor import ActorGrpcHost\nfrom dapr.actor.runtime.runtime import ActorRuntime\n\nfrom cart.actor import CartActor\n\n\nasync def main() -> None:\n    ActorRuntime.set_actor_config(None)\n    host = ActorGrpcHost()\n    host.register_actor(CartActor)\n\n\nasyncio.run(main())\n', 'DPR104'),
    'o_804': ('from dapr.actor import Actor, ActorInterface, ActorRuntime, actormethod\n\n\nclass CartInterface(ActorInterface):\n    @actormethod(name="GetItems")\n    async def get_items(self) -> list: ...\n\n\nclass CartActor(Actor):\n    async def get_items(self) -> list:\n        return []\n\n\nasync def main() -> None:\n    await ActorRuntime.register_actor(CartActor)\n', 'DPR804'),
    'o_810': ('from dataclasses import dataclass\n\nfrom dapr.actor import Actor, ActorInterface, ActorRuntime, actormethod\n\n\n@dataclass\nclass Item:\n    sku: str\n\n\nclass CartInterface(ActorInterface):\n    @actormethod(name="GetItem")\n    async def get_item(self) -> Item: ...\n\n\nclass CartActor(Actor, CartInterface):\n    async def get_item(self) -> Item:\n        return Item("a")\n\n\nasync def main() -> None:\n    await ActorRuntime.register_actor(CartActor)\n', 'DPR810'),
    'o_grouped': ('import asyncio\n\nfrom dapr.actor import ActorGrpcHost\nfrom dapr.actor.runtime.runtime import ActorRuntime\n\nfrom cart.actor import CartActor\n\n\nasync def main() -> None:\n    ActorRuntime.set_actor_config(None)\n    host = ActorGrpcHost()\n    await (host.register_actor(CartActor))\n\n\nasyncio.run(main())\n', None),
    'o_host_annotation': ('from dapr.actor import ActorGrpcHost\n\n\ndef serve(host: ActorGrpcHost) -> None:\n    pass\n', None),
    'o_register_helper': ('from dapr.actor import ActorRuntime\n\nfrom cart import CartActor\n\n\nasync def register(cls) -> None:\n    await ActorRuntime.register_actor(cls)\n\n\nasync def main() -> None:\n    await register(CartActor)\n', None),
    'o_runtime_alias': ('from dapr.actor import ActorRuntime\n\nruntime = ActorRuntime\n', None),
    'o_104_proxy': ('import asyncio\n\nfrom dapr.actor import ActorId, ActorProxy\nfrom interfaces.cart import CartInterface\n\n\nasync def main() -> None:\n    proxy = ActorProxy.create("CartActor", ActorId("1"), CartInterface)\n    proxy.AddItem({"sku": "a"})\n    items = await proxy.GetItems()\n    await proxy.invoke_method("AddItem", b"{}")\n    print(items, proxy.actor_id)\n\n\nasyncio.run(main())\n', 'DPR104'),
    'o_104_state': ('from dapr.actor import Actor, Remindable\n\nfrom interfaces.cart import CartInterface\n\n\nclass CartActor(Actor, CartInterface, Remindable):\n    def __init__(self, ctx, actor_id):\n        super(CartActor, self).__init__(ctx, actor_id)\n\n    async def _on_activate(self) -> None:\n        await self._state_manager.set_state("items", [])\n        self._state_manager.save_state()\n\n    async def receive_reminder(self, name, state, due_time, period, ttl=None):\n        await self.unregister_reminder(name)\n\n    async def get_items(self) -> list:\n        found, items = await self._state_manager.try_get_state("items")\n        return items if found else []\n', 'DPR104'),
    'o_801_hook': ('from dapr.actor import Actor, Remindable\n\nfrom interfaces.cart import CartInterface\n\n\nclass CartActor(Actor, CartInterface, Remindable):\n    def __init__(self, ctx, actor_id):\n        super(CartActor, self).__init__(ctx, actor_id)\n\n    async def _on_activate(self) -> None:\n        await self._state_manager.set_state("items", [])\n        await self._state_manager.save_state()\n\n    async def receive_reminder(self, name, state, due_time, period, ttl=None):\n        await self.unregister_reminder(name)\n\n    def _on_deactivate(self):\n        pass\n\n    async def get_items(self) -> list:\n        found, items = await self._state_manager.try_get_state("items")\n        return items if found else []\n', 'DPR801'),
    'o_801_impl': ('from dapr.actor import Actor, ActorInterface, actormethod\n\n\nclass CartInterface(ActorInterface):\n    @actormethod(name="GetItems")\n    async def get_items(self) -> list: ...\n\n\nclass CartActor(Actor, CartInterface):\n    def get_items(self) -> list:\n        return []\n\n    def helper(self):\n        return 1\n', 'DPR801'),
    'o_802': ('from dapr.actor import ActorInterface, actormethod\n\n\nclass CartInterface(ActorInterface):\n    @actormethod(name="GetItems")\n    async def get_items(self) -> list: ...\n\n    @actormethod(\'AddItem\')\n    async def add_item(self, item: dict, more: int) -> None: ...\n\n    @actormethod\n    async def clear(self, data) -> None: ...\n\n    async def plain(self) -> None: ...\n', 'DPR802'),
    'o_803_bare': ('from dapr.actor import ActorInterface, actormethod\n\n\nclass CartInterface(ActorInterface):\n    @actormethod(name="GetItems")\n    async def get_items(self) -> list: ...\n\n    @actormethod(\'AddItem\')\n    async def add_item(self, item: dict) -> None: ...\n\n    @actormethod\n    async def clear(self) -> None: ...\n\n    async def plain(self) -> None: ...\n', 'DPR803'),
    'o_803_unnamed': ("from dapr.actor import ActorInterface, actormethod\n\n\nclass CartInterface(ActorInterface):\n    @actormethod()\n    async def get_items(self) -> list: ...\n\n    @actormethod('AddItem')\n    async def add_item(self, item: dict) -> None: ...\n\n    @actormethod\n    async def clear(self, data) -> None: ...\n\n    async def plain(self) -> None: ...\n", 'DPR803'),
    'o_806': ('from dapr.actor import Actor, Remindable\n\nfrom interfaces.cart import CartInterface\n\n\nclass CartActor(Actor, CartInterface, Remindable):\n    def __init__(self, ctx, actor_id):\n        super(CartActor, self).__init__(ctx, actor_id)\n\n    async def _on_activate(self) -> None:\n        await self._state_manager.set_state("items", [])\n        await self._state_manager.save_state()\n\n    async def receive_reminder(self, name, state, due_time, period, ttl=None):\n        await self.unregister_reminder(name)\n\n    async def get_items(self) -> list:\n        items = await self._state_manager.get_state("cart")\n        if items is None:\n            items = []\n        return items\n', 'DPR806'),
    'o_807': ('from dapr.actor import Actor, Remindable\n\nfrom interfaces.cart import CartInterface\n\n\nclass CartActor(Actor, CartInterface, Remindable):\n    def __init__(self, ctx, actor_id):\n        super(CartActor, self).__init__(ctx, actor_id)\n\n    async def _on_activate(self) -> None:\n        await self._state_manager.set_state("items", [])\n        await self._state_manager.save_state()\n\n    async def receive_reminder(self, name, state, due_time, period, ttl=None):\n        await self.register_reminder("r", "notbytes", None, None)\n\n    async def get_items(self) -> list:\n        found, items = await self._state_manager.try_get_state("items")\n        return items if found else []\n', 'DPR807'),
    'o_807_indirect': ('from dapr.actor import Actor, ActorInterface, Remindable, actormethod\n\n\nclass CartInterface(ActorInterface):\n    @actormethod(name="GetItems")\n    async def get_items(self) -> list: ...\n\n\nclass Base(Actor, Remindable):\n    pass\n\n\nclass CartActor(Base, CartInterface):\n    async def get_items(self) -> list:\n        await self.register_reminder("r", b"x", None, None)\n        return []\n', 'DPR807'),
    'o_807_state': ('from dapr.actor import Actor, Remindable\n\nfrom interfaces.cart import CartInterface\n\n\nclass CartActor(Actor, CartInterface, Remindable):\n    def __init__(self, ctx, actor_id):\n        super(CartActor, self).__init__(ctx, actor_id)\n\n    async def _on_activate(self) -> None:\n        await self._state_manager.set_state("items", [])\n        await self._state_manager.save_state()\n\n    async def receive_reminder(self, name, state, due_time, period, ttl=None):\n        await self.register_timer("t", self.tick, None, None, None)\n        await self.register_reminder("r", "x", None, None)\n\n    async def get_items(self) -> list:\n        found, items = await self._state_manager.try_get_state("items")\n        return items if found else []\n\n    async def tick(self, state):\n        pass\n', 'DPR807'),
    'o_808': ('from dapr.actor import Actor, Remindable\n\nfrom interfaces.cart import CartInterface\n\n\nclass CartActor(Actor, CartInterface, Remindable):\n    def __init__(self, ctx, actor_id):\n        super(CartActor, self).__init__(ctx, actor_id)\n\n    async def _on_activate(self) -> None:\n        await self._state_manager.set_state("items", [])\n        await self._state_manager.save_state()\n\n    async def receive_reminder(self, name, state, due_time, period, ttl=None):\n        await self.register_timer("t", lambda s: None, None, None, None)\n\n    async def get_items(self) -> list:\n        found, items = await self._state_manager.try_get_state("items")\n        return items if found else []\n', 'DPR808'),
    'o_808_lambda_attr': ('from dapr.actor import Actor, Remindable\n\nfrom interfaces.cart import CartInterface\n\n\nclass CartActor(Actor, CartInterface, Remindable):\n    def __init__(self, ctx, actor_id):\n        super(CartActor, self).__init__(ctx, actor_id)\n\n    async def _on_activate(self) -> None:\n        await self._state_manager.set_state("items", [])\n        await self._state_manager.save_state()\n\n    async def receive_reminder(self, name, state, due_time, period, ttl=None):\n        await self.register_timer("t", self.tick, None, None, None)\n        await self.register_reminder("r", b"x", None, None)\n\n    async def get_items(self) -> list:\n        found, items = await self._state_manager.try_get_state("items")\n        return items if found else []\n\n    tick = lambda self, state: None\n', None),
    'o_808_plain': ('from dapr.actor import Actor, Remindable\n\nfrom interfaces.cart import CartInterface\n\n\nclass CartActor(Actor, CartInterface, Remindable):\n    def __init__(self, ctx, actor_id):\n        super(CartActor, self).__init__(ctx, actor_id)\n\n    async def _on_activate(self) -> None:\n        await self._state_manager.set_state("items", [])\n        await self._state_manager.save_state()\n\n    async def receive_reminder(self, name, state, due_time, period, ttl=None):\n        await self.register_timer("t", self.tick, None, None, None)\n        await self.register_reminder("r", b"x", None, None)\n\n    async def get_items(self) -> list:\n        found, items = await self._state_manager.try_get_state("items")\n        return items if found else []\n\n    def tick(self, state):\n        pass\n', 'DPR808'),
    'o_809_body': ('import asyncio\n\nfrom dapr.actor import ActorId, ActorProxy\nfrom interfaces.cart import CartInterface\n\n\nasync def main() -> None:\n    proxy = ActorProxy.create("CartActor", ActorId("1"), CartInterface)\n    await proxy.AddItem({"sku": "a"})\n    items = await proxy.GetItems()\n    await proxy.invoke_method("AddItem", {"a": 1})\n    print(items, proxy.actor_id)\n\n\nasyncio.run(main())\n', 'DPR809'),
    'o_809_id': ('import asyncio\n\nfrom dapr.actor import ActorId, ActorProxy\nfrom interfaces.cart import CartInterface\n\n\nasync def main() -> None:\n    proxy = ActorProxy.create("CartActor", ActorId(5), CartInterface)\n    await proxy.AddItem({"sku": "a"})\n    items = await proxy.GetItems()\n    await proxy.invoke_method("AddItem", b"{}")\n    print(items, proxy.actor_id)\n\n\nasyncio.run(main())\n', 'DPR809'),
    'o_809_id_param': ('import asyncio\n\nfrom dapr.actor import ActorId, ActorProxy\n\nACTOR_TYPE = "Cart"\nACTOR_ID = "1"\n\n\ndef invoke(method: str, n: int, data: bytes = None):\n    async def run():\n        proxy = ActorProxy.create(ACTOR_TYPE, ActorId(n))\n        return await proxy.invoke_method(method, data)\n\n    return asyncio.run(run())\n', None),
    'o_809_local': ('from dapr.actor import ActorId, ActorInterface, ActorProxy, actormethod\n\n\nclass CartInterface(ActorInterface):\n    @actormethod(name="AddItem")\n    async def add_item(self, item: dict) -> None: ...\n\n\nasync def main() -> None:\n    proxy = ActorProxy.create("CartActor", ActorId("1"), CartInterface)\n    await proxy.add_item({"sku": "a"})\n', 'DPR809'),
    'o_809_param': ('import asyncio\n\nfrom dapr.actor import ActorId, ActorProxy\n\nACTOR_TYPE = "Cart"\nACTOR_ID = "1"\n\n\ndef invoke(method: str, data: dict = None):\n    async def run():\n        proxy = ActorProxy.create(ACTOR_TYPE, ActorId(ACTOR_ID))\n        return await proxy.invoke_method(method, data)\n\n    return asyncio.run(run())\n', None),
    'o_alias': ('from dapr.actor import actormethod\nam = actormethod\n', None),
    'o_proxy_alias': ('from dapr.actor import ActorProxy\nP = ActorProxy\n', None),
}
REMINDER_WITHOUT_PERIOD = 'from dapr.actor import Actor, Remindable\n\nfrom interfaces.cart import CartInterface\n\n\nclass CartActor(Actor, CartInterface, Remindable):\n    def __init__(self, ctx, actor_id):\n        super(CartActor, self).__init__(ctx, actor_id)\n\n    async def _on_activate(self) -> None:\n        await self._state_manager.set_state("items", [])\n        await self._state_manager.save_state()\n\n    async def receive_reminder(self, name, state, due_time, period, ttl=None):\n        await self.register_timer("t", self.tick, None, None, None)\n        await self.register_reminder("r", b"x", None)\n\n    async def get_items(self) -> list:\n        found, items = await self._state_manager.try_get_state("items")\n        return items if found else []\n\n    async def tick(self, state):\n        pass\n'


@pytest.mark.parametrize("name", sorted(ACTOR_CLOSES))
def test_actor_shapes_close_with_the_full_ways_summary(name, monkeypatch):
    from dapr_lint.python.sdk_releases import unpinned

    source = ACTOR_CLOSES[name].encode()
    assert gate.first_pass(source, sdk=unpinned())[0] is not None
    full, gated = _both(Path("module.py"), source, _everything(), monkeypatch)
    assert gated == full and not full[0]


@pytest.mark.parametrize("name", sorted(ACTOR_OPENS))
def test_actor_shapes_a_rule_keys_on_still_open(name, monkeypatch):
    from dapr_lint.python.sdk_releases import unpinned

    source, code = ACTOR_OPENS[name]
    assert gate.first_pass(source.encode(), sdk=unpinned())[0] is None
    full, gated = _both(Path("module.py"), source.encode(), _everything(), monkeypatch)
    assert gated == full
    if code is not None:
        assert code in {d.code for d in full[0]}


def test_a_reminder_without_period_opens_unless_the_releases_pinned_all_take_it(monkeypatch):
    """DPR807 reports `register_reminder` without `period` when every release pinned is older than 1.16."""
    from dapr_lint.python.sdk_releases import SdkPin, unpinned

    source = REMINDER_WITHOUT_PERIOD.encode()
    old = SdkPin("1.14.0", "1.15.0", "requirements.txt")
    assert gate.first_pass(source)[0] is None  # the pin not known
    assert gate.first_pass(source, sdk=old)[0] is None
    assert gate.first_pass(source, sdk=unpinned())[0] is not None
    assert gate.first_pass(source, sdk=SdkPin("1.14.0", "1.16.0", "requirements.txt"))[0] is not None
    for settings in (_everything(), dataclasses.replace(_everything(), sdk=old)):
        full, gated = _both(Path("module.py"), source, settings, monkeypatch)
        assert gated == full
    assert "DPR807" in {d.code for d in full[0]}


def test_actor_facts_the_first_pass_reads_itself():
    """Dispatch names from `@actormethod` (named, positional, bare), SDK bases, and the calls through a proxy
    of an imported interface at the spans of their names."""
    interface = gate.closed_summary(ACTOR_CLOSES["c_iface"].encode()).actors.classes["CartInterface"]
    assert interface.bases == ("sdk:interface",)
    assert [(m.name, m.dispatch, m.decorated) for m in interface.methods] == [
        ("get_items", "GetItems", True), ("add_item", "AddItem", True), ("clear", "clear", True), ("plain", "plain", False),
    ]
    actor = gate.closed_summary(ACTOR_CLOSES["c_actor"].encode()).actors.classes["CartActor"]
    assert actor.bases == ("sdk:actor", "import:interfaces.cart.CartInterface", "sdk:remindable")
    calls = gate.closed_summary(ACTOR_CLOSES["c_client"].encode()).actors.proxy_calls
    assert [(c.interface, c.method, c.positional, c.keywords, c.span) for c in calls] == [
        ("interfaces.cart.CartInterface", "AddItem", 1, False, Span(9, 17, 9, 24)),
        ("interfaces.cart.CartInterface", "GetItems", 0, False, Span(10, 25, 10, 33)),
    ]


RESULTS_MODULE = b"""import json

from naming import name
from dapr.aio.clients import DaprClient as AsyncDaprClient
from dapr.clients import DaprClient


def secrets():
    with DaprClient() as d:
        resp = d.get_secret(store_name='localsecretstore', key='secretKey')
        answer = d.invoke_method('app', 'ping', http_verb='GET')
    print(resp.secret, answer.text(), json.loads(answer.data))
    return resp.secret['secretKey']


async def metadata():
    async with AsyncDaprClient() as d:
        meta = await d.get_metadata()
        state = await d.get_state('statestore', 'k')
    assert meta.application_id == 'app' and meta.extended_metadata.get('k') == 'v'
    if state.data:
        print(state.etag)
    async with AsyncDaprClient() as d:
        assert (await d.get_state('statestore', 'k')).etag == '1'
        try:
            await d.save_state('statestore', 'k', 'v')
        except Exception as error:
            print(error)
            raise


def bodies(order):
    with DaprClient() as d:
        d.invoke_method('billing', 'charge', data=json.dumps(order))
        d.invoke_binding('files', 'create', b'raw')
        found = d.get_bulk_state('statestore', keys=['a', 'b'])
        config = d.get_configuration('configstore', ('k',))
        d.save_state('statestore', 'k', 'v', state_metadata={'ttlInSeconds': '60'})
        d.publish_event('pubsub', 'orders', '{}', publish_metadata={'rawPayload': 'true', 'fileName': name(order)})
        d.publish_event('pubsub', 'orders', json.dumps(order), data_content_type='application/json')
        event = {'id': 1}
        d.publish_event('pubsub', 'orders', data=json.dumps(event), data_content_type='application/json')
        d.save_state('statestore', f'order-{order}', f'{order}')
        d.invoke_binding('kafka', 'create', json.dumps({'orderId': order}))
        meta = d.get_metadata()
        print(meta.application_id)
        meta = d.get_metadata()
        print(meta.active_actors_count)
    return found.items, config.items
"""


def test_results_read_where_the_rules_are_silent_close(monkeypatch):
    summary = gate.closed_summary(RESULTS_MODULE)
    assert summary is not None
    assert [c.method for c in summary.components] == [
        "get_secret", "invoke_method", "get_state", "get_state", "save_state", "invoke_method", "invoke_binding", "get_bulk_state",
        "get_configuration", "save_state", "publish_event", "publish_event", "publish_event", "save_state", "invoke_binding",
    ]
    assert summary.components[9].keywords == ("key", "state_metadata", "store_name", "ttlInSeconds", "value")
    charge = summary.components[5]
    assert (charge.method_name, charge.http_verb, charge.has_body) == ("charge", None, True)
    full, gated = _both(Path("module.py"), RESULTS_MODULE, _everything(), monkeypatch)
    assert gated == full


_READ = b"from dapr.clients import DaprClient\nimport json\n\n\ndef main():\n    with DaprClient() as d:\n        r = d.%s\n    %s\n"
RESULTS_OPEN = {
    "a member a state response lacks (DPR108)": (_READ % (b"get_state('s', 'k')", b"print(r.value)"), "DPR108"),
    "a secret response subscripted (DPR108)": (_READ % (b"get_secret('s', 'k')", b"print(r['k'])"), "DPR108"),
    "a secret response subscripted where it is returned (DPR108)": (
        _READ % (b"get_metadata()", b"print(d.get_secret('s', 'k')['k'])"), "DPR108",
    ),
    "a state decoded unchecked (DPR205)": (_READ % (b"get_state('s', 'k')", b"print(r.json())"), "DPR205"),
    "a state's data decoded by json.loads (DPR205)": (_READ % (b"get_state('s', 'k')", b"print(json.loads(r.data))"), "DPR205"),
    "a client name bound by two blocks, one call not awaited (DPR104)": (
        b"from dapr.aio.clients import DaprClient as Aio\nfrom dapr.clients import DaprClient\n\n\nasync def main():\n"
        b"    async with Aio() as d:\n        await d.save_state('s', 'k', 'v')\n    async with Aio() as d:\n"
        b"        d.save_state('s', 'k', 'v')\n",
        "DPR104",
    ),
    "a result bound twice, then a member it lacks (DPR108)": (
        _READ % (b"get_state('s', 'k')", b"r = d.get_state('s', 'j')\n    print(r.value)"), "DPR108",
    ),
    "a binding's data shaped like the HTTP body (DPR208)": (
        _READ % (b"get_metadata()", b"d.invoke_binding('b', 'create', json.dumps({'data': 1, 'metadata': {}}))"), "DPR208",
    ),
    "a result aliased, then a member it lacks (DPR108)": (
        _READ % (b"get_state('s', 'k')", b"s = r\n    print(s.value)"), "DPR108",
    ),
}


@pytest.mark.parametrize("name", sorted(RESULTS_OPEN))
def test_results_read_where_a_rule_keys_on_them_still_open(name, monkeypatch):
    assert_opens_for(*RESULTS_OPEN[name], monkeypatch)


def test_actor_hosts_and_registrations_the_first_pass_reads_itself():
    """`ActorGrpcHost()` hosts; registrations on `ActorRuntime` or a host built here, of imported or local classes,
    awaited or handed to another call (their spans past that call's bracket), with or without a serializer."""
    from dapr_lint.python.sdk_releases import unpinned

    def actors(name):
        return gate.first_pass(ACTOR_CLOSES[name].encode(), sdk=unpinned())[0].actors

    hosted = actors("c_grpc_host")
    assert hosted.hosts == (Span(11, 12, 11, 27),)
    assert [(r.actor, r.serializer, r.span) for r in hosted.registrations] == [("import:cart.actor.CartActor", False, Span(12, 11, 12, 41))]
    handed = actors("c_runtime_arg")
    assert [(r.actor, r.serializer, r.span) for r in handed.registrations] == [
        ("import:cart.CartActor", False, Span(8, 10, 8, 48)), ("import:cart.Other", True, Span(9, 10, 9, 69)),
    ]
    assert handed.hosts == (Span(8, 10, 8, 48),)  # no host built: the first registration
    assert [r.actor for r in actors("c_local_registered").registrations] == ["local:CartActor"]


def test_the_text_before_a_call_handed_to_another_call_is_read_past_that_calls_bracket():
    assert gate_actors.unparenthesized(b"x = 1\n    _run(") == b"x = 1\n    _run "
    assert gate_actors.unparenthesized(b"f()(") == b"f() "
    for before in (b"await (", b"f((", b"x = (", b"return (", b"caf\xc3\xa9(", b"f(x, "):
        assert gate_actors.unparenthesized(before) == before


# -- try_lock read by the first pass (python/gate_clients.py `_check_more`) ---------------------------------------

LOCK_CLOSES = {
    "a sync lock's outcome asserted": _SYNC % b"lock = d.try_lock('s', 'r', 'o', 10)\n        assert lock.success",
    "an aio lock's outcome asserted": _AIO % b"lock = await d.try_lock('s', 'r', 'o', expiry_in_seconds=10)\n        assert lock.success",
    "a lock's response handed to print": _SYNC % b"lock = d.try_lock('s', 'r', 'o', 10)\n        print(lock)",
    "a lock's response bound and never read": _SYNC % b"lock = d.try_lock('s', 'r', 'o', 10)",
    "a lock entered by with, its outcome asserted": _SYNC % b"with d.try_lock('s', 'r', 'o', 10) as lock:\n            assert lock.success",
    "a lock entered by with, its outcome printed, its lifetime a name": (
        b"TTL = 60\n" + _SYNC % b"with d.try_lock('s', 'r', 'o', TTL) as lock:\n            print(lock.success)"
    ),
}


@pytest.mark.parametrize("name", sorted(LOCK_CLOSES))
def test_a_lock_whose_response_is_kept_closes_with_its_component(name, monkeypatch):
    summary = assert_closes_clean(LOCK_CLOSES[name], monkeypatch)
    assert [(c.method, c.param, c.name, c.keywords) for c in summary.components] == [
        ("try_lock", "store_name", "s", ("expiry_in_seconds", "lock_owner", "resource_id", "store_name")),
    ]


LOCK_OPENS = {
    "a sync lock's response dropped (DPR419)": (_SYNC % b"d.try_lock('s', 'r', 'o', 10)", "DPR419"),
    "an aio lock's response dropped (DPR419)": (_AIO % b"await d.try_lock('s', 'r', 'o', 10)", "DPR419"),
    "a lock entered by with (DPR419)": (_SYNC % b"with d.try_lock('s', 'r', 'o', 10):\n            pass", "DPR419"),
    "a lock entered by with, its name never tested (DPR419)": (
        _SYNC % b"with d.try_lock('s', 'r', 'o', 10) as lock:\n            pass", "DPR419",
    ),
    "an aio lock entered by async with await (DPR419)": (
        _AIO % b"async with await d.try_lock('s', 'r', 'o', 10) as lock:\n            pass", "DPR419",
    ),
    "a lock entered by with, its response read for a member it lacks (DPR108)": (
        _SYNC % b"with d.try_lock('s', 'r', 'o', 10) as lock:\n            assert lock.success and lock.acquired", "DPR108",
    ),
    "an aio lock not awaited (DPR104)": (_AIO % b"lock = d.try_lock('s', 'r', 'o', 10)\n        assert lock.success", "DPR104"),
    "a lock's response read for a member it lacks (DPR108)": (
        _SYNC % b"lock = d.try_lock('s', 'r', 'o', 10)\n        print(lock.acquired)", "DPR108",
    ),
}


@pytest.mark.parametrize("name", sorted(LOCK_OPENS))
def test_a_lock_a_rule_keys_on_still_opens(name, monkeypatch):
    assert_opens_for(*LOCK_OPENS[name], monkeypatch)


def test_return_types_the_model_types_nothing_by_close(monkeypatch):
    """A return type of the SDK tables that is no class of the member table (`Subscription`, `Job`'s module, the
    conversation responses) is no value the model gives: named, built or annotated it closes like any import."""
    assert "dapr.clients.grpc.subscription.Subscription" not in gate_names.NAMES
    source = (
        b"from dapr.clients.grpc.subscription import StreamInactiveError, Subscription\n"
        b"from dapr.aio.clients.grpc import subscription\n\n\n"
        b"def subscribe(stub, name: str) -> Subscription:\n    sub = Subscription(stub, name, 'topic')\n"
        b"    sub.start()\n    return sub\n\n\ndef later(stub) -> 'subscription.Subscription':\n"
        b"    return subscription.Subscription(stub, 'p', 't')\n"
    )
    summary = assert_closes_clean(source, monkeypatch)
    assert summary.imports["Subscription"] == "dapr.clients.grpc.subscription.Subscription"
    # the client's own members stay names: `subscribe` on a client opens with the client
    assert gate.closed_summary(b"from dapr.clients import DaprClient\n\nwith DaprClient() as d:\n    s = d.subscribe('p', 't')\n") is None


def test_a_module_above_names_handed_to_a_call_closes(monkeypatch):
    """A module or class above names of NAMES written bare as a call's argument: the model takes no value from a
    call's arguments (a parameter is typed by its annotation only), so nothing below it is ever named through it.
    Bound, returned or stored, it may be: those open."""
    source = (
        b"import dapr as dapr_pkg\nimport dapr.clients\nfrom unittest import mock\n\n\n"
        b"def test_file():\n    with mock.patch.object(dapr_pkg, '__file__', 'x'):\n        pass\n"
        b"    print(dir(dapr.clients), sorted(vars(module=dapr_pkg)))\n"
    )
    assert_closes_clean(source, monkeypatch)
    aliased = b"import dapr as dapr_pkg\n\nm = dapr_pkg\nwith m.clients.DaprClient() as c:\n    c.save_state('s', 'k', {'a': 1})\n"
    assert_opens_for(aliased, "DPR201", monkeypatch)
    returned = (
        b"import dapr as dapr_pkg\n\n\ndef sdk():\n    return dapr_pkg\n\n\nwith sdk().clients.DaprClient() as c:\n"
        b"    c.save_state('s', 'k', {'a': 1})\n"
    )
    assert_opens_for(returned, "DPR201", monkeypatch)
    # a name of NAMES itself handed on stays read where the family reads it (`f(DaprClient)` opens)
    assert gate.closed_summary(b"from dapr.clients import DaprClient\n\nprint(DaprClient)\n") is None


def test_an_actor_class_bounding_a_type_variable_and_a_parameter_as_a_base_close(monkeypatch):
    """`TypeVar("T", bound=Actor)`: the model types nothing by a TypeVar. A parameter as a class's base (the SDK's
    mock_actor.py `class MockSuperClass(MockActor, cls1)`): its value is an instance or unknown, never a class, so
    the actor facts name the base "unknown" whatever its annotation."""
    source = (
        b"from typing import Optional, TypeVar\n\nfrom dapr.actor import Actor, ActorInterface\n\n\n"
        b"class MockActor(Actor):\n    async def _on_activate(self) -> None:\n        pass\n\n\n"
        b"T = TypeVar('T', bound=Actor)\nU = TypeVar('U', Actor, ActorInterface)\n\n\n"
        b"def create_mock_actor(cls1: type[T], actor_id: str, state: Optional[dict] = None) -> T:\n"
        b"    class MockSuperClass(MockActor, cls1):\n        pass\n\n    return MockSuperClass(None, actor_id)\n\n\n"
        b"def plain(cls1, object):\n    class Other(cls1, object):\n        pass\n\n    return Other\n"
    )
    summary = assert_closes_clean(source, monkeypatch)
    assert summary.actors.classes["MockSuperClass"].bases == ("local:MockActor", "unknown")
    assert summary.actors.classes["Other"].bases == ("unknown", "other")
    # handed elsewhere, an actor class stays a value that may flow
    assert gate.closed_summary(b"from typing import cast\n\nfrom dapr.actor import Actor\n\nx = cast(Actor, None)\n") is None
    assert gate.closed_summary(b"from typing import TypeVar\n\nfrom dapr.actor import Actor\n\nT = TypeVar(Actor)\n") is None
