"""Django: views and URL confs reload; models keep their class and take new
methods, and a model whose fields change gets a note.

- Views are functions and classes the core updates in place. A URL conf
  that runs again has a new `urlpatterns`, but Django's resolver cached the
  old one: after a save (and a rollback) the URL caches are cleared, so the
  next request resolves with the new patterns.
- A model class is registered with the app registry, and its fields,
  managers and related descriptors are wired to it and to other models.
  Running its class statement again warned ("Model 'blog.article' was
  already registered. Reloading models is not advised ...") and registered
  a second class. Instead the new class is dropped and the old one, still
  registered, takes the new methods and properties: live instances,
  querysets and managers run the new code.
- If the fields or Meta changed, the old fields stay and a note says so:
  the database needs a migration (makemigrations, migrate) and the app
  registry a restart.
- ModelAdmin classes registered again (admin.site.register) replace the
  old registration instead of raising AlreadyRegistered.
"""

import functools
import sys

from . import Adapter

# Attributes of a model class that belong to Django's machinery.
MODEL_KEYS = frozenset(("_meta", "DoesNotExist", "MultipleObjectsReturned", "objects", "_default_manager",
                        "_base_manager", "__init__", "Meta"))


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
    return (field.name, field.get_internal_type(), getattr(field, "column", None), field.null,
            getattr(field, "max_length", None), repr(field.default), repr(getattr(field, "choices", None)),
            getattr(field, "unique", None), getattr(field, "db_index", None), repr(related))


def model_signature(model):
    meta = model._meta
    fields = [field_signature(f) for f in list(meta.local_fields) + list(meta.local_many_to_many)]
    options = (meta.db_table, repr(meta.ordering), repr(meta.unique_together), repr(meta.indexes),
               repr(meta.constraints), repr(meta.verbose_name))
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


def is_machinery(key, value):
    if key in MODEL_KEYS or isinstance(value, functools.partialmethod):
        return True
    if isinstance(value, type) and issubclass(value, Exception):
        return True  # DoesNotExist and MultipleObjectsReturned, whatever their bases
    return (type(value).__module__ or "").startswith("django.")


def put_model(apps, model):
    meta = model._meta
    apps.all_models[meta.app_label][meta.model_name] = model
    if meta.app_config is not None:
        meta.app_config.models[meta.model_name] = model
    apps.clear_cache()


class DjangoAdapter(Adapter):
    module = "django"

    def __init__(self, workspace=None):
        super().__init__(workspace)
        self.rules = [(self.is_model_pair, self.update_model)]

    def before_rerun(self, up, modules):
        urls = sys.modules.get("django.urls")
        if urls is not None:
            up.on_undo(urls.clear_url_caches)

    def before_run(self, up, module):
        base = model_base()
        for value in list(module.__dict__.values()) if base is not None else ():
            if (isinstance(value, type) and issubclass(value, base) and value.__module__ == module.__name__
                    and registered(value)):
                meta = value._meta
                # Out of the registry while its module runs, so the class
                # statement registers quietly; back after.
                del meta.apps.all_models[meta.app_label][meta.model_name]
                up.on_undo(put_model, meta.apps, value)
        sites = sys.modules.get("django.contrib.admin.sites")
        for site in list(getattr(sites, "all_sites", ()) or ()):
            registry = getattr(site, "_registry", None)
            if isinstance(registry, dict):
                kept = {m: a for m, a in registry.items() if type(a).__module__ != module.__name__}
                if len(kept) != len(registry):
                    up.set_attr(site, "_registry", kept)

    def after_rerun(self, up, modules):
        urls = sys.modules.get("django.urls")
        if urls is not None:
            urls.clear_url_caches()

    def is_model_pair(self, up, old, new):
        from ..rules import is_class

        base = model_base()
        return (base is not None and isinstance(old, type) and isinstance(new, type) and issubclass(old, base)
                and issubclass(new, base) and is_class(up, old, new) and "_meta" in old.__dict__
                and not old._meta.abstract)

    def update_model(self, up, old, new, where):
        from ..rules import update_class_body

        before, after = model_signature(old), model_signature(new)
        meta = new._meta
        if meta.apps.all_models.get(meta.app_label, {}).get(meta.model_name) is new:
            put_model(meta.apps, old)
        update_class_body(up, old, new, where, skip=is_machinery)
        if before != after:
            up.note(where, "its fields changed (%s) and the model keeps the old ones: migrate the database "
                           "(makemigrations, migrate) and restart the runtime; its methods already run the new "
                           "code" % describe(before, after))
        return True
