"""A small module; the benchmark edits one function, switching versions."""


def area(w, h):
    return w * h


def perimeter(w, h):
    return 2 * (w + h)


class Shape:
    def __init__(self, w, h):
        self.w, self.h = w, h

    def area(self):
        return area(self.w, self.h)


unit = Shape(1, 1)
