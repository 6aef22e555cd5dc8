"""Base, model and session in one module, with extend_existing=True (version 1)."""
import uuid

from sqlalchemy import Column, Integer, String, create_engine, func, select
from sqlalchemy.orm import DeclarativeBase, Session


class Base(DeclarativeBase):
    pass


class Note(Base):
    __tablename__ = "notes"
    __table_args__ = {"extend_existing": True}
    id = Column(Integer, primary_key=True)
    text = Column(String)
    code = Column(String, default=lambda: uuid.uuid4().hex, server_default=func.lower("X"))

    def shout(self):
        return self.text.upper()


try:
    session
except NameError:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    session = Session(engine)
    session.add(Note(text="first"))
    session.commit()
    note = session.scalars(select(Note)).one()
