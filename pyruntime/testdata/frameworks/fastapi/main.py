"""The app (version 1)."""
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
    return JSONResponse({"error": "closed v1"}, status_code=503)


@app.get("/")
def index():
    return {"v": 1}


@app.get("/closed")
def shut():
    raise Closed()


@app.post("/echo")
def echo(item: Item):
    return item
