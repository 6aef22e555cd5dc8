VALUE = 2


def scaled(x):
    return x * VALUE + 1
