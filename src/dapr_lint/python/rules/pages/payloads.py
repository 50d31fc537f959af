"""The written sections of the payloads rules' pages: each spec in python/rules/payloads.py names its own,
`prose=pages.DPRxxx`, and scripts/gen_rule_docs.py generates the whole page from the spec."""

from dapr_lint.examples import page


DPR201 = page(
    (
        "What it does",
        """
        Reports a payload that is not `bytes` or `str` where the Dapr SDK needs one:

        - `value` of `save_state`;
        - `data` of `publish_event`, `invoke_binding` and `invoke_method`;
        - `value` of `StateItem(...)` and `data` of `TransactionalStateOperation(...)` (an upsert).

        It reports a dict, list, tuple, set, int, float or bool literal (comprehensions and `dict(...)` included), a
        name bound only to such a value in its function or module (`body = {...}` then `save_state(..., body)`), a
        module constant such as `RETRIES = 3`, and a pydantic model dumped to a dict (`.model_dump()`, or `.dict()` on
        an instance of a pydantic model defined in the module).

        The receiver must resolve to a Dapr client (sync or aio, through imports, `with ... as`, `self.client`,
        annotated parameters). A method with the same name on another object, such as a wrapper's own
        `publish_event(topic, data)`, is never reported.

        The rule does **not** report `str`, `bytes`, f-strings, `json.dumps(...)`, `.model_dump_json()`, protobuf
        messages, or any value the tool cannot type (a parameter, the result of an unknown function).
        """,
    ),
    (
        "Why is this bad?",
        """
        The SDK checks the type before it sends anything:

        - `save_state`, `publish_event`, `StateItem` and `TransactionalStateOperation` raise
          `ValueError: invalid type for data <class 'dict'>`;
        - `invoke_binding` raises `TypeError: invalid data type <class 'dict'>`;
        - `invoke_method` is worse: with the default HTTP protocol it passes the dict to aiohttp, which form-encodes it.
          The callee receives `a=1` under a `application/json` content type, and nothing fails on the caller's side.
          With the gRPC protocol it raises `ValueError`.

        These errors only show up when the code path runs, often in production.
        """,
    ),
    (
        "Fix safety",
        """
        Safe where it is offered: a literal, or a name bound to literals, is wrapped in `json.dumps(...)` (and
        `import json` is added), which is what the code meant to send; a set gets no fix, since JSON has no sets.
        `x.model_dump()` becomes `x.model_dump_json()` (not offered when the call passes `mode=`, which
        `model_dump_json` does not accept). Other cases, such as a name bound to `model_dump()`, have no fix.
        """,
    ),
    (
        "References",
        """
        - The SDK's payload checks (dapr 1.19.0, `dapr/clients/grpc/client.py`, `dapr/clients/grpc/_request.py`); dapr-lint's conformance tests run these calls
          against the installed SDK.
        - Dapr Python SDK client: https://docs.dapr.io/developing-applications/sdks/python/python-client/
        """,
    ),
)


DPR202 = page(
    (
        "What it does",
        """
        Reports `publish_event` calls on a Dapr client whose data is JSON text, `json.dumps(...)`,
        `.model_dump_json()` or a name bound only to one of them, and that pass no `data_content_type`.

        It does not report calls that set any content type, plain strings and f-strings, data the tool cannot type, or
        a payload that is already a CloudEvent (a `specversion` key): that is [DPR207](DPR207.md)'s, whose fix sets
        `application/cloudevents+json` (`application/json` would get it wrapped in a second envelope).
        It is an opinion rule: enable it with `--select DPR202` or `extend-select = ["DPR202"]`.
        """,
    ),
    (
        "Why is this bad?",
        """
        Without a content type, Dapr wraps the data in a CloudEvent with `datacontenttype: text/plain`. Subscribers
        then receive the JSON as a string in `data`, not as an object, and each one has to parse it again. Setting
        `data_content_type="application/json"` makes the event self-describing, and Dapr delivers `data` as JSON.
        """,
    ),
    (
        "Fix safety",
        """
        The fix adds `data_content_type="application/json"`. It is unsafe: subscribers written to parse the string
        (`json.loads(event["data"])`) receive an object afterwards and break.
        """,
    ),
    (
        "References",
        """
        - Dapr pub/sub message content types: https://docs.dapr.io/developing-applications/building-blocks/pubsub/pubsub-cloudevents/
        """,
    ),
)


