print("run v1")


def __hotload_teardown__():
    print("teardown v1")
