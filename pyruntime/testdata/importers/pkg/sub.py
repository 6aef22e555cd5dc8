from .core import X

Y = X + 1
