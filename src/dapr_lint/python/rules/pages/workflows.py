"""The written sections of the workflows rules' pages: each spec in python/rules/workflows.py names its own,
`prose=pages.DPRxxx`, and scripts/gen_rule_docs.py generates the whole page from the spec."""

from dapr_lint.examples import page


DPR701 = page(
    (
        "What it does",
        """
        Reports, inside a workflow registered with a `WorkflowRuntime` (`@wfr.workflow`, `wfr.register_workflow(fn)`,
        `@wfr.versioned_workflow`, methods included), calls that return a different value on every run:
        `datetime.now/utcnow/today`, `date.today`, `time.time/monotonic/perf_counter` and friends, `random.*` (except a
        seeded `random.Random(seed)`), `uuid.uuid1/uuid4`, `os.urandom`, `secrets.*`. The message names the
        deterministic replacement: `ctx.current_utc_datetime`, `ctx.uuid4()`, `ctx.random()`.

        Activities are not checked (they run once per attempt), and neither are functions that take a `ctx` but are not
        registered as workflows.

        The replacement the message names follows the project's pinned SDK: `ctx.uuid4()` and `ctx.random()` exist from
        SDK 1.18.0 (the vendored durabletask's deterministic helpers); when the pin admits an older release, the message
        points to a value made in an activity instead.
        """,
    ),
    (
        "Why is this bad?",
        """
        The workflow runtime rebuilds a workflow's state by running its code again from the start and replaying the
        recorded history. Code that takes another value on replay takes another path: the runtime fails the instance with
        `NonDeterminismError`, or, worse, the workflow silently continues with a timestamp or ID that differs from the one
        it already used. The SDK does not detect these calls; it fails only at replay.
        """,
    ),
    (
        "Fix safety",
        """
        Safe for `datetime.utcnow()` and `datetime.now(timezone.utc)`: they become the replay-safe time of the same
        instant, of the same kind. `ctx.current_utc_datetime` is a naive datetime in UTC, like `utcnow()`, so
        `datetime.utcnow()` becomes `ctx.current_utc_datetime`; `now(timezone.utc)` is aware, so it becomes
        `ctx.current_utc_datetime.replace(tzinfo=timezone.utc)` (the time zone as written), and comparisons or arithmetic
        with other aware datetimes keep working. Other calls have no automatic fix (a local-time `now()` would change
        meaning).
        """,
    ),
    (
        "References",
        """
        - Workflow code constraints: https://docs.dapr.io/developing-applications/building-blocks/workflow/workflow-features-concepts/#workflow-determinism-and-code-restraints
        - Dapr Python workflow extension: https://docs.dapr.io/developing-applications/sdks/python/python-sdk-extensions/python-workflow-ext/
        """,
    ),
)


DPR702 = page(
    (
        "What it does",
        """
        Reports I/O inside a registered workflow: constructing or calling a Dapr client, `requests`/`httpx`/`aiohttp`/
        `urllib` calls, `open()`, `time.sleep` and `asyncio.sleep`. Activities are not checked: I/O belongs there.
        """,
    ),
    (
        "Why is this bad?",
        """
        A workflow's code runs again on every replay, so each I/O call is repeated (a state write or an HTTP POST made
        many times) and its result may differ, which breaks determinism. `time.sleep` blocks the workflow worker thread
        and is not durable: use a durable timer instead.
        """,
    ),
    (
        "Fix safety",
        """
        No automatic fix: the I/O has to move into an activity.
        """,
    ),
    (
        "References",
        """
        - Workflow code constraints: https://docs.dapr.io/developing-applications/building-blocks/workflow/workflow-features-concepts/#workflow-determinism-and-code-restraints
        - Dapr Python workflow extension: https://docs.dapr.io/developing-applications/sdks/python/python-sdk-extensions/python-workflow-ext/
        """,
    ),
)


