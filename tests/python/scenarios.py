"""What every client does against the emulator, written once.

A test module makes one ``unittest.TestCase`` per client by mixing
``Scenarios`` with a ``make_client``. Each class starts its own emulator,
and each scenario works in a region of its own, so that listings and
counts are the scenario's alone.

Every call goes through ``read``, which fails the test when the answer does
not fit the SDK's model (see ``harness.problems``); errors through
``refused``, which checks the code and HTTP status the SDK reports.
"""

import ipaddress
import unittest

import harness

ZONE_SUFFIX = "-a"


class Base:
    """An emulator per class, and the checked calls."""

    emulator_args = ()

    @classmethod
    def setUpClass(cls):
        cls.emulator = harness.Emulator(*cls.emulator_args)
        cls.client = cls.make_client(cls.emulator)

    @classmethod
    def tearDownClass(cls):
        cls.emulator.stop()

    # -- calls ------------------------------------------------------------

    def read(self, action, **params):
        """Calls ``action``; returns the typed body and the raw JSON, both checked."""
        body, raw = self.client.call(action, params)
        self.assertIsInstance(body, harness.response_model(action))
        found = harness.problems(body, raw)
        self.assertEqual(found, [], f"{action}'s answer does not fit the SDK's model")
        self.assertIsInstance(body.request_id, str)
        self.assertRegex(body.request_id, r"^[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}$")
        return body, raw

    def refused(self, code, status, action, **params):
        """Calls ``action``, which must fail with ``code`` and HTTP ``status``."""
        with self.assertRaises(harness.Failed) as caught:
            self.client.call(action, params)
        e = caught.exception
        self.assertEqual((e.code, e.status), (code, status), str(e))
        self.assertRegex(e.request_id, r"^[0-9A-F-]{36}$")
        return e


