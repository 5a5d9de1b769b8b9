"""Where a partner's webhook may point: public addresses only, checked on the address actually used."""

from __future__ import annotations

import pytest

from mentornet_common.egress import Egress, Refused

INTERNAL = [
    "http://127.0.0.1:8001/v1/token", "http://localhost.example/", "http://10.0.0.1/", "http://172.16.5.4/",
    "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data/", "http://100.64.0.1/",
    "http://0.0.0.0/", "http://224.0.0.1/", "http://240.0.0.1/", "http://[::1]:8001/", "http://[fe80::1]/",
    "http://[fd00::1]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:10.0.0.1]/",
    "http://[64:ff9b::a9fe:a9fe]/", "http://[2002:a9fe:a9fe::1]/", "http://2130706433/",
    "http://0177.0.0.1/", "http://kubernetes.default.svc/",
]  # fmt: skip
ANSWERS = {
    "localhost.example": ["127.0.0.1"], "2130706433": ["127.0.0.1"], "0177.0.0.1": ["127.0.0.1"],
    "kubernetes.default.svc": ["10.96.0.1"], "partner.example": ["93.184.216.34"],
    "mixed.example": ["93.184.216.34", "10.0.0.7"],
}  # fmt: skip


async def stubbed(host: str, port: int) -> list[str]:
    return ANSWERS[host]


@pytest.mark.parametrize("url", INTERNAL)
async def test_every_internal_range_is_refused(url: str) -> None:
    with pytest.raises(Refused) as refused:
        await Egress(resolver=stubbed).check(url)
    host = url.split("//")[1].split("/")[0]
    for address in ANSWERS.get(host.split(":")[0], []):  # what a name resolved to is never echoed
        assert address not in str(refused.value)


async def test_a_name_with_one_internal_address_among_public_ones_is_refused() -> None:
    with pytest.raises(Refused):
        await Egress(resolver=stubbed).check("https://mixed.example/hook")


async def test_the_request_goes_to_the_address_that_was_checked() -> None:
    """DNS rebinding: a name that answers a public address at the check and 127.0.0.1 at the connection."""
    answers = iter([["93.184.216.34"], ["127.0.0.1"]])

    async def rebinding(host: str, port: int) -> list[str]:
        return next(answers)

    target = await Egress(resolver=rebinding).check("https://partner.example:8443/hooks?x=1")
    assert target.url == "https://93.184.216.34:8443/hooks?x=1"
    assert target.headers() == {"host": "partner.example:8443"}
    assert target.extensions() == {"sni_hostname": "partner.example"}


async def test_an_operator_may_allow_named_networks_and_nothing_else() -> None:
    egress = Egress(["127.0.0.0/8"], resolver=stubbed)
    assert (await egress.check("http://127.0.0.1:9000/hook")).address == "127.0.0.1"
    with pytest.raises(Refused):
        await egress.check("http://10.0.0.1/")
    for bad in ("ftp://partner.example/", "http://user:pw@partner.example/", "http:///nohost"):
        with pytest.raises(Refused):
            await egress.check(bad)
