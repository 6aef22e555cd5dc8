"""Every kind of function the in-place update handles (version 1)."""
import functools


def f(x):
    return x + 1


def with_defaults(x, y=1, *, z=10):
    return x + y + z


def logged(fn):
    @functools.wraps(fn)
    def wrapper(*args):
        return fn(*args)
    return wrapper


@logged
def decorated(x):
    return x * 2


def make_scaler(k):
    def scale(x):
        return x * k
    return scale


scale = make_scaler(3)


def make_adder(n):
    def add(x):
        return x + n
    return add


add = make_adder(10)


@functools.lru_cache(maxsize=None)
def cached(x):
    return x + 100


class Greeter:
    def __init__(self, name):
        self.name = name

    def greet(self):
        return "hello " + self.name

    @staticmethod
    def version():
        return 1

    @classmethod
    def kind(cls):
        return cls.__name__ + " v1"

    @property
    def shout(self):
        return self.name.upper()
