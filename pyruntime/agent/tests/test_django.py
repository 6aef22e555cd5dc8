"""The Django adapter with Django itself: URL confs included by another,
QuerySet methods reached through as_manager(). Skips without Django."""

import textwrap

import pytest

from _hotload_agent import ops

django = pytest.importorskip("django")

from django.conf import settings  # noqa: E402

if not settings.configured:
    settings.configure(
        SECRET_KEY="test only", ALLOWED_HOSTS=["testserver"], ROOT_URLCONF="",
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth"],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    )
    django.setup()

from django.urls import NoReverseMatch, clear_url_caches, resolve, reverse  # noqa: E402
from django.urls.exceptions import Resolver404  # noqa: E402


@pytest.fixture
def urlconf(project):
    """Sets ROOT_URLCONF to the project's `urls` for the test."""
    before = settings.ROOT_URLCONF
    settings.ROOT_URLCONF = project.name("urls")
    clear_url_caches()
    yield project.name("urls")
    settings.ROOT_URLCONF = before
    clear_url_caches()


def save_in_package(project, package, short, source):
    """Saves module package.short of the project (a package of its own,
    as an app's urls.py is)."""
    folder = project.dir / project.name(package)
    folder.mkdir(exist_ok=True)
    (folder / "__init__.py").touch()
    path = folder / (short + ".py")
    path.write_text(textwrap.dedent(source).replace("M_", project.prefix))
    reply = ops.op_reload(project.agent, {"module": "%s.%s" % (project.name(package), short), "path": str(path)})
    assert not reply.get("error"), reply["error"]["text"]
    return reply


def view_name(path):
    try:
        return resolve(path).func.__name__
    except Resolver404:
        return None


VIEWS = """
    def detail(request, pk):
        return "detail"


    def latest(request):
        return "latest"
"""


# The root conf names the included one (it does not re-run when that one
# is saved), or imports it and passes the module (here it re-runs, as it
# uses the module as a whole; in the unseen scenario dj_include_module_object,
# through the server, it did not, and the old patterns answered).
@pytest.mark.parametrize("root", [
    'from django.urls import include, path\n\nurlpatterns = [path("blog/", include("M_blog.urls"))]\n',
    'from django.urls import include, path\n\nimport M_blog.urls\n\n'
    'urlpatterns = [path("blog/", include(M_blog.urls))]\n',
])
def test_an_included_url_conf_follows_its_own_save(project, urlconf, root):
    project.save("views", VIEWS)
    save_in_package(project, "blog", "urls", """
        from django.urls import path

        from M_views import detail

        app_name = "blog"
        urlpatterns = [path("<int:pk>/", detail, name="detail")]
    """)
    project.save("urls", root)
    assert view_name("/blog/1/") == "detail"
    assert reverse("blog:detail", args=[1]) == "/blog/1/"

    reply = save_in_package(project, "blog", "urls", """
        from django.urls import path

        from M_views import detail, latest

        app_name = "blog"
        urlpatterns = [
            path("post/<int:pk>/", detail, name="show"),
            path("latest/", latest, name="latest"),
        ]
    """)
    if "include(\"" in root:  # else it would not test the resolver the root conf holds
        assert project.name("urls") not in reply["reloaded"]
    assert view_name("/blog/1/") is None
    assert view_name("/blog/post/1/") == "detail"
    assert view_name("/blog/latest/") == "latest"
    assert reverse("blog:show", args=[1]) == "/blog/post/1/"
    assert reverse("blog:latest") == "/blog/latest/"
    with pytest.raises(NoReverseMatch):
        reverse("blog:detail", args=[1])


def test_an_included_conf_two_levels_down_follows_its_save(project, urlconf):
    project.save("views", VIEWS)
    project.save("api_urls", """
        from django.urls import path

        from M_views import detail

        urlpatterns = [path("<int:pk>/", detail, name="api-detail")]
    """)
    project.save("blog_urls", """
        from django.urls import include, path

        urlpatterns = [path("api/", include("M_api_urls"))]
    """)
    project.save("urls", """
        from django.urls import include, path

        urlpatterns = [path("blog/", include("M_blog_urls"))]
    """)
    assert view_name("/blog/api/1/") == "detail"
    project.save("api_urls", """
        from django.urls import path

        from M_views import latest

        urlpatterns = [path("latest/", latest, name="api-latest")]
    """)
    assert view_name("/blog/api/1/") is None
    assert view_name("/blog/api/latest/") == "latest"
    assert reverse("api-latest") == "/blog/api/latest/"


def test_a_changed_app_name_of_an_included_conf_is_noted(project, urlconf):
    project.save("views", VIEWS)
    project.save("blog_urls", """
        from django.urls import path

        from M_views import detail

        app_name = "blog"
        urlpatterns = [path("<int:pk>/", detail, name="detail")]
    """)
    project.save("urls", """
        from django.urls import include, path

        urlpatterns = [path("blog/", include("M_blog_urls"))]
    """)
    reply = project.save("blog_urls", """
        from django.urls import path

        from M_views import detail

        app_name = "posts"
        urlpatterns = [path("<int:pk>/", detail, name="detail")]
    """)
    notes = [n["text"] for n in reply.get("notes", ())]
    assert any("app_name" in n and "'posts'" in n for n in notes), reply


MODELS = """
    from django.db import models


    class PostQuerySet(models.QuerySet):
        def published(self):
            return self.filter(status="p")
    %s

    class Post(models.Model):
        title = models.CharField(max_length=200)
        status = models.CharField(max_length=1, default="d")

        objects = %s

        class Meta:
            app_label = "M_app"
"""

DRAFTS = """
        def drafts(self):
            return self.filter(status="d")
"""


@pytest.mark.parametrize("manager", ["PostQuerySet.as_manager()", "models.Manager.from_queryset(PostQuerySet)()"])
def test_a_method_added_to_a_queryset_reaches_its_manager(project, manager):
    project.save("models", MODELS % ("", manager))
    post = project.module("models").Post
    assert not hasattr(post.objects, "drafts")

    project.save("models", MODELS % (DRAFTS, manager))
    assert project.module("models").Post is post  # the registry keeps the model, and its manager
    assert 'WHERE "M_app_post"."status" = d'.replace("M_", project.prefix) in str(post.objects.drafts().query)
    assert post.objects.published().model is post

    project.save("models", MODELS % ("", manager))
    assert not hasattr(post.objects, "drafts")
    assert hasattr(post.objects, "published")


def test_a_queryset_method_added_in_another_module_reaches_the_manager(project):
    source = """
        from django.db import models


        class PostQuerySet(models.QuerySet):
            def published(self):
                return self.filter(status="p")
        %s
    """
    project.save("querysets", source % "")
    project.save("models", """
        from django.db import models

        from M_querysets import PostQuerySet


        class Post(models.Model):
            status = models.CharField(max_length=1, default="d")

            objects = PostQuerySet.as_manager()

            class Meta:
                app_label = "M_app"
    """)
    post = project.module("models").Post
    project.save("querysets", source % textwrap.indent(DRAFTS, "    "))
    assert hasattr(post.objects, "drafts")
    assert type(post.objects.drafts()).__name__ == "PostQuerySet"


HANDLERS = """
    from django.dispatch import receiver

    from M_sigs import LOG, done


    @receiver(done)
    def %s(sender, **kw):
        LOG.append(%r)
"""


def test_a_renamed_receiver_is_disconnected(project):
    project.save("sigs", """
        from django.dispatch import Signal

        LOG = []
        done = Signal()
    """)
    sigs = project.module("sigs")
    project.save("handlers", HANDLERS % ("on_done", "old"))
    reply = project.save("handlers", HANDLERS % ("announce", "new"))
    sigs.done.send(sender=None)
    assert sigs.LOG == ["new"]
    assert not [n for n in reply.get("notes", ()) if "receivers" in n["text"]], reply["notes"]

    project.save("handlers", HANDLERS % ("announce", "edited"))
    del sigs.LOG[:]
    sigs.done.send(sender=None)
    assert sigs.LOG == ["edited"]



SIGNALS = """
    from django.dispatch import Signal

    LOG = []
    done = Signal()
    other = Signal()
"""

UID_HANDLER = """
    from django.dispatch import receiver

    from M_sigs import LOG, done, other


    @receiver(%s, dispatch_uid="log-done")
    def %s(sender, **kw):
        LOG.append(%r)
"""


def test_a_receiver_renamed_under_its_dispatch_uid_is_connected(project):
    project.save("sigs", SIGNALS)
    sigs = project.module("sigs")
    project.save("handlers", UID_HANDLER % ("done", "on_done", "old"))
    project.save("handlers", UID_HANDLER % ("done", "announce", "new"))
    sigs.done.send(sender=None)
    assert sigs.LOG == ["new"]


def test_a_receiver_moved_to_another_signal_leaves_the_first(project):
    project.save("sigs", SIGNALS)
    sigs = project.module("sigs")
    source = UID_HANDLER.replace(', dispatch_uid="log-done"', "")
    project.save("handlers", source % ("done", "on_done", "old"))
    reply = project.save("handlers", source % ("other", "on_done", "new"))
    assert not [n for n in reply.get("notes", ()) if "receivers" in n["text"]], reply["notes"]
    sigs.done.send(sender=None)
    sigs.other.send(sender=None)
    assert sigs.LOG == ["new"]


def test_a_receiver_another_module_connected_stays_connected(project):
    project.save("sigs", SIGNALS)
    sigs = project.module("sigs")
    project.save("handlers", """
        from M_sigs import LOG


        def on_done(sender, **kw):
            LOG.append("old")
    """)
    handlers = project.module("handlers")
    sigs.done.connect(handlers.on_done)  # as AppConfig.ready() does
    project.save("handlers", """
        from M_sigs import LOG


        def on_done(sender, **kw):
            LOG.append("new")
    """)
    sigs.done.send(sender=None)
    assert sigs.LOG == ["new"]

def test_a_lambda_a_module_connects_is_connected_once(project):
    project.save("sigs", """
        from django.dispatch import Signal

        LOG = []
        done = Signal()
    """)
    sigs = project.module("sigs")
    source = """
        from M_sigs import LOG, done

        done.connect(lambda sender, **kw: LOG.append(%r), weak=False)
    """
    project.save("handlers", source % "old")
    project.save("handlers", source % "new")
    sigs.done.send(sender=None)
    assert sigs.LOG == ["new"]



@pytest.fixture
def app(project):
    """An installed app of the project, M_app, whose models module the
    test writes first (app.write(source)); installed by app.install()."""
    folder = project.dir / project.name("app")
    folder.mkdir()
    (folder / "__init__.py").touch()

    class App:
        def write(self, source):
            (folder / "models.py").write_text(textwrap.dedent(source).replace("M_", project.prefix))

        def install(self):
            from django.test.utils import override_settings
            self.settings = override_settings(INSTALLED_APPS=list(settings.INSTALLED_APPS) + [project.name("app")])
            self.settings.enable()

    made = App()
    yield made
    if hasattr(made, "settings"):
        made.settings.disable()


NOTE_MODEL = """
    from django.db import models


    class Note(models.Model):
        title = models.CharField(max_length=200)
    %s
"""


def test_a_meta_given_verbose_name_is_no_change_of_the_database(project, app):
    app.write(NOTE_MODEL % "")  # no Meta: Django keeps its default unique_together, a list
    app.install()
    reply = save_in_package(project, "app", "models", NOTE_MODEL % '\n        class Meta:\n            verbose_name = "memo"\n')
    note = project.module("app.models").Note
    assert str(note._meta.verbose_name) == "memo"
    assert not reply.get("notes"), reply["notes"]


SLUG_MODEL = """
    from django.db import models
    from django.utils.functional import cached_property


    class Page(models.Model):
        title = models.CharField(max_length=200)

        class Meta:
            app_label = "M_app"

        @cached_property
        def slug(self):
            return %s
"""


def test_a_django_cached_property_of_a_model_takes_the_new_code(project):
    project.save("pages", SLUG_MODEL % "self.title.lower()")
    page = project.module("pages").Page
    before = page(title="Hello")
    assert before.slug == "hello"
    reply = project.save("pages", SLUG_MODEL % "self.title.upper()")
    assert project.module("pages").Page is page
    assert page(title="World").slug == "WORLD"
    assert before.slug == "hello"  # cached: the note says so
    assert any("del obj.slug" in n["text"] for n in reply.get("notes", ())), reply.get("notes")


MANAGED_MODEL = """
    from django.db import models


    class PublishedManager(models.Manager):
        def get_queryset(self):
            return super().get_queryset().filter(status="p")


    class Item(models.Model):
        status = models.CharField(max_length=1, default="d")

        objects = models.Manager()
    %s

        class Meta:
            app_label = "M_app"
"""


def test_a_manager_added_to_a_model_serves_it_and_one_removed_goes(project):
    project.save("items", MANAGED_MODEL % "")
    item = project.module("items").Item
    reply = project.save("items", MANAGED_MODEL % "    published = PublishedManager()\n")
    assert project.module("items").Item is item
    assert item.published.model is item
    assert 'WHERE "M_app_item"."status" = p'.replace("M_", project.prefix) in str(item.published.all().query)
    assert [m.name for m in item._meta.managers] == ["objects", "published"]
    assert item._default_manager is item.objects
    assert not reply.get("notes"), reply["notes"]

    project.save("items", MANAGED_MODEL % "")
    assert not hasattr(item, "published")
    assert [m.name for m in item._meta.managers] == ["objects"]


MIDDLEWARE = """
    class Stamp:
        def __init__(self, get_response):
            self.get_response = get_response
            self.tag = %r

        def __call__(self, request):
            return self.get_response(request)
"""


def test_a_middleware_whose_init_changed_is_noted(project):
    from django.test.utils import override_settings

    with override_settings(MIDDLEWARE=[project.name("mw") + ".Stamp"]):
        project.save("mw", MIDDLEWARE % "v1")
        reply = project.save("mw", MIDDLEWARE % "v2")
        assert any("middleware chain" in n["text"] for n in reply.get("notes", ())), reply.get("notes")
        reply = project.save("mw", (MIDDLEWARE % "v2").replace("return self", "return  self"))
        assert not reply.get("notes"), reply["notes"]


def test_a_setting_a_module_read_when_it_ran_is_noted_there(project, monkeypatch):
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", project.name("settings"))
    project.save("settings", 'BLOG_GREETING = "hello"\n')
    settings.BLOG_GREETING = "hello"  # what Django read from it when it started
    project.save("views", """
        from django.conf import settings

        GREETING = settings.BLOG_GREETING


        def hello():
            return settings.BLOG_GREETING
    """)
    try:
        reply = project.save("settings", 'BLOG_GREETING = "welcome"\n')
        assert project.module("views").hello() == "welcome"
        notes = [(n["text"], n.get("line")) for n in reply.get("notes", ())]
        assert [line for text, line in notes if "read settings.BLOG_GREETING when it ran" in text] == [4], notes
    finally:
        del settings.BLOG_GREETING



PLAIN_ADMIN = """
    from M_notes import Note
    from M_sites import site

    site.register(Note)
    %s
"""


def test_a_module_registering_a_model_with_the_default_admin_is_saved_again(project):
    pytest.importorskip("django.contrib.admin.sites")
    project.save("notes", NOTE_MODEL % '\n        class Meta:\n            app_label = "M_app"\n')
    project.save("sites", """
        from django.contrib.admin.sites import AdminSite

        site = AdminSite(name="M_site")
    """)
    project.save("other", "from M_notes import Note  # noqa: F401 (held, registered by another module)\n")
    project.save("admin", PLAIN_ADMIN % "")
    site = project.module("sites").site
    note = project.module("notes").Note
    project.save("admin", PLAIN_ADMIN % 'site.site_header = "Notes"')  # raised AlreadyRegistered
    assert site.is_registered(note) and site.site_header == "Notes"
    project.save("other", "from M_notes import Note  # noqa: F401 (held, registered by another module)\nX = 1\n")
    assert site.is_registered(note)  # not that module's registration
    project.save("admin", PLAIN_ADMIN.replace("site.register(Note)", "") % "")
    assert not site.is_registered(note)


def test_a_manager_made_otherwise_under_its_name_replaces_the_old_one(project):
    source = MANAGED_MODEL.replace("objects = models.Manager()\n", "objects = %s\n")
    project.save("items", source % ("models.Manager()", "    published = PublishedManager()\n"))
    item = project.module("items").Item
    project.save("items", source % ("PublishedManager()", "    every = models.Manager()\n"))
    assert type(item.objects).__name__ == "PublishedManager" and item.objects.model is item
    assert item._default_manager is item.objects  # first declared, as in a fresh run
    assert [m.name for m in item._meta.managers] == ["objects", "every"]


LABELLED_MODEL = """
    from django.db import models


    class Entry(models.Model):
        title = models.CharField(max_length=200, %s)

        class Meta:
            app_label = "M_app"
"""


def test_a_fields_label_help_text_and_blank_follow_in_place(project):
    project.save("entries", LABELLED_MODEL % 'verbose_name="title"')
    entry = project.module("entries").Entry
    field = entry._meta.get_field("title")
    reply = project.save("entries", LABELLED_MODEL % 'verbose_name="headline", help_text="short", blank=True')
    assert entry._meta.get_field("title") is field
    assert (field.verbose_name, field.help_text, field.blank) == ("headline", "short", True)
    assert field.formfield().required is False
    assert not reply.get("notes"), reply["notes"]


RELATED_MODELS = """
    from django.db import models


    class Topic(models.Model):
        class Meta:
            app_label = "M_app"


    class Reply(models.Model):
        topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name=%r)

        class Meta:
            app_label = "M_app"
"""


def test_a_changed_related_name_is_noted(project):
    project.save("replies", RELATED_MODELS % "replies")
    reply = project.save("replies", RELATED_MODELS % "answers")
    assert any("field 'topic' changed" in n["text"] for n in reply.get("notes", ())), reply.get("notes")


def test_a_middleware_given_a_hook_is_noted(project):
    from django.test.utils import override_settings

    hook = "\n        def process_view(self, request, view_func, view_args, view_kwargs):\n            return None\n"
    with override_settings(MIDDLEWARE=[project.name("mw") + ".Stamp"]):
        project.save("mw", MIDDLEWARE % "v1")
        reply = project.save("mw", MIDDLEWARE % "v1" + hook)
        notes = [(n["text"], n.get("line")) for n in reply.get("notes", ())]
        assert [line for text, line in notes if "looked for this middleware's process_view" in text] == [10], notes


def test_a_meta_default_manager_name_follows_and_permissions_are_noted(project):
    meta = '\n        class Meta:\n            app_label = "M_app"\n'
    project.save("items", MANAGED_MODEL.replace(meta, meta.replace('"M_app"\n', '"M_app"\n%s')) % (
        "    published = PublishedManager()\n", ""))
    item = project.module("items").Item
    assert item._default_manager.name == "objects"
    reply = project.save("items", MANAGED_MODEL.replace(meta, meta.replace('"M_app"\n', '"M_app"\n%s')) % (
        "    published = PublishedManager()\n", '            default_manager_name = "published"\n'))
    assert item._default_manager.name == "published"
    assert not reply.get("notes"), reply["notes"]
    reply = project.save("items", MANAGED_MODEL.replace(meta, meta.replace('"M_app"\n', '"M_app"\n%s')) % (
        "    published = PublishedManager()\n", '            default_manager_name = "published"\n'
        '            permissions = [("feature_item", "Can feature items")]\n'))
    assert any("its Meta changed" in n["text"] for n in reply.get("notes", ())), reply.get("notes")


APP_CONFIG = """
    from django.apps import AppConfig


    class NotesConfig(AppConfig):
        name = "M_notes"
        verbose_name = %r
        default_auto_field = %r
"""


def test_an_app_configs_default_auto_field_changed_is_noted(project):
    project.save("apps", APP_CONFIG % ("Notes", "django.db.models.AutoField"))
    reply = project.save("apps", APP_CONFIG % ("Memos", "django.db.models.AutoField"))
    assert not reply.get("notes"), reply["notes"]
    reply = project.save("apps", APP_CONFIG % ("Memos", "django.db.models.BigAutoField"))
    assert any("Django read default_auto_field of this AppConfig" in n["text"] for n in reply.get("notes", ())), \
        reply.get("notes")


def test_a_changed_on_delete_or_db_default_is_noted(project):
    project.save("replies", RELATED_MODELS % "replies")
    reply = project.save("replies", (RELATED_MODELS % "replies").replace("models.CASCADE", "models.PROTECT"))
    assert any("field 'topic' changed" in n["text"] for n in reply.get("notes", ())), reply.get("notes")
    source = LABELLED_MODEL.replace("Entry", "Kind") % "db_default=%r"
    project.save("kinds", source % "a")
    reply = project.save("kinds", source % "b")
    assert any("field 'title' changed" in n["text"] for n in reply.get("notes", ())), reply.get("notes")


def test_a_changed_template_renders_new_through_the_cached_loader(project, tmp_path):
    """Regression: Django's cached loader (in use with DEBUG on too) kept
    the template it compiled, and the next render gave the old page,
    silently; runserver's autoreloader is what empties it."""
    from django.template import engines
    from django.template.loader import render_to_string
    from django.test.utils import override_settings

    folder = tmp_path / "templates" / "blog"
    folder.mkdir(parents=True)
    page = folder / "index.html"
    page.write_text("old {{ n }}")
    readme = tmp_path / "README.md"
    readme.write_text("notes")
    with override_settings(TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates",
                                       "DIRS": [str(tmp_path / "templates")]}]):
        assert type(engines["django"].engine.template_loaders[0]).__name__ == "Loader"  # the cached one
        assert render_to_string("blog/index.html", {"n": 1}) == "old 1"
        page.write_text("new {{ n }}")
        assert render_to_string("blog/index.html", {"n": 2}) == "old 2"  # what the cache keeps
        assert ops.op_changed(project.agent, {"paths": [str(readme)]}) == {}  # not a template
        assert render_to_string("blog/index.html", {"n": 3}) == "old 3"
        reply = ops.op_changed(project.agent, {"paths": [str(page)]})
        assert reply == {"dropped": ["Django's cached templates"]}
        assert render_to_string("blog/index.html", {"n": 4}) == "new 4"
