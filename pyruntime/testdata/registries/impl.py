from base import Plugin, add


class CSV(Plugin):
    def name(self):
        return "csv v1"


@add
def task():
    return "task v1"
