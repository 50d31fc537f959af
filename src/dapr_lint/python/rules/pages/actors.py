"""The written sections of the actors rules' pages: each spec in python/rules/actors.py names its own,
`prose=pages.DPRxxx`, and scripts/gen_rule_docs.py generates the whole page from the spec."""

from dapr_lint.examples import page


DPR610 = page(
    (
        "What it does",
        """
        Reports an app that hosts actors (a `DaprActor(app)`, an `ActorGrpcHost`, `ActorRuntime` registrations) or builds a
        `WorkflowRuntime`, when one of its local resource sets (a run template's `resourcesPaths`, `--resources-path`, a
        `components/` or `resources/` folder beside or above it) declares components but none of those the app sees (their
        `scopes` applied) is a state store with the metadata `actorStateStore: "true"`.

        Apps with no known resources are not reported: the default `~/.dapr/components` of `dapr init` sets the flag on
        its Redis store. Kubernetes resource sets are not judged (the cluster may hold components the repository does not).
        A flag whose value comes from a template or a secret counts as set.
        """,
    ),
    (
        "Why is this bad?",
        """
        Actors keep their state, reminders and placement in the one state store marked `actorStateStore`; workflows are
        actors inside the sidecar. Without it, actor calls fail with `ERR_ACTOR_RUNTIME_NOT_FOUND` ("actor runtime is not
        configured", "the state store is not configured to use the actor runtime"), and a workflow never starts (`error
        finding address for actor type dapr.internal....workflow`, then `DEADLINE_EXCEEDED`). Apps typically work with the
        CLI's default components and break the day they get their own `components/` folder: the most common actor and
        workflow question in Dapr's issue tracker (dapr/dapr#8166, #8945, #3771; dapr/quickstarts#826).
        """,
    ),
    (
        "References",
        """
        - [State store components: actorStateStore](https://docs.dapr.io/reference/components-reference/supported-state-stores/)
        - [Workflow overview: requirements](https://docs.dapr.io/developing-applications/building-blocks/workflow/workflow-overview/)
        """,
    ),
)


DPR801 = page(
    (
        "What it does",
        """
        Reports a method of an `Actor` subclass, defined with a plain `def`, that the actor runtime awaits:

        - the implementation of a method of one of its `ActorInterface`s (decorated with `@actormethod` or not), also when
          a mixin or base class provides it;
        - the hooks the SDK awaits on every actor: `_on_activate`, `_on_deactivate`, `_on_pre_actor_method`,
          `_on_post_actor_method` and `receive_reminder`.

        Helpers that no interface declares are not reported. An interface in another module is resolved by the project
        stage.
        """,
    ),
    (
        "Why is this bad?",
        """
        The runtime dispatches every call as `await getattr(actor, name)(body)` (`dapr/actor/runtime/method_dispatcher.py`)
        and awaits the hooks (`dapr/actor/runtime/actor.py`). A plain `def` returns a value, not an awaitable, so every call
        fails with `TypeError: object list can't be used in 'await' expression` (for a hook: at every activation), after the
        method's body has already run.
        """,
    ),
    (
        "Fix safety",
        """
        Unsafe: `def` becomes `async def`. Code of the actor that calls the method itself without `await` then receives a
        coroutine; review those calls.
        """,
    ),
    (
        "References",
        """
        - Dapr Python SDK, `dapr/actor/runtime/method_dispatcher.py`, `dapr/actor/runtime/manager.py`
        - [Dapr actors overview](https://docs.dapr.io/developing-applications/building-blocks/actors/actors-overview/)
        """,
    ),
)


