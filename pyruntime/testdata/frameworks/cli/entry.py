"""The console script's entry point, taken once: it holds the group made before the saves."""
from click.testing import CliRunner

import extra  # noqa: F401  (adds its commands)
import tool

try:
    main
except NameError:
    main = tool.cli


def run(*args):
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output.strip().splitlines()[-1] if result.output.strip() else ""
