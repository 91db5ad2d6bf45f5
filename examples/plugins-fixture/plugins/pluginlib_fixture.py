"""xapi's plug-in calling convention, as XenAPIPlugin.dispatch does it, for the test plug-ins of this directory.

xapi runs /etc/xapi.d/plugins/<name> with the XML-RPC methodCall `fn(session, args)` as argv[1] and reads an
XML-RPC methodResponse from stdout: {"Status": "Success", "Value": ...} or {"Status": "Failure",
"ErrorDescription": [code, ...]}.
"""
import sys
import xmlrpc.client


def dispatch(functions):
    params, method = xmlrpc.client.loads(sys.argv[1])
    fn = functions.get(method)
    if fn is None:
        result = {"Status": "Failure", "ErrorDescription": ["UNKNOWN_XENAPI_PLUGIN_FUNCTION", method]}
    else:
        session, args = params
        try:
            result = {"Status": "Success", "Value": fn(session, args)}
        except Exception as e:  # reported as xapi reports a plug-in's failure
            result = {"Status": "Failure", "ErrorDescription": ["XENAPI_PLUGIN_FAILURE", method, type(e).__name__, str(e)]}
    sys.stdout.write(xmlrpc.client.dumps((result,), methodresponse=True))
