package lsp

import (
	"context"
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/hotload-dev/hotload/pyruntime/pyruntimetest"
)

const djangoTemplatesWorkspace = `
-- settings.py --
SECRET_KEY = "test only"
DEBUG = True
ALLOWED_HOSTS = ["testserver"]
ROOT_URLCONF = "urls"
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": ["templates"]}]
-- urls.py --
from django.shortcuts import render
from django.urls import path


def index(request):
    return render(request, "blog/index.html", {"n": 1})


urlpatterns = [path("", index)]
-- web.py --
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
import django  # noqa: E402

django.setup()
from django.test import Client  # noqa: E402

client = Client()


def get(path):
    return client.get(path).content.decode()
-- templates/blog/index.html --
old {{ n }}
-- README.md --
notes
`

const flaskTemplatesWorkspace = `
-- web.py --
from flask import Flask, render_template

app = Flask(__name__)
client = app.test_client()


@app.route("/")
def index():
    return render_template("blog/index.html", n=1)


def get(path):
    return client.get(path).text
-- templates/blog/index.html --
old {{ n }}
`

// Regression: a template saved in the editor was none of the server's
// business, and Django's cached template loader (in use with DEBUG on
// too) kept the one it compiled: the Client kept in the runtime rendered
// the old page, silently, where a fresh run renders the new one. A save of
// a file no framework keeps (a README) still says nothing.
func TestASavedTemplateRendersNewInDjango(t *testing.T) {
	t.Parallel()
	python := pyruntimetest.VenvPython(t, "django")
	e := newEditor(t, djangoTemplatesWorkspace)
	e.initialize(map[string]any{"python": python})
	e.waitReady()
	e.load("web.py")
	if got := e.evaluateIn("web.py", `get("/")`); got != `'old 1\n'` {
		t.Fatalf(`get("/") = %s before the template's save, want 'old 1\n'`, got)
	}
	shown := e.messageCount()
	e.save("README.md", "more notes\n")
	e.save("templates/blog/index.html", "new {{ n }}\n")
	e.awaitLog("templates/blog/index.html changed: emptied Django's cached templates")
	if texts := e.textsSince(shown); len(texts) > 0 {
		t.Errorf("messages shown for a template and a README saved: %q, want none", texts)
	}
	if got := e.evaluateIn("web.py", `get("/")`); got != `'new 1\n'` {
		t.Errorf(`get("/") = %s after the template's save, want 'new 1\n' as a fresh run renders`, got)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, l := range e.logs {
		if strings.Contains(l.Message, "README") {
			t.Errorf("logged %q for a README saved, want nothing", l.Message)
		}
	}
}

// Regression: with TEMPLATES_AUTO_RELOAD and debug off, Jinja never looks
// at a template again once compiled: a Flask test client kept in the
// runtime rendered the old page after the template changed, silently. The
// editor reports a change made outside it (or in a buffer the server is
// not attached to) through the watcher of the templates folders.
func TestATemplateChangedOnDiskRendersNewInFlask(t *testing.T) {
	t.Parallel()
	python := pyruntimetest.VenvPython(t, "flask")
	e := newEditor(t, flaskTemplatesWorkspace)
	e.initialize(map[string]any{"python": python})
	e.waitReady()
	e.load("web.py")
	if got := e.evaluateIn("web.py", `get("/")`); got != `'old 1'` {
		t.Fatalf(`get("/") = %s before the template changed, want 'old 1'`, got)
	}
	writeFile(t, e.path("templates/blog/index.html"), "new {{ n }}\n")
	if err := e.server.DidChangeWatchedFiles(context.Background(), &protocol.DidChangeWatchedFilesParams{
		Changes: []protocol.FileEvent{{URI: e.uri("templates/blog/index.html"), Type: protocol.FileChangeTypeChanged}},
	}); err != nil {
		t.Fatal(err)
	}
	e.awaitLog("templates/blog/index.html changed: emptied the template cache of Flask app 'web'")
	if got := e.evaluateIn("web.py", `get("/")`); got != `'new 1'` {
		t.Errorf(`get("/") = %s after the template changed, want 'new 1' as a fresh run renders`, got)
	}
}
