"""The legacy SDK (aliyun-python-sdk-core with aliyun-python-sdk-vpc) against the emulator."""

import unittest

import harness
import scenarios

globals().update(scenarios.cases("Legacy", harness.LegacyClient))

if __name__ == "__main__":
    unittest.main()
