"""Django: views and URL confs reload; models keep their class and take new
methods, and a model whose fields change gets a note.

- Views are functions and classes the core updates in place. A URL conf
  that runs again has a new `urlpatterns`, but Django's resolver cached the
  old one: after a save (and a rollback) the URL caches are cleared, so the
  next request resolves with the new patterns. An included URL conf
  (`include("blog.urls")`) is held by a URLResolver the including conf made
  when it ran, which cached the included patterns and its reverse lookups:
  the caches of every resolver reachable from ROOT_URLCONF are reset too.
- A model class is registered with the app registry, and its fields,
  managers and related descriptors are wired to it and to other models.
  Running its class statement again warned ("Model 'blog.article' was
  already registered. Reloading models is not advised ...") and registered
  a second class. Instead the new class is dropped and the old one, still
  registered, takes the new methods and properties (Django's
  cached_property too): live instances, querysets and managers run the new
  code. Managers the new class declares that the old lacks, or made
  otherwise (another class, other arguments), serve the old class; those
  it no longer declares go.
- If the fields or the Meta options the database sees changed, the old
  fields stay and a note says so: the database needs a migration
  (makemigrations, migrate) and the app registry a restart. The options
  queries and pages read when they run (ordering, get_latest_by,
  verbose_name) follow in place, and so do the attributes of a field the
  database does not see (verbose_name, help_text, blank, editable).
- A manager made from a QuerySet (`PostQuerySet.as_manager()`,
  `Manager.from_queryset(PostQuerySet)`) is a class Django built with a
  copy of the QuerySet's public methods; the registered model keeps its
  old manager. When a module that defines such a QuerySet runs again, the
  manager class takes the methods it would copy now (added ones) and loses
  those it would not (removed ones), and follows a QuerySet class the
  module replaced.
- A receiver a module connected to a signal (`@receiver(post_save,
  sender=Post)`) stays connected when the module runs again: if the new
  run no longer binds that function under its name (renamed, removed),
  a fresh run would not have it connected, and it is disconnected. What
  the run asks Signal.connect is recorded: a receiver it connects
  elsewhere (another sender or signal) leaves where it was, and one
  renamed under its dispatch_uid, which the old one's key kept out, is
  connected.
- A templatetags module's `register = template.Library()` run again keeps
  the Library the template engines loaded, filled with what the module
  registers now: new and edited filters and tags are found.
- ModelAdmin classes registered again (admin.site.register) replace the
  old registration instead of raising AlreadyRegistered; so does a model
  registered with Django's default ModelAdmin (admin.site.register(Post)).
- Django copied the settings module's values when it started: a saved
  settings module (DJANGO_SETTINGS_MODULE) gives django.conf.settings its
  new values, and Django's setting_changed signal resets what depends on
  them (templates, caches, time zone), as override_settings does. Settings
  read once at start (INSTALLED_APPS, DATABASES, MIDDLEWARE, ...) get a
  note: they take effect after a restart. So does an edited
  AppConfig.ready(), which Django ran when it started (and an AppConfig's
  name, label or default_auto_field, read then), and the edited
  __init__ of a middleware, made once with the middleware chain, or a
  hook of it added or removed (process_view, ...), looked for then. A module
  of the user's that read a changed setting at import (`PAGE_SIZE =
  settings.BLOG_PAGE_SIZE`) imports no settings module and keeps what it
  read: a note lands on that line.
"""

import ast
import functools
import importlib
import os
import sys
import types
import weakref

from . import Adapter
from .live import as_folders, binding_line, lies_in
from ..update import code_same
from ..rules import is_class, update_class_body

# Attributes of a model class that belong to Django's machinery.
MODEL_KEYS = frozenset(("_meta", "DoesNotExist", "MultipleObjectsReturned", "objects", "_default_manager",
                        "_base_manager", "__init__", "Meta"))


# Settings Django reads once, when it starts: a change needs a restart.
READ_AT_START = frozenset((
    "INSTALLED_APPS", "DATABASES", "MIDDLEWARE", "AUTH_USER_MODEL", "LOGGING", "LOGGING_CONFIG",
    "DEFAULT_AUTO_FIELD", "DATABASE_ROUTERS", "WSGI_APPLICATION", "ASGI_APPLICATION",
))


def model_base():
    base = sys.modules.get("django.db.models.base")
    return getattr(base, "Model", None)


def registered(model):
    """Reports whether the app registry holds this class for its model."""
    meta = model.__dict__.get("_meta")
    if meta is None or meta.abstract:
        return False
    return meta.apps.all_models.get(meta.app_label, {}).get(meta.model_name) is model


