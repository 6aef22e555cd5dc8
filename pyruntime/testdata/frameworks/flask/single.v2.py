"""App and routes in one module (version 2): the module makes a new app; the server keeps the old one."""
from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "hello v2"


@app.route("/added")
def added():
    return "added"
