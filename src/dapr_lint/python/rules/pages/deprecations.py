"""The written sections of the deprecations rules' pages: each spec in python/rules/deprecations.py names its own,
`prose=pages.DPRxxx`, and scripts/gen_rule_docs.py generates the whole page from the spec."""

from dapr_lint.examples import page


DPR109 = page(
    (
        "What it does",
        """
        Reports Dapr Python SDK APIs that are deprecated in SDK 1.19:

        | deprecated | use instead |
        |---|---|
        | `client.wait(timeout_s)` on `DaprClient` (sync or async) | nothing: the constructor already waits for the sidecar |
        | `schedule_job_alpha1`, `get_job_alpha1`, `delete_job_alpha1` | `schedule_job`, `get_job`, `delete_job` (the Jobs API is stable since Dapr 1.18) |
        | `invoke_method_async` on the sync `dapr.clients.DaprClient` | `invoke_method` on `dapr.aio.clients.DaprClient` |
        | `import flask_dapr`, `from flask_dapr import ...` | `from dapr.ext.flask import DaprActor, DaprApp` |
        | `schedule_new_workflow(..., reuse_id_policy=...)` on a workflow client | leave it out: it has no effect |
        | `DaprHealth.wait_until_ready()` | `DaprHealth.wait_for_sidecar()` |
        | a gRPC address starting with `http://` or `https://` given to `DaprClient` (sync or async), as a literal or a module constant: `DaprClient(address="http://localhost:50001")` | `localhost:50001?tls=false` (or `?tls=true` for `https://`), or `dns:///localhost:50001` |
        | the gRPC call-metadata argument `metadata=(...)` on `invoke_binding`, `publish_event`, the state calls and the secret calls | leave it out; Dapr metadata goes in the method's `*_metadata` argument (`state_metadata`, `publish_metadata`, ...) |

        The rule checks the receiver: `.wait()` on an `asyncio.Event`, a `threading.Event` or a `subprocess.Popen`, or a
        `metadata=` argument on a non-Dapr call, is not reported. `reuse_id_policy=None` and `metadata=None` are not reported
        either (the SDK only warns for a value). A dict passed as `metadata=` is reported by DPR204 (dict-as-grpc-metadata)
        instead, because it fails outright rather than just being deprecated.

        `metadata=` on `invoke_method` is not reported: `DaprClient` (sync and aio) invokes over HTTP unless
        `DAPR_API_METHOD_INVOCATION_PROTOCOL` is set to `grpc` (`dapr/conf/global_settings.py`: `'http'`), and the HTTP path
        sends `metadata` as HTTP headers without a warning. Only the gRPC path warns.

        Calls inside code that expects the warning (`with pytest.warns(...)`, `pytest.deprecated_call()`,
        `self.assertWarns(...)`) are not reported.
        """,
    ),
    (
        "Why is this bad?",
        """
        Deprecated APIs are on their way out; the SDK keeps them for a few releases and then removes them. They warn with a
        `DeprecationWarning`, which Python hides by default outside `__main__` and test runs, so in a service nobody sees the
        warning until the upgrade that breaks the code. Several of them are also wrong today:

        - `reuse_id_policy` is ignored completely, so code that relies on it does not do what it says;
        - `invoke_method_async` on the sync client raises `NotImplementedError` when the gRPC invocation protocol is
          configured;
        - `wait()` waits again for a sidecar that the constructor has already waited for;
        - `flask_dapr` is only a shim in 1.19: it warns when imported (`FutureWarning`) and is due to be removed. The code
          lives in `dapr.ext.flask`, installed with `pip install "dapr[flask]"`;
        - with `http://` or `https://` the SDK derives the TLS setting from the scheme of an address that is not HTTP at all;
          `?tls=` says it explicitly.
        """,
    ),
    (
        "Fix safety",
        """
        The renames are safe: `schedule_job_alpha1` → `schedule_job` (and the `get_`/`delete_` pair), imports from
        `flask_dapr` → `dapr.ext.flask`, and `DaprHealth.wait_until_ready` → `wait_for_sidecar`. The old names call the new
        ones in SDK 1.19, and the stable job methods fall back to the alpha endpoint on an older sidecar. The other cases have no automatic fix: each needs a decision (drop an argument,
        rewrite an address, switch clients).
        """,
    ),
    (
        "References",
        """
        - Dapr Python SDK client: https://docs.dapr.io/developing-applications/sdks/python/python-client/
        - Jobs API overview: https://docs.dapr.io/developing-applications/building-blocks/jobs/jobs-overview/
        - Dapr Python SDK extensions (Flask, FastAPI, gRPC, workflow): https://docs.dapr.io/developing-applications/sdks/python/python-sdk-extensions/
        - Python SDK source: https://github.com/dapr/python-sdk
        """,
    ),
)
