# Five million small objects, alive as long as the runtime: object() instances
# are not tracked by the garbage collector, the list holding them is.
objects = [object() for _ in range(5_000_000)]
