from base import Plugin, add


class CSV(Plugin):
    def name(self):
        return "csv v2"


@add
def task():
    return "task v2"
