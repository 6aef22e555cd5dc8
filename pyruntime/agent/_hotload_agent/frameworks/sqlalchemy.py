"""SQLAlchemy: mapped classes keep their mapping and take the new code.

A mapped class is registered globally (its registry's mappers and
class-name lookup, its table in a MetaData), so running its class statement
again either fails ("Table 'users' is already defined") or, with
extend_existing, maps a second class onto the first one's table. Instead:

- Before modules re-run, the tables of their mapped classes and of their
  module-level Table objects leave their MetaData, so the class statements
  run as in a fresh run, declarative bases included (`class
  Base(DeclarativeBase)` in the same module, or `Base = declarative_base()`).
- Each new mapped class is then discarded (its mapper disposed, its table
  and name lookup removed) and the old class, still mapped and registered,
  takes the new methods, properties and validators. Live instances, queries
  and sessions keep working and run the new code.
- If the mapping changed (a column, its type or default, a relationship,
  the table name), the old mapping stays and a note says so: the database's
  table does not change with the code, so the user migrates it and restarts.
- A declarative base made again keeps its registry and MetaData; so does a
  module's `metadata = MetaData()`, so that a Core Table whose columns
  changed is compared with the one the database was made from, and noted.

- Event listeners a module registers at import (`event.listen(Session,
  "before_flush", f)`, `@event.listens_for(Task, "init")`) are registered
  once: those its previous run registered on what it holds at module level
  (a class, an engine, a mapped class's attribute) with a function of its
  own, and that its new run does not register again, are removed once the
  save stands. A renamed listener or a lambda does not fire next to the one
  before it.

Rollback puts the tables back, disposes any mapper the save created and
removes the listeners the failed run added.
"""

import sys
import types
import warnings

from . import Adapter
from .live import touches
from ..rules import update_class_body
from ..update import cell_value

# Attributes of a mapped class that belong to its mapping, not to the code a
# save updates.
MAPPING_KEYS = frozenset((
    "__table__", "__mapper__", "_sa_class_manager", "_sa_registry", "__tablename__", "__table_args__",
    "__mapper_args__", "__init__", "registry", "metadata", "__annotations__", "__parameters__",
    "__dataclass_fields__", "__dataclass_params__", "__match_args__", "__sa_dataclass_metadata_key__",
))


def generated(value):
    """Reports whether a method was generated from a string (a dataclass's
    __repr__ and __eq__ on a MappedAsDataclass class), not written by you."""
    code = getattr(value, "__code__", None)
    return code is not None and code.co_filename.startswith("<")



def manager_of(cls):
    """The ClassManager of a class mapped by its own class statement, else None."""
    manager = cls.__dict__.get("_sa_class_manager") if isinstance(cls, type) else None
    return manager if manager is not None and getattr(manager, "is_mapped", False) else None


def is_base(cls):
    """Reports whether cls is a declarative base: it has a registry and a
    MetaData of its own and is not mapped itself."""
    return (isinstance(cls, type) and "registry" in cls.__dict__ and "metadata" in cls.__dict__
            and manager_of(cls) is None)


def is_mapping_value(value):
    """Reports whether a class attribute is part of the mapping: an
    instrumented attribute, a column, a relationship or another mapper
    property, or a declared attribute."""
    module = type(value).__module__ or ""
    return module.startswith("sqlalchemy.") and not module.startswith("sqlalchemy.ext.hybrid")


def stable(value):
    """A description of a column's default that is the same in two runs of
    the same source: functions by name, SQL by its text."""
    if value is None:
        return None
    arg = getattr(value, "arg", value)
    if callable(arg):
        arg = getattr(arg, "__wrapped__", arg)
        return "%s.%s" % (getattr(arg, "__module__", "?"), getattr(arg, "__qualname__", type(arg).__name__))
    text = getattr(arg, "text", None)
    if isinstance(text, str):
        return text
    try:
        return str(arg)
    except Exception:
        return type(arg).__name__


# Where column_signature has the column's Python-side default and onupdate:
# values the mapper's statements give, not the table's.
PYTHON_SIDE = (7, 9)


def column_signature(column):
    computed = getattr(column, "computed", None)
    return (column.name, repr(column.type), column.nullable, column.primary_key, column.unique, column.index,
            sorted(fk.target_fullname for fk in column.foreign_keys),
            stable(column.default), stable(column.server_default), stable(column.onupdate),
            stable(column.server_onupdate), described(getattr(computed, "sqltext", None)))


