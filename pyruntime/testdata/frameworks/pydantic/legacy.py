"""The pydantic.v1 API (version 1)."""
from pydantic.v1 import BaseModel, validator


class Account(BaseModel):
    owner: str

    @validator("owner")
    def strip(cls, value):
        return value.strip()
