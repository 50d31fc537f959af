"""The breadth-first order in which the model and the first pass visit a class's local hierarchy."""

from __future__ import annotations

from collections import deque
from typing import Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")


def breadth_first(start: T, successors: Callable[[T], Iterable[T]]) -> Iterator[T]:
    """`start`, then what `successors` gives for each item, level by level, each object once (by identity).
    Successors are asked for only once their item has been yielded, so a caller that stops early asks no more."""
    seen: set[int] = set()
    queue: deque[T] = deque([start])
    while queue:
        current = queue.popleft()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        queue.extend(successors(current))