DPR203 = page(
    (
        "What it does",
        """
        Reports a value that is not a `str` in a Dapr metadata dict: `state_metadata`, `states_metadata`,
        `publish_metadata`, `binding_metadata`, `secret_metadata`, `config_metadata`, `transactional_metadata`, and
        `metadata` of `StateItem(...)` and `BulkPublishEntry(...)`.

        The dict can be written in the call or built first in a variable (`metadata = {"ttlInSeconds": 3600}`); the
        finding points at the value itself. Numbers, booleans, `None` and containers are reported, and so are
        module constants that resolve to one (`TTL = 3600`).

        It does not report values the tool cannot type (`ttl`, `str(ttl)`, a function result), and it does not judge a
        dict that is changed after it was built (`metadata["ttlInSeconds"] = "60"`, `metadata.update(...)`).
        """,
    ),
    (
        "Why is this bad?",
        """
        Every Dapr metadata parameter is a `Dict[str, str]` that the SDK copies into a protobuf `map<string, string>`.
        Protobuf rejects a non-string value at call time: `save_state(..., state_metadata={"ttlInSeconds": 3600})`
        raises `TypeError: bad argument type for built-in operation` (the wording depends on the protobuf build). The
        same happens for `get_state`, `publish_event`, `invoke_binding`, `get_secret` and a bulk save of `StateItem`s.
        """,
    ),
    (
        "Fix safety",
        """
        Safe for literals: `3600` becomes `"3600"`, `1.5` becomes `"1.5"`, `True`/`False` become `"true"`/`"false"`
        (the spelling Dapr components parse). Constants and other values get no fix.
        """,
    ),
    (
        "References",
        """
        - The SDK's request builders (dapr 1.19.0, `dapr/clients/grpc/client.py`, `dapr/clients/grpc/_request.py`) put metadata values into protobuf string maps; dapr-lint's conformance tests run the flagged calls against the installed SDK.
        - Dapr state TTL: https://docs.dapr.io/developing-applications/building-blocks/state-management/state-store-ttl/
        """,
    ),
)


DPR204 = page(
    (
        "What it does",
        """
        Reports a non-empty dict passed as `metadata=` to the Dapr client methods where that parameter is the
        deprecated gRPC call metadata: `save_state`, `get_state`, `delete_state`, `get_bulk_state`,
        `save_bulk_state`, `execute_state_transaction`, `publish_event`, `invoke_binding`, `invoke_method`,
        `get_secret` and `get_bulk_secret` (sync and aio clients).

        It does not report tuples of pairs (the deprecation itself is [DPR109](DPR109.md)), an empty dict, or the
        conversation API, whose `metadata` really is Dapr metadata.
        """,
    ),
    (
        "Why is this bad?",
        """
        On these methods `metadata=` is not Dapr metadata: it is gRPC call metadata, a tuple of `(key, value)` pairs.
        The SDK iterates the dict, gets its keys, and unpacks each key string as a pair:

        - `save_state(..., metadata={"k": "v"})` raises `ValueError: not enough values to unpack`;
        - `publish_event(..., metadata={"ttlInSeconds": "60"})` raises `ValueError: too many values to unpack`;
        - a two-character key is unpacked into two letters and sent as a header, silently.

        The author nearly always meant `state_metadata=`, `publish_metadata=`, `binding_metadata=` and so on.
        """,
    ),
    (
        "Fix safety",
        """
        Safe: `metadata=` is renamed to the method's only Dapr-metadata keyword (`state_metadata`, `publish_metadata`,
        `binding_metadata`, `secret_metadata`, `states_metadata`, `transactional_metadata`). The call raised before, so
        no working behaviour changes. No fix is offered for `invoke_method` and `save_bulk_state` (no such keyword) or
        when the call already passes that keyword.
        """,
    ),
    (
        "References",
        """
        - The SDK's `metadata=` handling (dapr 1.19.0, `dapr/clients/grpc/client.py` and `dapr/clients/http/dapr_invocation_http_client.py`); dapr-lint's conformance tests run the flagged calls against the installed SDK.
        """,
    ),
)


