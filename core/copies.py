"""How many private model copies may a server hold, and whose goes when there are too many?

A session that changes a model (switches heads off, randomises layers) does it on its own deep copy, never on the
shared cached model: ~87 MB for MiniLM, ~440 MB for BERT-base. Thirty students opening the Ablation tab would hold
thirty copies. `CopyPool` keeps at most `limit` copies server-wide; asking for one more drops the copy used least
recently, and its owner gets a fresh one (rebuilt in a fraction of a second) the next time it asks. Copies of a
session that ended are dropped at once (`release_owner`).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

DEFAULT_LIMIT = 4


def default_limit() -> int:
    """`NNX_MODEL_COPIES`, or 4."""
    try:
        return max(1, int(os.environ["NNX_MODEL_COPIES"]))
    except (KeyError, ValueError):
        return DEFAULT_LIMIT


class CopyPool:
    """Private copies keyed by (owner, name), at most `limit` of them, least recently used dropped first."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = limit or default_limit()
        self._copies: OrderedDict[tuple[Hashable, Hashable], Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, owner: Hashable, name: Hashable, make: Callable[[], Any]) -> tuple[Any, bool]:
        """(the owner's copy called `name`, True when it was just made). `make()` runs outside the pool's lock, so
        one session's deep copy never holds up another's."""
        key = (owner, name)
        with self._lock:
            if key in self._copies:
                self._copies.move_to_end(key)
                return self._copies[key], False
        made = make()
        with self._lock:
            self._copies[key] = made
            self._copies.move_to_end(key)
            while len(self._copies) > self.limit:
                self._copies.popitem(last=False)
        return made, True

    def release_owner(self, owner: Hashable) -> int:
        """Drop every copy of `owner`; returns how many."""
        with self._lock:
            keys = [k for k in self._copies if k[0] == owner]
            for key in keys:
                del self._copies[key]
        return len(keys)

    def __len__(self) -> int:
        with self._lock:
            return len(self._copies)


_default = CopyPool()


def default_copies() -> CopyPool:
    """The process's one pool (NNX_MODEL_COPIES is read at import)."""
    return _default
