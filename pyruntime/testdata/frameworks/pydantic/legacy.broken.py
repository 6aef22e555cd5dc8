"""A failing version: its validator registers, then the module raises."""
from pydantic.v1 import BaseModel, validator


class Account(BaseModel):
    owner: str

    @validator("owner")
    def strip(cls, value):
        return value.strip().upper()


raise RuntimeError("half-written")