DPR703 = page(
    (
        "What it does",
        """
        Reports, inside a registered workflow, `ctx.call_activity`, `call_child_workflow`, `create_timer` or
        `wait_for_external_event` whose task is neither yielded, returned, nor stored and used, **when the workflow
        completes before the task is sent**: the workflow never yields at all, or the call is the last statement of the
        workflow or is followed directly by `return` or `ctx.continue_as_new(...)`.

        A task that is not yielded but followed by another `yield` is sent along with it and runs (fire-and-forget, as the
        SDK's own monitor example does); it is not reported. Tasks collected into a list, `when_all` or `when_any` are not
        reported either.
        """,
    ),
    (
        "Why is this bad?",
        """
        A pending task is sent to the runtime only when the workflow yields. When the workflow completes first, the
        runtime cancels its pending actions: a workflow that calls `ctx.call_activity(...)` and returns completes at once,
        and the activity never runs.
        """,
    ),
    (
        "Fix safety",
        """
        Safe for a bare expression statement: the fix writes `yield` before the call, which is what makes the task run.
        """,
    ),
    (
        "References",
        """
        - Workflow code constraints: https://docs.dapr.io/developing-applications/building-blocks/workflow/workflow-features-concepts/#workflow-determinism-and-code-restraints
        - Dapr Python workflow extension: https://docs.dapr.io/developing-applications/sdks/python/python-sdk-extensions/python-workflow-ext/
        """,
    ),
)


DPR704 = page(
    (
        "What it does",
        """
        Reports a registered workflow defined with `async def`. Async activities are allowed from SDK 1.18.1, where the
        worker awaits them; when the project's pinned SDK admits an older release (its lowest admitted release is before
        1.18.1, see `target-sdk` in the configuration docs), an `async def` activity is reported too: those releases call
        it and hand back its coroutine un-run, so its body never executes.
        """,
    ),
    (
        "Why is this bad?",
        """
        The workflow runtime drives workflows as generators: it calls the function and, when the result is not a
        generator, completes the workflow with that result. A coroutine is neither: the instance produces no actions and
        never completes (and `await` on workflow tasks is not supported).
        """,
    ),
    (
        "Fix safety",
        """
        No automatic fix: every `await` has to become a `yield`.
        """,
    ),
    (
        "References",
        """
        - Dapr Python workflow extension: https://docs.dapr.io/developing-applications/sdks/python/python-sdk-extensions/python-workflow-ext/
        """,
    ),
)


DPR705 = page(
    (
        "What it does",
        """
        Reports `ctx.call_activity(activity, x)` and `ctx.call_child_workflow(workflow, x)` with the input given
        positionally, where `ctx` is the context parameter of a registered workflow or a parameter annotated
        `DaprWorkflowContext`.
        """,
    ),
    (
        "Why is this bad?",
        """
        `input` is a keyword-only parameter of both methods. The call raises `TypeError: call_activity() takes 2
        positional arguments but 3 were given` inside the workflow, which fails the instance.
        """,
    ),
    (
        "Fix safety",
        """
        Safe: the fix writes `input=` before the argument, the only way the method accepts it.
        """,
    ),
    (
        "References",
        """
        - Dapr Python workflow extension: https://docs.dapr.io/developing-applications/sdks/python/python-sdk-extensions/python-workflow-ext/
        """,
    ),
)


DPR706 = page(
    (
        "What it does",
        """
        Reports a registered activity (`@wfr.activity` or `wfr.register_activity(fn)` in the same module) called directly
        inside a registered workflow, instead of being scheduled with `yield ctx.call_activity(...)`. Only the SDK's
        registration counts: an `.activity` decorator of an object the module makes itself (an instance of its own class)
        has the project's semantics, not the SDK's, and is not reported.
        """,
    ),
    (
        "Why is this bad?",
        """
        `@wfr.activity` replaces the function with a wrapper that takes no arguments, so `charge(ctx, order)` raises
        `TypeError` and fails the workflow. An activity registered with `register_activity` does run, but inline in the
        workflow: again on every replay, with no retry policy and no durability.
        """,
    ),
    (
        "Fix safety",
        """
        No automatic fix.
        """,
    ),
    (
        "References",
        """
        - Dapr Python workflow extension: https://docs.dapr.io/developing-applications/sdks/python/python-sdk-extensions/python-workflow-ext/
        """,
    ),
)


