"""The running site: Django set up, the table made, a client and an article kept across saves."""
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.contrib import admin  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

import blog.admin  # noqa: E402,F401
from blog.models import Article  # noqa: E402

try:
    client
except NameError:
    client = Client()
    with connection.schema_editor() as editor:
        editor.create_model(Article)
    article = Article.objects.create(title="first")


def get(path):
    response = client.get(path)
    return response.status_code, response.content.decode()
