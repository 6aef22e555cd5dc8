"""An importer that re-runs because a module it uses changed makes its
module-level objects anew: a Warning says when the old one held state
the new one lacks."""

import pytest

STACK = "class Stack:\n    def __init__(self):\n        self.items = []\n        self.limit = %d\n\n    def peek(self):\n        return %s\n"


def lost_notes(reply):
    return [n for n in reply.get("notes", ()) if "held state the new one lacks" in n["text"]]


@pytest.mark.parametrize("app, act, edit, want", [
    # the program filled it; a method edited: the importer re-ran, s is new
    ("import M_stack\n\ns = M_stack.Stack()\n", "s.items.append(1)", STACK % (5, "self.items[-1] if self.items else None"), ["items"]),
    # nothing done to it since: nothing lost
    ("import M_stack\n\ns = M_stack.Stack()\n", None, STACK % (5, "self.items[-1] if self.items else None"), []),
    # __init__ edited: the new values are the new code's
    ("import M_stack\n\ns = M_stack.Stack()\n", "s.items.append(1)", STACK % (9, "self.items[-1]"), []),
    # taken from the saved module: its own object, made by its new code
    ("from M_stack import shared\n\nuse = shared.peek\n", "shared.items.append(1)",
     STACK % (5, "self.items[-1] if self.items else None") + "\n\nshared = Stack()\n", []),
])
def test_lost_state_is_noted(project, app, act, edit, want):
    project.save("stack", STACK % (5, "self.items[-1]") + ("\n\nshared = Stack()\n" if "shared" in app else ""))
    project.save("app", app)
    if act:
        exec(act, project.module("app").__dict__)
    reply = project.save("stack", edit)
    notes = lost_notes(reply)
    assert [w for w in want if any("(%s)" % w in n["text"] for n in notes)] == want and len(notes) == len(want)
    if want:
        assert notes[0]["line"] == 3


def test_the_saved_modules_own_objects_are_not_noted(project):
    project.save("stack", STACK % (5, "self.items[-1]") + "\n\ns = Stack()\n")
    project.module("stack").s.items.append(1)
    reply = project.save("stack", STACK % (5, "None") + "\n\ns = Stack()\n")
    assert lost_notes(reply) == []


def test_a_librarys_object_is_not_judged(project):
    # An object of a library class keeps bookkeeping of its own (here a
    # Counter's counts stand in for a Flask app's _got_first_request).
    project.save("stack", STACK % (5, "self.items[-1]"))
    project.save("app", "import argparse\nimport M_stack\n\nns = argparse.Namespace(seen=0)\nuse = M_stack.Stack()\n")
    project.module("app").ns.seen = 3
    reply = project.save("stack", STACK % (5, "None"))
    assert [n for n in lost_notes(reply) if ".ns" in n["text"]] == []


@pytest.mark.parametrize("edit", [
    # the values differ because the class's code changed: a fresh run's
    STACK.replace("self.limit = %d", "self.limit = %d * 2") % (5, "self.items[-1]"),
    STACK.replace("def peek(self):", "def fit(self):\n        self.limit = 7\n        return self\n\n    def peek(self):") % (5, "self.items[-1]"),
])
def test_values_the_new_code_gives_are_not_lost_state(project, edit):
    project.save("stack", STACK % (5, "self.items[-1]"))
    project.save("app", "import M_stack\n\ns = M_stack.Stack()\n")
    project.module("app").s.limit = 99  # set by the program, or by the old code: not told apart
    reply = project.save("stack", edit)
    assert lost_notes(reply) == []
