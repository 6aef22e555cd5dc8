"""A blueprint an app factory registers (version 2): a route added."""
from flask import Blueprint

bp = Blueprint("shop", __name__)


@bp.route("/")
def items():
    return "items v2"


@bp.route("/cart")
def cart():
    return "cart"
