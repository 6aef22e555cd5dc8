"""The factory's app, as a WSGI server module holds it."""
from factory import create_app

app = create_app()
