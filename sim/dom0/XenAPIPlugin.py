"""The XenAPIPlugin module of a pulumi-xen dom0 test host: a stand-in for the one xapi ships in dom0.

xapi runs a plug-in as `/etc/xapi.d/plugins/<name> <methodCall>`: argv[1] is an XML-RPC methodCall
`fn(session_ref, args)` whose args are a struct of strings, and the plug-in prints an XML-RPC methodResponse
holding {"Status": "Success", "Value": result} or {"Status": "Failure", "ErrorDescription": [code, ...]}.
dispatch() does that for a table of functions, as xapi's module does: an unknown function answers
UNKNOWN_XENAPI_PLUGIN_FUNCTION, a raised Failure answers its code and parameters, any other exception answers
XENAPI_PLUGIN_FAILURE with the function name, the exception's class name and its text. The real module gives the
functions a XenAPI session to the local xapi; no xapi runs in a test host, so they get an object that carries the
caller's session reference only.

Python 2 (XenServer 6/7 dom0s) and Python 3 (XenServer 8) alike.
"""
from __future__ import print_function

import sys

try:
    import xmlrpclib as _xmlrpc  # Python 2
except ImportError:
    import xmlrpc.client as _xmlrpc  # Python 3


class Failure(Exception):
    """Raised by a plug-in function to answer the XenAPI failure [code] + params."""

    def __init__(self, code, params):
        Exception.__init__(self)
        self.params = [code] + list(params)

    def __str__(self):
        return str(self.params)


class CallerSession(object):
    """The session a plug-in function receives: the reference of the caller's session."""

    def __init__(self, ref):
        self._session = ref
        self.handle = ref


def _answer(struct):
    print(_xmlrpc.dumps((struct,), methodresponse=True))


def dispatch(fn_table):
    if len(sys.argv) != 2:
        raise Exception("a plug-in takes one argument, the XML-RPC methodCall")
    params, method = _xmlrpc.loads(sys.argv[1])
    session_ref, args = params[0], params[1]
    fn = fn_table.get(method)
    if fn is None:
        _answer({"Status": "Failure", "ErrorDescription": ["UNKNOWN_XENAPI_PLUGIN_FUNCTION", method]})
        return
    try:
        value = fn(CallerSession(session_ref), args)
    except SystemExit:
        raise
    except Failure as e:
        _answer({"Status": "Failure", "ErrorDescription": e.params})
        return
    except Exception as e:
        _answer({"Status": "Failure", "ErrorDescription": ["XENAPI_PLUGIN_FAILURE", method, e.__class__.__name__, str(e)]})
        return
    _answer({"Status": "Success", "Value": value})
