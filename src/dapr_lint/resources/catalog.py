"""Rule specs of the resource-file checker (DPR501-DPR517), with the examples their pages show."""

from __future__ import annotations

from dapr_lint.registry import RuleSpec, invalid, register, valid

RESOURCE_RULES: tuple[RuleSpec, ...] = (
    register(
        RuleSpec(
            code="DPR501",
            name="invalid-resource-schema",
            category="bug",
            summary=(
                "A Dapr resource with a missing required field, a wrong type, an unknown or wrongly-cased key, a "
                "nameless metadata item, a section at the wrong level or an unknown kind."
            ),
            target="yaml",
            examples=(
                invalid(
                    """
                    apiVersion: dapr.io/v1alpha1
                    kind: component          # skipped: kinds are case-sensitive
                    metadata:
                      name: statestore
                    spec:
                      type: state.redis
                      version: 1             # a number: the document is rejected
                      metadata:
                      - redisHost: localhost:6379   # no `name`: ignored
                    auth:
                      secretstore: vault     # pruned on Kubernetes
                    """,
                    "yaml",
                ),
                valid(
                    """
                    apiVersion: dapr.io/v1alpha1
                    kind: Component
                    metadata:
                      name: statestore
                    spec:
                      type: state.redis
                      version: v1
                      metadata:
                      - name: redisHost
                        value: localhost:6379
                    auth:
                      secretStore: vault
                    """,
                    "yaml",
                ),
            ),
        )
    ),
    register(
        RuleSpec(
            code="DPR502",
            name="invalid-duration",
            category="bug",
            summary="A value that is not a Go duration where Dapr requires one.",
            target="yaml",
            examples=(
                invalid(
                    """
                    apiVersion: dapr.io/v1alpha1
                    kind: Resiliency
                    metadata:
                      name: resiliency
                    spec:
                      policies:
                        timeouts:
                          general: 1 min
                      targets:
                        apps:
                          orders:
                            timeout: general
                    """,
                    "yaml",
                ),
                valid(
                    """
                    apiVersion: dapr.io/v1alpha1
                    kind: Resiliency
                    metadata:
                      name: resiliency
                    spec:
                      policies:
                        timeouts:
                          general: 1m
                      targets:
                        apps:
                          orders:
                            timeout: general
                    """,
                    "yaml",
                ),
            ),
        )
    ),
    register(
        RuleSpec(
            code="DPR503",
            name="unused-resiliency-policy",
            category="bug",
            summary=(
                "A named resiliency policy that no target references and whose name is not a reserved default."
            ),
            target="yaml",
            examples=(
                invalid(
                    """
                    apiVersion: dapr.io/v1alpha1
                    kind: Resiliency
                    metadata:
                      name: resiliency
                    spec:
                      policies:
                        retries:
                          default:
                            policy: exponential
                            maxRetries: 10
                      targets: {}
                    """,
                    "yaml",
                ),
                valid(
                    """
                    apiVersion: dapr.io/v1alpha1
                    kind: Resiliency
                    metadata:
                      name: resiliency
                    spec:
                      policies:
                        retries:
                          DefaultRetryPolicy:
                            policy: exponential
                            maxRetries: 10
                      targets: {}
                    """,
                    "yaml",
                ),
            ),
        )
    ),
    register(
        RuleSpec(
            code="DPR504",
            name="undefined-policy-reference",
            category="bug",
            summary="A resiliency target naming a policy that is not defined.",
            target="yaml",
            examples=(
                invalid(
                    """
                    apiVersion: dapr.io/v1alpha1
                    kind: Resiliency
                    metadata:
                      name: resiliency
                    spec:
                      policies:
                        timeouts:
                          general: 5s
                      targets:
                        apps:
                          orders:
                            timeout: genral
                    """,
                    "yaml",
                ),
                valid(
                    """
                    apiVersion: dapr.io/v1alpha1
                    kind: Resiliency
                    metadata:
                      name: resiliency
                    spec:
                      policies:
                        timeouts:
                          general: 5s
                      targets:
                        apps:
                          orders:
                            timeout: general
                    """,
                    "yaml",
                ),
            ),
        )
    ),
    register(
        RuleSpec(
            code="DPR505",
            name="invalid-trip-expression",
            category="bug",
            summary=(
                "A circuit-breaker trip expression that does not parse, reads an unknown variable or is not "
                "boolean."
            ),
            target="yaml",
            examples=(
                invalid(
                    """
                    apiVersion: dapr.io/v1alpha1
                    kind: Resiliency
                    metadata:
                      name: resiliency
                    spec:
                      policies:
                        circuitBreakers:
                          cb:
                            trip: consecutiveFailure > 5
                      targets:
                        apps:
                          orders:
                            circuitBreaker: cb
                    """,
                    "yaml",
                ),
                valid(
                    """
                    apiVersion: dapr.io/v1alpha1
                    kind: Resiliency
                    metadata:
                      name: resiliency
                    spec:
                      policies:
                        circuitBreakers:
                          cb:
                            trip: consecutiveFailures > 5
                      targets:
                        apps:
                          orders:
                            circuitBreaker: cb
                    """,
                    "yaml",
                ),
            ),
        )
    ),
    register(
        RuleSpec(
            code="DPR506",
            name="plaintext-secret",
            category="bug",
            summary="A sensitive component field or header with a literal secret value.",
            target="yaml",
            examples=(
                invalid(
                    """
                    apiVersion: dapr.io/v1alpha1
                    kind: Component
                    metadata:
                      name: statestore
                    spec:
                      type: state.redis
                      version: v1
                      metadata:
                      - name: redisHost
                        value: localhost:6379
                      - name: redisPassword
                        value: s3cr3t
                    """,
                    "yaml",
                ),
                valid(
                    """
                    apiVersion: dapr.io/v1alpha1
                    kind: Component
                    metadata:
                      name: statestore
                    spec:
                      type: state.redis
                      version: v1
                      metadata:
                      - name: redisHost
                        value: localhost:6379
                      - name: redisPassword
                        secretKeyRef:
                          name: redis
                          key: password
                    auth:
                      secretStore: my-secret-store
                    """,
                    "yaml",
                ),
            ),
        )
    ),
    register(
        RuleSpec(
            code="DPR507",
            name="unknown-component-type",
            category="bug",
            summary=(
                "A component type outside the loadable categories, not a built-in type, or with an unsupported "
                "version."
            ),
            target="yaml",
            examples=(
                invalid(
                    """
                    apiVersion: dapr.io/v1alpha1
                    kind: Component
                    metadata:
                      name: orders
                    spec:
                      type: binding.kafka
                      version: v1
                    """,
                    "yaml",
                ),
                valid(
                    """
                    apiVersion: dapr.io/v1alpha1
                    kind: Component
                    metadata:
                      name: orders
                    spec:
                      type: bindings.kafka
                      version: v1
                    """,
                    "yaml",
                ),
            ),
        )
    ),
    register(
        RuleSpec(
            code="DPR508",
            name="invalid-resiliency-policy",
            category="bug",
            summary=(
                "Resiliency settings Dapr ignores or rejects: retry fields the policy ignores, invalid "
                "maxRetries or status codes, actor breakers without scope, component targets without "
                "inbound/outbound."
            ),
            target="yaml",
            examples=(
                invalid(
                    """
                    apiVersion: dapr.io/v1alpha1
                    kind: Resiliency
                    metadata:
                      name: resiliency
                    spec:
                      policies:
                        retries:
                          fastRetries:
                            policy: constant
                            duration: 1s
                            maxRetries: 3
                      targets:
                        components:
                          statestore:
                            retry: fastRetries
                    """,
                    "yaml",
                ),
                valid(
                    """
                    apiVersion: dapr.io/v1alpha1
                    kind: Resiliency
                    metadata:
                      name: resiliency
                    spec:
                      policies:
                        retries:
                          fastRetries:
                            policy: constant
                            duration: 1s
                            maxRetries: 3
                      targets:
                        components:
                          statestore:
                            outbound:
                              retry: fastRetries
                    """,
                    "yaml",
                ),
            ),
        )
    ),
    register(
        RuleSpec(
            code="DPR509",
            name="secretkeyref-without-store",
            category="practice",
            summary="A secretKeyRef with no auth.secretStore (not resolved outside Kubernetes).",
            target="yaml",
            examples=(
                invalid(
                    """
                    apiVersion: dapr.io/v1alpha1
                    kind: Component
                    metadata:
                      name: statestore
                    spec:
                      type: state.redis
                      version: v1
                      metadata:
                      - name: redisHost
                        value: localhost:6379
                      - name: redisPassword
                        secretKeyRef:
                          name: redis
                          key: password
                    """,
                    "yaml",
                ),
                valid(
                    """
                    apiVersion: dapr.io/v1alpha1
                    kind: Component
                    metadata:
                      name: statestore
                    spec:
                      type: state.redis
                      version: v1
                      metadata:
                      - name: redisHost
                        value: localhost:6379
                      - name: redisPassword
                        secretKeyRef:
                          name: redis
                          key: password
                    auth:
                      secretStore: local-secrets
                    """,
                    "yaml",
                ),
            ),
        )
    ),
    register(
        RuleSpec(
            code="DPR510",
            name="duplicate-resource",
            category="bug",
            summary="Two resources of one kind and name visible to the same app.",
            target="yaml",
            examples=(
                invalid(
                    """
                    apiVersion: dapr.io/v1alpha1
                    kind: Component
                    metadata:
                      name: statestore
                    spec:
                      type: state.redis
                      version: v1
                      metadata:
                      - name: redisHost
                        value: localhost:6379
                    ---
                    apiVersion: dapr.io/v1alpha1
                    kind: Component
                    metadata:
                      name: statestore
                    spec:
                      type: state.redis
                      version: v1
                      metadata:
                      - name: redisHost
                        value: localhost:6379
                    """,
                    "yaml",
                ),
                valid(
                    """
                    apiVersion: dapr.io/v1alpha1
                    kind: Component
                    metadata:
                      name: statestore
                    spec:
                      type: state.redis
                      version: v1
                      metadata:
                      - name: redisHost
                        value: localhost:6379
                    ---
                    apiVersion: dapr.io/v1alpha1
                    kind: Component
                    metadata:
                      name: cache
                    spec:
                      type: state.redis
                      version: v1
                      metadata:
                      - name: redisHost
                        value: localhost:6379
                    """,
                    "yaml",
                ),
            ),
        )
    ),
    register(
        RuleSpec(
            code="DPR511",
            name="invalid-subscription",
            category="bug",
            summary=(
                "Subscription v1/v2 field mix-ups, bulkSubscribe as a list, routing that drops events, invalid "
                "match rules."
            ),
            target="yaml",
            examples=(
                invalid(
                    """
                    apiVersion: dapr.io/v2alpha1
                    kind: Subscription
                    metadata:
                      name: orders
                    spec:
                      topic: orders
                      pubsubname: pubsub
                      route: /orders
                    """,
                    "yaml",
                ),
                valid(
                    """
                    apiVersion: dapr.io/v2alpha1
                    kind: Subscription
                    metadata:
                      name: orders
                    spec:
                      topic: orders
                      pubsubname: pubsub
                      routes:
                        default: /orders
                    """,
                    "yaml",
                ),
            ),
        )
    ),
    register(
        RuleSpec(
            code="DPR512",
            name="invalid-run-template",
            category="bug",
            summary=(
                "A dapr.yaml run template with missing or mistyped fields, unknown keys, or duplicate app IDs or "
                "ports."
            ),
            target="yaml",
            examples=(
                invalid(
                    """
                    version: 1
                    apps:
                      - appId: orders
                        appDirPath: ./orders
                        command: python3 app.py
                    """,
                    "yaml",
                ),
                valid(
                    """
                    version: 1
                    apps:
                      - appID: orders
                        appDirPath: ./orders
                        command: ["python3", "app.py"]
                    """,
                    "yaml",
                ),
            ),
        )
    ),
    register(
        RuleSpec(
            code="DPR513",
            name="invalid-configuration",
            category="bug",
            summary=(
                "A Configuration setting Dapr rejects or silently ignores (tracing, API allow-lists, secrets, "
                "ACL, pipelines)."
            ),
            target="yaml",
            examples=(
                invalid(
                    """
                    apiVersion: dapr.io/v1alpha1
                    kind: Configuration
                    metadata:
                      name: tracing
                    spec:
                      tracing:
                        samplingRate: "1"
                        otel:
                          endpointAddress: localhost:4317
                          protocol: GRPC
                    """,
                    "yaml",
                ),
                valid(
                    """
                    apiVersion: dapr.io/v1alpha1
                    kind: Configuration
                    metadata:
                      name: tracing
                    spec:
                      tracing:
                        samplingRate: "1"
                        otel:
                          endpointAddress: localhost:4317
                          protocol: grpc
                          isSecure: false
                    """,
                    "yaml",
                ),
            ),
        )
    ),
    register(
        RuleSpec(
            code="DPR514",
            name="unexpanded-variable",
            category="bug",
            summary="${VAR}/$VAR/{VAR} in component or HTTPEndpoint values, which Dapr never expands.",
            target="yaml",
            examples=(
                invalid(
                    """
                    apiVersion: dapr.io/v1alpha1
                    kind: Component
                    metadata:
                      name: statestore
                    spec:
                      type: state.redis
                      version: v1
                      metadata:
                      - name: redisHost
                        value: localhost:6379
                      - name: redisPassword
                        value: ${REDIS_PASSWORD}
                    """,
                    "yaml",
                ),
                valid(
                    """
                    apiVersion: dapr.io/v1alpha1
                    kind: Component
                    metadata:
                      name: statestore
                    spec:
                      type: state.redis
                      version: v1
                      metadata:
                      - name: redisHost
                        value: localhost:6379
                      - name: redisPassword
                        envRef: REDIS_PASSWORD
                    """,
                    "yaml",
                ),
            ),
        )
    ),
    register(
        RuleSpec(
            code="DPR515",
            name="invalid-binding-direction",
            category="bug",
            summary=(
                "A binding direction outside input/output or unsupported by the type, or a route on an "
                "output-only binding."
            ),
            target="yaml",
            examples=(
                invalid(
                    """
                    apiVersion: dapr.io/v1alpha1
                    kind: Component
                    metadata:
                      name: webhook
                    spec:
                      type: bindings.http
                      version: v1
                      metadata:
                      - name: url
                        value: https://example.com/hook
                      - name: direction
                        value: input
                    """,
                    "yaml",
                ),
                valid(
                    """
                    apiVersion: dapr.io/v1alpha1
                    kind: Component
                    metadata:
                      name: webhook
                    spec:
                      type: bindings.http
                      version: v1
                      metadata:
                      - name: url
                        value: https://example.com/hook
                      - name: direction
                        value: output
                    """,
                    "yaml",
                ),
            ),
        )
    ),
    register(
        RuleSpec(
            code="DPR516",
            name="invalid-actor-state-store",
            category="bug",
            summary=(
                "actorStateStore on a non-state component or a store without ETag and transactions, or two actor "
                "stores."
            ),
            target="yaml",
            examples=(
                invalid(
                    """
                    apiVersion: dapr.io/v1alpha1
                    kind: Component
                    metadata:
                      name: actorstore
                    spec:
                      type: state.cassandra
                      version: v1
                      metadata:
                      - name: hosts
                        value: cassandra:9042
                      - name: actorStateStore
                        value: "true"
                    """,
                    "yaml",
                ),
                valid(
                    """
                    apiVersion: dapr.io/v1alpha1
                    kind: Component
                    metadata:
                      name: actorstore
                    spec:
                      type: state.redis
                      version: v1
                      metadata:
                      - name: redisHost
                        value: localhost:6379
                      - name: actorStateStore
                        value: "true"
                    """,
                    "yaml",
                ),
            ),
        )
    ),
    register(
        RuleSpec(
            code="DPR517",
            name="placeholder-value",
            category="practice",
            summary="A <REPLACE-...>-style placeholder left in a resource.",
            target="yaml",
            examples=(
                invalid(
                    """
                    apiVersion: dapr.io/v1alpha1
                    kind: Component
                    metadata:
                      name: statestore
                    spec:
                      type: state.redis
                      version: v1
                      metadata:
                      - name: redisHost
                        value: <REPLACE-WITH-HOSTNAME>
                    """,
                    "yaml",
                ),
                valid(
                    """
                    apiVersion: dapr.io/v1alpha1
                    kind: Component
                    metadata:
                      name: statestore
                    spec:
                      type: state.redis
                      version: v1
                      metadata:
                      - name: redisHost
                        value: redis-master:6379
                    """,
                    "yaml",
                ),
            ),
        )
    ),
)

RESOURCE_CODES: tuple[str, ...] = tuple(spec.code for spec in RESOURCE_RULES)
