"""The blog's model (version 2: a method edited)."""
from django.db import models


class Article(models.Model):
    title = models.CharField(max_length=100)

    def headline(self):
        return self.title.upper() + "!"
