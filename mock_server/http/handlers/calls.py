"""click2call and control of the agent's active call."""
from mock_server.http.handlers.registration import vendor_function


@vendor_function("click2call")
def click2call(backend, tenant, session, phonenumber, transactionid, hangup_url, masked, selected_queue, uniqueid):
    return backend.click2call(tenant, session, phonenumber, transactionid, hangup_url, masked, selected_queue,
                              uniqueid)


@vendor_function("click2hang")
def click2hang(backend, tenant, session):
    return backend.click2hang(tenant, session)


@vendor_function("click2hold")
def click2hold(backend, tenant, session):
    return backend.click2hold(tenant, session)


@vendor_function("click2unhold")
def click2unhold(backend, tenant, session):
    return backend.click2unhold(tenant, session)


@vendor_function("getactivecall")
def getactivecall(backend, tenant, session):
    return backend.getactivecall(tenant, session)
