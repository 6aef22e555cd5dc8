# Five million small objects the garbage collector tracks: a full collection
# visits every one.
objects = [[] for _ in range(5_000_000)]
