VALUE = 1


def scaled(x):
    return x * VALUE