def field_signature(field):
    related = getattr(field, "related_model", None)
    if isinstance(related, type):
        related = related._meta.label
    # The related model's accessor (post.comments) was made for the old
    # field: a related_name changed is a change to restart for.
    remote = getattr(field, "remote_field", None)
    accessor = getattr(remote, "related_name", None)
    # What a delete of the related row does (CASCADE, PROTECT, ...), by name.
    on_delete = getattr(remote, "on_delete", None)
    on_delete = getattr(on_delete, "__qualname__", None) or repr(on_delete)
    return (field.name, field.get_internal_type(), getattr(field, "column", None), field.null,
            getattr(field, "max_length", None), repr(field.default), repr(getattr(field, "choices", None)),
            getattr(field, "unique", None), getattr(field, "db_index", None), repr(related), repr(accessor),
            on_delete, repr(getattr(field, "db_default", None)))


# Meta options a query or a page reads from the model's _meta when it runs,
# which no migration changes: a save sets them on the model in place.
FOLLOWED_OPTIONS = ("ordering", "get_latest_by", "verbose_name", "verbose_name_plural", "default_manager_name",
                    "base_manager_name")


def model_signature(model):
    """(fields, the Meta options the database sees) of a model."""
    meta = model._meta
    fields = [field_signature(f) for f in list(meta.local_fields) + list(meta.local_many_to_many)]
    # A class with a Meta has its unique_together normalized to a tuple,
    # one without keeps the default list: the same to the database.
    together = tuple(tuple(names) for names in meta.unique_together)
    # Permissions are rows migrate makes (its post_migrate receiver).
    options = (meta.db_table, repr(together), repr(meta.indexes), repr(meta.constraints),
               repr(meta.permissions), repr(meta.default_permissions))
    return fields, options


def describe(old, new):
    before = {f[0]: f for f in old[0]}
    after = {f[0]: f for f in new[0]}
    parts = ["field %r added" % n for n in after if n not in before]
    parts += ["field %r changed" % n for n in after if n in before and after[n] != before[n]]
    parts += ["field %r removed" % n for n in before if n not in after]
    if old[1] != new[1]:
        parts.append("its Meta changed")
    return ", ".join(parts)


def follow_options(up, old, new):
    """Gives old's _meta the new class's FOLLOWED_OPTIONS."""
    meta, fresh = old._meta, new._meta
    changed = False
    for attr in FOLLOWED_OPTIONS:
        value = getattr(fresh, attr, None)
        if repr(getattr(meta, attr, None)) != repr(value):
            up.set_attr(meta, attr, value)
            changed = True
    if changed:
        if "verbose_name_raw" in meta.__dict__:  # a cached_property of verbose_name
            up.on_undo(meta.__dict__.__setitem__, "verbose_name_raw", meta.__dict__.pop("verbose_name_raw"))
        up.set_attr(meta, "original_attrs", dict(fresh.original_attrs))  # what makemigrations reads
        meta._expire_cache()  # default_manager, base_manager: cached from the manager names
        up.on_undo(meta._expire_cache)


def django_cached_property():
    return getattr(sys.modules.get("django.utils.functional"), "cached_property", None)


# Field attributes forms, the admin and validation read when they run,
# which no migration changes: a save sets them on the model's field in place.
FOLLOWED_FIELD_ATTRS = ("verbose_name", "help_text", "blank", "editable")


def same_value(a, b):
    try:
        return bool(a == b)  # a lazy translation compares by its text
    except Exception:
        return a is b


def follow_fields(up, old, new):
    """Gives each field of old the FOLLOWED_FIELD_ATTRS of new's field of
    its name, when the database sees the two alike (else the note says
    the model keeps its fields). Counts as a change in place: a module
    that made a ModelForm of the model at import runs again."""
    fresh = {f.name: f for f in list(new._meta.local_fields) + list(new._meta.local_many_to_many)}
    changed = False
    for field in list(old._meta.local_fields) + list(old._meta.local_many_to_many):
        other = fresh.get(field.name)
        if other is None or field_signature(field) != field_signature(other):
            continue
        for attr in FOLLOWED_FIELD_ATTRS:
            value = getattr(other, attr, None)
            if not same_value(getattr(field, attr, None), value):
                up.set_attr(field, attr, value)
                changed = True
    if changed:
        up.changed_in_place()


def is_machinery(key, value):
    if key in MODEL_KEYS or isinstance(value, functools.partialmethod):
        return True
    if isinstance(value, type):
        # DoesNotExist and MultipleObjectsReturned, whatever their bases;
        # other classes are the body's (a TextChoices of the model).
        return issubclass(value, Exception)
    kind = django_cached_property()
    if kind is not None and isinstance(value, kind):
        return False  # written in the class body, as functools' is
    return (type(value).__module__ or "").startswith("django.")


def is_cached_property_pair(up, old, new):
    kind = django_cached_property()
    return kind is not None and type(old) is type(new) is kind


