"""An app factory: registers the shop blueprint inside the function, so saving shop.py re-runs no importer."""
from flask import Flask


def create_app():
    app = Flask(__name__)
    from shop import bp

    app.register_blueprint(bp, url_prefix="/shop")
    return app
