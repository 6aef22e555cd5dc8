"""App and routes in one module (version 1)."""
from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "hello v1"
