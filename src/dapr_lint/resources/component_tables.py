"""Facts about component types as data: loadable categories, built-in types and versions, sensitive fields,
binding directions and actor-state-store capability (Dapr 1.18, daprd registrations and components-contrib)."""

from __future__ import annotations

# daprd loads a component only if its type starts with one of these (case-sensitive) plus a dot.
LOADABLE_CATEGORIES: tuple[str, ...] = (
    "bindings",
    "configuration",
    "crypto",
    "lock",
    "middleware",
    "pubsub",
    "secretstores",
    "state",
    "conversation",
)

# Types registered in daprd (default `allcomponents` build), lower-case.
BUILTIN_TYPES: frozenset[str] = frozenset(
    """
bindings.alicloud.dingtalk.webhook bindings.alicloud.dubbo bindings.alicloud.oss bindings.alicloud.sls
bindings.alicloud.tablestore bindings.apns bindings.aws.dynamodb bindings.aws.kinesis bindings.aws.s3 bindings.aws.ses
bindings.aws.sns bindings.aws.sqs bindings.azure.blobstorage bindings.azure.cosmosdb bindings.azure.cosmosdb.gremlinapi
bindings.azure.eventgrid bindings.azure.eventhubs bindings.azure.openai bindings.azure.servicebus.queues
bindings.azure.servicebusqueues bindings.azure.signalr bindings.azure.storagequeues bindings.cloudflare.queues
bindings.commercetools bindings.cron bindings.dingtalk.webhook bindings.dubbo bindings.gcp.bucket bindings.gcp.pubsub
bindings.graphql bindings.http bindings.huawei.obs bindings.influx bindings.kafka bindings.kubemq bindings.kubernetes
bindings.localstorage bindings.mqtt bindings.mqtt3 bindings.mysql bindings.postgres bindings.postgresql
bindings.postmark bindings.rabbitmq bindings.redis bindings.rethinkdb.statechange bindings.rocketmq bindings.sftp
bindings.smtp bindings.twilio.sendgrid bindings.twilio.sms bindings.wasm bindings.zeebe.command bindings.zeebe.jobworker
configuration.azure.appconfig configuration.kubernetes configuration.postgres configuration.postgresql
configuration.redis
conversation.anthropic conversation.aws.bedrock conversation.deepseek conversation.echo conversation.googleai
conversation.huggingface conversation.mistral conversation.ollama conversation.openai
crypto.azure.keyvault crypto.dapr.jwks crypto.dapr.kubernetes.secrets crypto.dapr.localstorage
lock.redis
middleware.http.bearer middleware.http.oauth2 middleware.http.oauth2clientcredentials middleware.http.opa
middleware.http.ratelimit middleware.http.routeralias middleware.http.routerchecker middleware.http.sentinel
middleware.http.uppercase middleware.http.wasm
pubsub.aws.snssqs pubsub.azure.eventhubs pubsub.azure.servicebus pubsub.azure.servicebus.queues
pubsub.azure.servicebus.topics pubsub.azure.servicebusqueues pubsub.gcp.pubsub pubsub.in-memory pubsub.jetstream
pubsub.kafka pubsub.kubemq pubsub.mqtt pubsub.mqtt3 pubsub.pulsar pubsub.rabbitmq pubsub.redis pubsub.rocketmq
pubsub.snssqs pubsub.solace.amqp
secretstores.alicloud.parameterstore secretstores.aws.parameterstore secretstores.aws.secretmanager
secretstores.azure.keyvault secretstores.gcp.secretmanager secretstores.hashicorp.vault secretstores.huaweicloud.csms
secretstores.kubernetes secretstores.local.env secretstores.local.file secretstores.spiffeprobe
secretstores.tencentcloud.ssm
state.aerospike state.alicloud.tablestore state.aws.dynamodb state.azure.blobstorage state.azure.cosmosdb
state.azure.tablestorage state.cassandra state.cloudflare.workerskv state.cockroachdb state.coherence state.consul
state.couchbase state.etcd state.gcp.firestore state.hashicorp.consul state.hazelcast state.in-memory state.jetstream
state.memcached state.mongodb state.mysql state.oci.objectstorage state.oracledatabase state.postgres state.postgresql
state.ravendb state.redis state.rethinkdb state.spiffeprobe state.sqlite state.sqlite3 state.sqlserver state.yugabyte
state.yugabytedb state.zookeeper
""".split()
)

