"""Helpers for lib.py."""


def square(x):
    return x * x
