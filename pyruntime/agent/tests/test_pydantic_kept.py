"""pydantic 2 models after a save of their module: the run compiled them
against the classes it made, and the save kept the old classes in their
place (updated in place), so the models are rebuilt against the kept ones."""

import textwrap

import pytest

pytest.importorskip("pydantic")

MODELS = """
from pydantic import BaseModel
from pydantic.dataclasses import dataclass


class Price(BaseModel):
    amount: int

    def value(self):
        return self.amount * FACTOR


FACTOR = {factor}


class Admin(Price):
    pass


@dataclass
class Point:
    x: int


class Cart(BaseModel):
    items: list[Price]
    maybe: "Price | None" = None
    points: list[Point] = []

    def total(self):
        return sum(p.value() for p in self.items)
"""

OTHER = """
from pydantic import BaseModel

from M_models import Cart


class Order(BaseModel):
    cart: Cart
"""


@pytest.mark.parametrize("expr, want", [
    ("Cart(items=[Price(amount=1)]).total()", 100),
    ("type(Price.model_validate({'amount': 1})) is Price", True),
    ("type(Cart.model_validate({'items': []})) is Cart", True),
    ("type(Cart(items=[{'amount': 2}]).items[0]) is Price", True),
    ("type(Cart(items=[], maybe={'amount': 2}).maybe) is Price", True),
    ("type(Cart(items=[Admin(amount=1)]).items[0]) is Admin", True),
    ("type(Cart(items=[], points=[{'x': 1}]).points[0]) is Point", True),
    ("Cart(items=[], points=[Point(x=1)]).points[0].x", 1),
    ("Order(cart=Cart(items=[Price(amount=1)])).cart.total()", 100),
    ("type(Order(cart={'items': [{'amount': 1}]}).cart.items[0]) is Price", True),
])
def test_models_of_a_saved_module_take_its_kept_classes(project, expr, want):
    project.save("models", MODELS.format(factor=1))
    project.save("orders", OTHER)
    models = project.module("models")
    price = models.Price
    project.save("models", MODELS.format(factor=100))
    assert models.Price is price  # updated in place
    namespace = dict(vars(models), Order=project.module("orders").Order)
    assert eval(expr, namespace) == want


def test_a_failed_save_gives_the_models_their_schema_back(project):
    project.save("models", MODELS.format(factor=1))
    models = project.module("models")
    validator = models.Cart.__pydantic_validator__
    path = project.dir / project.file("models")
    path.write_text(textwrap.dedent(MODELS.format(factor=100)) + "\nraise RuntimeError('no')\n")
    from _hotload_agent import ops
    reply = ops.op_reload(project.agent, {"module": project.name("models"), "path": str(path)})
    assert reply.get("error")
    assert models.Cart.__pydantic_validator__ is validator
    assert models.Cart(items=[models.Price(amount=1)]).total() == 1


VALIDATORS = """
from typing import ClassVar

from pydantic import BaseModel, field_validator, model_validator, validator


class Money(BaseModel):
    DEFAULT: ClassVar[str] = "EUR"
    amount: int
    currency: str = ""
    note: str = ""

    @field_validator("currency")
    @classmethod
    def default_currency(cls, value):
        return value or cls.default()

    @classmethod
    def default(cls):
        return cls.DEFAULT

    @model_validator(mode="wrap")
    @classmethod
    def from_text(cls, data, handler):
        if isinstance(data, str):
            amount, currency = data.split()
            return cls(amount=int(amount) * FACTOR, currency=currency)
        return handler(data)

    @validator("note")
    def signed(cls, value):
        return value + " by " + cls.DEFAULT


FACTOR = {factor}


class Tip(Money):
    pass


class Wallet(BaseModel):
    money: Money
"""


@pytest.mark.parametrize("expr, want", [
    ("(setattr(Money, 'DEFAULT', 'USD'), Money(amount=1, currency='').currency)[1]", "USD"),
    ("(setattr(Money, 'DEFAULT', 'USD'), Money(amount=1, note='ok').note)[1]", "ok by USD"),
    ("Money.model_validate('3 USD').amount", 300),
    ("type(Money.model_validate('3 USD')) is Money", True),
    ("type(Tip.model_validate('3 USD')) is Tip", True),
    ("type(Wallet(money='3 USD').money) is Money", True),
])
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pydantic's, of @validator
def test_classmethod_validators_of_a_saved_module_take_the_kept_class_as_cls(project, expr, want):
    project.save("money", VALIDATORS.format(factor=1))
    models = project.module("money")
    money = models.Money
    project.save("money", VALIDATORS.format(factor=100))
    assert models.Money is money  # updated in place
    assert eval(expr, vars(models)) == want



