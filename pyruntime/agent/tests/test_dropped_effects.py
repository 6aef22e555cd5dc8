"""A module's code that changes, at import, objects of other modules (a
setting, an environment variable, sys.path, a warnings filter, another
module's class) leaves its change behind when a save drops the statement:
a fresh run would start without it, and the save says so."""

import os
import signal
import sys
import warnings

import pytest

VAR = "HOTLOAD_TEST_DROPPED_EFFECT"

DROPPED = [
    # (what, the source before, after: the statement dropped, what the note quotes)
    ("an environment variable set",
     "import os\nos.environ[%r] = '1'\nX = 1\n" % VAR, "import os\nX = 1\n", "os.environ[%r] = ..." % VAR),
    ("an environment variable set through setdefault",
     "import os\nos.environ.setdefault(%r, '1')\n" % VAR, "import os\n", "os.environ.setdefault(%r, '1')" % VAR),
    ("a folder appended to sys.path",
     "import sys\nsys.path.append('/hotload/nowhere')\n", "import sys\n", "sys.path.append('/hotload/nowhere')"),
    ("one of two folders appended",
     "import sys\nsys.path.append('/hotload/a')\nsys.path.append('/hotload/b')\n",
     "import sys\nsys.path.append('/hotload/b')\n", "sys.path.append('/hotload/a')"),
    ("a warnings filter",
     "import warnings\nwarnings.filterwarnings('ignore', category=DeprecationWarning)\n", "import warnings\n",
     "warnings.filterwarnings('ignore', category=DeprecationWarning)"),
    ("a warnings filter replaced by another, which adds to it",
     "import warnings\nwarnings.simplefilter('ignore')\n", "import warnings\nwarnings.simplefilter('error', UserWarning)\n",
     "warnings.simplefilter('ignore')"),
    ("a filter function imported by name",
     "from warnings import simplefilter\nsimplefilter('ignore')\n", "from warnings import simplefilter\n",
     "simplefilter('ignore')"),
    ("a method set on another module's class",
     "import M_other\n\ndef extra(self):\n    return 1\n\nM_other.Thing.extra = extra\n",
     "import M_other\n\ndef extra(self):\n    return 1\n", "M_other.Thing.extra = ..."),
    ("a setting, in an if block",
     "import sys\nif True:\n    sys.setrecursionlimit(sys.getrecursionlimit())\n", "import sys\n",
     "sys.setrecursionlimit(sys.getrecursionlimit())"),
    ("a signal handler installed",
     "import signal\n\ndef dump(signum, frame):\n    pass\n\nsignal.signal(signal.SIGUSR1, dump)\n",
     "import signal\n\ndef dump(signum, frame):\n    pass\n", "signal.signal(signal.SIGUSR1, dump)"),
    ("a signal handler installed through the function imported by name",
     "from signal import SIGUSR1, SIG_IGN, signal\nsignal(SIGUSR1, SIG_IGN)\n",
     "from signal import SIGUSR1, SIG_IGN, signal\n", "signal(SIGUSR1, SIG_IGN)"),
    ("a file type added, then another, which adds to it",
     "import mimetypes\nmimetypes.add_type('text/x-hotload', '.hl')\n",
     "import mimetypes\nmimetypes.add_type('text/x-hotload', '.hotload')\n", "mimetypes.add_type('text/x-hotload', '.hl')"),
    ("a pickling function for another module's class",
     "import copyreg\nimport M_other\ncopyreg.pickle(M_other.Thing, lambda t: (M_other.Thing, ()))\n",
     "import copyreg\nimport M_other\n", "copyreg.pickle(M_other.Thing, lambda t: (M_other.Thing, ()))"),
    ("a key an update by keywords no longer sets",
     "import os\nos.environ.update(%s='1', HOTLOAD_TEST_KEPT='1')\n" % VAR,
     "import os\nos.environ.update(HOTLOAD_TEST_KEPT='2')\n", "os.environ.update(%s='1', HOTLOAD_TEST_KEPT='1')" % VAR),
]

KEPT = [
    # (what, before, after): each change the version before made, the new one makes again
    ("the same statement on another line",
     "import os\nos.environ[%r] = '1'\n" % VAR, "import os\n\nX = 2\nos.environ[%r] = '1'\n" % VAR),
    ("the same variable set to another value",
     "import os\nos.environ[%r] = '1'\n" % VAR, "import os\nos.environ[%r] = '2'\n" % VAR),
    ("a setter called with another value, which replaces the one before",
     "import sys\nsys.setrecursionlimit(sys.getrecursionlimit())\n",
     "import sys\nsys.setrecursionlimit(sys.getrecursionlimit() + 0)\n"),
    ("a call that changes nothing outside the module dropped",
     "import os\nHERE = os.path.join('a', 'b')\nos.path.join('c')\n", "import os\nHERE = os.path.join('a', 'b')\n"),
    ("a store in the module's own dict dropped",
     "SETTINGS = {}\nSETTINGS['x'] = 1\n", "SETTINGS = {}\n"),
    ("another handler for the same signal, which replaces the one before",
     "import signal\nsignal.signal(signal.SIGUSR1, signal.SIG_IGN)\n",
     "import signal\nsignal.signal(signal.SIGUSR1, signal.SIG_DFL)\n"),
    ("an update by keywords that sets one more key",
     "import os\nos.environ.update(%s='1')\n" % VAR, "import os\nos.environ.update(%s='2', HOTLOAD_TEST_KEPT='1')\n" % VAR),
]


@pytest.fixture
def restored():
    """Puts back what the tests' modules change in this process."""
    path, environ = list(sys.path), dict(os.environ)
    handler = signal.getsignal(signal.SIGUSR1)
    with warnings.catch_warnings():
        yield
    signal.signal(signal.SIGUSR1, handler)
    sys.path[:] = path
    os.environ.clear()
    os.environ.update(environ)


