"""The emulator under test, the three clients that call it, and the checks
every scenario makes on what comes back.

The emulator binary is named by the VPC_EMULATOR environment variable
(run.sh builds it and sets it). Each test class starts its own emulator on
a free port of 127.0.0.1, over plain HTTP.

Every answer is read twice: as the SDK's typed model (the Tea SDK's
``<Action>ResponseBody``; the legacy SDK has no models, so its JSON is read
into the same Tea model), and as the raw JSON the emulator sent. Then
``problems`` lists what does not fit: a value whose type is not the one the
model declares (an int must be an int, a bool a bool, a list a list), and a
key the model does not know (a misspelt or misplaced field would otherwise
be dropped silently by ``from_map``).
"""

import importlib
import json
import os
import selectors
import subprocess
import sys
import time
import typing

ACCESS_KEY_ID = "py-compat-key"
ACCESS_KEY_SECRET = "py-compat-secret"
# How often the emulator takes its own steps (Pending to Available...).
TICK_MS = 20


class Emulator:
    """One emulator process, stopped by ``stop``."""

    def __init__(self, *extra_args):
        binary = os.environ.get("VPC_EMULATOR")
        if not binary:
            raise RuntimeError("set VPC_EMULATOR to the vpc-emulator binary (tests/python/run.sh does)")
        args = [
            binary,
            "--port", "0",
            "--access-key-id", ACCESS_KEY_ID,
            "--access-key-secret", ACCESS_KEY_SECRET,
            "--tick-ms", str(TICK_MS),
            *extra_args,
        ]
        if os.environ.get("PY_COMPAT_LOG_REQUESTS"):
            args.append("--log-requests")
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True, preexec_fn=_die_with_parent)
        line = self._first_line(timeout=20)
        prefix = "vpc-emulator listening on http://"
        if not line.startswith(prefix):
            self.stop()
            raise RuntimeError(f"the emulator did not start: {line!r}")
        self.host = line[len(prefix):].strip()

    def _first_line(self, timeout):
        with selectors.DefaultSelector() as sel:
            sel.register(self.process.stdout, selectors.EVENT_READ)
            if not sel.select(timeout):
                return "(nothing within %ss)" % timeout
        return self.process.stdout.readline()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()


def _die_with_parent():
    """On Linux, the emulator is stopped when the test run dies, however it dies."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Failed(Exception):
    """A call the service refused, in the same terms whichever the SDK."""

    def __init__(self, status, code, request_id, message):
        super().__init__(f"{status} {code}: {message} (request {request_id})")
        self.status = status
        self.code = code
        self.request_id = request_id
        self.message = message


def _tea_models():
    return importlib.import_module("alibabacloud_vpc20160428.models")


def response_model(action):
    """The Tea SDK's model of ``action``'s response body."""
    return getattr(_tea_models(), f"{action}ResponseBody")


class TeaClient:
    """``alibabacloud_vpc20160428`` on ``alibabacloud_tea_openapi``: with the
    default signature (``ACS3-HMAC-SHA256`` in the Authorization header), or
    with ``signature_algorithm='v2'`` (the RPC signature, HMAC-SHA1 in the
    query)."""

    def __init__(self, emulator, signature):
        from alibabacloud_tea_openapi.models import Config
        from alibabacloud_vpc20160428.client import Client

        class Recording(Client):
            """The generated client, keeping the last raw answer."""

            last = None

            def call_api(self, params, request, runtime):
                self.last = super().call_api(params, request, runtime)
                return self.last

        config = Config(
            access_key_id=ACCESS_KEY_ID,
            access_key_secret=ACCESS_KEY_SECRET,
            region_id="cn-hangzhou",
            endpoint=emulator.host,
            protocol="HTTP",
        )
        if signature == "v2":
            config.signature_algorithm = "v2"
        self.client = Recording(config)
        # The generated methods are the actions in snake case
        # (describe_vswitches, allocate_eip_address).
        self.methods = {name.replace("_", ""): name for name in dir(Client) if not name.startswith("_")}

    def call(self, action, params):
        from alibabacloud_tea_openapi import exceptions

        request = getattr(_tea_models(), f"{action}Request")().from_map(params)
        method = getattr(self.client, self.methods[action.lower()])
        try:
            response = method(request)
        except exceptions.AlibabaCloudException as e:
            raise Failed(e.status_code, e.code, e.request_id, e.message) from None
        if response.status_code != 200:
            raise AssertionError(f"{action}: HTTP {response.status_code} taken for success")
        return response.body, self.client.last["body"]


class LegacyClient:
    """``aliyun-python-sdk-core`` with the request classes of
    ``aliyun-python-sdk-vpc``, each parameter set through its own setter."""

    def __init__(self, emulator):
        self.host = emulator.host
        self.clients = {}

    def client_for(self, region):
        """The legacy SDK sends the client's region as RegionId: one client per region."""
        from aliyunsdkcore.client import AcsClient

        if region not in self.clients:
            self.clients[region] = AcsClient(ACCESS_KEY_ID, ACCESS_KEY_SECRET, region, auto_retry=False)
        return self.clients[region]

    def call(self, action, params):
        from aliyunsdkcore.acs_exception.exceptions import ServerException

        module = importlib.import_module(f"aliyunsdkvpc.request.v20160428.{action}Request")
        request = getattr(module, f"{action}Request")()
        request.set_endpoint(self.host)
        request.set_protocol_type("http")
        region = "cn-hangzhou"
        for name, value in params.items():
            if name == "RegionId" and not hasattr(request, "set_RegionId"):
                region = value
                continue
            # Lists have a plural setter (set_Tags for Tag.N) in most request classes.
            candidates = [f"set_{name}s", f"set_{name}"] if isinstance(value, list) else [f"set_{name}"]
            setter = next((getattr(request, c) for c in candidates if hasattr(request, c)), None)
            if setter is None:
                raise AssertionError(f"{action}Request of the legacy SDK has no setter for {name}")
            setter(value)
        try:
            raw = json.loads(self.client_for(region).do_action_with_exception(request))
        except ServerException as e:
            raise Failed(e.get_http_status(), e.get_error_code(), e.get_request_id(), e.get_error_msg()) from None
        return response_model(action)().from_map(raw), raw