ADAPTED = """
from pydantic import BaseModel, ConfigDict, TypeAdapter, validate_call


class Item(BaseModel):
    name: str
    size: int = {size}

    def label(self):
        return self.name * self.size


ITEMS = TypeAdapter(list[Item])
ONE = TypeAdapter(Item)
LATER = TypeAdapter(list[Item], config=ConfigDict(defer_build=True))  # built on first use

try:
    KEPT
except NameError:  # made once, kept across saves
    KEPT = TypeAdapter(list[Item])


@validate_call
def labels(items: list[Item]) -> list[str]:
    return [i.label() for i in items]


@validate_call(validate_return=True)
def make(name: str) -> Item:
    return {{"name": name}}


class Shelf:
    ITEMS = TypeAdapter(list[Item])

    @validate_call
    def first(self, items: list[Item]) -> Item:
        return items[0]
"""

USES = """
from pydantic import TypeAdapter, validate_call

from M_items import Item

ITEMS = TypeAdapter(list[Item])


@validate_call
def sizes(items: list[Item]) -> list[int]:
    return [i.size for i in items]
"""


@pytest.mark.parametrize("expr, want", [
    ("type(ITEMS.validate_python([{'name': 'a'}])[0]) is Item", True),
    ("ITEMS.validate_python([Item(name='a')])[0].label()", "aa"),
    ("type(ONE.validate_python({'name': 'a'})) is Item", True),
    ("type(LATER.validate_python([{'name': 'a'}])[0]) is Item", True),
    ("KEPT.validate_python([{'name': 'a'}])[0].size", 2),
    ("type(KEPT.validate_python([{'name': 'a'}])[0]) is Item", True),
    ("labels([Item(name='a')])", ["aa"]),
    ("labels([{'name': 'a'}])", ["aa"]),
    ("type(make('a')) is Item", True),
    ("type(Shelf.ITEMS.validate_python([{'name': 'a'}])[0]) is Item", True),
    ("Shelf().first([{'name': 'a'}]).size", 2),
    ("uses.ITEMS.validate_python([{'name': 'a'}])[0].size", 2),
    ("uses.sizes([{'name': 'a'}])", [2]),
    ("uses.sizes([Item(name='a')])", [2]),
])
def test_type_adapters_and_validated_calls_take_the_kept_classes(project, expr, want):
    project.save("items", ADAPTED.format(size=1))
    project.save("uses", USES)
    items = project.module("items")
    item = items.Item
    project.save("items", ADAPTED.format(size=2))
    assert items.Item is item  # updated in place
    assert eval(expr, dict(vars(items), uses=project.module("uses"))) == want


@pytest.mark.parametrize("short, source, state", [
    ("money", VALIDATORS, "Money.__pydantic_decorators__"),
    ("money", VALIDATORS, "Money.__pydantic_validator__"),
    ("items", ADAPTED, "KEPT.validator"),
    ("items", ADAPTED, "KEPT.core_schema"),
    ("items", ADAPTED, "KEPT._type"),
])
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_a_save_that_fails_after_the_rebuild_gives_the_state_back(project, monkeypatch, short, source, state):
    from _hotload_agent import frameworks

    class FailsLater(frameworks.Adapter):
        module = "pydantic"

        def after_rerun(self, up, modules):
            raise RuntimeError("a later step of the save failed")

    project.save(short, source.format(factor=1, size=1))
    namespace = vars(project.module(short))
    before = eval(state, namespace)
    monkeypatch.setattr(frameworks, "ADAPTERS", frameworks.ADAPTERS + [FailsLater])
    path = project.dir / project.file(short)
    path.write_text(textwrap.dedent(source.format(factor=100, size=2)))
    from _hotload_agent import ops
    reply = ops.op_reload(project.agent, {"module": project.name(short), "path": str(path)})
    assert reply.get("rolled_back")
    assert eval(state, namespace) is before