# `""`, `v0` and `v1` all select a type's initial version.
INITIAL_VERSIONS: frozenset[str] = frozenset({"", "v0", "v1"})

# Types registered under more than the initial version: type -> registered versions.
REGISTERED_VERSIONS: dict[str, frozenset[str]] = {
    "state.postgres": frozenset({"v1", "v2"}),
    "state.postgresql": frozenset({"v1", "v2"}),
    "state.cockroachdb": frozenset({"v1", "v2"}),
    "state.sqlserver": frozenset({"v1", "v2"}),
    "state.azure.blobstorage": frozenset({"v1", "v2"}),
    "state.etcd": frozenset({"v1", "v2"}),
    "state.yugabyte": frozenset({"v2"}),
    "state.yugabytedb": frozenset({"v2"}),
}

# Types people write that daprd does not register, with what to use instead.
RETIRED_TYPES: dict[str, str] = {
    "bindings.twitter": "it was removed in Dapr 1.11",
    "bindings.kitex": "it is disabled in daprd builds",
    "crypto.localstorage": "daprd registers it as `crypto.dapr.localstorage`",
    "crypto.jwks": "daprd registers it as `crypto.dapr.jwks`",
    "crypto.kubernetes.secrets": "daprd registers it as `crypto.dapr.kubernetes.secrets`",
}

# Runtime type -> components-contrib catalog name, where they differ (aliases share one constructor).
_CATALOG_ALIASES: dict[str, str] = {
    "state.postgres": "state.postgresql",
    "state.sqlite3": "state.sqlite",
    "state.consul": "state.hashicorp.consul",
    "pubsub.azure.servicebus": "pubsub.azure.servicebus.topics",
    "pubsub.azure.servicebusqueues": "pubsub.azure.servicebus.queues",
    "pubsub.snssqs": "pubsub.aws.snssqs",
    "pubsub.mqtt": "pubsub.mqtt3",
    "bindings.mqtt": "bindings.mqtt3",
    "bindings.postgresql": "bindings.postgres",
    "bindings.azure.servicebusqueues": "bindings.azure.servicebus.queues",
    "bindings.dingtalk.webhook": "bindings.alicloud.dingtalk.webhook",
    "bindings.alicloud.dubbo": "bindings.dubbo",
    "configuration.postgres": "configuration.postgresql",
    "secretstores.aws.secretmanager": "secretstores.aws.secretsmanager",
}


def catalog_type(component_type: str) -> str:
    """The components-contrib catalog name of a runtime type (`middleware.http.X` -> `middleware.X`, ...)."""
    t = component_type.lower()
    t = _CATALOG_ALIASES.get(t, t)
    if t.startswith("middleware.http."):
        t = "middleware." + t[len("middleware.http."):]
    elif t.startswith("crypto.dapr."):
        t = "crypto." + t[len("crypto.dapr."):]
    return t


_AZURE_AD = "azureCertificate azureCertificatePassword azureClientSecret"
_AWS = "accessKey secretKey sessionToken"
_AWS_IAM_DB = "accessKey awsSecretKey secretKey sessionToken"
_REDIS = f"{_AZURE_AD} oidcClientAssertionKey redisPassword sentinelPassword"
_KAFKA = "accessKey awsSecretKey awsSessionToken clientKey oidcClientAssertionKey oidcClientSecret saslPassword " + _AWS

