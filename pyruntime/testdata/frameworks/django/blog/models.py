"""The blog's model (version 1)."""
from django.db import models


class Article(models.Model):
    title = models.CharField(max_length=100)

    def headline(self):
        return self.title.upper()
