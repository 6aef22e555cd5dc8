"""Routes on an app made elsewhere (version 1)."""
from application import app


@app.route("/")
def index():
    return "index v1"


@app.route("/old")
def moved():
    return "moved"


@app.errorhandler(404)
def not_found(error):
    return "not found v1", 404
