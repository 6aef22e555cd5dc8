CONST = 2


def f():
    return "new f"


class K:
    def m(self):
        return "new m"

    def extra(self):
        return "extra"