def update_cached_property(up, old, new, where):
    """Django's cached_property, as the core's rule updates functools':
    it calls func, the function it was given (real_func) once it has a
    name."""
    if old.name != new.name:
        return False
    func = up.resolve(old.real_func, new.real_func, where)
    if func is not old.real_func:
        up.set_attr(old, "real_func", func)
        up.set_attr(old, "func", func)
    if id(func) in up.recoded:
        up.note(where, "changed: instances that computed it before this save keep the value the old code "
                "computed (it is cached in each instance); `del obj.%s` recomputes it, new instances use the new code"
                % old.name, func)
    return True


def made_as(manager):
    """How a manager was made: its class, by name (the module's class
    updated in place keeps it), and the arguments it was given."""
    cls = type(manager)
    return cls.__module__, cls.__qualname__, repr(getattr(manager, "_constructor_args", None))


def sync_managers(up, old, new):
    """Gives old the managers new declares that it lacks (a manager added
    to the model: Post.published) or made otherwise (another class, other
    arguments), and takes off those new no longer declares. Django made
    them for new (contribute_to_class), which is dropped: they serve old
    now. A manager made as before stays old's (a QuerySet's manager class
    follows its QuerySet: see sync_manager)."""
    meta = old._meta
    have = {m.name: m for m in meta.local_managers}
    managers = []
    for manager in new._meta.local_managers:
        kept = have.get(manager.name)
        if kept is not None and made_as(kept) == made_as(manager):
            if kept.creation_counter != manager.creation_counter:
                # The default manager is the first declared: the new order.
                up.set_attr(kept, "creation_counter", manager.creation_counter)
            managers.append(kept)
            continue
        up.set_attr(manager, "model", old)
        up.set_class_attr(old, manager.name, new.__dict__[manager.name])
        managers.append(manager)
    for name in set(have) - {m.name for m in managers}:
        if name in old.__dict__:
            up.del_class_attr(old, name)
    if [id(m) for m in managers] != [id(m) for m in meta.local_managers]:
        up.set_attr(meta, "local_managers", managers)
        meta._expire_cache()
        up.on_undo(meta._expire_cache)


def put_model(apps, model):
    meta = model._meta
    apps.all_models[meta.app_label][meta.model_name] = model
    if meta.app_config is not None:
        meta.app_config.models[meta.model_name] = model
    apps.clear_cache()


def ready_code(module):
    """{class name: code of its ready()} for the AppConfig classes module defines."""
    apps = sys.modules.get("django.apps")
    base = getattr(apps, "AppConfig", None)
    found = {}
    for key, value in list(module.__dict__.items()) if base is not None else ():
        if isinstance(value, type) and issubclass(value, base) and value.__module__ == module.__name__:
            ready = value.__dict__.get("ready")
            if ready is not None and hasattr(ready, "__code__"):
                found[key] = ready.__code__
    return found


# What Django read from an AppConfig class when it started: the app's
# name and label, and the primary key its models got.
APP_READ_AT_START = ("name", "label", "default_auto_field", "default")


def app_config_said(module):
    """{class name: {attribute: repr}} of APP_READ_AT_START the AppConfig
    classes module defines set in their bodies."""
    apps = sys.modules.get("django.apps")
    base = getattr(apps, "AppConfig", None)
    found = {}
    for key, value in list(module.__dict__.items()) if base is not None else ():
        if isinstance(value, type) and issubclass(value, base) and value.__module__ == module.__name__:
            found[key] = {a: repr(value.__dict__[a]) for a in APP_READ_AT_START if a in value.__dict__}
    return found


# The methods of a middleware BaseHandler.load_middleware looks for, once.
MIDDLEWARE_HOOKS = ("process_view", "process_template_response", "process_exception")


def middleware_hooks(module):
    """{class name: the MIDDLEWARE_HOOKS it has} for the classes of module
    that settings.MIDDLEWARE names."""
    found = {}
    for key in middleware_init_code(module, every=True):
        cls = module.__dict__[key]
        found[key] = tuple(h for h in MIDDLEWARE_HOOKS if callable(getattr(cls, h, None)))
    return found


def middleware_init_code(module, every=False):
    """{class name: code of its __init__} for the classes of module that
    settings.MIDDLEWARE names (every: those without an __init__ of their
    own too, with None)."""
    settings = getattr(sys.modules.get("django.conf"), "settings", None)
    try:
        named = list(settings.MIDDLEWARE) if settings is not None and settings.configured else []
    except Exception:
        named = []
    found = {}
    for path in named:
        where, _, key = str(path).rpartition(".")
        value = module.__dict__.get(key) if where == module.__name__ else None
        init = value.__dict__.get("__init__") if isinstance(value, type) else None
        if init is not None and hasattr(init, "__code__"):
            found[key] = init.__code__
        elif every and isinstance(value, type):
            found[key] = None
    return found


