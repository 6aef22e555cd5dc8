CONST = 1


def f():
    return "old f"


class K:
    def m(self):
        return "old m"
