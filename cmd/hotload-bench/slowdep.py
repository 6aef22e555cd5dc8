"""A stand-in for numpy + pandas when they are not importable: a dependency
that is slow to import for the same reasons (many modules to find, load and
run, and data built at import time), written by hotload-bench."""

import importlib

MODULES = [
    "argparse",
    "ast",
    "asyncio",
    "base64",
    "bisect",
    "calendar",
    "collections",
    "concurrent.futures",
    "configparser",
    "contextlib",
    "csv",
    "dataclasses",
    "datetime",
    "decimal",
    "difflib",
    "email.mime.multipart",
    "email.mime.text",
    "enum",
    "fractions",
    "ftplib",
    "functools",
    "gettext",
    "glob",
    "gzip",
    "hashlib",
    "heapq",
    "hmac",
    "html.parser",
    "http.client",
    "http.cookies",
    "http.server",
    "imaplib",
    "inspect",
    "ipaddress",
    "json",
    "logging.handlers",
    "lzma",
    "mailbox",
    "multiprocessing",
    "numbers",
    "optparse",
    "pathlib",
    "pickle",
    "pkgutil",
    "plistlib",
    "pprint",
    "queue",
    "random",
    "shelve",
    "shlex",
    "smtplib",
    "socketserver",
    "sqlite3",
    "statistics",
    "string",
    "tarfile",
    "tempfile",
    "textwrap",
    "tokenize",
    "tomllib",
    "typing",
    "unittest",
    "urllib.request",
    "uuid",
    "xml.dom.minidom",
    "xml.etree.ElementTree",
    "zipfile",
    "zoneinfo",
]
for _name in MODULES:
    try:
        importlib.import_module(_name)
    except ImportError:  # older Pythons lack a few (tomllib is new in 3.11)
        pass

# Data built at import time, as numpy's and pandas' type tables are.
TABLE = {("key", i, str(i)): [i, i * i, float(i)] for i in range(200_000)}
