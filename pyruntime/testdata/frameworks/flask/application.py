"""The app, made in one module; views.py adds its routes (`from application import app`)."""
from flask import Flask

app = Flask(__name__)
