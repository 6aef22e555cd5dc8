from base import Plugin, add


class CSV(Plugin):
    def name(self):
        return "csv broken"


class JSON(Plugin):
    pass


@add
def task():
    return "task broken"


@add
def extra():
    return "extra"


raise RuntimeError("broken")
