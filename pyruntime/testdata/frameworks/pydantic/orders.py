"""A model in another module that nests users.Address: pydantic compiled Address's validator into it."""
from pydantic import BaseModel

from users import Address


class Order(BaseModel):
    ship_to: Address
