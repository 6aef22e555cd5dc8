"""Holds references to mymath's objects the way other code does."""
import mymath
from mymath import Greeter, add, cached, decorated, f, scale, with_defaults

callbacks = {"f": f}
greeter = Greeter("ann")
bound = greeter.greet
version = Greeter.version
kind = Greeter.kind
