"""The request body's model (version 1)."""
from pydantic import BaseModel


class Item(BaseModel):
    name: str
