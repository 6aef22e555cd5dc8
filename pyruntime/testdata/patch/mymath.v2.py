"""Every kind of function the in-place update handles (version 2)."""
import functools


def f(x):
    return x + 2


def with_defaults(x, y=2, *, z=20):
    return x + y + z


def logged(fn):
    @functools.wraps(fn)
    def wrapper(*args):
        return fn(*args)
    return wrapper


@logged
def decorated(x):
    return x * 3


def make_scaler(k):
    def scale(x):
        return x * k * 10  # same free variable k: patched, and k is now 4
    return scale


scale = make_scaler(4)


def make_adder(n, m=5):
    def add(x):
        return x + n + m  # a new free variable m: cannot be patched
    return add


add = make_adder(10)


@functools.lru_cache(maxsize=None)
def cached(x):
    return x + 200  # a C wrapper: cannot be patched


class Greeter:
    def __init__(self, name):
        self.name = name

    def greet(self):
        return "hi " + self.name

    @staticmethod
    def version():
        return 2

    @classmethod
    def kind(cls):
        return cls.__name__ + " v2"

    @property
    def shout(self):
        return self.name.lower() + "!"