class Scenarios(Base):
    """Mixed into a ``unittest.TestCase``; ``make_client(emulator)`` gives the client."""

    # -- building blocks ----------------------------------------------------

    def vpc(self, region, cidr, **extra):
        body, raw = self.read("CreateVpc", RegionId=region, CidrBlock=cidr, **extra)
        self.assertRegex(body.vpc_id, r"^vpc-[0-9a-z]+$")
        self.assertEqual(raw["VpcId"], body.vpc_id)
        self.wait_vpc(region, body.vpc_id, "Available")
        return body

    def wait_vpc(self, region, vpc_id, status):
        def seen():
            body, _ = self.read("DescribeVpcs", RegionId=region, VpcId=vpc_id)
            return body.vpcs.vpc[0] if body.vpcs.vpc and body.vpcs.vpc[0].status == status else None

        return harness.until(seen)

    def vswitch(self, region, vpc_id, cidr, **extra):
        body, _ = self.read(
            "CreateVSwitch", RegionId=region, VpcId=vpc_id, ZoneId=region + ZONE_SUFFIX, CidrBlock=cidr, **extra
        )
        self.assertRegex(body.v_switch_id, r"^vsw-[0-9a-z]+$")

        def available():
            found, _ = self.read("DescribeVSwitches", RegionId=region, VSwitchId=body.v_switch_id)
            items = found.v_switches.v_switch
            return items[0] if items and items[0].status == "Available" else None

        return harness.until(available)

    def eip(self, region, allocation_id):
        body, _ = self.read("DescribeEipAddresses", RegionId=region, AllocationId=allocation_id)
        self.assertEqual(body.total_count, len(body.eip_addresses.eip_address))
        return body.eip_addresses.eip_address[0] if body.eip_addresses.eip_address else None

    # -- scenarios ------------------------------------------------------------

    def test_a_vpc_and_a_vswitch(self):
        region = "cn-hangzhou"
        created = self.vpc(region, "192.168.0.0/16", VpcName="demo", Description="made by the compatibility suite")
        vpc_id = created.vpc_id
        vsw = self.vswitch(region, vpc_id, "192.168.1.0/24", VSwitchName="web")
        self.assertEqual((vsw.vpc_id, vsw.cidr_block, vsw.zone_id), (vpc_id, "192.168.1.0/24", region + "-a"))
        self.assertEqual(vsw.v_switch_name, "web")
        self.assertIsInstance(vsw.is_default, bool)

        listed = self.wait_vpc(region, vpc_id, "Available")
        self.assertEqual((listed.cidr_block, listed.vpc_name), ("192.168.0.0/16", "demo"))
        self.assertEqual(listed.region_id, region)
        self.assertIs(listed.is_default, False)
        self.assertEqual(listed.v_switch_ids.v_switch_id, [vsw.v_switch_id])
        self.assertRegex(listed.creation_time, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        # The VPC comes with its vRouter and its system route table.
        self.assertRegex(listed.vrouter_id or "", r"^vrt-[0-9a-z]+$")
        self.assertEqual(len(listed.router_table_ids.router_table_ids), 1)

        attribute, _ = self.read("DescribeVpcAttribute", RegionId=region, VpcId=vpc_id)
        self.assertEqual((attribute.vpc_id, attribute.status), (vpc_id, "Available"))
        self.assertEqual(attribute.description, "made by the compatibility suite")
        self.assertEqual(attribute.vrouter_id, listed.vrouter_id)
        self.assertEqual(attribute.v_switch_ids.v_switch_id, [vsw.v_switch_id])
        self.assertIs(attribute.is_default, False)

        routers, _ = self.read("DescribeVRouters", RegionId=region, VRouterId=listed.vrouter_id)
        self.assertEqual(routers.total_count, 1)
        (router,) = routers.vrouters.vrouter
        self.assertEqual((router.vrouter_id, router.vpc_id), (listed.vrouter_id, vpc_id))
        tables, _ = self.read("DescribeRouteTableList", RegionId=region, VpcId=vpc_id)
        (table,) = tables.router_table_list.router_table_list_type
        self.assertEqual(table.route_table_type, "System")
        self.assertEqual((table.vpc_id, table.router_id), (vpc_id, listed.vrouter_id))
        self.assertEqual(table.route_table_id, listed.router_table_ids.router_table_ids[0])
        self.assertEqual(router.route_table_ids.route_table_id, [table.route_table_id])

        self.read("ModifyVpcAttribute", RegionId=region, VpcId=vpc_id, VpcName="renamed")
        self.assertEqual(self.wait_vpc(region, vpc_id, "Available").vpc_name, "renamed")

        # Deleting goes child first; the vRouter and route table go with the VPC.
        self.read("DeleteVSwitch", RegionId=region, VSwitchId=vsw.v_switch_id)
        harness.until(lambda: not self.read("DescribeVSwitches", RegionId=region, VpcId=vpc_id)[0].v_switches.v_switch)
        self.read("DeleteVpc", RegionId=region, VpcId=vpc_id)
        self.refused("InvalidVpcId.NotFound", 404, "DescribeVpcAttribute", RegionId=region, VpcId=vpc_id)
        gone, _ = self.read("DescribeVRouters", RegionId=region)
        self.assertEqual((gone.total_count, gone.vrouters.vrouter), (0, []))
        gone, _ = self.read("DescribeRouteTableList", RegionId=region)
        self.assertEqual(gone.router_table_list.router_table_list_type, [])

    def test_an_eip_allocated_associated_and_released(self):
        region = "cn-shanghai"
        allocated = [
            self.read("AllocateEipAddress", RegionId=region, Bandwidth="5", InternetChargeType="PayByTraffic")[0]
            for _ in range(3)
        ]
        addresses = [a.eip_address for a in allocated]
        self.assertEqual(len(set(addresses)), 3, addresses)
        for address in addresses:
            ip = ipaddress.IPv4Address(address)
            self.assertTrue(ip.is_global, f"{address} is not a public address")
        first = allocated[0]
        self.assertRegex(first.allocation_id, r"^eip-[0-9a-z]+$")
        by_address, _ = self.read("DescribeEipAddresses", RegionId=region, EipAddress=addresses[1])
        self.assertEqual([e.allocation_id for e in by_address.eip_addresses.eip_address], [allocated[1].allocation_id])

        eip = self.eip(region, first.allocation_id)
        self.assertEqual((eip.status, eip.ip_address, eip.bandwidth), ("Available", first.eip_address, "5"))
        self.assertEqual(eip.internet_charge_type, "PayByTraffic")
        self.assertIn(eip.instance_id or "", [""])

        self.read(
            "AssociateEipAddress",
            RegionId=region,
            AllocationId=first.allocation_id,
            InstanceId="i-bp1compat0001",
            InstanceType="EcsInstance",
        )
        in_use = harness.until(lambda: (e := self.eip(region, first.allocation_id)).status == "InUse" and e)
        self.assertEqual((in_use.instance_id, in_use.instance_type), ("i-bp1compat0001", "EcsInstance"))
        # Bound, it cannot be released, nor bound again.
        self.refused("IncorrectEipStatus", 400, "ReleaseEipAddress", RegionId=region, AllocationId=first.allocation_id)
        self.refused(
            "IncorrectEipStatus",
            400,
            "AssociateEipAddress",
            RegionId=region,
            AllocationId=first.allocation_id,
            InstanceId="i-bp1compat0002",
        )

        self.read(
            "UnassociateEipAddress", RegionId=region, AllocationId=first.allocation_id, InstanceId="i-bp1compat0001"
        )
        free = harness.until(lambda: (e := self.eip(region, first.allocation_id)).status == "Available" and e)
        self.assertFalse(free.instance_id, "an unbound EIP names no instance")
        self.assertFalse(free.instance_type)

        self.read("ReleaseEipAddress", RegionId=region, AllocationId=first.allocation_id)
        self.assertIsNone(self.eip(region, first.allocation_id))
        self.refused(
            "InvalidAllocationId.NotFound", 404, "ReleaseEipAddress", RegionId=region, AllocationId=first.allocation_id
        )
        listed, _ = self.read("DescribeEipAddresses", RegionId=region)
        self.assertEqual(sorted(e.allocation_id for e in listed.eip_addresses.eip_address),
                         sorted(a.allocation_id for a in allocated[1:]))

    def test_listings_narrowed_by_filters_and_tags(self):
        region = "cn-beijing"
        prod = self.vpc(region, "10.0.0.0/16", VpcName="prod", Tag=[{"Key": "env", "Value": "prod"}])
        test = self.vpc(region, "10.1.0.0/16", VpcName="test", Tag=[{"Key": "env", "Value": "test"}])
        self.vpc(region, "10.2.0.0/16", VpcName="bare")

        by_tag, _ = self.read("DescribeVpcs", RegionId=region, Tag=[{"Key": "env", "Value": "prod"}])
        self.assertEqual([v.vpc_id for v in by_tag.vpcs.vpc], [prod.vpc_id])
        self.assertEqual(by_tag.total_count, 1)
        (tag,) = by_tag.vpcs.vpc[0].tags.tag
        self.assertEqual((tag.key, tag.value), ("env", "prod"))
        any_env, _ = self.read("DescribeVpcs", RegionId=region, Tag=[{"Key": "env"}])
        self.assertEqual([v.vpc_id for v in any_env.vpcs.vpc], [prod.vpc_id, test.vpc_id])
        by_name, _ = self.read("DescribeVpcs", RegionId=region, VpcName="test")
        self.assertEqual([v.vpc_id for v in by_name.vpcs.vpc], [test.vpc_id])
        by_ids, _ = self.read("DescribeVpcs", RegionId=region, VpcId=f"{test.vpc_id},{prod.vpc_id}")
        self.assertEqual([v.vpc_id for v in by_ids.vpcs.vpc], [prod.vpc_id, test.vpc_id])
        elsewhere, _ = self.read("DescribeVpcs", RegionId="cn-qingdao", VpcId=prod.vpc_id)
        self.assertEqual((elsewhere.total_count, elsewhere.vpcs.vpc), (0, []))

        self.read(
            "TagResources",
            RegionId=region,
            ResourceType="VPC",
            ResourceId=[test.vpc_id],
            Tag=[{"Key": "team", "Value": "net"}],
        )
        tags, _ = self.read("ListTagResources", RegionId=region, ResourceType="VPC", ResourceId=[test.vpc_id])
        pairs = sorted((t.tag_key, t.tag_value, t.resource_id) for t in tags.tag_resources.tag_resource)
        self.assertEqual(pairs, [("env", "test", test.vpc_id), ("team", "net", test.vpc_id)])
        team, _ = self.read("DescribeVpcs", RegionId=region, Tag=[{"Key": "team", "Value": "net"}])
        self.assertEqual([v.vpc_id for v in team.vpcs.vpc], [test.vpc_id])
        self.read("UnTagResources", RegionId=region, ResourceType="VPC", ResourceId=[test.vpc_id], TagKey=["team"])
        team, _ = self.read("DescribeVpcs", RegionId=region, Tag=[{"Key": "team", "Value": "net"}])
        self.assertEqual(team.vpcs.vpc, [])

        vsw = self.vswitch(region, prod.vpc_id, "10.0.5.0/24")
        in_vpc, _ = self.read("DescribeVSwitches", RegionId=region, VpcId=prod.vpc_id)
        self.assertEqual([s.v_switch_id for s in in_vpc.v_switches.v_switch], [vsw.v_switch_id])
        other, _ = self.read("DescribeVSwitches", RegionId=region, VpcId=test.vpc_id)
        self.assertEqual(other.v_switches.v_switch, [])

    def test_pages_of_a_listing(self):
        region = "cn-qingdao"
        vpc_id = self.vpc(region, "172.16.0.0/16").vpc_id
        made = [self.vswitch(region, vpc_id, f"172.16.{n}.0/24").v_switch_id for n in range(12)]
        seen = []
        for number in range(1, 5):
            page, _ = self.read("DescribeVSwitches", RegionId=region, VpcId=vpc_id, PageNumber=number, PageSize=5)
            self.assertEqual((page.page_number, page.page_size, page.total_count), (number, 5, 12))
            seen += [s.v_switch_id for s in page.v_switches.v_switch]
            self.assertEqual(len(page.v_switches.v_switch), [5, 5, 2, 0][number - 1])
        self.assertEqual(seen, made, "every vSwitch once, oldest first")

        # Token paging: ListTagResources.
        for vsw in made[:7]:
            self.read("TagResources", RegionId=region, ResourceType="VSWITCH", ResourceId=[vsw],
                      Tag=[{"Key": "tier", "Value": "app"}])
        tokens, pairs, token = [], [], None
        while True:
            params = {"RegionId": region, "ResourceType": "VSWITCH", "Tag": [{"Key": "tier", "Value": "app"}],
                      "MaxResults": 3}
            if token:
                params["NextToken"] = token
            page, _ = self.read("ListTagResources", **params)
            pairs += [t.resource_id for t in page.tag_resources.tag_resource]
            token = page.next_token
            if not token:
                break
            tokens.append(token)
        self.assertEqual(pairs, made[:7])
        self.assertEqual(len(tokens), 2)

    def test_documented_errors(self):
        region = "cn-shenzhen"
        self.refused("InvalidVpcId.NotFound", 404, "DescribeVpcAttribute", RegionId=region, VpcId="vpc-nosuch")
        self.refused(
            "InvalidVpcId.NotFound", 404, "CreateVSwitch",
            RegionId=region, VpcId="vpc-nosuch", ZoneId=region + ZONE_SUFFIX, CidrBlock="10.0.0.0/24",
        )
        self.refused("InvalidVSwitchId.NotFound", 404, "DeleteVSwitch", RegionId=region, VSwitchId="vsw-nosuch")
        self.refused(
            "InvalidAllocationId.NotFound", 404, "AssociateEipAddress",
            RegionId=region, AllocationId="eip-nosuch", InstanceId="i-x",
        )
        vpc_id = self.vpc(region, "10.0.0.0/16").vpc_id
        vsw = self.vswitch(region, vpc_id, "10.0.1.0/24")
        e = self.refused("DependencyViolation.VSwitch", 400, "DeleteVpc", RegionId=region, VpcId=vpc_id)
        self.assertIn(vsw.v_switch_id, e.message)
        self.refused(
            "InvalidCidrBlock.Overlapped", 400, "CreateVSwitch",
            RegionId=region, VpcId=vpc_id, ZoneId=region + ZONE_SUFFIX, CidrBlock="10.0.1.128/25",
        )
        self.refused(
            "InvalidParameter", 400, "CreateVSwitch",
            RegionId=region, VpcId=vpc_id, ZoneId=region + ZONE_SUFFIX, CidrBlock="10.9.0.0/24",
        )
        self.refused(
            "InvalidCidrBlock.Malformed", 400, "CreateVSwitch",
            RegionId=region, VpcId=vpc_id, ZoneId=region + ZONE_SUFFIX, CidrBlock="10.0.300.0/24",
        )
        # A dry run checks and changes nothing.
        self.refused("DryRunOperation", 400, "CreateVpc", RegionId=region, CidrBlock="10.8.0.0/16", DryRun=True)
        listed, _ = self.read("DescribeVpcs", RegionId=region)
        self.assertEqual([v.vpc_id for v in listed.vpcs.vpc], [vpc_id])
        # A retry with the same token is answered the same, and makes nothing new.
        first, _ = self.read("CreateVpc", RegionId=region, CidrBlock="10.3.0.0/16", ClientToken="compat-token-1")
        again, _ = self.read("CreateVpc", RegionId=region, CidrBlock="10.3.0.0/16", ClientToken="compat-token-1")
        self.assertEqual(first.vpc_id, again.vpc_id)
        self.assertNotEqual(first.request_id, again.request_id)
        self.refused(
            "IdempotentParameterMismatch", 400, "CreateVpc",
            RegionId=region, CidrBlock="10.4.0.0/16", ClientToken="compat-token-1",
        )

    def test_regions_and_zones(self):
        regions, _ = self.read("DescribeRegions")
        ids = [r.region_id for r in regions.regions.region]
        self.assertIn("cn-hangzhou", ids)
        hangzhou = next(r for r in regions.regions.region if r.region_id == "cn-hangzhou")
        self.assertEqual(hangzhou.region_endpoint, "vpc.cn-hangzhou.aliyuncs.com")
        zones, _ = self.read("DescribeZones", RegionId="cn-hangzhou")
        self.assertEqual(zones.zones.zone[0].zone_id, "cn-hangzhou-a")


class QuotaScenarios(Base):
    """Mixed into a ``unittest.TestCase`` with ``make_client``: an emulator
    whose quotas are set low, so that they are reached."""

    emulator_args = ("--quota", "Vpc=2", "--quota", "Eip=1")

    def test_an_exhausted_quota_refuses_with_its_documented_code(self):
        region = "cn-chengdu"
        kept = self.read("CreateVpc", RegionId=region, CidrBlock="10.0.0.0/16")[0].vpc_id
        self.read("CreateVpc", RegionId=region, CidrBlock="10.1.0.0/16")
        self.refused("QuotaExceeded.Vpc", 400, "CreateVpc", RegionId=region, CidrBlock="10.2.0.0/16")
        # A quota is per region.
        self.read("CreateVpc", RegionId="cn-wuhan-lr", CidrBlock="10.2.0.0/16")

        eip = self.read("AllocateEipAddress", RegionId=region)[0].allocation_id
        self.refused("QuotaExceeded.Eip", 400, "AllocateEipAddress", RegionId=region)
        # Freed, the quota can be used again.
        self.read("ReleaseEipAddress", RegionId=region, AllocationId=eip)
        self.read("AllocateEipAddress", RegionId=region)
        harness.until(lambda: self.read("DescribeVpcs", RegionId=region, VpcId=kept)[0].vpcs.vpc[0].status == "Available")
        self.read("DeleteVpc", RegionId=region, VpcId=kept)
        self.read("CreateVpc", RegionId=region, CidrBlock="10.2.0.0/16")


def cases(name, make_client):
    """The scenario classes for one client, for a test module to expose."""
    make = staticmethod(make_client)
    return {
        f"{name}Scenarios": type(f"{name}Scenarios", (Scenarios, unittest.TestCase), {"make_client": make}),
        f"{name}Quotas": type(f"{name}Quotas", (QuotaScenarios, unittest.TestCase), {"make_client": make}),
    }

