"""The 1.4 style: declarative_base() and Column (version 1)."""
from sqlalchemy import Column, Integer, String, create_engine, select
from sqlalchemy.orm import Session, declarative_base

Base = declarative_base()


class Tag(Base):
    __tablename__ = "tags"
    id = Column(Integer, primary_key=True)
    label = Column(String)

    def show(self):
        return "#" + self.label


try:
    session
except NameError:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    session = Session(engine)
    session.add(Tag(label="a"))
    session.commit()
    tag = session.scalars(select(Tag)).one()
