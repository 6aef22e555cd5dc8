# hotload's agent, bundled: SOURCES (above, written by the server) holds the
# files of the _hotload_agent package; this loader serves them to `import`
# from memory, so nothing is installed next to the interpreter.
#
# Run by the server's bootstrap (__name__ == "__hotload_agent__"), it takes
# over the process as a runtime. Saved as a file (`hotload agent >
# hotload_agent.py`) and imported by an app, it only defines serve() and
# serve_in_thread(), which let hotload attach to that app.

import importlib.machinery
import sys


class _AgentLoader:
    """Finds and loads the modules of _hotload_agent from SOURCES."""

    prefix = "<hotload-agent>/"

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        base = name.replace(".", "/")
        for file, package in ((base + "/__init__.py", True), (base + ".py", False)):
            if file in SOURCES:  # noqa: F821 (written above this file by the server)
                spec = importlib.machinery.ModuleSpec(name, cls, origin=cls.prefix + file, is_package=package)
                spec.has_location = True  # __file__ is the origin, for tracebacks
                return spec
        return None

    @staticmethod
    def create_module(spec):
        return None  # the default module

    @classmethod
    def exec_module(cls, module):
        file = module.__spec__.origin[len(cls.prefix):]
        exec(compile(SOURCES[file], module.__spec__.origin, "exec", dont_inherit=True), module.__dict__)  # noqa: F821

    @classmethod
    def get_source(cls, name):
        base = name.replace(".", "/")
        return SOURCES.get(base + "/__init__.py", SOURCES.get(base + ".py"))  # noqa: F821


if _AgentLoader not in sys.meta_path and "_hotload_agent" not in sys.modules:
    sys.meta_path.insert(0, _AgentLoader)

if __name__ == "__hotload_agent__":
    _loaded_before = frozenset(sys.modules)  # Python's startup's, before the agent imports its own
    from _hotload_agent.main import main

    main(_loaded_before)
else:
    from _hotload_agent.attach import serve, serve_in_thread

    __all__ = ["serve", "serve_in_thread"]  # hotload_agent.py's API
