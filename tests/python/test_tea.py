"""The Tea SDK (alibabacloud_vpc20160428) against the emulator, with both
of its signatures: the default ACS3-HMAC-SHA256 and signature_algorithm='v2'."""

import unittest

import harness
import scenarios

globals().update(scenarios.cases("TeaV3", lambda emulator: harness.TeaClient(emulator, signature="v3")))
globals().update(scenarios.cases("TeaV2", lambda emulator: harness.TeaClient(emulator, signature="v2")))

if __name__ == "__main__":
    unittest.main()
