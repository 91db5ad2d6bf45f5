"""Helpers of the test plug-ins, shaped as nova's plug-in utils.py is: register_plugin_calls() wraps each function
in nova's serialized calling convention and hands the table to XenAPIPlugin.dispatch.

The caller (nova's call_plugin_serialized) sends one argument that matters, "params": a pickle of
{"args": (...), "kwargs": {...}} at protocol 0 (text). The function runs as fn(session, *args, **kwargs) and its
result goes back as pickle.dumps(result) at protocol 0, which is ASCII text and so travels as an XML-RPC string from
Python 2 and Python 3 alike (a Python 3 bytes value would become an XML-RPC base64, which xapi refuses).

Importing this module from a plug-in makes Python write its byte-code beside it (utils.pyc under Python 2,
__pycache__/utils.*.pyc under Python 3), as nova's plug-ins do on a real dom0.
"""
import sys

try:
    import cPickle as pickle  # Python 2, as nova's plug-ins
except ImportError:
    import pickle

import XenAPIPlugin

PY3 = sys.version_info[0] >= 3


def _pickle_bytes(text):
    if PY3 and isinstance(text, str):
        return text.encode("latin-1")
    return text


def _pickle_text(data):
    if PY3:
        return data.decode("ascii")
    return data


def _serialized(fn):
    def call(session, arg_map):
        request = pickle.loads(_pickle_bytes(arg_map["params"]))
        result = fn(session, *request["args"], **request["kwargs"])
        return _pickle_text(pickle.dumps(result, 0))
    return call


def register_plugin_calls(*fns):
    """XenAPIPlugin.dispatch over fns (by name), each called in nova's serialized convention."""
    table = {}
    for fn in fns:
        table[fn.__name__] = _serialized(fn)
    XenAPIPlugin.dispatch(table)