MISSING_SETTING = object()


def said_again(old, new):
    """Reports whether a setting's new value says what its old one did.
    Django completes some settings in place when it starts (DATABASES gains
    ATOMIC_REQUESTS, TEST, ...), so a dict says it again if each of its keys
    does."""
    if isinstance(old, dict) and isinstance(new, dict):
        return all(key in old and said_again(old[key], value) for key, value in new.items())
    try:
        return bool(old == new)
    except Exception:
        return old is new


def settings_reads(tree, holders, names):
    """[(line, setting name)] where the code a module runs when it is
    imported (its top level and class bodies, not its functions) reads
    one of names from django.conf.settings, held under one of holders:
    `settings.NAME`, `getattr(settings, "NAME", ...)`."""
    found, todo = [], list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for default in node.args.defaults + [d for d in node.args.kw_defaults if d is not None]:
                todo.append(default)  # defaults are computed when the def runs
            todo.extend(getattr(node, "decorator_list", ()))
            continue
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in holders
                and node.attr in names):
            found.append((node.lineno, node.attr))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
              and len(node.args) >= 2 and isinstance(node.args[0], ast.Name) and node.args[0].id in holders
              and isinstance(node.args[1], ast.Constant) and node.args[1].value in names):
            found.append((node.lineno, node.args[1].value))
        todo.extend(ast.iter_child_nodes(node))
    return sorted(found)


def restore_setting(wrapped, name, value, changed):
    if value is MISSING_SETTING:
        wrapped.__dict__.pop(name, None)
    else:
        setattr(wrapped, name, value)
    settings = getattr(sys.modules.get("django.conf"), "settings", None)
    if settings is not None:
        settings.__dict__.pop(name, None)
    if changed is not None:
        changed.send(sender=type(wrapped), setting=name, value=getattr(wrapped, name, None), enter=False)


def queryset_managers(modules):
    """[(manager class made by from_queryset, its QuerySet class)] of the
    registered models' managers whose QuerySet class a module of modules
    defines (its name there, or the class it had before the run)."""
    apps = getattr(sys.modules.get("django.apps"), "apps", None)
    names = {m.__name__ for m in modules}
    found, seen = [], set()
    for models in list(getattr(apps, "all_models", {}).values()):
        for model in list(models.values()):
            meta = model.__dict__.get("_meta")
            for manager in list(getattr(meta, "local_managers", ()) or ()):
                for cls in type(manager).__mro__:
                    queryset = cls.__dict__.get("_queryset_class")
                    if (isinstance(queryset, type) and queryset.__module__ in names and id(cls) not in seen
                            and len(cls.__bases__) == 1):
                        seen.add(id(cls))
                        found.append((cls, queryset))
    return found


def sync_manager(up, cls, queryset):
    """Gives cls, a manager class Django made from queryset, the methods it
    would be made with now (Manager._get_queryset_methods), by name: a
    copied method calls the QuerySet's method of its name, so an edited one
    already runs the new code."""
    module = sys.modules.get(queryset.__module__)
    now = getattr(module, queryset.__name__, None)
    kind = getattr(sys.modules.get("django.db.models.query"), "QuerySet", None)
    if isinstance(now, type) and now is not queryset and kind is not None and issubclass(now, kind):
        # The module bound a new class to the name (the old one was not
        # updated in place): a fresh run's manager makes its querysets.
        up.set_class_attr(cls, "_queryset_class", now)
        queryset = now
    base = cls.__bases__[0]
    wanted = base._get_queryset_methods(queryset)
    for key, value in list(cls.__dict__.items()):
        copied = getattr(value, "__wrapped__", None)
        if copied is None or not callable(value) or getattr(value, "__name__", None) != key:
            continue
        if key not in wanted:
            up.del_class_attr(cls, key)
        elif wanted[key].__wrapped__ is not copied:
            up.set_class_attr(cls, key, wanted[key])
    for key, value in wanted.items():
        if key not in cls.__dict__:
            up.set_class_attr(cls, key, value)


def signals_of(module):
    """The django Signals a module's code may connect to: Django's model
    and request signals, those the module holds, and those of the modules
    it holds (`from django.db.models import signals`, `from . import signals`)."""
    kind = getattr(sys.modules.get("django.dispatch"), "Signal", None)
    if kind is None:
        return []
    places = [module, sys.modules.get("django.db.models.signals"), sys.modules.get("django.core.signals")]
    places += [v for v in list(module.__dict__.values()) if isinstance(v, types.ModuleType)]
    found = {}
    for place in places:
        for value in list(getattr(place, "__dict__", {}).values()):
            if isinstance(value, kind):
                found[id(value)] = value
    return list(found.values())


