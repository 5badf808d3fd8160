"""The latest values by key, the least recently used dropped first (no Rasa imports).

For results kept between messages whose computation is not a plain function call that
``functools.lru_cache`` could wrap: a parse made in another process (``patches/nlu_parse.py``), a rule
look-up whose input is unhashable (``policies/fast_rules.py``).
"""

from __future__ import annotations

import collections
from typing import Generic, Hashable, Optional, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRU(Generic[K, V]):
    """At most ``size`` values; ``get`` marks a value as used, ``put`` drops the oldest beyond ``size``."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: collections.OrderedDict[K, V] = collections.OrderedDict()

    def get(self, key: K) -> Optional[V]:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)
