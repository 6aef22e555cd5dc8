"""The pydantic.v1 API (version 2: the validator edited)."""
from pydantic.v1 import BaseModel, validator


class Account(BaseModel):
    owner: str
    active: bool = True

    @validator("owner")
    def strip(cls, value):
        return value.strip().title()