DPR802 = page(
    (
        "What it does",
        """
        Reports a method of an `ActorInterface` (a class with `ActorInterface` as a direct base, whose public methods the
        runtime dispatches) with two or more required parameters besides `self`. Parameters with defaults and methods
        taking `*args`/`**kwargs` are not reported.
        """,
    ),
    (
        "Why is this bad?",
        """
        An actor call carries one body. The runtime deserialises it into the method's first argument and calls the method
        with that one argument ("Support only one argument", `dapr/actor/runtime/manager.py`), so a second required
        parameter is never filled: every call fails with `TypeError: ... missing 1 required positional argument`. The
        proxy refuses to send more than one argument (`ValueError: does not support multiple arguments`).

        Pass one object (a dict, or a model serialised to one) holding every value.
        """,
    ),
    (
        "References",
        """
        - Dapr Python SDK, `dapr/actor/runtime/manager.py` (`ActorManager.dispatch`), `dapr/actor/client/proxy.py`
        """,
    ),
)


DPR803 = page(
    (
        "What it does",
        """
        Reports `@actormethod()` with no name, and a bare `@actormethod` (no parentheses) on a method that takes no
        argument besides `self`.
        """,
    ),
    (
        "Why is this bad?",
        """
        `actormethod(name=None)` stores the name on the function as `__actormethod__`, and the runtime keys its dispatch
        table by that attribute when it is present (`dapr/actor/runtime/_type_utils.py`). With `@actormethod()` the
        method is registered under the key `None`: neither a proxy nor an HTTP call can reach it
        (`ActorMethodNotFoundError`, or `AttributeError` on the proxy).

        A bare `@actormethod` passes the function itself as the name and replaces the method by the decorator's inner
        `wrapper(funcobj)`: the runtime then reads one argument from that wrapper and passes the request body to the
        implementation, which fails with `TypeError` when it takes none.
        """,
    ),
    (
        "Fix safety",
        """
        Unsafe: the fix names the method after its Python name, `@actormethod(name="get_items")`. Callers that dispatch by
        another name must use that one.
        """,
    ),
    (
        "References",
        """
        - Dapr Python SDK, `dapr/actor/actor_interface.py`, `dapr/actor/runtime/_type_utils.py`
        """,
    ),
)


DPR804 = page(
    (
        "What it does",
        """
        Reports a class passed to `register_actor` (`ActorRuntime`, a FastAPI or Flask `DaprActor`, an `ActorGrpcHost`)
        that derives from `Actor` but from no `ActorInterface`, when its whole class hierarchy is known. Abstract base
        classes that are never registered are not reported, nor are classes with a base imported from another module.
        """,
    ),
    (
        "Why is this bad?",
        """
        The runtime builds the actor's dispatch table from the classes of its hierarchy that have `ActorInterface` as a
        direct base (`dapr/actor/runtime/_type_utils.py`). With none, `register_actor` raises
        `ValueError: <Class> does not implement ActorInterface` and the app fails at start-up (in a FastAPI startup hook,
        the server never starts serving).
        """,
    ),
    (
        "References",
        """
        - Dapr Python SDK, `dapr/actor/runtime/_type_information.py`, `dapr/actor/runtime/_type_utils.py`
        """,
    ),
)


DPR805 = page(
    (
        "What it does",
        """
        Reports, in an app that hosts actors (a FastAPI or Flask `DaprActor(app)`, an `ActorGrpcHost`, or
        `ActorRuntime.register_actor` calls), a concrete actor class of the app's own folder (it derives from `Actor` and
        implements an `ActorInterface`, and no other class derives from it) that no `register_actor` call of the
        repository registers.

        Registrations are followed through a helper of the same module (`async def register(cls): await
        actor.register_actor(cls)` called with `register(CartActor)`) and across imports. When any registration passes
        something the tool cannot resolve (a loop variable, a list, a helper of another module), the rule says nothing
        about the apps that registration may serve (those whose modules hold it); when the repository registers nothing the
        tool can see, it says nothing at all. A `register_actor(...)` that is not awaited is reported
        by DPR104 (its fix adds the `await`).
        """,
    ),
    (
        "Why is this bad?",
        """
        The sidecar learns which actor types an app hosts from the app's `/dapr/config` answer, which lists the types
        registered with `ActorRuntime` (`dapr/actor/runtime/runtime.py`). An actor class nobody registers is not hosted
        anywhere: every call to it fails with `ERR_ACTOR_INSTANCE_MISSING` / "did not find address for actor", although
        the class is there in the code. The Dapr .NET SDK reports the same (analyzer DAPR1402).
        """,
    ),
    (
        "References",
        """
        - Dapr Python SDK, `dapr/actor/runtime/runtime.py`, `dapr/ext/fastapi/actor.py`
        - [How to: use virtual actors in Dapr](https://docs.dapr.io/developing-applications/building-blocks/actors/howto-actors/)
        """,
    ),
)


