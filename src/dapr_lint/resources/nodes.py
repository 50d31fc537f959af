"""Read-only helpers over PyYAML nodes: scalar types as Dapr's decoders see them, and mapping views."""

from __future__ import annotations

from typing import Iterator, Optional

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_TAG_PREFIX = "tag:yaml.org,2002:"


def is_mapping(node: Optional[Node]) -> bool:
    return isinstance(node, MappingNode)


def is_sequence(node: Optional[Node]) -> bool:
    return isinstance(node, SequenceNode)


def is_scalar(node: Optional[Node]) -> bool:
    return isinstance(node, ScalarNode)


def scalar_type(node: Node) -> str:
    """`str`, `int`, `float`, `bool`, `null` (YAML 1.1 resolution, as go-yaml v2 does) or `other`."""
    if not isinstance(node, ScalarNode):
        return "mapping" if isinstance(node, MappingNode) else "sequence"
    tag = node.tag
    if tag.startswith(_TAG_PREFIX):
        short = tag[len(_TAG_PREFIX):]
        if short in ("str", "int", "float", "bool", "null"):
            return short
    return "other"


def is_null(node: Optional[Node]) -> bool:
    return node is None or (isinstance(node, ScalarNode) and scalar_type(node) == "null")


def text(node: Optional[Node]) -> Optional[str]:
    """The scalar's source text, or None for a collection, a missing node or null."""
    if isinstance(node, ScalarNode) and scalar_type(node) != "null":
        return node.value
    return None


def string_value(node: Optional[Node]) -> Optional[str]:
    """The scalar's text only if YAML resolves it to a string."""
    if isinstance(node, ScalarNode) and scalar_type(node) == "str":
        return node.value
    return None


def int_value(node: Optional[Node]) -> Optional[int]:
    if isinstance(node, ScalarNode) and scalar_type(node) == "int":
        try:
            return int(node.value.replace("_", ""), 0)
        except ValueError:
            return None
    return None


def describe_type(node: Node) -> str:
    return {
        "str": "a string",
        "int": "a number",
        "float": "a number",
        "bool": "a boolean",
        "null": "null",
        "mapping": "a mapping",
        "sequence": "a list",
    }.get(scalar_type(node), "a tagged value")


class MappingView:
    """The string-keyed pairs of a mapping node, with YAML merge keys (`<<`) resolved; later keys win."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self.pairs: list[tuple[str, Node, Node]] = []
        if not isinstance(node, MappingNode):
            return
        merged: list[tuple[str, Node, Node]] = []
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                continue
            if key_node.tag == _TAG_PREFIX + "merge" or (key_node.value == "<<" and key_node.style is None):
                sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
                for source in sources:
                    if isinstance(source, MappingNode):
                        merged.extend(MappingView(source).pairs)
                continue
            self.pairs.append((key_node.value, key_node, value_node))
        own = {name for name, _, _ in self.pairs}
        self.pairs = [p for p in merged if p[0] not in own] + self.pairs
        self._by_name = {name: (key, value) for name, key, value in self.pairs}

    def __bool__(self) -> bool:
        return isinstance(self.node, MappingNode)

    def __iter__(self) -> Iterator[tuple[str, Node, Node]]:
        return iter(self.pairs)

    def __contains__(self, name: str) -> bool:
        return bool(self) and name in self._by_name

    def get(self, name: str) -> Optional[Node]:
        if not self:
            return None
        found = self._by_name.get(name)
        return found[1] if found else None

    def key(self, name: str) -> Optional[Node]:
        if not self:
            return None
        found = self._by_name.get(name)
        return found[0] if found else None

    def get_nocase(self, name: str) -> Optional[Node]:
        """The value of `name` matched case-insensitively, as encoding/json does (exact match first)."""
        if name in self:
            return self.get(name)
        lowered = name.lower()
        for key, _, value in self.pairs:
            if key.lower() == lowered:
                return value
        return None

    def key_nocase(self, name: str) -> Optional[Node]:
        if name in self:
            return self.key(name)
        lowered = name.lower()
        for key, key_node, _ in self.pairs:
            if key.lower() == lowered:
                return key_node
        return None

    def view(self, name: str, nocase: bool = False) -> "MappingView":
        value = self.get_nocase(name) if nocase else self.get(name)
        return MappingView(value) if value is not None else MappingView(None)  # type: ignore[arg-type]


def sequence_items(node: Optional[Node]) -> list[Node]:
    return list(node.value) if isinstance(node, SequenceNode) else []


def walk_scalars(node: Optional[Node]) -> Iterator[ScalarNode]:
    """Every scalar value (not mapping keys) under `node`, each node once (aliases are not re-expanded)."""
    seen: set[int] = set()
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ScalarNode):
            yield current
        elif isinstance(current, SequenceNode):
            stack.extend(reversed(current.value))
        elif isinstance(current, MappingNode):
            stack.extend(value for _, value in reversed(current.value))


def walk_fields(node: Optional[Node]) -> Iterator[tuple[ScalarNode, Optional[str]]]:
    """Every scalar value under `node` (as walk_scalars) with the field it fills, when it is the `value` of a
    Dapr name/value item (`- name: clientSecret` / `value: ...`): that item's `name`; None for any other scalar
    (a `secretKeyRef`'s `key: key` names a secret's key, it fills no field)."""
    seen: set[int] = set()
    stack: list[tuple[Node, Optional[str]]] = [(node, None)] if node is not None else []
    while stack:
        current, field = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ScalarNode):
            yield current, field
        elif isinstance(current, SequenceNode):
            stack.extend((item, None) for item in reversed(current.value))
        elif isinstance(current, MappingNode):
            keys = {text(key): value for key, value in current.value if isinstance(key, ScalarNode)}
            item_name = text(keys["name"]) if "value" in keys and isinstance(keys.get("name"), ScalarNode) else None
            for key, value in reversed(current.value):
                is_value = isinstance(key, ScalarNode) and text(key) == "value"
                stack.append((value, item_name if is_value else None))
