print("run failing")


def __hotload_teardown__():
    raise RuntimeError("teardown failed")