def table_signature(table):
    """The columns, indexes and constraints of a table, by name."""
    columns = sorted(column_signature(c) for c in table.columns)
    indexes = sorted((i.name or "", tuple(c.name for c in i.columns), bool(i.unique)) for i in table.indexes)
    constraints = sorted((type(c).__name__, c.name or "", tuple(sorted(col.name for col in getattr(c, "columns", ()))),
                          described(getattr(c, "sqltext", None)))  # a CheckConstraint's condition
                         for c in table.constraints)
    return columns, indexes, constraints


def described(value, depth=0):
    """What a relationship's argument or a constraint's SQL says, the same
    in two runs of the same source: a string as it is, a function (a
    lambda) by its code, a column by its name, SQL by its text, a list by
    its items."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, (list, tuple, set, frozenset)) and depth < 3:
        items = [described(v, depth + 1) for v in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, types.FunctionType):
        return code_description(value.__code__)
    if isinstance(value, type):
        return value.__qualname__
    column = getattr(value, "column", None)  # a MappedColumn in the class body
    if column is not None and "sqlalchemy" in (type(column).__module__ or ""):
        value = column
    if "sqlalchemy" in (type(value).__module__ or ""):
        try:
            return str(value)
        except Exception:  # SQL that needs its mapper configured to print
            pass
    return type(value).__name__


def code_description(code, depth=0):
    """What code does, without where it is (its lines, its address)."""
    consts = tuple(code_description(c, depth + 1) if isinstance(c, types.CodeType) and depth < 3
                   else (type(c).__name__, repr(c)) for c in code.co_consts)
    return ("code", code.co_code, code.co_names, consts)


def property_signature(prop):
    kind = type(prop).__name__
    if hasattr(prop, "columns"):
        # How it loads (deferred, its group, raiseload) and, for an
        # expression (column_property(first + " " + last)), its SQL.
        return (kind, [c.name for c in prop.columns],
                tuple(described(getattr(prop, name, None)) for name in ("deferred", "group", "raiseload")),
                [described(c) for c in prop.columns if getattr(c, "table", None) is None])
    argument = getattr(prop, "argument", None)
    if isinstance(argument, type):
        argument = argument.__qualname__
    secondary = getattr(prop, "secondary", None)
    # What the class statement declared: the new mapper is never configured,
    # so what configuring derives (the target mapper) is not compared, and
    # what it passed is read as passed (relationship's _init_args).
    declared = tuple((arg.name, described(arg.argument)) for arg in getattr(prop, "_init_args", ())
                     if arg.name != "back_populates")
    flags = tuple((name, described(getattr(prop, name, None))) for name in RELATIONSHIP_FLAGS)
    backref = getattr(prop, "backref", None)
    # A backref's configuration sets back_populates: the old mapper has it, the new one not yet.
    back_populates = getattr(prop, "back_populates", None) if backref is None else None
    return (kind, repr(argument), repr(getattr(secondary, "name", secondary)), back_populates, described(backref),
            getattr(prop, "lazy", None), repr(getattr(prop, "order_by", None) or None), repr(getattr(prop, "cascade", None)),
            declared, flags)


# The relationship() arguments a mapper keeps as given, besides those above.
RELATIONSHIP_FLAGS = ("viewonly", "collection_class", "passive_deletes", "innerjoin", "post_update", "single_parent",
                      "join_depth", "sync_backref")


def uselist_changed(old_mapper, new_mapper):
    """The relationships whose uselist the save changed: the new mapper's
    as declared (None: as its direction decides, which the old mapper's
    configuration found), the old's as configured."""
    changed = []
    for key, prop in list(new_mapper._props.items()):
        was = old_mapper._props.get(key)
        if not hasattr(prop, "uselist") or was is None or not hasattr(was, "direction"):
            continue
        wanted = prop.uselist
        if wanted is None:
            wanted = was.direction.name != "MANYTOONE"
        if was.uselist is not None and bool(wanted) != bool(was.uselist):
            changed.append(key)
    return changed


def column_function(default):
    """The function of yours a column's Python-side default or onupdate
    calls (`default=lambda: "draft"`, `default=make_code`), or None."""
    fn = getattr(default, "_fn", None)
    if fn is None and callable(getattr(default, "arg", None)):
        fn = getattr(default.arg, "__wrapped__", None)
    return fn if isinstance(fn, types.FunctionType) else None


