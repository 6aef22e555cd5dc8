"""A Flask app an app factory made, that only a module-level test client
holds: a save of a blueprint's module registers its new routes on it, and a
changed factory is noted, as that app keeps what the factory gave it."""

import pytest

pytest.importorskip("flask")

FACTORY = """
from flask import Flask


def create_app():
    app = Flask(__name__)

    @app.route("/")
    def index():
        return "home"
{extra}
    from M_views import bp

    app.register_blueprint(bp, url_prefix="/pages")
    return app
"""

VIEWS = """
from flask import Blueprint

bp = Blueprint("pages", __name__)


@bp.route("/{path}")
def page():
    return "page"
"""

CLIENT = """
from M_app import create_app

client = create_app().test_client()
client.get("/")
"""

HEALTH = """
    @app.route("/health")
    def health():
        return "ok"
"""


def test_a_blueprint_saved_is_registered_again_on_the_app_a_client_holds(project):
    project.save("views", VIEWS.format(path="old"))
    project.save("app", FACTORY.format(extra=""))
    project.save("client", CLIENT)
    client = project.module("client").client
    project.save("views", VIEWS.format(path="new"))
    assert (client.get("/pages/new").status_code, client.get("/pages/old").status_code) == (200, 404)


@pytest.mark.parametrize("extra, noted", [("", False), (HEALTH, True)])
def test_a_changed_factory_is_noted_and_its_routes_stay(project, extra, noted):
    project.save("views", VIEWS.format(path="old"))
    project.save("app", FACTORY.format(extra=""))
    project.save("client", CLIENT)
    client = project.module("client").client
    reply = project.save("app", FACTORY.format(extra=extra) + "\n\nVERSION = 2\n")
    notes = [n for n in reply.get("notes", []) if "create_app" in str(n)]
    assert bool(notes) == noted, reply.get("notes")
    assert (client.get("/").data, client.get("/pages/old").status_code) == (b"home", 200)
