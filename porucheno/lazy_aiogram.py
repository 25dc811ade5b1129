"""aiogram's Telegram types built on first use instead of all of them at import.

aiogram 3 resolves its types' forward references at import by calling ``model_rebuild`` on each of
its ~300 types (the loop at the end of ``aiogram/types/__init__.py``), and pydantic then builds every
type's validator and serializer, each with the whole graph of types it nests: about 110 MB and two
seconds per process (aiogram 3.31, pydantic 2.13), of which a bot uses a few dozen types.

:func:`install`, called by the entry point before anything imports aiogram, makes that loop only
remember the namespace it passes. The types are already "deferred" (aiogram sets ``defer_build``),
so pydantic builds a type when it is first validated or dumped: its placeholder validator calls
``model_rebuild()`` then, and gets the remembered namespace. aiogram's methods (``SendMessage``…)
and ``Response[...]`` find their types the same way. The bot builds what it uses before it serves
(bot/warm_types.py), so no update waits for a build.

Nothing else of aiogram changes, and without :func:`install` (or with an aiogram that no longer has
that loop) everything is built at import as before.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

# Module → the classes whose model_rebuild learns to use the remembered namespace.
_PATCHED = {
    "aiogram.types.base": ("TelegramObject",),
    "aiogram.methods.base": ("TelegramMethod", "Response"),
}
_SCOPE = "aiogram.types"  # while this package's __init__ runs, namespaces are remembered, not built


class _Finder(importlib.abc.MetaPathFinder):
    """Wraps the loading of the three aiogram modules above; finds nothing itself."""

    def __init__(self) -> None:
        from pydantic import BaseModel

        self.original = BaseModel.model_rebuild.__func__  # type: ignore[attr-defined]
        self.importing = False
        # The one namespace aiogram's loop passes to every type; methods and generics need it too.
        self.namespace: dict[str, Any] | None = None

    def rebuild(
        self,
        cls: Any,
        *,
        force: bool = False,
        raise_errors: bool = True,
        _parent_namespace_depth: int = 2,
        _types_namespace: dict[str, Any] | None = None,
    ) -> bool | None:
        """``model_rebuild`` of aiogram's models: remembers during the import, builds afterwards."""
        if self.importing and _types_namespace is not None and not force:
            self.namespace = _types_namespace
            return None
        return self.original(  # type: ignore[no-any-return]
            cls,
            force=force,
            raise_errors=raise_errors,
            _parent_namespace_depth=_parent_namespace_depth + 1,  # one frame more: this method
            _types_namespace=self.namespace if _types_namespace is None else _types_namespace,
        )

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != _SCOPE and fullname not in _PATCHED:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        load = spec.loader.exec_module

        def exec_module(module: ModuleType) -> None:
            if fullname == _SCOPE:
                self.importing = True
                try:
                    load(module)
                finally:
                    self.importing = False
                return
            load(module)
            for name in _PATCHED[fullname]:
                getattr(module, name).model_rebuild = classmethod(self.rebuild)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def install() -> bool:
    """Defer aiogram's types in this process; False when aiogram is already imported (too late)."""
    if any(isinstance(finder, _Finder) for finder in sys.meta_path):
        return True
    if "aiogram" in sys.modules:
        return False
    sys.meta_path.insert(0, _Finder())
    return True
