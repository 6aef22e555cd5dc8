"""The app (version 2): a handler and the exception handler edited, a route added, one removed, a middleware added."""
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from items import router
from models import Item

app = FastAPI()
app.include_router(router)


warm = []


@app.on_event("startup")
def load_cache():
    warm.append("cache v1")


class Closed(Exception):
    pass


@app.exception_handler(Closed)
def closed(request, exc):
    return JSONResponse({"error": "closed v2"}, status_code=503)


@app.middleware("http")
async def tag(request, call_next):
    response = await call_next(request)
    response.headers["x-version"] = "2"
    return response


@app.get("/")
def index():
    return {"v": 2}


@app.post("/echo")
def echo(item: Item):
    return item


@app.get("/health")
def health():
    return "ok"
