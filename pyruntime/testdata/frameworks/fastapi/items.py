"""A router main includes (version 1)."""
from fastapi import APIRouter

router = APIRouter(prefix="/items")


@router.get("/{name}")
def read(name: str):
    return {"name": name, "v": 1}
