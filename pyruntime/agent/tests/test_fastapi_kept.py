"""FastAPI routes a save of their module made, and the lifespan of an app
that started: the route's body and response models are the classes the
module binds, and a lifespan edit is noted."""

import warnings

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

API = """
from contextlib import asynccontextmanager

from fastapi import FastAPI
from pydantic import BaseModel

STARTED = []


@asynccontextmanager
async def lifespan(app):
    STARTED.append({start})
    yield


app = FastAPI(lifespan=lifespan)


class Item(BaseModel):
    name: str


class Box(BaseModel):
    items: list[Item]


@app.post("/items")
def create(item: Item):
    return {{"ok": isinstance(item, Item), "eq": item == Item(name=item.name), "v": {version}}}


@app.get("/box", response_model=Box)
def box():
    return Box(items=[Item(name="a")])
"""


def client_for(app):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    return TestClient(app)


@pytest.mark.parametrize("method, path, body, want", [
    ("POST", "/items", {"name": "pen"}, {"ok": True, "eq": True, "v": 2}),
    ("GET", "/box", None, {"items": [{"name": "a"}]}),
])
def test_routes_of_a_saved_module_take_its_kept_models(project, method, path, body, want):
    project.save("api", API.format(start=1, version=1))
    client = client_for(project.module("api").app)
    client.get("/")
    project.save("api", API.format(start=1, version=2))
    response = client.request(method, path, json=body)
    assert (response.status_code, response.json()) == (200, want)


@pytest.mark.parametrize("start, noted", [(1, False), (2, True)])
def test_an_edited_lifespan_is_noted(project, start, noted):
    project.save("api", API.format(start=1, version=1))
    client = client_for(project.module("api").app)
    client.__enter__()
    try:
        reply = project.save("api", API.format(start=start, version=2))
    finally:
        client.__exit__(None, None, None)
    notes = [n for n in reply.get("notes", []) if "lifespan" in str(n)]
    assert bool(notes) == noted, reply.get("notes")


OVERRIDES = """
import M_deps
from M_api import app


def fake_db():
    return ["test"]

{line}
"""


@pytest.mark.parametrize("line, want", [
    ("app.dependency_overrides[M_deps.get_db] = fake_db", ["test"]),
    ("", ["ada"]),
])
def test_a_dependency_override_follows_its_module(project, line, want):
    project.save("deps", "def get_db():\n    return ['ada']\n")
    project.save("api", """
        from fastapi import Depends, FastAPI

        from M_deps import get_db

        app = FastAPI()


        @app.get("/users")
        def users(db=Depends(get_db)):
            return db
    """)
    project.save("overrides", OVERRIDES.format(line="app.dependency_overrides[M_deps.get_db] = fake_db"))
    client = client_for(project.module("api").app)
    client.get("/users")
    project.save("overrides", OVERRIDES.format(line=line))
    assert client.get("/users").json() == want
    assert len(project.module("api").app.dependency_overrides) == (1 if line else 0)


STATE = """
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request


@asynccontextmanager
async def lifespan(app):
    app.state.db = "pool"
    yield


app = FastAPI(lifespan=lifespan)
app.state.motd = "{motd}"
{line}


@app.get("/state")
def state(request: Request):
    return sorted(request.app.state._state.items())
"""


def test_app_state_a_module_no_longer_sets_is_gone_and_the_lifespans_stays(project):
    project.save("api", STATE.format(motd="hello", line='app.state.stale = "v1"'))
    client = client_for(project.module("api").app)
    client.__enter__()
    try:
        project.save("api", STATE.format(motd="welcome", line=""))
        assert client.get("/state").json() == [["db", "pool"], ["motd", "welcome"]]
    finally:
        client.__exit__(None, None, None)


FACTORY = """
from fastapi import FastAPI


def create_app():
    app = FastAPI()

    @app.get("/")
    def index():
        return "home"
{extra}
    return app
"""

HEALTH = """
    @app.get("/health")
    def health():
        return "ok"
"""


@pytest.mark.parametrize("extra, noted", [("", False), (HEALTH, True)])
def test_a_changed_factory_of_the_app_a_test_client_holds_is_noted(project, extra, noted):
    project.save("api", FACTORY.format(extra=""))
    project.save("server", """
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from fastapi.testclient import TestClient

        from M_api import create_app

        client = TestClient(create_app())
        client.get("/")
    """)
    client = project.module("server").client
    reply = project.save("api", FACTORY.format(extra=extra) + "\n\nVERSION = 2\n")
    notes = [n for n in reply.get("notes", []) if "create_app" in str(n)]
    assert bool(notes) == noted, reply.get("notes")
    assert client.get("/").json() == "home"


MIDDLEWARE = """
from fastapi.middleware.cors import CORSMiddleware

from M_api import app

{line}
"""


@pytest.mark.parametrize("line, want", [
    ('app.add_middleware(CORSMiddleware, allow_origins=["http://a.test", "http://b.test"])', ["http://b.test"]),
    ("", []),
])
def test_middleware_a_module_adds_to_an_app_it_imports_is_added_once(project, line, want):
    project.save("api", """
        from fastapi import FastAPI

        app = FastAPI()


        @app.get("/ping")
        def ping():
            return "pong"
    """)
    project.save("middleware", MIDDLEWARE.format(line='app.add_middleware(CORSMiddleware, allow_origins=["http://a.test"])'))
    app = project.module("api").app
    client = client_for(app)
    client.get("/ping")
    project.save("middleware", MIDDLEWARE.format(line=line))
    allowed = client.get("/ping", headers={"origin": "http://b.test"}).headers.get("access-control-allow-origin")
    assert (len(app.user_middleware), [allowed] if allowed else []) == (len(want), want)
