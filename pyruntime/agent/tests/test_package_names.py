"""A package's names after its __init__.py runs again: as a fresh run
leaves them, where the imports of its submodules bind names too."""

import sys

from _hotload_agent import ops


def save_init(project, source):
    path = project.dir / project.name("pkg") / "__init__.py"
    path.write_text(source)
    reply = ops.op_reload(project.agent, {"module": project.name("pkg"), "path": str(path)})
    assert not reply.get("error"), reply["error"]["text"]


def test_a_submodule_imported_after_the_package_keeps_its_name(project):
    pkg = project.dir / project.name("pkg")
    pkg.mkdir()
    (pkg / "config.py").write_text("DEBUG = True\n")
    save_init(project, "VERSION = 1\n\n\ndef config():\n    return VERSION\n")
    project.save("app", "import M_pkg\nimport M_pkg.config\n")
    save_init(project, "VERSION = 2\n\n\ndef config():\n    return VERSION\n")
    package = sys.modules[project.name("pkg")]
    assert package.config is sys.modules[project.name("pkg.config")] and package.VERSION == 2


def test_a_name_the_package_binds_after_importing_its_submodule_stays_the_packages(project):
    pkg = project.dir / project.name("pkg")
    pkg.mkdir()
    (pkg / "config.py").write_text("DEBUG = True\n")
    source = "from . import config as _config\n\n\ndef config():\n    return %d\n"
    save_init(project, source % 1)
    save_init(project, source % 2)
    assert sys.modules[project.name("pkg")].config() == 2