# Metadata fields marked `sensitive: true` per catalog type (components-contrib metadata.yaml, auth profiles).
SENSITIVE_FIELDS: dict[str, frozenset[str]] = {
    k: frozenset(v.split())
    for k, v in {
        "bindings.alicloud.oss": "accessKeyID accessKeySecret",
        "bindings.alicloud.sls": "accessKeyID accessKeySecret",
        "bindings.alicloud.tablestore": "accessKeySecret",
        "bindings.apns": "private-key",
        "bindings.aws.dynamodb": "secretKey sessionToken",
        "bindings.aws.kinesis": "secretKey sessionToken",
        "bindings.aws.s3": _AWS,
        "bindings.aws.ses": "secretKey sessionToken",
        "bindings.aws.sns": _AWS,
        "bindings.aws.sqs": "secretKey sessionToken",
        "bindings.azure.blobstorage": f"accountKey {_AZURE_AD} connectionString",
        "bindings.azure.cosmosdb.gremlinapi": "masterKey",
        "bindings.azure.cosmosdb": f"{_AZURE_AD} masterKey",
        "bindings.azure.eventgrid": _AZURE_AD,
        "bindings.azure.eventhubs": f"{_AZURE_AD} connectionString",
        "bindings.azure.openai": f"apiKey {_AZURE_AD}",
        "bindings.azure.servicebus.queues": f"{_AZURE_AD} connectionString",
        "bindings.azure.signalr": f"accessKey {_AZURE_AD} connectionString",
        "bindings.azure.storagequeues": f"accountKey {_AZURE_AD}",
        "bindings.cloudflare.queues": "cfAPIToken key",
        "bindings.commercetools": "clientSecret",
        "bindings.gcp.bucket": "privateKey privateKeyID",
        "bindings.gcp.pubsub": "privateKey privateKeyID",
        "bindings.huawei.obs": "secretKey",
        "bindings.influx": "token",
        "bindings.kafka": _KAFKA,
        "bindings.mqtt3": "clientKey",
        "bindings.postgres": f"{_AWS_IAM_DB} {_AZURE_AD} connectionString",
        "bindings.rabbitmq": "host",
        "bindings.redis": _REDIS,
        "bindings.rethinkdb.statechange": "authKey clientKey",
        "bindings.rocketmq": "secretKey",
        "bindings.sftp": "password privateKey privateKeyPassphrase",
        "bindings.smtp": "password",
        "bindings.twilio.sendgrid": "apiKey",
        "bindings.twilio.sms": "authToken",
        "bindings.zeebe.command": "clientSecret",
        "bindings.zeebe.jobworker": "clientSecret",
        "configuration.azure.appconfig": f"{_AZURE_AD} connectionString",
        "configuration.postgresql": f"{_AWS_IAM_DB} {_AZURE_AD} connectionString",
        "configuration.redis": _REDIS,
        "conversation.anthropic": "key",
        "conversation.aws.bedrock": _AWS,
        "conversation.deepseek": "key",
        "conversation.googleai": "key",
        "conversation.huggingface": "key",
        "conversation.mistral": "key",
        "conversation.openai": "key",
        "crypto.azure.keyvault": _AZURE_AD,
        "lock.redis": "clientCert clientKey oidcClientAssertionKey redisPassword sentinelPassword",
        "middleware.oauth2": "clientSecret",
        "middleware.oauth2clientcredentials": "clientSecret",
        "pubsub.aws.snssqs": _AWS,
        "pubsub.azure.eventhubs": f"{_AZURE_AD} connectionString",
        "pubsub.azure.servicebus.queues": f"{_AZURE_AD} connectionString",
        "pubsub.azure.servicebus.topics": f"{_AZURE_AD} connectionString",
        "pubsub.gcp.pubsub": "privateKey privateKeyID",
        "pubsub.kafka": _KAFKA,
        "pubsub.mqtt3": "clientKey url",
        "pubsub.pulsar": "host oauth2ClientSecret token",
        "pubsub.rabbitmq": "clientCert clientKey connectionString password",
        "pubsub.redis": _REDIS,
        "pubsub.solace.amqp": "clientKey password url",
        "secretstores.aws.parameterstore": _AWS,
        "secretstores.aws.secretsmanager": _AWS,
        "secretstores.azure.keyvault": _AZURE_AD,
        "secretstores.gcp.secretmanager": "privateKey privateKeyID",
        "state.aws.dynamodb": _AWS,
        "state.azure.blobstorage": f"accountKey {_AZURE_AD} connectionString",
        "state.azure.cosmosdb": f"{_AZURE_AD} masterKey",
        "state.azure.tablestorage": f"accountKey {_AZURE_AD}",
        "state.cassandra": "password",
        "state.cloudflare.workerskv": "cfAPIToken cfAccountID key",
        "state.cockroachdb": "connectionString",
        "state.mongodb": "password",
        "state.postgresql": f"{_AWS_IAM_DB} {_AZURE_AD} connectionString",
        "state.redis": _REDIS,
        "state.rethinkdb": "authKey clientKey",
        "state.sqlserver": f"{_AZURE_AD} connectionString",
    }.items()
}

