"""The running program: test clients made once and kept across saves, as a server keeps its app."""
import application
import single
import views  # noqa: F401  (registers the routes)
import wsgi

try:
    clients
except NameError:
    clients = {"app": application.app.test_client(), "wsgi": wsgi.app.test_client(), "single": single.app.test_client()}
    for client in clients.values():
        client.get("/")  # each app has served a request: Flask refuses new routes after that


def get(name, path):
    response = clients[name].get(path)
    return response.status_code, response.get_data(as_text=True)