def update_column_functions(up, old, new, where):
    """Gives the functions the old table's columns call for their Python
    defaults (a lambda the class statement made) the code of those the new
    table's columns call: the mapping keeps the old columns, and a fresh run
    would call the new code. The name of such a function is in the mapping's
    signature, so one that is not the same function (a lambda made a def)
    has been noted as a changed column already."""
    for column in new.columns:
        was = old.columns.get(column.key)
        if was is None:
            continue
        for kind in ("default", "onupdate"):
            a, b = column_function(getattr(was, kind, None)), column_function(getattr(column, kind, None))
            if a is not None and b is not None and a is not b and stable(a) == stable(b):
                if up.resolve(a, b, "%s.%s" % (where, column.key)) is not a:
                    up.note(where, "the %s of column %r changed and the mapping keeps the old column, which calls "
                                   "the function of before this save: restart the runtime" % (kind, column.key))


def made_by_backref(key, prop):
    """Reports whether a mapper's relationship was made by the backref of
    a relationship of the class it refers to (`backref="orders"`), when
    the mappers were configured: not declared by its own class."""
    if not hasattr(prop, "direction"):
        return False  # not a configured relationship
    other = getattr(getattr(prop, "mapper", None), "_props", {}).get(getattr(prop, "back_populates", None))
    backref = getattr(other, "backref", None)
    return backref == key or (isinstance(backref, tuple) and backref[:1] == (key,))


# The __mapper_args__ a mapper keeps as given, besides its inheritance.
MAPPER_OPTIONS = ("version_id_col", "eager_defaults", "polymorphic_on", "confirm_deleted_rows", "always_refresh",
                  "allow_partial_pks", "batch")


def mapping_signature(cls):
    """What the database and the mapper see of a mapped class."""
    mapper = cls.__dict__["__mapper__"]
    table = cls.__dict__.get("__table__")
    columns, indexes, constraints = table_signature(table) if table is not None else ([], [], [])
    props = sorted((key, property_signature(p)) for key, p in mapper._props.items() if not made_by_backref(key, p))
    inherits = mapper.inherits.class_.__qualname__ if mapper.inherits is not None else None
    validators = sorted((key, getattr(v[0], "__name__", "?")) for key, v in mapper.validators.items())
    return {
        "validators": validators,
        "table": getattr(table, "fullname", None),
        "columns": columns,
        "indexes": indexes,
        "constraints": constraints,
        "properties": props,
        "inherits": inherits,
        "polymorphic_identity": repr(mapper.polymorphic_identity),
        "options": tuple(described(getattr(mapper, name, None)) for name in MAPPER_OPTIONS),
    }


def follow_foreign_types(before, after):
    """A column of a foreign key whose type the new class statement did
    not give takes its type from the column it refers to, which the save
    took out of its MetaData: its NullType is the type the old one has."""
    types_before = {c[0]: c for c in before["columns"]}
    columns = []
    for column in after["columns"]:
        was = types_before.get(column[0])
        if column[1] == "NullType()" and column[6] and was is not None and was[6] == column[6]:
            column = column[:1] + (was[1],) + column[2:]
        columns.append(column)
    after["columns"] = sorted(columns)


def describe_change(old, new):
    """Says how the mapping new differs from old, in the user's words, and
    whether the database's table is affected: returns (text, table changed)."""
    table, mapper = [], []
    if old["table"] != new["table"]:
        table.append("the table %r became %r" % (old["table"], new["table"]))
    before = {c[0]: c for c in old["columns"]}
    after = {c[0]: c for c in new["columns"]}
    for name in after:
        if name not in before:
            table.append("column %r added" % name)
        elif after[name] == before[name]:
            continue
        elif all(a == b for i, (a, b) in enumerate(zip(after[name], before[name])) if i not in PYTHON_SIDE):
            which = " and ".join(("the default", "the onupdate value")[n] for n, i in enumerate(PYTHON_SIDE)
                                 if after[name][i:i + 1] != before[name][i:i + 1])
            mapper.append("%s of column %r changed" % (which, name))  # Python's: not the table's
        else:
            table.append("column %r changed" % name)
    table += ["column %r removed" % name for name in before if name not in after]
    if old.get("indexes") != new.get("indexes") or old.get("constraints") != new.get("constraints"):
        table.append("its indexes or constraints changed")
    props_before, props_after = dict(old["properties"]), dict(new["properties"])
    for key in props_after:
        was = props_before.get(key, props_after[key])
        if props_after[key][0] == "ColumnProperty" == was[0] and props_after[key][2:] == was[2:]:
            continue  # its column says it
        if key not in props_before:
            mapper.append("%r added" % key)
        elif props_after[key] != props_before[key]:
            mapper.append("%r changed" % key)
    mapper += ["%r removed" % k for k in props_before if k not in props_after and props_before[k][0] != "ColumnProperty"]
    if old["validators"] != new["validators"]:
        mapper.append("its @validates methods changed")
    if old["inherits"] != new["inherits"] or old["polymorphic_identity"] != new["polymorphic_identity"]:
        mapper.append("its inheritance changed")
    if old.get("options") != new.get("options"):
        mapper.append("its __mapper_args__ changed")
    return ", ".join(table + mapper) or "its mapping changed", bool(table)