DPR806 = page(
    (
        "What it does",
        """
        Reports `x = await self._state_manager.get_state(key)` in a method of an actor when `x` is then tested for `None`
        or falsiness (`if x is None`, `if not x`, `x or default`, `x if x else ...`), unless the call sits in a `try` whose
        handlers catch `KeyError` (or `LookupError`, `Exception`), or the method checks `contains_state` first.
        """,
    ),
    (
        "Why is this bad?",
        """
        `ActorStateManager.get_state` raises `KeyError('Actor State with name ... was not found.')` for a key that was
        never set (`dapr/actor/runtime/state_manager.py`); it never returns `None` for it. The `None` branch meant to
        initialise the state never runs, and the first call on a fresh actor fails.

        `try_get_state` returns `(found, value)` with `value` `None` for a missing key; `get_or_add_state(key, default)`
        returns the default and stores it.
        """,
    ),
    (
        "Fix safety",
        """
        Unsafe: `x = await self._state_manager.get_state(k)` becomes `_, x = await self._state_manager.try_get_state(k)`,
        so the `None` branch runs for a missing key. A state whose stored value is JSON `null` is then treated like a
        missing one.
        """,
    ),
    (
        "References",
        """
        - Dapr Python SDK, `dapr/actor/runtime/state_manager.py`
        - [Actor state management](https://docs.dapr.io/developing-applications/building-blocks/actors/howto-actors/)
        """,
    ),
)


DPR807 = page(
    (
        "What it does",
        """
        Reports, in an actor class:

        - a concrete actor (one no other class of the module derives from) that registers reminders and receives them
          (`receive_reminder`, or `Remindable` in its hierarchy) while `Remindable` is not one of its *direct* bases;
        - `self.register_reminder(name, state, ...)` whose `state` is known not to be `bytes` (a str, a dict, a list,
          `None`);
        - `self.register_reminder(...)` without `period` when every SDK release the project pins is older than 1.16
          (`period` became optional in 1.16.0; before, it is a required parameter and the call raises `TypeError`).
        """,
    ),
    (
        "Why is this bad?",
        """
        The runtime delivers a reminder only when `Remindable in ActorClass.__bases__`
        (`ActorTypeInformation.is_remindable`, `dapr/actor/runtime/_type_information.py`): with `Remindable` inherited
        through a base class every firing fails with `ValueError: <Actor> does not implment Remindable.`, and the reminder
        is retried and fails again. A reminder's state must be bytes: `register_reminder` raises
        `ValueError: only bytes are allowed for state` before anything is registered.
        """,
    ),
    (
        "References",
        """
        - Dapr Python SDK, `dapr/actor/runtime/_type_information.py`, `dapr/actor/runtime/_reminder_data.py`
        - [Actor timers and reminders](https://docs.dapr.io/developing-applications/building-blocks/actors/actors-timers-reminders/)
        """,
    ),
)


