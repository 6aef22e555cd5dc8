"""A pydantic 2 model with a validator (version 1)."""
from pydantic import BaseModel, field_validator


class Address(BaseModel):
    city: str

    @field_validator("city")
    @classmethod
    def title(cls, value):
        return value.title()


class User(BaseModel):
    name: str
    address: Address | None = None

    @field_validator("name")
    @classmethod
    def strip(cls, value):
        return value.strip()

    def greet(self):
        return "hello " + self.name