def remove_table(metadata, table):
    if metadata.tables.get(table.key) is table:
        metadata.remove(table)


def put_table_back(metadata, table):
    current = metadata.tables.get(table.key)
    if current is table:
        return
    if current is not None:
        metadata.remove(current)
    metadata._add_table(table.name, table.schema, table)


def dispose_new(registry, known):
    """Disposes the mappers registry gained since known (a set of its
    ClassManagers): those of classes a failed save made."""
    for manager in list(registry._managers):
        if manager not in known:
            discard_manager(registry, manager)


def discard_manager(registry, manager):
    cls = manager.class_
    table = cls.__dict__.get("__table__")
    registry._dispose_manager_and_mapper(manager)
    registry._managers.pop(manager, None)
    if table is not None:
        remove_table(table.metadata, table)


def listen_targets(module):
    """{id: object} of what module holds at module level, and the
    attributes of the classes it defines (a mapped column's attribute
    events): what its listeners listen on."""
    targets = {}
    for value in list(module.__dict__.values()):
        targets[id(value)] = value
        if isinstance(value, type) and value.__module__ == module.__name__:
            for attr in list(value.__dict__.values()):
                targets[id(attr)] = attr
    return targets


def listeners_of(registry, targets, name):
    """(target, identifier, function) of the listeners SQLAlchemy's event
    registry holds on targets ({id: object}) whose function module name
    defines (a def or a lambda of its own)."""
    found = []
    for key, listeners in list(registry._key_to_collection.items()):
        target = targets.get(key[0])
        if target is None or not isinstance(key[2], int):  # a bound method's key is a pair
            continue
        for ref in list(listeners.values()):
            fn = given(ref(), key[2])
            if fn is not None:
                if getattr(fn, "__module__", None) == name:
                    found.append((target, key[1], fn))
                break
    return found


def given(listener, fn_id):
    """The function listen() was given, from the listener SQLAlchemy
    calls: that function, or the one its wrapper closes over (an
    instance or attribute event's); None if neither."""
    if listener is None or id(listener) == fn_id:
        return listener
    for cell in getattr(listener, "__closure__", None) or ():
        value = cell_value(cell)
        if id(value) == fn_id:
            return value
    return None


def remove_listener(event, target, identifier, fn):
    """Removes a listener if it is still registered."""
    try:
        if event.contains(target, identifier, fn):
            event.remove(target, identifier, fn)
    except Exception:  # a target SQLAlchemy no longer accepts: nothing to remove
        pass


# The pool events that set up a connection as the pool opens it: a listener
# edited, or added, does not reach the connections the pool already holds.
CONNECT_EVENTS = ("connect", "first_connect")


def pool_of(target):
    """The connection pool an engine or pool event target stands for, or None."""
    pool = getattr(target, "pool", target)
    return pool if "sqlalchemy.pool" in (type(pool).__module__ or "") else None


def open_connections(pool):
    """How many connections pool holds open, or None if it cannot say (or
    is no pool)."""
    try:
        if hasattr(pool, "checkedin") and hasattr(pool, "checkedout"):
            return pool.checkedin() + pool.checkedout()
        if isinstance(getattr(pool, "_all_conns", None), set):  # SingletonThreadPool
            return len(pool._all_conns)
        if type(pool).__name__ == "StaticPool":  # its one connection, made on first use
            return int("connection" in vars(pool))
        if type(pool).__name__ == "NullPool":
            return 0
    except Exception:  # a pool of another version: it may hold some
        pass
    return None