DPR707 = page(
    (
        "What it does",
        """
        Reports `ctx.call_activity(...)`, `ctx.call_child_workflow(...)` and `DaprWorkflowClient.schedule_new_workflow(...)`
        (sync or `aio`) whose target no `WorkflowRuntime` of the app registers. The app is the one the application model
        gives the calling module (its run template, compose service or entry module, and the modules they import), so the
        registrations and the calls may sit in different modules; names given through constants of other modules are
        followed.

        A registration's name is the `name=` of `@wfr.workflow(name=...)`, `@wfr.activity(name=...)`,
        `register_workflow(fn, name=...)`, `register_activity(fn, name=...)`, `versioned_workflow(name=...)` or
        `@alternate_name(...)`, else the function's own name. A target given as a string must equal a registered name
        exactly; a target given as a function must be a registered function. The message names the closest registered name
        when there is one, and says so when the name is registered as the other kind (an activity started with
        `call_child_workflow`).

        Not reported: calls with `app_id=` (multi-app workflows run on another app), apps that register anything the tool
        cannot name (a loop over functions, a runtime handed to another library, an agent framework such as dapr-agents),
        apps that register no workflow (or no activity) at all (a client of another app's workflows), and test modules.
        """,
    ),
    (
        "Why is this bad?",
        """
        The workflow worker finds orchestrators and activities by name in its registry. A name that is not there fails the
        instance (`A 'X' orchestrator was not registered`, or an activity failure naming the missing activity); on older
        runtimes the instance hangs instead (dapr/dapr #6443). A function that is called but never registered is sent under
        its `__name__`, which no runtime knows either.
        """,
    ),
    (
        "Fix safety",
        """
        No fix: register the function, or correct the name.
        """,
    ),
    (
        "References",
        """
        - Workflow and activity registration: https://docs.dapr.io/developing-applications/sdks/python/python-sdk-extensions/python-workflow-ext/
        - The Dapr .NET SDK's analyzers check the same: DAPR1301 (workflow not registered), DAPR1302 (activity not registered)
        """,
    ),
)


DPR708 = page(
    (
        "What it does",
        """
        Reports the second `WorkflowRuntime` started in one process of an app: in the app's entry module and the modules it
        imports, two different runtime objects whose `start()` is called, or one `WorkflowRuntime` beside a dapr-agents
        `DurableAgent` built without `runtime=` (it creates and starts a runtime of its own when it is started or served by
        an `AgentRunner`). A `start()` under `if __name__ == "__main__":` of an imported module does not count (it does not
        run), nor does a runtime started in one module and imported by another (one runtime).
        """,
    ),
    (
        "Why is this bad?",
        """
        The sidecar hands each work item to any worker stream connected to it. Each runtime holds only its own
        registrations, so a work item that reaches the wrong one fails with `OrchestratorNotRegisteredError` (or an
        activity-not-found failure): instances fail at random, depending on which stream got the item (dapr/dapr #6013,
        dapr-agents #187 and #192). Register everything on one runtime, and hand it to a `DurableAgent` with `runtime=`.
        """,
    ),
    (
        "Fix safety",
        """
        No fix: which registrations belong together is the app's decision.
        """,
    ),
    (
        "References",
        """
        - Workflow runtime: https://docs.dapr.io/developing-applications/sdks/python/python-sdk-extensions/python-workflow-ext/
        """,
    ),
)


DPR709 = page(
    (
        "What it does",
        """
        Reports `wait_for_workflow_completion(...)` and `wait_for_workflow_start(...)` on a `DaprWorkflowClient` (sync
        or `aio`) called with no `timeout_in_seconds`, or with `timeout_in_seconds=0`, directly inside a request, event
        or gRPC handler: a FastAPI, Starlette or Flask route, a Dapr subscription, a gRPC-extension method, binding or
        job handler. Scripts, `main()` and command-line code that wait for the workflow they started are not reported.

        The rule judges by the newest SDK release the project admits (its dependency files, or `target-sdk`). When every
        admitted release is older than 1.15, where the default is 60 seconds, it reports a wait with no timeout that no
        `except TimeoutError` (or broader) around it catches: the handler fails with `TimeoutError` after a minute.
        """,
    ),
    (
        "Why is this bad?",
        """
        Since SDK 1.15 the default `timeout_in_seconds` is `0`, which means "wait forever" (up to 1.14 it was 60 seconds
        and a `TimeoutError`). In a handler, the request (and a worker thread, or on the `aio` client a connection) is
        held for the whole life of the workflow: a workflow that waits for an approval, a timer or a stuck activity
        holds it for hours, and the caller's own timeout fires long before. A handler should start the workflow and
        return its instance ID (the caller polls a status route), or bound its wait and answer "still running".
        """,
    ),
    (
        "Fix safety",
        """
        No fix: the right bound depends on what the caller can wait for.
        """,
    ),
    (
        "References",
        """
        - `DaprWorkflowClient.wait_for_workflow_completion`: https://docs.dapr.io/developing-applications/sdks/python/python-sdk-extensions/python-workflow-ext/
        - The default changed to no timeout: dapr/python-sdk pull request #784
        """,
    ),
)


