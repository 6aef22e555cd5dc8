"""The running program: tables made, a session and a loaded user kept across saves."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from db import Base, engine
from models import Address, User

try:
    session
except NameError:
    Base.metadata.create_all(engine)
    session = Session(engine)
    session.add(User(name="ann", addresses=[Address(email="ann@example.com")]))
    session.commit()
    live = session.scalars(select(User)).one()


def add_and_greet(name):
    session.add(User(name=name))
    session.commit()
    return [u.greet() for u in session.scalars(select(User).order_by(User.id))]
