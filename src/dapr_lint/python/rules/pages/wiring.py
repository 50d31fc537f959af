"""The written sections of the wiring rules' pages: each spec in python/rules/wiring.py names its own,
`prose=pages.DPRxxx`, and scripts/gen_rule_docs.py generates the whole page from the spec."""

from dapr_lint.examples import page


DPR611 = page(
    (
        "What it does",
        """
        Reports a `schedule_job(Job(name=...))` (sync or async client, `schedule_job_alpha1` too) whose job name is
        known (a literal, a module constant, a constant imported from another module of the repository) when the app
        that schedules it has no handler for that job: no `POST /job/<name>` route (FastAPI, Flask, routers included
        with their prefixes; a path parameter such as `/job/{name}` handles every job) and no gRPC-extension
        `@app.job_event("<name>")`.

        It does not report names it cannot resolve (a request field, a UUID), apps with a job handler whose name it
        cannot resolve, apps whose routes it cannot all see, nor apps that serve nothing (a script that schedules,
        reads and deletes jobs, like the SDK's `job_management.py`).
        """,
    ),
    (
        "Why is this bad?",
        """
        A job is delivered to the app whose sidecar scheduled it: over HTTP as `POST /job/<name>`, over gRPC to the
        extension's `job_event` handler of that name. With neither, every trigger fails in the sidecar (and is retried
        under the job's failure policy, then dropped); nothing in the app ever runs. The .NET SDK's analyzer DAPR1501
        reports the same.
        """,
    ),
    (
        "Fix safety",
        """
        There is no automatic fix: add the route (`@app.post("/job/<name>")`) or the `@app.job_event("<name>")`
        handler, or correct the name.
        """,
    ),
    (
        "References",
        """
        - Dapr jobs: https://docs.dapr.io/developing-applications/building-blocks/jobs/howto-schedule-and-handle-triggered-jobs/
        - dapr/dotnet-sdk analyzers (DAPR1501)
        """,
    ),
)


DPR612 = page(
    (
        "What it does",
        """
        Compares the app port and protocol a sidecar is given with what the app's code serves, for each app of a
        `dapr.yaml` run template (`appPort`, `appProtocol`, and the port its `command` gives `uvicorn`/`gunicorn`/
        `hypercorn`/`flask`), of a docker-compose `daprd` service (`-app-port`, `-app-protocol`) and of a Kubernetes
        workload (`dapr.io/app-port`, `dapr.io/app-protocol`). It reports:

        - a literal port that differs from the literal port the app's server takes: the run command's `--port`/
          `-p`/`--bind`, else `uvicorn.run(app, port=...)`, Flask's `app.run(port=...)` or the gRPC extension's
          `App().run(...)` in the module the command runs; for a compose `daprd` service or a Kubernetes workload whose
          code gives no literal port, the port the app folder's Dockerfile (the last stage's `ENTRYPOINT` and `CMD`) or
          Procfile (its `web` process) gives that server, when they agree on one;
        - a protocol of the other family: `grpc` for an app that serves FastAPI/Flask, or `http` (written, or the
          default when none is given) for an app that serves only the gRPC extension;
        - an app that serves subscriptions, input bindings, jobs or actors and whose run or deploy entry gives no app
          port at all.

        It does not report ports from environment variables or templates, apps whose server port is not a literal,
        apps serving both protocols, nor streaming subscriptions (they need no app port).
        """,
    ),
    (
        "Why is this bad?",
        """
        daprd waits on the app port before it delivers anything. On a port nobody listens on it logs `waiting on port
        N. This will block until the app is listening` and never delivers subscriptions, input bindings, actor calls
        or jobs; with the wrong protocol it cannot talk to the app (`App channel is not initialized`); with no app
        port it never calls the app at all. The code looks right and receives nothing: the classic "my subscriber
        receives nothing".
        """,
    ),
    (
        "Fix safety",
        """
        There is no automatic fix: which side is right (the run file or the code) is the author's decision.
        """,
    ),
    (
        "References",
        """
        - Dapr run template: https://docs.dapr.io/developing-applications/local-development/multi-app-dapr-run/multi-app-template/
        - Dapr arguments and annotations: https://docs.dapr.io/reference/arguments-annotations-overview/
        - dapr/dapr#7679, dapr/dapr#6616; dapr/python-sdk#204, #316
        """,
    ),
)


DPR613 = page(
    (
        "What it does",
        """
        Reports the route function that serves a bulk subscription when none of its answers carries per-entry
        `statuses`. A route is a bulk subscription when a declarative `Subscription` of the app's resources sets
        `bulkSubscribe.enabled: true`, or when its `GET /dapr/subscribe` answer lists it with
        `"bulkSubscribe": {"enabled": True}`. Every answer must be known: a dict without a `statuses` key, a
        `JSONResponse`/`jsonify` of one, a string, a `('', 200)` tuple, `None` or the end of the function.

        It does not report functions with an answer it cannot follow (a variable, a helper's result), nor gRPC-
        extension subscribers (the extension answers each entry itself).
        """,
    ),
    (
        "Why is this bad?",
        """
        A bulk delivery carries many entries; Dapr reads the answer's `statuses` list to learn which entries
        succeeded. An entry with no status counts as failed and is delivered again, so a handler answering
        `{"status": "SUCCESS"}` or an empty 200 has every entry of every batch redelivered, forever.
        """,
    ),
    (
        "Fix safety",
        """
        There is no automatic fix.
        """,
    ),
    (
        "References",
        """
        - Dapr bulk subscribe: https://docs.dapr.io/developing-applications/building-blocks/pubsub/pubsub-bulk/
        """,
    ),
)
