"""A pydantic 2 model with a validator (version 2: validators and a method edited)."""
from pydantic import BaseModel, field_validator


class Address(BaseModel):
    city: str

    @field_validator("city")
    @classmethod
    def title(cls, value):
        return value.upper()


class User(BaseModel):
    name: str
    address: Address | None = None
    email: str = ""

    @field_validator("name")
    @classmethod
    def strip(cls, value):
        return value.strip().upper()

    def greet(self):
        return "hi " + self.name
