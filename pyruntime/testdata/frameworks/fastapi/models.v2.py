"""The request body's model (version 2): a field added."""
from pydantic import BaseModel


class Item(BaseModel):
    name: str
    qty: int = 1
