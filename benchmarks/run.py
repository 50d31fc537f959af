"""Benchmark: dapr-lint against a bare LibCST parse of the same files, in one process, one run.

    python benchmarks/run.py --modules 200 --repeat 3

Generates a corpus of Dapr-dense modules (FastAPI routes, subscriptions, repositories around clients,
workflows) under benchmarks/corpus/, then times, over the same files:
  * parse:      libcst.parse_module on each file (the floor every LibCST linter pays);
  * dapr-lint:  the whole per-file stage (read, noqa, parse, model, all rules, positions) with one job;
  * dapr-lint -j N: the same through the process pool;
  * project stage: the app model and every project rule over the per-file summaries (part of the 1-job run),
    reported as a share of that cold run.
Figures are medians of --repeat runs; the ratio is what to compare across machines, not the seconds.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import time
from pathlib import Path

import libcst

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from dapr_lint import specs  # noqa: E402
from dapr_lint.config import OPTIONS  # noqa: E402
from dapr_lint.engine.file_stage import FileTask, check_file  # noqa: E402
from dapr_lint.engine.project_stage import run_project_stage  # noqa: E402
from dapr_lint.engine.run import run  # noqa: E402
from dapr_lint.engine.workers import check_all  # noqa: E402
from dapr_lint.files import SourceFile  # noqa: E402
from dapr_lint.settings import Settings  # noqa: E402

HEADER = '''"""Service module {n}: orders, payments and inventory over Dapr."""
import asyncio
import json
import logging
from contextlib import asynccontextmanager

from dapr.aio.clients import DaprClient as AsyncDaprClient
from dapr.clients import DaprClient
from dapr.ext.fastapi import DaprApp
from dapr.ext.workflow import DaprWorkflowContext, WorkflowActivityContext, WorkflowRuntime
from fastapi import APIRouter, FastAPI, HTTPException

logger = logging.getLogger(__name__)
STORE_NAME = "statestore{n}"
PUBSUB_NAME = "pubsub"
app = FastAPI()
router = APIRouter(prefix="/v{n}")
dapr_app = DaprApp(app)
wfr = WorkflowRuntime()
'''

BLOCKS = [
    '''

@router.get("/orders{i}/{{order_id}}")
async def get_order_{i}(order_id: str):
    async with AsyncDaprClient() as client:
        resp = await client.get_state(STORE_NAME, f"order-{{order_id}}")
        if not resp.data:
            raise HTTPException(status_code=404)
        return json.loads(resp.data)
''',
    '''

@app.post("/orders{i}")
async def create_order_{i}(order: dict):
    with DaprClient() as client:
        client.save_state(STORE_NAME, order["id"], json.dumps(order))
        client.publish_event(PUBSUB_NAME, "orders", json.dumps(order), data_content_type="application/json")
    return {{"ok": True}}
''',
    '''

class OrderRepository{i}:
    def __init__(self):
        self.client = DaprClient()

    async def load(self, key: str):
        return self.client.get_state(STORE_NAME, key).data

    def save(self, key: str, value: str) -> None:
        self.client.save_state(STORE_NAME, key, value)

    async def save_later(self, key: str, value: str) -> None:
        await asyncio.to_thread(self.save, key, value)
''',
    '''

@dapr_app.subscribe(pubsub=PUBSUB_NAME, topic="payments{i}")
async def on_payment_{i}(event: dict):
    try:
        async with AsyncDaprClient() as client:
            await client.save_state(STORE_NAME, event["id"], json.dumps(event["data"]))
    except Exception:
        logger.exception("payment %s failed", event.get("id"))
        return {{"status": "RETRY"}}
    return {{"status": "SUCCESS"}}
''',
    '''

@wfr.activity(name="reserve{i}")
def reserve_{i}(ctx: WorkflowActivityContext, item: dict) -> dict:
    with DaprClient() as client:
        client.save_state(STORE_NAME, item["sku"], json.dumps(item))
    return item


@wfr.workflow(name="order_flow{i}")
def order_flow_{i}(ctx: DaprWorkflowContext, order: dict):
    reserved = yield ctx.call_activity(reserve_{i}, input=order)
    yield ctx.create_timer(ctx.current_utc_datetime)
    return reserved
''',
    '''

def summarise_{i}(items: list[dict]) -> dict:
    total = 0
    for item in items:
        price = item.get("price", 0) * item.get("quantity", 1)
        if price > 100:
            total += price * 0.9
        else:
            total += price
    return {{"total": total, "count": len(items), "skus": sorted(i["sku"] for i in items)}}
''',
]


def generate(folder: Path, modules: int, blocks_per_module: int, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    paths = []
    for n in range(modules):
        parts = [HEADER.format(n=n)]
        for i in range(blocks_per_module):
            parts.append(rng.choice(BLOCKS).format(i=i))
        path = folder / f"service_{n:04d}.py"
        path.write_text("".join(parts), encoding="utf-8")
        paths.append(path)
    return paths


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--modules", type=int, default=200)
    parser.add_argument("--blocks", type=int, default=12, help="code blocks per module (~10 lines each)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()

    paths = generate(HERE / "corpus", args.modules, args.blocks)
    lines = sum(p.read_text().count("\n") for p in paths)
    files = [SourceFile(p, "python") for p in paths]
    settings = Settings(
        enabled=frozenset(c for c in specs.codes()),
        options={k: v.default for k, v in OPTIONS.items()},
    )

    def parse_all() -> None:
        for path in paths:
            libcst.parse_module(path.read_bytes())

    findings = sum(len(r.diagnostics) for r in run(files, settings, jobs=1))
    parse_times, lint_times, pool_times, project_times = [], [], [], []
    tasks = [FileTask(str(p), str(p), "python") for p in paths]
    for _ in range(args.repeat):
        parse_times.append(timed(parse_all))
        lint_times.append(timed(lambda: run(files, settings, jobs=1)))
        pool_times.append(timed(lambda: run(files, settings, jobs=args.jobs)))
        per_file = check_all(tasks, settings, 1, check_file)
        project_times.append(timed(lambda per_file=per_file: run_project_stage(per_file, settings)))
    parse, lint, pool, project = (statistics.median(t) for t in (parse_times, lint_times, pool_times, project_times))
    print(f"corpus: {len(paths)} modules, {lines} lines, {findings} findings (all rules enabled)")
    print(f"bare libcst.parse_module:     {parse:7.3f} s")
    print(f"dapr-lint, 1 job:             {lint:7.3f} s   ratio {lint / parse:.2f}x parse")
    print(f"dapr-lint, {args.jobs} jobs:            {pool:7.3f} s   ratio {pool / parse:.2f}x parse (single-process parse)")
    print(f"project stage (in the 1-job run): {project:7.3f} s   {100 * project / lint:.1f}% of a cold run")


if __name__ == "__main__":
    main()
