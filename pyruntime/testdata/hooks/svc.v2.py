print("run v2")


def __hotload_teardown__():
    print("teardown v2")