# Fields that are sensitive only when they embed credentials (a host or URL may legitimately be plain).
CREDENTIAL_CARRIER_FIELDS: frozenset[str] = frozenset({"host", "url", "connectionstring"})


def sensitive_fields(component_type: str) -> frozenset[str]:
    """Lower-cased sensitive metadata names for a runtime type (empty if the type is not in the catalog)."""
    names = SENSITIVE_FIELDS.get(catalog_type(component_type), frozenset())
    return frozenset(n.lower() for n in names)


# Binding directions daprd registers (RegisterInputBinding / RegisterOutputBinding).
INPUT_ONLY_BINDINGS: frozenset[str] = frozenset(
    "bindings.cron bindings.kubernetes bindings.rethinkdb.statechange bindings.zeebe.jobworker".split()
)
OUTPUT_ONLY_BINDINGS: frozenset[str] = frozenset(
    """
bindings.alicloud.dubbo bindings.alicloud.oss bindings.alicloud.sls bindings.alicloud.tablestore bindings.apns
bindings.aws.dynamodb bindings.aws.s3 bindings.aws.ses bindings.aws.sns bindings.azure.blobstorage bindings.azure.cosmosdb
bindings.azure.cosmosdb.gremlinapi bindings.azure.openai bindings.azure.signalr bindings.cloudflare.queues
bindings.commercetools bindings.dubbo bindings.gcp.bucket bindings.graphql bindings.http bindings.huawei.obs
bindings.influx bindings.localstorage bindings.mysql bindings.postgres bindings.postgresql bindings.postmark
bindings.redis bindings.sftp bindings.smtp bindings.twilio.sendgrid bindings.twilio.sms bindings.wasm
bindings.zeebe.command
""".split()
)
INPUT_OUTPUT_BINDINGS: frozenset[str] = frozenset(
    """
bindings.alicloud.dingtalk.webhook bindings.aws.kinesis bindings.aws.sqs bindings.azure.eventgrid
bindings.azure.eventhubs bindings.azure.servicebus.queues bindings.azure.servicebusqueues bindings.azure.storagequeues
bindings.dingtalk.webhook bindings.gcp.pubsub bindings.kafka bindings.kubemq bindings.mqtt bindings.mqtt3
bindings.rabbitmq bindings.rocketmq
""".split()
)


def binding_directions(component_type: str) -> frozenset[str] | None:
    """Directions a binding type supports, or None if the type is unknown."""
    t = component_type.lower()
    if t in INPUT_ONLY_BINDINGS:
        return frozenset({"input"})
    if t in OUTPUT_ONLY_BINDINGS:
        return frozenset({"output"})
    if t in INPUT_OUTPUT_BINDINGS:
        return frozenset({"input", "output"})
    return None


# State stores implementing both ETag and Transactional, which actors require.
ACTOR_CAPABLE_STATE_STORES: frozenset[str] = frozenset(
    """
state.aws.dynamodb state.azure.cosmosdb state.cockroachdb state.etcd state.in-memory state.mongodb state.mysql
state.oracledatabase state.postgresql state.postgres state.yugabyte state.yugabytedb state.ravendb state.redis
state.sqlite state.sqlite3 state.sqlserver
""".split()
)

# dapr/kit strings.IsTruthy.
TRUTHY_VALUES: frozenset[str] = frozenset({"y", "yes", "true", "t", "on", "1"})
