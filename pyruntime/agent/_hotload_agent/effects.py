"""What a module's code changes at import in objects of other modules.

`pd.set_option("display.max_rows", 100)`, `os.environ["X"] = "1"`,
`sys.path.append("..")`, `warnings.filterwarnings("ignore")`,
`pd.DataFrame.summary = summary`: the change is made in an object the
module does not own, so it outlives the module's re-run. A save that
changes such a statement runs the new one, which sets what a fresh run
would; a save that drops it leaves what the previous version set, where a
fresh run starts without it. The save says so.

The Shape keeps the module-level calls and stores reached through an
imported name (Shape.effects); this module tells which of them change
something and compares two versions, only when the previous one had any.
"""

import ast
import sys

from .fills import attribute_chain

# The functions and methods that change a setting or a shared collection,
# besides those whose name starts with "set" (set_option, setrecursionlimit,
# set_printoptions, set_theme): matplotlib.use and style.use, the warnings
# filters, sys.path's and os.environ's changes, the process's working
# folder, numpy's error handling and seeds, logging.disable.
CHANGERS = frozenset((
    "use", "filterwarnings", "simplefilter", "resetwarnings", "append", "insert", "extend", "remove",
    "update", "setdefault", "pop", "putenv", "unsetenv", "chdir", "umask", "disable", "seed", "seterr",
    "register_cmap", "add_dll_directory",
))


# The changers whose first argument says what they change (the item a
# collection gains or loses, the variable os.putenv sets); a setter with two
# or more arguments is keyed by its first too (set_option(key, value)).
# Another setter's call replaces what the one before set, whatever its
# arguments.
KEYED = frozenset(("append", "extend", "remove", "update", "setdefault", "pop", "putenv", "unsetenv",
                   "add_dll_directory", "register_cmap"))

# The changers each of whose calls adds one more entry (a warnings filter):
# a call with other arguments leaves the one before in place.
ADDING = frozenset(("filterwarnings", "simplefilter"))


# Functions of the standard library that change the process or a table of
# their module, known by their whole name, since their own ("signal",
# "register", "pickle") says nothing: the handler of a signal, faulthandler's
# dump on a signal, a codec search function, a file type, a pickling
# function, warnings sent to logging. Each maps to how two of its calls
# compare: "keyed", the same when their first arguments are (another
# handler for the same signal replaces the one before); "adding", the same
# only when the whole calls are (each call adds one more entry); "setter",
# always the same (a call replaces what the one before set).
# faulthandler.enable is not one: the runtime enables it itself.
KNOWN = {
    "signal.signal": "keyed", "faulthandler.register": "keyed", "copyreg.pickle": "keyed",
    "codecs.register": "adding", "mimetypes.add_type": "adding", "logging.captureWarnings": "setter",
}


def changes(node, aliases):
    """Reports whether node, a module-level call or store whose name starts
    at an imported name (aliases: local name -> what it imports), changes
    an object of another module."""
    if isinstance(node, ast.Call):
        last = called(node, aliases)
        return last.startswith("set") or last in CHANGERS or dotted(node, aliases) in KNOWN
    return True  # an attribute or item of an imported object assigned


def dotted(call, aliases):
    """The whole name of the function call calls, through the imports:
    "signal.signal" for signal.signal(...) after `import signal`, or
    signal(...) after `from signal import signal`; None if it is not a
    name or a chain of attributes of one."""
    func = call.func
    chain = attribute_chain(func) if isinstance(func, ast.Attribute) else [func.id] if isinstance(func, ast.Name) else None
    if not chain:
        return None
    return ".".join([aliases.get(chain[0], chain[0])] + chain[1:])


def called(call, aliases):
    """The name of the function or method call calls: "set_option"."""
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else aliases.get(func.id, func.id).rpartition(".")[2]


def root(node):
    """The name a call's function or a store's target starts at, or None:
    `pd` for pd.set_option(...) and pd.options.x = 1, `environ` for
    environ["X"] = ..."""
    if isinstance(node, ast.Call):
        node = node.func
    elif isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, ast.Name):
        return node.id
    chain = attribute_chain(node) if isinstance(node, ast.Attribute) else None
    return chain[0] if chain else None


def identity(node, aliases):
    """What node changes, the same in two versions of a module whose
    statements change the same thing, whatever value they set (lines and
    columns left out), with the name it starts at resolved through the
    imports: a store's target; a keyed changer's function and key (the
    item sys.path.append adds, the option set_option sets); an adding
    changer's whole call; another setter's function."""
    start = aliases.get(root(node))
    if not isinstance(node, ast.Call):
        return start, ast.dump(node)
    last = called(node, aliases)
    known = KNOWN.get(dotted(node, aliases))
    if last in ADDING or known == "adding":
        return start, ast.dump(node)
    func = ast.dump(node.func)
    if last == "insert" and len(node.args) == 2:
        return start, func, ast.dump(node.args[1])  # insert(index, item)
    if node.args and (last in KEYED or known == "keyed" or len(node.args) >= 2):
        return start, func, ast.dump(node.args[0])
    return start, func


def identities(node, aliases):
    """What node changes, as identity says, one for each key a keyed
    changer called with keywords only sets (`config.update(BETA=True,
    PAGE_SIZE=10)` sets two: a version that updates PAGE_SIZE only
    leaves BETA as the one before set it)."""
    if (isinstance(node, ast.Call) and not node.args and node.keywords and called(node, aliases) in KEYED
            and all(k.arg for k in node.keywords)):
        start, func = aliases.get(root(node)), ast.dump(node.func)
        return [(start, func, "=" + k.arg) for k in node.keywords]
    return [identity(node, aliases)]


