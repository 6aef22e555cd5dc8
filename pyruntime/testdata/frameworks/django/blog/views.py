"""The blog's views (version 1)."""
from django.http import HttpResponse

from blog.models import Article


def index(request):
    return HttpResponse("articles: %d" % Article.objects.count())