DPR808 = page(
    (
        "What it does",
        """
        Reports `self.register_timer(name, callback, ...)` in an actor when the callback is not an `async` method of the
        actor: a lambda, a module or nested function, another object's method, or a plain `def` method of the actor.
        A callback the tool cannot resolve (a method an imported base class may define) is not reported.
        """,
    ),
    (
        "Why is this bad?",
        """
        The SDK stores only `callback.__name__` with the timer (`dapr/actor/runtime/_timer_data.py`) and, when the timer
        fires, calls `await getattr(actor, name)(state)` (`Actor._fire_timer_internal`). A lambda is looked up as
        `<lambda>`, a function of another object or module by a name the actor lacks (`AttributeError`), and a plain `def`
        returns something that cannot be awaited (`TypeError`): the timer fails every time it fires, long after
        `register_timer` succeeded. The Dapr .NET SDK checks the same contract (analyzer DAPR1401).
        """,
    ),
    (
        "References",
        """
        - Dapr Python SDK, `dapr/actor/runtime/_timer_data.py`, `dapr/actor/runtime/actor.py`
        - [Actor timers and reminders](https://docs.dapr.io/developing-applications/building-blocks/actors/actors-timers-reminders/)
        """,
    ),
)


DPR809 = page(
    (
        "What it does",
        """
        On a proxy made by `ActorProxy.create(actor_type, actor_id, Interface)` whose interface resolves, reports:

        - a call by the Python name of a method whose `@actormethod(name=...)` is another name (`proxy.add_item(...)` for
          `name="AddItem"`);
        - keyword arguments (`proxy.AddItem(item=...)`);
        - more than one positional argument;
        - `proxy.invoke_method(name, body)` with a body known not to be bytes (a dict, a str);

        and `ActorId(<value>)` with a value known not to be a str (`ActorId(42)`). Proxies whose interface cannot be
        resolved are not reported.
        """,
    ),
    (
        "Why is this bad?",
        """
        The proxy resolves `proxy.<name>` against the dispatch names of the interface it was given
        (`dapr/actor/client/proxy.py`): the Python name of a renamed method raises
        `AttributeError: CartInterface has no attribute add_item`. Its call takes `*args, **kwargs` but sends only the first
        positional argument: keywords are dropped silently and the actor receives an empty body (dapr/python-sdk#815); two
        or more positional arguments raise `ValueError: does not support multiple arguments`. `invoke_method` sends raw
        bytes and raises `ValueError` for anything else, and `ActorId` raises `TypeError` for an id that is not a str.
        """,
    ),
    (
        "Fix safety",
        """
        Safe for the call by the Python name: it is renamed to the actor-method name, the only name the proxy accepts.
        """,
    ),
    (
        "References",
        """
        - Dapr Python SDK, `dapr/actor/client/proxy.py`, `dapr/actor/id.py`
        - [dapr/python-sdk#815](https://github.com/dapr/python-sdk/issues/815)
        """,
    ),
)


DPR810 = page(
    (
        "What it does",
        """
        Reports, in an actor registered in the same module without a `message_serializer` of its own, a method the runtime
        dispatches that:

        - returns an instance of a dataclass or pydantic model of the module (`return Cart(...)`);
        - reads attributes of its argument when that argument is annotated with such a class (`item.sku` for
          `item: Item`).

        Values converted first (`.model_dump()`, `asdict(...)`, `Model.model_validate(item)`) are not reported. Actors
        registered in another module are not judged.
        """,
    ),
    (
        "Why is this bad?",
        """
        Actor arguments, return values and state go through the SDK's `DefaultJSONSerializer`, which encodes only what
        `json` does (plus datetimes, timedeltas and bytes) and decodes to plain JSON values, whatever the annotation says
        (`dapr/serializers/json.py`). Returning a model fails after the method ran with `TypeError: Object of type Cart is
        not JSON serializable`; an argument annotated with a model arrives as a `dict`, and `item.sku` raises
        `AttributeError: 'dict' object has no attribute 'sku'` (dapr/python-sdk#795).
        """,
    ),
    (
        "References",
        """
        - Dapr Python SDK, `dapr/serializers/json.py`, `dapr/actor/runtime/manager.py`
        - [dapr/python-sdk#795](https://github.com/dapr/python-sdk/issues/795)
        """,
    ),
)
