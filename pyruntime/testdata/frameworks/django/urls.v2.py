"""The URL conf (version 2): a path added."""
from django.urls import path

from blog import views

urlpatterns = [path("", views.index), path("latest/", views.latest)]