def qualified_name(fn):
    return "%s.%s" % (getattr(fn, "__module__", "?"), getattr(fn, "__qualname__", getattr(fn, "__name__", "?")))


def remove_listeners(event, listeners):
    for target, identifier, fn in listeners:
        remove_listener(event, target, identifier, fn)


class SQLAlchemyAdapter(Adapter):
    module = "sqlalchemy"

    def __init__(self, workspace=None):
        super().__init__(workspace)
        self.listeners = None  # (target, identifier, fn) the running module's previous run registered
        self.connecting = []  # (target, identifier, fn, registered before) of its run's connection listeners
        self.listened = set()  # (id(target), identifier, id(fn)) of what its run registers
        self.listen = None  # sqlalchemy.event.listen while a module runs
        self.up = None  # the Update of the module that runs, for the listen it runs
        self.rules = [
            (self.is_mapped_pair, self.update_mapped),
            (self.is_base_pair, self.update_base),
            (self.is_table_pair, self.update_table),
            (self.is_metadata_pair, self.keep_metadata),
        ]

    def before_rerun(self, up, modules):
        # The old classes stay in their registry's name lookup until the new
        # ones are discarded: the warning that a class "will be replaced in the
        # string-lookup table" is about a replacement that does not happen.
        # (The filter lasts for this request: the agent runs each in
        # warnings.catch_warnings.)
        warnings.filterwarnings("ignore", message="This declarative base already contains a class")

    def before_run(self, up, module):
        """Takes the tables of module's mapped classes and Table objects out
        of their MetaData, just before it re-runs (a program of Core
        tables alone has no sqlalchemy.orm)."""
        schema = sys.modules["sqlalchemy"]
        registries = {}
        for value in list(module.__dict__.values()):
            manager = manager_of(value)
            if manager is not None and value.__module__ == module.__name__:
                registries[id(manager.registry)] = manager.registry
                table = value.__dict__.get("__table__")
                if table is not None and manager.mapper.local_table is table:
                    remove_table(table.metadata, table)
                    up.on_undo(put_table_back, table.metadata, table)
            elif is_base(value):
                registries[id(value.registry)] = value.registry
            elif isinstance(value, schema.Table) and value.metadata.tables.get(value.key) is value:
                remove_table(value.metadata, value)
                up.on_undo(put_table_back, value.metadata, value)
        for registry in registries.values():
            up.on_undo(dispose_new, registry, set(registry._managers))
        self.watch_listeners(up, module)

    def after_run(self, up, module):
        """Removes, once the save stands, the listeners module's previous
        run registered and this one did not."""
        if self.listeners is None:
            return
        api = sys.modules["sqlalchemy.event.api"]
        api.listen = sys.modules["sqlalchemy.event"].listen = self.listen
        stale = [(t, i, f) for t, i, f in self.listeners if (id(t), i, id(f)) not in self.listened]
        if stale:
            up.on_commit(remove_listeners, api, stale)
        for target, identifier, fn, known in self.connecting:
            if (not known or id(fn) in up.recoded) and open_connections(pool_of(target)) != 0:
                up.note(qualified_name(fn), "a %r listener runs when the pool opens a connection: the connections it "
                        "holds open were set up %s; a fresh run's would be set up by the new code. Call "
                        "engine.dispose() for new connections (an in-memory SQLite database goes with its "
                        "connection), or restart the runtime" % (identifier, "by the code before this save" if known
                                                                 else "without it"), fn)
        self.listeners = self.up = None
        self.connecting = []

    def watch_listeners(self, up, module):
        """Finds the listeners module's previous run registered, and has
        event.listen (and listens_for, which calls it) note what its new
        run registers, a function the run before listened with listening
        once (SQLAlchemy calls it once per listen), and take a new
        registration back on rollback."""
        self.listeners = None
        api, registry = sys.modules.get("sqlalchemy.event.api"), sys.modules.get("sqlalchemy.event.registry")
        if api is None or registry is None or not touches(module, ("sqlalchemy",)):
            return
        self.listeners = listeners_of(registry, listen_targets(module), module.__name__)
        self.listened, self.up, self.connecting = set(), up, []
        original = self.listen = api.listen

        def listen(target, identifier, fn, *args, **kw):
            if self.listeners is None:  # kept past the run (`from sqlalchemy.event import listen`)
                return original(target, identifier, fn, *args, **kw)
            try:
                known = api.contains(target, identifier, fn)
            except Exception:  # not a target or event SQLAlchemy knows: listen says so
                known = None
            key = (id(target), identifier, id(fn))
            if known and key not in self.listened:
                # A function updated in place listening again, as the run
                # before made it: SQLAlchemy would call it twice per event.
                api.remove(target, identifier, fn)
            original(target, identifier, fn, *args, **kw)
            self.listened.add(key)
            if identifier in CONNECT_EVENTS:
                self.connecting.append((target, identifier, fn, bool(known)))
            if not known:
                self.up.on_undo(remove_listener, api, target, identifier, fn)

        listen.__wrapped__ = original
        up.set_attr(api, "listen", listen)
        up.set_attr(sys.modules["sqlalchemy.event"], "listen", listen)

    # --- mapped classes ------------------------------------------------------

    def is_mapped_pair(self, up, old, new):
        return (manager_of(old) is not None and manager_of(new) is not None
                and old.__qualname__ == new.__qualname__ and old.__module__ == new.__module__
                and old.__module__ in up.modules)

    def update_mapped(self, up, old, new, where):
        before, after = mapping_signature(old), mapping_signature(new)
        follow_foreign_types(before, after)
        for key in uselist_changed(old.__dict__["__mapper__"], new.__dict__["__mapper__"]):
            after["properties"] = [(k, p + ("uselist changed",) if k == key else p) for k, p in after["properties"]]
        new_table = new.__dict__.get("__table__")  # discarding the new mapping takes it off the class
        new_manager = manager_of(new)
        new_registry = new_manager.registry
        discard_manager(new_registry, new_manager)
        if "__table__" in old.__dict__:
            put_table_back(old.__table__.metadata, old.__table__)
        original = manager_of(old).original_init, getattr(new_manager, "original_init", None)
        if callable(original[1]) and original[0] is not original[1]:
            up.resolve(original[0], original[1], where + ".__init__")
        update_class_body(up, old, new, where, skip=self.skip)
        if "__table__" in old.__dict__ and new_table is not None:
            update_column_functions(up, old.__table__, new_table, where)
        if before != after:
            what, table = describe_change(before, after)
            if table:
                advice = "the database's table does not change with the code: migrate it, then restart the runtime"
            else:
                advice = "restart the runtime for the mapper to follow"
            up.note(where, "its mapping changed (%s) and still maps the old way; %s (its methods already run "
                           "the new code)" % (what, advice))
        return True

    @staticmethod
    def skip(key, value):
        return key in MAPPING_KEYS or is_mapping_value(value) or (key.startswith("__") and generated(value))

    # --- declarative bases ---------------------------------------------------

    def is_base_pair(self, up, old, new):
        return is_base(old) and is_base(new) and old.__name__ == new.__name__ and type(old) is type(new)

    def update_base(self, up, old, new, where):
        # The new base's registry holds no class by now (each was discarded
        # for the old one), so the old registry and MetaData stay.
        if any(m.is_mapped for m in new.registry._managers):
            up.note(where, "a new declarative base was made with classes mapped to it; existing classes "
                           "keep the old one: restart the runtime if the mapping looks wrong")
            return False
        update_class_body(up, old, new, where, skip=self.skip)
        return True

    # --- Core tables ---------------------------------------------------------

    def is_metadata_pair(self, up, old, new):
        """`metadata = MetaData()` run again: the new one is still empty
        (the name is bound right after the statement, before the module's
        Table statements), and made the same way."""
        schema = sys.modules["sqlalchemy"]
        return (type(old) is type(new) and isinstance(old, schema.MetaData) and not new.tables
                and old.schema == new.schema and old.naming_convention == new.naming_convention)

    def keep_metadata(self, up, old, new, where):
        # The module's Table statements then define their tables in the
        # MetaData the database was created from, each compared with the
        # table it had (update_table): a changed one gets a note.
        return True

    def is_table_pair(self, up, old, new):
        schema = sys.modules["sqlalchemy"]
        return (isinstance(old, schema.Table) and isinstance(new, schema.Table) and old.key == new.key
                and old.metadata is new.metadata)

    def update_table(self, up, old, new, where):
        same = table_signature(old) == table_signature(new)
        put_table_back(old.metadata, old)
        if not same:
            up.note(where, "the table %r changed and keeps its old columns: the database does not change "
                           "with the code; migrate it, then restart the runtime" % old.key)
        return True
