"""The blog's model (version 3: a field added, which the table does not have)."""
from django.db import models


class Article(models.Model):
    title = models.CharField(max_length=100)
    slug = models.SlugField(default="")

    def headline(self):
        return self.title.upper() + "!"
