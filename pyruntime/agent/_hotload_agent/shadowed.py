"""Project files named like a module of the standard library that
hotload's agent imported for itself: `token.py`, `queue.py`, `logging.py`.

`python app.py` puts app.py's folder first on sys.path, so `import token`
there imports the project's token.py, unless Python's startup loaded
`token` already. The agent imports token (through inspect), queue,
logging, json and a few others before the workspace's folders are on
sys.path, and Python gives every later `import token` the module it has
loaded: the standard library's, where a fresh run of the program gets the
project's file. At setup, the agent's own modules that a project file
shadows leave sys.modules, so the program's imports find its files, as
in a fresh run. The agent keeps the modules it imported (it holds them);
a library imported later gets the project's file, as in a fresh run.
"""

import os
import sys


def release_shadowed(loaded_before, roots, provided):
    """Takes out of sys.modules, with their submodules, the modules named
    in provided (the top-level names the folders roots provide) that are
    loaded from elsewhere and were not loaded before the agent's own
    imports (loaded_before: Python's startup's, which a fresh run has
    too). Returns the names taken out."""
    folders = [os.path.join(os.path.abspath(r), "") for r in roots]
    released = []
    for name in sorted(provided):
        module = sys.modules.get(name)
        if module is None or name in loaded_before or within(module, folders):
            continue
        for key in [name] + [k for k in sys.modules if k.startswith(name + ".")]:
            del sys.modules[key]
        released.append(name)
    return released


def within(module, folders):
    """Reports whether module's file is in one of folders (each ending in
    a separator): the project's own module, loaded already."""
    file = getattr(module, "__file__", None)
    return isinstance(file, str) and os.path.abspath(file).startswith(tuple(folders))
