"""Drives the simulator with the official XenAPI.py (loaded by path). Prints one JSON object with what it saw.
usage: xenapi_client_check.py XenAPI.py URL CA_PEM_FILE|-
"""
import importlib.util
import json
import ssl
import sys
import time
import xmlrpc.client

xenapi_path, url, ca = sys.argv[1], sys.argv[2], sys.argv[3]
spec = importlib.util.spec_from_file_location("XenAPI", xenapi_path)
XenAPI = importlib.util.module_from_spec(spec)
spec.loader.exec_module(XenAPI)

transport = None
if ca != "-":
    ctx = ssl.create_default_context(cafile=ca)
    transport = xmlrpc.client.SafeTransport(context=ctx)
session = XenAPI.Session(url, transport=transport)
out = {}
session.xenapi.login_with_password("root", "xenroot", "1.0", "python-xenapi-check")
out["api_version"] = session.API_version  # set from pool.get_all / pool.get_master / host.get_API_version_* at login
x = session.xenapi
pool = x.pool.get_all()[0]
master = x.pool.get_master(pool)
out["master_name"] = x.host.get_name_label(master)
out["hosts"] = sorted(x.host.get_record(h)["name_label"] for h in x.host.get_all())
tpl = x.VM.get_by_name_label("Debian Bookworm 12")[0]
vm = x.VM.clone(tpl, "py-vm")
x.VM.provision(vm)
x.VM.set_is_a_template(vm, False)
x.VM.set_memory_limits(vm, str(512 * 1024 * 1024), str(1024 ** 3), str(1024 ** 3), str(1024 ** 3))
task = x.Async.VM.start(vm, False, False)
while x.task.get_status(task) == "pending":
    time.sleep(0.01)
out["task_status"] = x.task.get_status(task)
x.task.destroy(task)
rec = x.VM.get_record(vm)
out["power_state"] = rec["power_state"]
out["memory_static_max"] = rec["memory_static_max"]
out["resident_on_is_host"] = rec["resident_on"] in x.host.get_all()
out["snapshot_time_type"] = type(x.VM.get_snapshot_time(vm)).__name__
try:
    x.VM.start(vm, False, False)
    out["error"] = None
except XenAPI.Failure as f:
    out["error"] = f.details
try:
    x.VM.get_record("OpaqueRef:does-not-exist")
except XenAPI.Failure as f:
    out["handle_error"] = f.details
x.VM.hard_shutdown(vm)
out["after_shutdown"] = x.VM.get_power_state(vm)
session.xenapi.session.logout()
out["logged_out"] = session._session is None
print(json.dumps(out))
