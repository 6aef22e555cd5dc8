"""What re-running modules costs without hotload, for hotload-bench's scale
figure: each module's body compiled from its source and executed in the
module's own namespace, in the given order, in this one process. Starting
the interpreter and the first imports are not counted.

usage: python baseline.py ROOT PRELOAD MODULES REPEATS
  ROOT      the folder to import the modules from
  PRELOAD   comma-separated modules to import first, as the runtime has them
  MODULES   comma-separated modules, in the order to run them
Prints a JSON list with the seconds each repetition took.
"""

import importlib
import json
import sys
import time

root, preload, names, repeats = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
sys.path.insert(0, root)
for name in filter(None, preload.split(",")):
    importlib.import_module(name)
modules = [importlib.import_module(name) for name in names.split(",")]
bodies = []
for module in modules:
    with open(module.__file__, "rb") as f:
        bodies.append((module.__dict__, f.read(), module.__file__))

seconds = []
for _ in range(repeats):
    began = time.perf_counter()
    for namespace, source, path in bodies:
        exec(compile(source, path, "exec"), namespace)
    seconds.append(time.perf_counter() - began)
print(json.dumps(seconds))