DPR710 = page(
    (
        "What it does",
        """
        Reports `DaprWorkflowClient.raise_workflow_event(instance_id, name)` (sync or `aio`) with a literal or constant
        event name that no `wait_for_external_event(...)` of the repository waits for, compared the way the runtime compares
        them (case-insensitive). The message names the closest waited-for name.

        Not reported: names from variables, events raised with `app_id=` (to another app's instance), repositories with no
        workflow, repositories with a waiter whose name the tool cannot tell, and apps using an agent framework
        (dapr-agents) that waits for events of its own. Events may
        also be raised from other languages or over HTTP: only a raised name with no waiter is evidence.
        """,
    ),
    (
        "Why is this bad?",
        """
        The runtime delivers a raised event to `ctx.wait_for_external_event(name)` by case-insensitive name. An event
        nobody waits for is stored in the instance's history and never read: the workflow that waits for the event it was
        meant to be stays RUNNING until its timeout, or forever (dapr/dapr #7849).
        """,
    ),
    (
        "Fix safety",
        """
        No fix: correct the event name on one side.
        """,
    ),
    (
        "References",
        """
        - External events: https://docs.dapr.io/developing-applications/building-blocks/workflow/workflow-patterns/#external-system-interaction
        """,
    ),
)


DPR711 = page(
    (
        "What it does",
        """
        Reports `ctx.create_timer(<number>)` (a literal, a sum or product of literals, or a module constant holding a
        number), where `ctx` is the context parameter of a registered workflow or a parameter annotated
        `DaprWorkflowContext`.
        """,
    ),
    (
        "Why is this bad?",
        """
        `create_timer` takes the time to fire at, as a `datetime`, or (SDK ≥ 1.13) a delay as a `timedelta`. A number
        is neither: the call raises `TypeError: Fail to convert to Timestamp. Expected a datetime object got int`
        inside the workflow, and the instance fails at its first turn.
        """,
    ),
    (
        "Fix safety",
        """
        Safe: the number becomes `timedelta(seconds=N)`, the delay it was meant to be. `from datetime import timedelta`
        is added when the module has no `timedelta` (a module that already does `import datetime` gets
        `datetime.timedelta(...)` instead).
        """,
    ),
    (
        "References",
        """
        - Workflow timers: https://docs.dapr.io/developing-applications/building-blocks/workflow/workflow-features-concepts/#workflow-timers
        """,
    ),
)


DPR712 = page(
    (
        "What it does",
        """
        Reports `print(...)`, `logging.<level>(...)` and `<logger>.<level>(...)` (a logger from `logging.getLogger`,
        `structlog.get_logger` or loguru's `logger`) in a registered workflow, outside `if not ctx.is_replaying:` (or the
        `else:` of `if ctx.is_replaying:`). Activities are not reported: they run once per scheduling.
        """,
    ),
    (
        "Why is this bad?",
        """
        A workflow function runs again from its start every time the instance makes progress (replay): each log line in it
        is written again on each replay, so a workflow of ten steps writes its first line ten times (dapr/dapr #9088). Guard
        the logging with `if not ctx.is_replaying:`, or log from activities.

        This rule is an opinion (off by default): duplicate log lines are noise, not a failure.
        """,
    ),
    (
        "Fix safety",
        """
        No fix.
        """,
    ),
    (
        "References",
        """
        - Workflow code constraints: https://docs.dapr.io/developing-applications/building-blocks/workflow/workflow-features-concepts/#workflow-determinism-and-code-restraints
        """,
    ),
)
