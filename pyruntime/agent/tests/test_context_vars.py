"""A module-level ContextVar a re-run makes again, alike, is the old one
still, so what was set in it stays; one with another default is new, and a
note says so."""

import contextvars

from _hotload_agent.update import MISSING


def test_a_context_var_made_alike_keeps_what_was_set(project):
    source = """
        import contextvars

        user = contextvars.ContextVar("user", default="anonymous")


        def current_user():
            return %s
    """
    project.save("ctx", source % "user.get()")
    var = project.module("ctx").user
    token = var.set("ann")
    try:
        reply = project.save("ctx", source % '"user:" + user.get()')
        assert project.module("ctx").user is var
        assert project.module("ctx").current_user() == "user:ann"
        assert "ContextVar" not in str(reply)
    finally:
        var.reset(token)


def test_a_context_var_with_another_default_is_new_and_noted(project):
    source = """
        import contextvars

        user = contextvars.ContextVar("user", default=%r)
    """
    project.save("ctx", source % "anonymous")
    var = project.module("ctx").user
    token = var.set("ann")
    try:
        reply = project.save("ctx", source % "guest")
    finally:
        var.reset(token)
    assert project.module("ctx").user is not var
    assert project.module("ctx").user.get() == "guest"
    assert "is a new ContextVar" in str(reply)


def test_a_context_var_with_another_default_and_no_value_set_is_quiet(project):
    source = """
        import contextvars

        user = contextvars.ContextVar("user", default=%r)
    """
    project.save("ctx", source % "anonymous")
    reply = project.save("ctx", source % "guest")
    assert project.module("ctx").user.get() == "guest"
    assert "ContextVar" not in str(reply)


def test_default_of():
    from _hotload_agent.rules import default_of
    assert default_of(contextvars.ContextVar("a")) is MISSING
    assert default_of(contextvars.ContextVar("b", default=None)) is None
