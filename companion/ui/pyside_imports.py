"""Make PySide's after-import hook cheap: it reads every imported module's source.

Once PySide6 is loaded it runs a check after each first import of a module, for
its `__feature__` switches (snake_case, true_property): `inspect.getsource` on
the module, to look for the word "PySide6". That reads and decodes the whole
file and keeps it in `linecache`: about 0.3 ms a module, 25–55 ms of the ~140
modules the records load after the first paint on the 2-core bench machine,
and 10–15 ms before it. The app selects no `__feature__`, so the answer only
decides whether a module is switched along with others that did; it is given
here from what the module holds (a PySide6 class or module among its globals),
which costs microseconds and says the same for every module we load.
"""

from __future__ import annotations

from types import ModuleType


def uses_pyside(module: ModuleType) -> bool:
    """Whether the module holds anything of PySide6 (its classes, its modules)."""
    for value in vars(module).values():
        name = getattr(value, "__module__", None)
        if not isinstance(name, str):
            name = getattr(value, "__name__", None)
        if isinstance(name, str) and name.startswith("PySide6"):
            return True
    return False


def skip_source_scan() -> bool:
    """Answer PySide's after-import check without reading the source.

    Returns False, changing nothing, when this PySide has no such check (the
    hook is private to PySide: a version without it simply keeps its own).
    """
    try:
        from PySide6.support import feature
    except ImportError:
        return False
    if not callable(getattr(feature, "_mod_uses_pyside", None)):
        return False
    feature._mod_uses_pyside = uses_pyside
    return True
