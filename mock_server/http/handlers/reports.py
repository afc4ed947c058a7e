"""reportsCDRLogs, recordinginfo and reportsAgentPerf."""
from mock_server.domain.cdr import CdrQuery
from mock_server.http.handlers.registration import vendor_function


@vendor_function("reportsCDRLogs")
def reports_cdr_logs(backend, tenant, app_token, cursor, include_call_history, include_csat, include_call_tags,
                     **filters):
    return backend.reports_cdr_logs(tenant, app_token, CdrQuery(**filters), cursor, include_call_history,
                                    include_csat, include_call_tags)


@vendor_function("recordinginfo")
def recordinginfo(backend, tenant, app_token, callkey):
    return backend.recordinginfo(tenant, app_token, callkey)


@vendor_function("reportsAgentPerf")
def reports_agent_perf(backend, tenant, app_token, startdate, finishdate, agent, email, agentcustomid, team):
    return backend.reports_agent_perf(tenant, app_token, startdate, finishdate, agent, email, agentcustomid, team)
