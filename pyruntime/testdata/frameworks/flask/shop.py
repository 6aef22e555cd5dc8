"""A blueprint an app factory registers (version 1)."""
from flask import Blueprint

bp = Blueprint("shop", __name__)


@bp.route("/")
def items():
    return "items v1"