def problems(model, raw, path="body"):
    """What in ``raw`` does not fit ``model`` (its ``from_map`` reading):
    values of another type than the model declares, keys it does not know."""
    out = []
    _check_model(model, path, out)
    _unknown_keys(raw, model.to_map(), path, out)
    return out


def _check_model(model, path, out):
    hints = typing.get_type_hints(type(model).__init__)
    for name, hint in hints.items():
        if name == "return":
            continue
        value = getattr(model, name, None)
        if value is not None:
            _check_value(value, hint, f"{path}.{name}", out)


def _check_value(value, hint, path, out):
    from Tea.model import TeaModel

    origin = typing.get_origin(hint)
    if origin is list:
        if not isinstance(value, list):
            out.append(f"{path}: {value!r} is a {type(value).__name__}, the model declares a list")
            return
        (item,) = typing.get_args(hint) or (typing.Any,)
        for i, v in enumerate(value):
            if v is None:
                out.append(f"{path}[{i}]: null in a list")
            else:
                _check_value(v, item, f"{path}[{i}]", out)
    elif origin is dict:
        if not isinstance(value, dict):
            out.append(f"{path}: {value!r} is a {type(value).__name__}, the model declares a map")
    elif hint is typing.Any:
        pass
    elif isinstance(hint, type) and issubclass(hint, TeaModel):
        if not isinstance(value, hint):
            out.append(f"{path}: {value!r} is not a {hint.__name__}")
        else:
            _check_model(value, path, out)
    elif hint is bool:
        if not isinstance(value, bool):
            out.append(f"{path}: {value!r} is a {type(value).__name__}, the model declares a bool")
    elif hint is int:
        if not isinstance(value, int) or isinstance(value, bool):
            out.append(f"{path}: {value!r} is a {type(value).__name__}, the model declares an int")
    elif hint is float:
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            out.append(f"{path}: {value!r} is a {type(value).__name__}, the model declares a float")
    elif hint is str:
        if not isinstance(value, str):
            out.append(f"{path}: {value!r} is a {type(value).__name__}, the model declares a str")
    else:
        out.append(f"{path}: the model declares {hint!r}, which this check does not know")


def _unknown_keys(raw, mapped, path, out):
    if isinstance(raw, dict):
        if not isinstance(mapped, dict):
            out.append(f"{path}: an object where the model has {type(mapped).__name__}")
            return
        for key, value in raw.items():
            if key not in mapped:
                out.append(f"{path}.{key}: not a field of the SDK's model")
            else:
                _unknown_keys(value, mapped[key], f"{path}.{key}", out)
    elif isinstance(raw, list) and isinstance(mapped, list):
        for i, (a, b) in enumerate(zip(raw, mapped)):
            _unknown_keys(a, b, f"{path}[{i}]", out)


def until(check, timeout=10.0, every=0.02):
    """Polls ``check`` until it returns something true; returns that."""
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {timeout}s (last: {got!r})")
        time.sleep(every)
