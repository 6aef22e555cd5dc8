# Run me with `hotload run examples/hello/lib.py`, then edit this file and
# save it: hotload reruns the module in the same warm Python at once, and
# prints what it printed plus the value of its last line.

from mymath import square

print(square(5))

# Module globals survive reruns, so state can be kept across saves: the first
# run has no `calls` yet, later runs find the one left by the previous run.
try:
    calls
except NameError:
    calls = 0
calls += 1

f"run {calls}"