def dropped_notes(reply):
    return [n["text"] for n in reply.get("notes", []) if "at import, but what the version before set stays" in n["text"]]


@pytest.mark.parametrize("what,before,after,quoted", DROPPED, ids=[d[0] for d in DROPPED])
def test_a_dropped_change_of_another_modules_object_is_noted(project, restored, what, before, after, quoted):
    project.save("other", "class Thing:\n    pass\n")
    project.save("user", before)
    reply = project.save("user", after)
    notes = dropped_notes(reply)
    assert len(notes) == 1, reply.get("notes")
    assert "`%s`" % quoted.replace("M_", project.prefix) in notes[0], notes[0]
    assert notes[0].startswith(project.name("user") + ": no longer runs ")


@pytest.mark.parametrize("what,before,after", KEPT, ids=[k[0] for k in KEPT])
def test_a_change_made_again_is_not_noted(project, restored, what, before, after):
    project.save("user", before)
    reply = project.save("user", after)
    assert dropped_notes(reply) == [], reply.get("notes")


def test_what_was_set_stays_as_the_note_says(project, restored):
    project.save("user", "import os\nos.environ[%r] = 'set'\n" % VAR)
    project.save("user", "import os\n")
    assert os.environ[VAR] == "set"


def test_a_failed_save_notes_nothing(project, restored):
    project.save("user", "import os\nos.environ[%r] = '1'\n" % VAR)
    path = project.dir / project.file("user")
    path.write_text("import os\n1 / 0\n")
    from _hotload_agent import ops
    reply = ops.op_reload(project.agent, {"module": project.name("user"), "path": str(path)})
    assert reply["rolled_back"]
    assert dropped_notes(reply) == []


# A dropped call that set a setting of numpy or pandas whose value before any
# code sets it is known gives the setting that value back, as a fresh run
# starts with it, when it still holds what the call set.
@pytest.fixture
def np():
    numpy = pytest.importorskip("numpy")
    errors, printing = numpy.geterr(), numpy.get_printoptions()
    yield numpy
    numpy.seterr(**errors)
    numpy.set_printoptions(**{k: printing[k] for k in ("precision", "threshold", "suppress")})


@pytest.fixture
def pd():
    pandas = pytest.importorskip("pandas")
    yield pandas
    pandas.reset_option("display.max_rows")
    pandas.reset_option("display.precision")


def test_a_dropped_numpy_setting_goes_back_to_its_default(project, np):
    defaults = np.geterr()
    project.save("user", "import numpy as np\nnp.seterr(all='raise')\nnp.set_printoptions(precision=3, suppress=True)\n")
    assert np.geterr()["divide"] == "raise"
    reply = project.save("user", "import numpy as np\n")
    assert np.geterr() == defaults
    assert np.get_printoptions()["precision"] == 8 and np.get_printoptions()["suppress"] is False
    assert dropped_notes(reply) == []


def test_a_dropped_pandas_option_goes_back_to_its_default(project, pd):
    project.save("user", "import pandas\npandas.set_option('display.max_rows', 7, 'display.precision', 2)\n")
    reply = project.save("user", "import pandas\n")
    assert pd.get_option("display.max_rows") == 60 and pd.get_option("display.precision") == 6
    assert dropped_notes(reply) == []


def test_a_dropped_setting_changed_since_keeps_its_value(project, np):
    project.save("user", "import numpy as np\nnp.seterr(all='raise')\n")
    np.seterr(divide="ignore")  # evaluated, or set by code that runs later
    project.save("user", "import numpy as np\n")
    assert np.geterr()["divide"] == "ignore"


def test_a_dropped_setting_another_module_sets_too_is_noted(project, np):
    project.save("other", "import numpy\nnumpy.seterr(all='raise')\n")
    project.save("user", "import numpy as np\nimport M_other\nnp.seterr(all='raise')\n")
    reply = project.save("user", "import numpy as np\nimport M_other\n")
    assert np.geterr()["divide"] == "raise"
    assert len(dropped_notes(reply)) == 1


def test_a_dropped_setting_with_computed_arguments_is_noted(project, np):
    project.save("user", "import numpy as np\nMODE = 'raise'\nnp.seterr(all=MODE)\n")
    reply = project.save("user", "import numpy as np\nMODE = 'raise'\n")
    assert np.geterr()["divide"] == "raise"
    assert len(dropped_notes(reply)) == 1


def test_a_failed_save_leaves_the_setting(project, np):
    from _hotload_agent import ops
    project.save("user", "import numpy as np\nnp.seterr(all='raise')\n")
    path = project.dir / project.file("user")
    path.write_text("import numpy as np\n1 / 0\n")
    reply = ops.op_reload(project.agent, {"module": project.name("user"), "path": str(path)})
    assert reply["rolled_back"]
    assert np.geterr()["divide"] == "raise"


def test_a_dropped_pandas_option_store_goes_back_to_its_default(project, pd):
    project.save("user", "import pandas as pd\npd.options.display.max_rows = 7\n")
    reply = project.save("user", "import pandas as pd\n")
    assert pd.get_option("display.max_rows") == 60
    assert dropped_notes(reply) == []


def test_a_dropped_pandas_option_another_module_stores_is_noted(project, pd):
    project.save("other", "import pandas\npandas.options.display.max_rows = 7\n")
    project.save("user", "import pandas as pd\nimport M_other\npd.set_option('display.max_rows', 7)\n")
    reply = project.save("user", "import pandas as pd\nimport M_other\n")
    assert pd.get_option("display.max_rows") == 7
    assert len(dropped_notes(reply)) == 1
