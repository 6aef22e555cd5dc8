"""Functions for the afterReload setting."""
calls = 0


def after():
    global calls
    calls += 1
    print("after reload", calls)


def broken():
    raise RuntimeError("hook failed")