def dropped(previous, shape):
    """The statements previous (a Shape) ran that change other modules'
    objects and shape, the new version's, does not run, in order."""
    kept = {i for node in shape.effects for i in identities(node, shape.aliases)}
    return [node for node in previous.effects if any(i not in kept for i in identities(node, previous.aliases))]


def quoted(shape, node):
    """The statement node as shape's source has it, on one line."""
    text = shape.source.decode("utf-8", "replace")
    segment = ast.get_source_segment(text, node) or ast.dump(node)
    if not isinstance(node, ast.Call):
        segment += " = ..."
    return " ".join(segment.split())


# Settings of data libraries whose value before any code sets one is known,
# so that a dropped call that set it can be undone: numpy's floating-point
# error handling and print options (as numpy 1.17 to 2.x start them).
NUMPY_ERRORS = {"divide": "warn", "over": "warn", "under": "ignore", "invalid": "warn"}
NUMPY_PRINT = {"precision": 8, "threshold": 1000, "edgeitems": 3, "linewidth": 75, "suppress": False,
               "nanstr": "nan", "infstr": "inf", "sign": "-", "floatmode": "maxprec"}


def resetter(node, aliases, source=None):
    """For a dropped call that set a setting of pandas or numpy with
    literal arguments (`pd.set_option("display.max_rows", 20)`,
    `np.seterr(all="raise")`, `np.set_printoptions(precision=3)`), a
    function that gives the setting back the value it has before any code
    sets it, if it still holds what the call set (else another call set it
    since, and it stays). None for any other statement: it is noted
    instead."""
    if isinstance(node, ast.Attribute):
        return option_resetter(node, aliases, source)
    if not isinstance(node, ast.Call):
        return None
    name = dotted(node, aliases)
    try:
        args = [ast.literal_eval(a) for a in node.args]
        kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords}
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None  # computed arguments: what they set is not known here
    if None in kwargs:
        return None
    if name == "pandas.set_option" and args and not kwargs and len(args) % 2 == 0:
        return lambda: reset_pandas(list(zip(args[::2], args[1::2])))
    if name == "numpy.seterr" and len(args) <= 1:
        wanted = dict.fromkeys(NUMPY_ERRORS, args[0] if args else kwargs.pop("all", None))
        wanted.update(kwargs)
        if set(wanted) != set(NUMPY_ERRORS):
            return None
        return lambda: reset_numpy("geterr", "seterr", {k: v for k, v in wanted.items() if v is not None},
                                   NUMPY_ERRORS)
    if name == "numpy.set_printoptions" and len(args) <= 1:
        if args:
            kwargs["precision"] = args[0]
        if not kwargs or not set(kwargs) <= set(NUMPY_PRINT):
            return None
        return lambda: reset_numpy("get_printoptions", "set_printoptions", kwargs, NUMPY_PRINT)
    return None


def option_resetter(node, aliases, source):
    """resetter's answer for a store to a pandas option
    (`pd.options.display.max_rows = 20`, a literal assigned), source
    being the module's source that ran it."""
    chain = attribute_chain(node)
    if not chain or len(chain) < 4 or aliases.get(chain[0]) != "pandas" or chain[1] != "options" or source is None:
        return None
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    for statement in ast.walk(tree):
        if (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                and (statement.targets[0].lineno, statement.targets[0].col_offset) == (node.lineno, node.col_offset)):
            try:
                value = ast.literal_eval(statement.value)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                return None
            return lambda: reset_pandas([(".".join(chain[2:]), value)])
    return None


def settings(node, aliases):
    """What a call sets, the same whatever module makes it and whatever
    name it imports the library as: {(its whole name, the option)} for
    set_option, each option it sets; {(its whole name, None)} for another."""
    if isinstance(node, ast.Attribute):
        chain = attribute_chain(node) or []
        if len(chain) >= 4 and aliases.get(chain[0]) == "pandas" and chain[1] == "options":
            return {("pandas.set_option", ".".join(chain[2:]))}  # the option it sets, as set_option names it
        return set()
    if not isinstance(node, ast.Call):
        return set()
    name = dotted(node, aliases)
    if name == "pandas.set_option":
        return {(name, ast.literal_eval(key)) if isinstance(key, ast.Constant) else (name, ast.dump(key))
                for key in node.args[::2]}
    return {(name, None)}


def same_setting(value, wanted):
    from .update import safe_equal  # it imports this module
    return safe_equal(value, wanted)


def reset_pandas(pairs):
    pandas = sys.modules.get("pandas")
    try:
        if not all(same_setting(pandas.get_option(key), value) for key, value in pairs):
            return False
        for key, _ in pairs:
            pandas.reset_option(key)
    except Exception:  # an option this pandas does not have, or a pattern that names several
        return False
    return True


def reset_numpy(get, put, wanted, defaults):
    numpy = sys.modules.get("numpy")
    try:
        now = getattr(numpy, get)()
        if not all(same_setting(now.get(key), value) for key, value in wanted.items()):
            return False
        getattr(numpy, put)(**{key: defaults[key] for key in wanted})
    except Exception:  # a numpy that names its settings otherwise
        return False
    return True