DPR205 = page(
    (
        "What it does",
        """
        Reports JSON decoding of a `get_state` result with no check for a missing key: `resp.json()`,
        `client.get_state(...).json()`, `json.loads(resp.data)`, `json.loads(resp.data.decode())` and
        `json.loads(resp.text())`, on the sync or the aio client.

        It does not report when the response variable is tested in a condition in the same function (`if resp.data:`,
        `if not resp.data: return`, `resp.data or b"{}"`, `x if resp.data else {}`, `assert resp.etag`), or when the
        decoding sits in a `try` that catches `json.JSONDecodeError`, `ValueError` or `Exception`. The check is not
        path-sensitive: any such condition on the variable counts. A `StateResponse` the code builds itself from a
        non-empty literal (`StateResponse(data=b'{"qty": 3}')`, a test double) cannot be empty and is not reported.
        """,
    ),
    (
        "Why is this bad?",
        """
        A missing key is not an error in Dapr: `get_state` returns a `StateResponse` with `data == b""` and
        `etag == ""`. Decoding that raises `json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)`,
        so the first request for a new key fails with a 500, or a subscriber retries an event forever.
        """,
    ),
    (
        "References",
        """
        - `StateResponse` (dapr 1.19.0, `dapr/clients/grpc/_response.py`): a missing key gives empty `data` (`b''`).
        """,
    ),
)


DPR206 = page(
    (
        "What it does",
        """
        Reports `invoke_method` on a Dapr client with a body (`data`, other than `""`, `b""` or `None`) and no
        `http_verb`, when there is a sign that the callee is an HTTP app: the module serves HTTP routes itself (a
        FastAPI, Starlette or Flask service calling another service), the method name is a path (`"api/v1/orders"`),
        or the call passes `http_querystring`.

        It does not report calls that name a verb, calls without a body, calls with `**kwargs`, or calls from a module
        with no such sign: a gRPC callee (a `dapr.ext.grpc` `App.method`) ignores the verb, and the tool cannot see the
        callee.
        """,
    ),
    (
        "Why is this bad?",
        """
        The SDK's default verb is GET. A body with no verb is sent as `GET /v1.0/invoke/<app>/method/<name>` with a
        body. An HTTP callee that serves the method with `@app.post(...)` answers 405 Method Not Allowed, and many
        proxies and frameworks drop the body of a GET.
        """,
    ),
    (
        "Fix safety",
        """
        The fix adds `http_verb="POST"`. It is unsafe: the callee may serve the method with another verb, such as PUT,
        or may really be a GET endpoint that reads the body.
        """,
    ),
    (
        "References",
        """
        - `invoke_method` over HTTP (dapr 1.19.0, `dapr/clients/http/dapr_invocation_http_client.py`): the verb defaults to GET.
        - Service invocation API: https://docs.dapr.io/reference/api/service_invocation_api/
        """,
    ),
)


DPR207 = page(
    (
        "What it does",
        """
        Reports `publish_event` on a Dapr client whose data is already a CloudEvent, a dict literal with a
        `specversion` key or `json.dumps(...)` of one (also through a name bound once), when `data_content_type` is
        not `"application/cloudevents+json"`.

        It does not report payloads without `specversion`, or data it cannot see into.
        """,
    ),
    (
        "Why is this bad?",
        """
        Dapr wraps every published payload in a CloudEvent unless the content type says it already is one. A
        CloudEvent sent as `application/json` (or with no content type) is wrapped a second time: subscribers find the
        original event under `data`, and its payload under `data.data`. The outer event carries Dapr's own `id`,
        `source` and `type`, so deduplication and routing rules on those fields see the wrong values.
        """,
    ),
    (
        "Fix safety",
        """
        Safe: setting `data_content_type="application/cloudevents+json"` makes Dapr forward the event the author built,
        which is what the code meant.
        """,
    ),
    (
        "References",
        """
        - Publishing your own CloudEvent: https://docs.dapr.io/developing-applications/building-blocks/pubsub/pubsub-cloudevents/
        """,
    ),
)


DPR208 = page(
    (
        "What it does",
        """
        Reports `invoke_binding` on a Dapr client whose `data` is shaped like the body of Dapr's HTTP bindings API: a
        dict literal with both a `data` and a `metadata` key, or `json.dumps(...)` of one (also through a name bound
        once).

        It does not report payloads that have only one of those keys, or data it cannot see into.
        """,
    ),
    (
        "Why is this bad?",
        """
        The HTTP API (`POST /v1.0/bindings/<name>`) takes `{"data": ..., "metadata": {...}, "operation": ...}`. The SDK
        takes those as separate arguments: `invoke_binding(name, operation, data, binding_metadata=...)`. Code ported
        from the HTTP API sends the whole envelope as the payload: the binding never sees the metadata (a TTL, a key,
        a blob name), and the receiver gets an unexpected wrapper around the data.
        """,
    ),
    (
        "References",
        """
        - Bindings API: https://docs.dapr.io/reference/api/bindings_api/
        """,
    ),
)
