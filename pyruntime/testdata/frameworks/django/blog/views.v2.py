"""The blog's views (version 2): a view edited, one added."""
from django.http import HttpResponse

from blog.models import Article


def index(request):
    return HttpResponse("%d articles" % Article.objects.count())


def latest(request):
    return HttpResponse(Article.objects.latest("id").headline())
