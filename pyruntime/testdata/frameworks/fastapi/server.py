"""The running server: a TestClient made once and kept, as uvicorn keeps the app."""
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # this starlette's TestClient asks for httpx2
    from fastapi.testclient import TestClient

import main

try:
    client
except NameError:
    client = TestClient(main.app)
    client.get("/")  # the app has started: its middleware stack is built


def call(method, path, **kw):
    response = client.request(method, path, **kw)
    return response.status_code, response.json(), response.headers.get("x-version")
