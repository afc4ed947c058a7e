"""login and ping."""
from mock_server.http.handlers.registration import vendor_function


@vendor_function("ping")
def ping(backend, tenant, app_token):
    return backend.ping(tenant, app_token)


@vendor_function("login")
def login(backend, tenant, app_token, email):
    return backend.login(tenant, app_token, email)