def receiver_function(entry):
    """The function a Signal.receivers entry ((key, reference, ...)) calls,
    or None if it is not a plain function (a bound method, a dead one)."""
    ref = entry[1] if isinstance(entry, tuple) and len(entry) > 1 else None
    if isinstance(ref, weakref.ref):
        ref = ref()
    return ref if isinstance(ref, types.FunctionType) else None


def own_function(module, func):
    """Reports whether func is a function module's code defines at module
    level (a def or a lambda, not one made inside a call)."""
    return (func is not None and func.__module__ == module.__name__
            and "<locals>" not in getattr(func, "__qualname__", "<locals>"))


# ModelAdmins of Django's own classes (admin.site.register(Post)) -> the
# module whose run registered them, as a save saw it.
REGISTERED_BY = weakref.WeakKeyDictionary()


def registered_by(module, model, admin):
    """Reports whether module's run (may have) registered model with admin,
    so that running it again registers it again: a ModelAdmin class of the
    module, or one of Django's for a model the module holds, unless a save
    saw another module register it. Without the module's previous run
    (its first import), a ModelAdmin of Django's for a model it holds may
    be another module's: register_again puts such a one back."""
    if type(admin).__module__ == module.__name__:
        return True
    if not type(admin).__module__.startswith("django."):
        return False
    by = REGISTERED_BY.get(admin)
    return by == module.__name__ if by is not None else any(v is model for v in list(module.__dict__.values()))


def restore_receivers(signal, receivers):
    with signal.lock:
        signal.receivers[:] = receivers
        signal.sender_receivers_cache.clear()


def lookup_key(receiver, sender=None, weak=True, dispatch_uid=None):
    """The key Signal.connect files a receiver under (see its code)."""
    make_id = sys.modules["django.dispatch.dispatcher"]._make_id
    return (dispatch_uid if dispatch_uid else make_id(receiver), make_id(sender))


def spy_connect(calls):
    """Has Signal.connect record in calls [(signal, receiver, args, kwargs)]
    what it is asked to connect, until the returned function is called."""
    kind = sys.modules["django.dispatch"].Signal
    connect = kind.__dict__["connect"]

    def recording(self, receiver, *args, **kwargs):
        calls.append((self, receiver, args, kwargs))
        return connect(self, receiver, *args, **kwargs)

    kind.connect = functools.wraps(connect)(recording)

    def stop():
        kind.connect = connect
    return stop


# What a URLResolver caches, read from its URL conf on first use: the
# cached_property values, and what _populate() fills (reverse lookups).
RESOLVER_CACHED = ("urlconf_module", "url_patterns")


def reset_resolver(resolver):
    for key in RESOLVER_CACHED:
        resolver.__dict__.pop(key, None)
    resolver._reverse_dict = {}
    resolver._namespace_dict = {}
    resolver._app_dict = {}
    resolver._callback_strs = set()
    resolver._populated = False


def nested_resolvers(patterns, seen):
    """The URLResolvers in patterns (a URL conf's urlpatterns, as the root
    resolver read it) and in theirs, each once. Reads each resolver's
    url_patterns, its caches reset: they are those of its conf now."""
    resolvers = sys.modules.get("django.urls.resolvers")
    kind = getattr(resolvers, "URLResolver", None)
    found = []
    for pattern in patterns if kind is not None and isinstance(patterns, (list, tuple)) else ():
        if isinstance(pattern, kind) and id(pattern) not in seen:
            seen.add(id(pattern))
            reset_resolver(pattern)
            found.append(pattern)
            try:
                inner = pattern.url_patterns
            except Exception:
                continue  # a broken conf: the request that reads it says so
            found += nested_resolvers(inner, seen)
    return found


def reset_urls():
    """Clears Django's URL caches and those of every resolver the root URL
    conf holds, at any depth: a conf included by another (include("blog.urls"),
    include(blog.urls)) is held by a URLResolver the including conf made when
    it ran, and which cached the included conf's patterns and reverse
    lookups. A saved included conf runs again, the including one does not,
    so without this its old patterns would still answer. Resetting them all
    is cheap: each reads its conf again on its next request."""
    urls = sys.modules.get("django.urls")
    urls.clear_url_caches()
    settings = getattr(sys.modules.get("django.conf"), "settings", None)
    try:
        root = settings.ROOT_URLCONF if settings is not None and settings.configured else None
    except Exception:
        root = None
    if not isinstance(root, str) or root not in sys.modules:
        return []  # not imported yet: the first request reads it fresh
    try:
        patterns = urls.get_resolver(root).url_patterns
    except Exception:
        return []
    return nested_resolvers(patterns, set())


