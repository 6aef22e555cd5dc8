"""Routes on an app made elsewhere (version 2): index edited, a route added, one moved."""
from application import app


@app.route("/")
def index():
    return "index v2"


@app.route("/renamed")
def moved():
    return "moved"


@app.route("/new")
def new():
    return "new"


@app.errorhandler(404)
def not_found(error):
    return "not found v2", 404
