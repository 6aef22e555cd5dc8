"""A router main includes (version 2): a handler edited, a route added."""
from fastapi import APIRouter

router = APIRouter(prefix="/items")


@router.get("/{name}")
def read(name: str):
    return {"name": name, "v": 2}


@router.delete("/{name}")
def remove(name: str):
    return {"removed": name}