class DjangoAdapter(Adapter):
    module = "django"

    def __init__(self, workspace=None):
        super().__init__(workspace)
        self.said = {}  # the settings module's values before it ran again
        self.connected = []  # [(Signal, its receivers before the module ran)]
        self.calls = []  # [(Signal, receiver, args, kwargs)] the module's run asked Signal.connect
        self.stop_spying = None
        self.ready = {}  # AppConfig class name -> its ready()'s code before the module ran
        self.app_said = {}  # AppConfig class name -> what APP_READ_AT_START it set before the module ran
        self.middleware = {}  # middleware class name -> its __init__'s code before the module ran
        self.hooks = {}  # middleware class name -> the MIDDLEWARE_HOOKS it had before the module ran
        self.unregistered = []  # [(AdminSite, {model: ModelAdmin})] taken out while the module runs
        self.admins = set()  # ids of the ModelAdmins registered before it ran
        self.rules = [(self.is_model_pair, self.update_model), (self.is_library_pair, self.keep_library),
                      (is_cached_property_pair, update_cached_property)]

    def before_rerun(self, up, modules):
        if sys.modules.get("django.urls") is not None:
            up.on_undo(reset_urls)

    def before_run(self, up, module):
        self.settings_before(module)
        self.ready = {key: code for key, code in ready_code(module).items()}
        self.app_said = app_config_said(module)
        self.middleware = middleware_init_code(module)
        self.hooks = middleware_hooks(module)
        self.connected = [(s, list(s.receivers)) for s in signals_of(module)]
        if self.connected:
            self.calls = []
            self.stop_spying = spy_connect(self.calls)
            up.on_undo(self.stop_spy)
        base = model_base()
        for value in list(module.__dict__.values()) if base is not None else ():
            if (isinstance(value, type) and issubclass(value, base) and value.__module__ == module.__name__
                    and registered(value)):
                meta = value._meta
                # Out of the registry while its module runs, so the class
                # statement registers quietly; back after.
                del meta.apps.all_models[meta.app_label][meta.model_name]
                up.on_undo(put_model, meta.apps, value)
        self.unregistered, self.admins = [], set()
        sites = sys.modules.get("django.contrib.admin.sites")
        for site in list(getattr(sites, "all_sites", ()) or ()):
            registry = getattr(site, "_registry", None)
            if isinstance(registry, dict):
                self.admins.update(id(a) for a in registry.values())
                kept = {m: a for m, a in registry.items() if not registered_by(module, m, a)}
                if len(kept) != len(registry):
                    self.unregistered.append((site, {m: a for m, a in registry.items() if m not in kept}))
                    up.set_attr(site, "_registry", kept)

    def files_changed(self, paths):
        """Django's cached template loader, in use with DEBUG on too, keeps
        each template it compiled; only runserver's autoreloader empties
        it. As its template_changed does, the loaders of every engine are
        reset when a changed file lies under a template directory."""
        engines = getattr(sys.modules.get("django.template"), "engines", None)
        if not getattr(engines, "_engines", None):
            return ()  # no engine made yet: nothing compiled
        try:
            from django.template.autoreload import get_template_directories, reset_loaders
        except ImportError:  # before Django 3.2
            return ()
        dirs = as_folders(get_template_directories())
        if not any(lies_in(path, dirs) for path in paths):
            return ()
        reset_loaders()
        return ("Django's cached templates",)

    def register_again(self, up, module):
        """Puts back a registration with a ModelAdmin of Django's that the
        module's run did not make again (see registered_by): another module
        made it. Tags those the run made as the module's."""
        for site, taken in self.unregistered:
            for model, admin in taken.items():
                if (model not in site._registry and type(admin).__module__ != module.__name__
                        and REGISTERED_BY.get(admin) != module.__name__):
                    up.on_undo(site._registry.pop, model, None)
                    site._registry[model] = admin
        sites = sys.modules.get("django.contrib.admin.sites")
        for site in list(getattr(sites, "all_sites", ()) or ()):
            for admin in list(getattr(site, "_registry", {}).values()):
                if id(admin) not in self.admins and type(admin).__module__.startswith("django."):
                    REGISTERED_BY[admin] = module.__name__
        self.unregistered, self.admins = [], set()

    def stop_spy(self):
        if self.stop_spying is not None:
            self.stop_spying()
            self.stop_spying = None

    def after_run(self, up, module):
        self.stop_spy()
        calls, self.calls = self.calls, []
        self.register_again(up, module)
        self.disconnect_moved(up, module, calls)
        self.disconnect_gone(up, module)
        self.connect_again(up, calls)
        if module.__name__ == os.environ.get("DJANGO_SETTINGS_MODULE"):
            self.apply_settings(up, module)
        for key, code in ready_code(module).items():
            if key in self.ready and not code_same(code, self.ready[key]):
                cls = module.__dict__[key]
                up.note("%s.%s.ready" % (module.__name__, key), "Django ran AppConfig.ready() when it started: "
                        "this change takes effect after a restart", cls.__dict__["ready"])
        for key, said in app_config_said(module).items():
            changed = sorted(a for a in set(said) | set(self.app_said.get(key, said)) if
                             said.get(a) != self.app_said.get(key, said).get(a))
            if changed:
                up.note("%s.%s" % (module.__name__, key), "Django read %s of this AppConfig when it started: "
                        "this change takes effect after a restart" % ", ".join(changed), module.__dict__[key])
        for key, code in middleware_init_code(module).items():
            if key in self.middleware and not code_same(code, self.middleware[key]):
                cls = module.__dict__[key]
                up.note("%s.%s.__init__" % (module.__name__, key), "Django made this middleware once, when it "
                        "loaded the middleware chain (a handler's first request): the one it calls keeps what the "
                        "old __init__ set; restart the runtime (or make a new test Client)", cls.__dict__["__init__"])
        for key, hooks in middleware_hooks(module).items():
            if key in self.hooks and hooks != self.hooks[key]:
                cls = module.__dict__[key]
                added = [h for h in hooks if h not in self.hooks[key] and h in cls.__dict__]
                up.note("%s.%s" % (module.__name__, key), "Django looked for this middleware's %s when it loaded "
                        "the middleware chain (a handler's first request): one added or removed takes effect after "
                        "a restart of the runtime (or with a new test Client)" % ", ".join(MIDDLEWARE_HOOKS),
                        cls.__dict__[added[0]] if added else cls)

    def disconnect_moved(self, up, module, calls):
        """Disconnects a receiver the module's run connected again, as the
        same function, only elsewhere: to another sender or signal
        (@receiver(post_save, sender=Post) made sender=Tag). Its entry
        from before stays filed under the old key, which a fresh run
        would not have. A function the run did not connect at all (one
        AppConfig.ready() connects) is left alone."""
        asked = {}  # id(function) -> {(id(signal), key)} the run connected it under
        for signal, receiver, args, kwargs in calls:
            asked.setdefault(id(receiver), set()).add((id(signal), lookup_key(receiver, *args, **kwargs)))
        for signal, before in self.connected:
            moved = []
            for entry in before:
                func = receiver_function(entry)
                if (func is not None and own_function(module, func) and id(func) in asked
                        and (id(signal), entry[0]) not in asked[id(func)]):
                    moved.append(entry)
            if moved:
                with signal.lock:
                    now = list(signal.receivers)
                    up.on_undo(restore_receivers, signal, now)
                    signal.receivers[:] = [e for e in now if not any(e is m for m in moved)]
                    signal.sender_receivers_cache.clear()
                up.manage(signal)  # its new entry is the moved one's: it grew as in a fresh run

    def connect_again(self, up, calls):
        """Connects what the run asked to connect and Signal.connect left
        out because its key was taken, by a receiver disconnected since:
        a receiver renamed under the same dispatch_uid."""
        for signal, receiver, args, kwargs in calls:
            key = lookup_key(receiver, *args, **kwargs)
            with signal.lock:
                filed = any(e[0] == key for e in signal.receivers)
                now = list(signal.receivers)
            if not filed:
                up.on_undo(restore_receivers, signal, now)
                signal.connect(receiver, *args, **kwargs)

    def disconnect_gone(self, up, module):
        """Disconnects the receivers, connected before the module ran, that
        are module-level functions of the module (lambdas too) its new run
        no longer binds under their name (renamed, removed, a new lambda): a
        fresh run would not have connected them. Django keys a receiver by
        id(function), so no rule of the core matches them with the new
        run's. A signal whose new receivers are all such functions grew as
        in a fresh run: no growth note for it."""
        for signal, before in self.connected:
            gone = []
            for entry in before:
                func = receiver_function(entry)
                if (func is not None and own_function(module, func)
                        and module.__dict__.get(func.__name__) is not func):
                    gone.append(entry)
            with signal.lock:
                now = list(signal.receivers)
                kept = [e for e in now if not any(e is g for g in gone)]
                if len(kept) != len(now):
                    up.on_undo(restore_receivers, signal, now)
                    signal.receivers[:] = kept
                    signal.sender_receivers_cache.clear()
            added = [e for e in kept if not any(e is b for b in before)]
            if gone and all(own_function(module, receiver_function(e)) for e in added):
                up.manage(signal)
        self.connected = []

    def settings_before(self, module):
        if module.__name__ == os.environ.get("DJANGO_SETTINGS_MODULE"):
            # What the module said before it ran again: Django's copies are
            # completed at start (DATABASES gains defaults), so they are not
            # what to compare with.
            self.said = {k: v for k, v in module.__dict__.items() if k.isupper()}

    def after_rerun(self, up, modules):
        for cls, queryset in queryset_managers(modules):
            sync_manager(up, cls, queryset)
        if sys.modules.get("django.urls") is not None:
            ran = {id(m) for m in modules}
            for resolver in reset_urls():
                self.note_app_name(up, resolver, ran)

    def note_app_name(self, up, resolver, ran):
        """include() read the included conf's app_name when the including
        conf ran, and made it the namespace unless given one: a changed
        app_name does not reach the resolver until that conf runs again."""
        conf = resolver.urlconf_name
        if isinstance(conf, str):
            conf = sys.modules.get(conf)
        if id(conf) not in ran or not hasattr(conf, "app_name") or conf.app_name == resolver.app_name:
            return
        up.note("%s.app_name" % conf.__name__, "the URL conf that includes this one read its app_name (%r) when it "
                "ran: save it too, or restart, for reverse() and the namespace to use %r"
                % (resolver.app_name, conf.app_name), binding_line(conf, "app_name"))

    def apply_settings(self, up, module):
        """Gives django.conf.settings the saved settings module's values."""
        conf = sys.modules.get("django.conf")
        settings = getattr(conf, "settings", None)
        if settings is None or not settings.configured:
            return
        wrapped = settings._wrapped
        try:
            # Django's own receivers of setting_changed (templates, caches,
            # time zone...) live here; override_settings imports it too.
            importlib.import_module("django.test.signals")
        except ImportError:
            pass
        changed = getattr(sys.modules.get("django.core.signals"), "setting_changed", None)
        applied = set()
        for name, value in list(module.__dict__.items()):
            if not name.isupper() or (name in self.said and said_again(self.said[name], value)):
                continue
            was = getattr(wrapped, name, MISSING_SETTING)
            if name in READ_AT_START:
                up.note("%s.%s" % (module.__name__, name), "Django read this setting when it started: the new "
                        "value takes effect after a restart", binding_line(module, name))
                continue
            up.on_undo(restore_setting, wrapped, name, was, changed)
            setattr(wrapped, name, value)
            settings.__dict__.pop(name, None)  # LazySettings caches what it read
            if changed is not None:
                changed.send(sender=type(wrapped), setting=name, value=value, enter=True)
            applied.add(name)
        if applied:
            self.note_read_at_import(up, module, settings, applied)

    def note_read_at_import(self, up, saved, settings, names):
        """Notes each line of a loaded module of the user's that read one
        of names from django.conf.settings when it ran (`PAGE_SIZE =
        settings.BLOG_PAGE_SIZE` at its top level): it imports no settings
        module, so the save does not run it again, and it keeps the value
        it read, until it runs again."""
        for name, file in list(self.workspace.loaded().items()) if self.workspace is not None else ():
            module = sys.modules.get(name)
            if module is None or module is saved:
                continue
            holders = {k for k, v in list(module.__dict__.items()) if v is settings}
            if not holders:
                continue
            try:
                with open(file, encoding="utf-8") as f:
                    source = f.read()
                if not any(n in source for n in names):
                    continue
                tree = ast.parse(source, file)
            except (OSError, SyntaxError, ValueError):
                continue
            for line, setting in settings_reads(tree, holders, names):
                up.note("%s.%s" % (name, setting), "read settings.%s when it ran, and keeps the value from before "
                        "this save of %s until it runs again: save it too, or restart" % (setting, saved.__name__),
                        (file, line), until=name)

    def is_library_pair(self, up, old, new):
        """`register = template.Library()` in a templatetags module, run
        again: the template engines hold the old Library (they loaded the
        module when they started), so it must stay the one the module's
        @register.filter and @register.tag fill."""
        library = getattr(sys.modules.get("django.template.library"), "Library", None)
        return library is not None and type(old) is type(new) and isinstance(old, library)

    def keep_library(self, up, old, new, where):
        # Bound right after its statement: new holds what the module's
        # code registered so far (nothing, usually); the rest of the
        # module registers on old, as a fresh run's module on its own.
        for attr in ("filters", "tags"):
            up.set_attr(old, attr, dict(getattr(new, attr)))
        return True

    def is_model_pair(self, up, old, new):
        base = model_base()
        return (base is not None and isinstance(old, type) and isinstance(new, type) and issubclass(old, base)
                and issubclass(new, base) and is_class(up, old, new) and "_meta" in old.__dict__
                and not old._meta.abstract)

    def update_model(self, up, old, new, where):
        before, after = model_signature(old), model_signature(new)
        meta = new._meta
        if meta.apps.all_models.get(meta.app_label, {}).get(meta.model_name) is new:
            put_model(meta.apps, old)
        update_class_body(up, old, new, where, skip=is_machinery)
        sync_managers(up, old, new)
        follow_fields(up, old, new)
        follow_options(up, old, new)
        if before != after:
            up.note(where, "its fields changed (%s) and the model keeps the old ones: migrate the database "
                           "(makemigrations, migrate) and restart the runtime; its methods already run the new "
                           "code" % describe(before, after))
        return True
