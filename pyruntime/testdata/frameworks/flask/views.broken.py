"""Version 3 fails after registering its routes: the save is rolled back."""
from application import app


@app.route("/")
def index():
    return "index v3"


@app.route("/broken")
def broken():
    return "broken"


raise RuntimeError("half-written")
