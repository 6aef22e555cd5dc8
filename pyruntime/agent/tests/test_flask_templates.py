"""The Flask adapter with Flask itself: a template file changed while a
live app (or a test client of one) keeps Jinja's compiled template.
Skips without Flask."""

import pytest

from _hotload_agent import ops

pytest.importorskip("flask")

APP = """
    from flask import Flask, render_template

    app = Flask(__name__)

    @app.route("/")
    def index():
        return render_template("blog/index.html", n=1)
"""


@pytest.mark.parametrize("held", ["app", "client"])
def test_a_changed_template_renders_new_for_a_live_app(project, held):
    """Regression: unless TEMPLATES_AUTO_RELOAD or debug is on, Jinja never
    looks at a template again once compiled: the next request rendered
    the old page, silently."""
    folder = project.dir / "templates" / "blog"
    folder.mkdir(parents=True)
    page = folder / "index.html"
    page.write_text("old {{ n }}")
    source = APP if held == "app" else APP.replace(
        'app = Flask(__name__)', 'def make():\n        return Flask(__name__)\n\n    app = make()') + \
        "\n    client = app.test_client()\n    del app\n"
    project.save("web", source)
    client = project.module("web").__dict__.get("client") or project.module("web").app.test_client()
    assert not client.application.jinja_env.auto_reload
    assert client.get("/").text == "old 1"
    page.write_text("new {{ n }}")
    assert client.get("/").text == "old 1"  # what the cache keeps
    readme = project.dir / "README.md"
    readme.write_text("notes")
    assert ops.op_changed(project.agent, {"paths": [str(readme)]}) == {}  # not a template
    reply = ops.op_changed(project.agent, {"paths": [str(page)]})
    assert reply == {"dropped": ["the template cache of Flask app %r" % project.name("web")]}
    assert client.get("/").text == "new 1"
