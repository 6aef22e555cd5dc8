"""Code compiled from the editor's text before it is saved.

While the user types, the server sends the text of the open module
(debounced): parsing and compiling it then, not after the save, takes the
largest part of a save's work out of the time between pressing save and
seeing the result. A 2,000-line module takes tens of milliseconds to
parse and compile.

A save uses what was prepared only when the file it reads holds exactly
the bytes that were compiled, under the same module name and path and for
the same kind of run; anything else (a formatter that changed the text
on save, an edit made since, a file written by another program) is
compiled from the file as if nothing had been prepared. Compiling has no
effect on the running program, so code compiled earlier from the same
bytes is the code the save would compile, with one exception the
preparation checks for: a warning Python gives while compiling (a
SyntaxWarning for an invalid escape) belongs to the save's result, so
text that warns is not kept.
"""

# How many files' prepared code is kept: those the user edited last. A
# save takes its file's entry, so entries only pile up for files edited and
# not saved; 8 is more than a user has unsaved at once.
KEPT = 8


class Prepared:
    """Code compiled ahead of saves, by file: the source bytes it was
    compiled from, the module's name, whether it was compiled to re-run
    (bind), and read_file's (shape, body, last) for it."""

    def __init__(self):
        self._by_path = {}  # path -> (name, bind, source, compiled), oldest first
        self.hits = 0  # how many takes found code to use

    def put(self, name, path, bind, source, compiled):
        self._by_path.pop(path, None)
        self._by_path[path] = (name, bind, source, compiled)
        while len(self._by_path) > KEPT:
            del self._by_path[next(iter(self._by_path))]

    def take(self, name, path, bind, source):
        """The (shape, body, last) compiled from exactly source for module
        name at path, or None. The entry for path goes either way: a file
        saved with other bytes makes it stale."""
        entry = self._by_path.pop(path, None)
        if entry is None:
            return None
        kept_name, kept_bind, kept_source, compiled = entry
        if kept_name != name or kept_bind != bind or kept_source != source:
            return None
        self.hits += 1
        return compiled

    def has(self, name, path):
        """Whether code for module name at path is kept, without taking it."""
        entry = self._by_path.get(path)
        return entry is not None and entry[0] == name

    def __len__(self):
        return len(self._by_path)
