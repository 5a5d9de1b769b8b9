"""What can be checked of the production deployment without a container engine.

docker-compose.yml and every Kustomize overlay render and validate; the gateway and the Ingress route
every public path of every service's OpenAPI document to that service, and publish the merged OpenAPI
document as /openapi.json; each image's entrypoint resolves its three roles; the migrate role brings a
store to head.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.routing import iter_route_contexts

from mentornet_common.contracts import CONSUMER_GROUPS, TOPICS
from mentornet_common.entrypoint import ROLES, resolve
from mentornet_common.kafka import group_topics, legacy_dlq_topic
from mentornet_common.settings import CommonSettings
from mentornet_devkit.apps import build_app
from mentornet_devkit.pytest_plugin import require_tool

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("identity", "profiles", "matching", "sessions", "feedback", "streams")
OVERLAYS = ("dev", "prod")
UNROUTED = {"/healthz", "/readyz", "/metrics"}
# Served by every service; the edge sends it to one of them (any answers the same document).
SHARED = {"/asyncapi.json"}
# Served by an app a service mounts, outside its OpenAPI document: identity's SCIM 2.0 endpoints.
SCIM_RESOURCES = ("Users", "Groups", "ServiceProviderConfig", "Schemas", "ResourceTypes")
MOUNTED = {"identity": [f"/scim/v2/{resource}" for resource in SCIM_RESOURCES]}
# Published at a path of their own, rewritten to the service's: the merged OpenAPI document of the public API.
REWRITTEN = {"/openapi.json": ("identity", "/v1/openapi.json")}
SECRETS = {
    "POSTGRES_PASSWORD": "compose-check",
    "MENTORNET_KEY_ENCRYPTION_SECRET": "compose-check",
    "GRAFANA_ADMIN_PASSWORD": "compose-check",
    "MENTORNET_SESSION_SECRET": "compose-check",
}
# The web console: every path the edge routes to no API is its (its pages, /auth/…, /static/…).
CONSOLE = "console"


def public_paths(service: str) -> list[str]:
    """The paths a service's OpenAPI document promises, with path parameters filled in."""
    # the operator API's /v1/operations/{service}/… is the same path in every service: it names the service
    named = [path.replace("/v1/operations/{service}/", f"/v1/operations/{service}/") for path in
             build_app(service).openapi()["paths"]]  # fmt: skip
    paths = [re.sub(r"\{[^}]+\}", "x", path) for path in named]
    return [p for p in paths if p not in UNROUTED | SHARED] + MOUNTED.get(service, [])


def assert_served(rewritten: dict[str, tuple[str, str]], where: str) -> None:
    """Each published path is rewritten to a GET the service's app really serves (outside its document)."""
    assert rewritten == REWRITTEN, f"{where} publishes {rewritten}, not {REWRITTEN}"
    for service, path in rewritten.values():
        served = [c for c in iter_route_contexts(build_app(service).routes) if c.path_format == path]
        assert any("GET" in (c.methods or ()) for c in served), f"{service} serves no GET {path}"


def routed_to(routes: dict[str, str], path: str) -> str | None:
    """The upstream the longest matching prefix sends a path to."""
    matches = [prefix for prefix in routes if path == prefix or path.startswith(prefix.rstrip("/") + "/")]
    return routes[max(matches, key=len)] if matches else None


def console_paths() -> list[str]:
    """The web console's own paths (its pages, sign-in, stylesheet), path parameters filled in."""
    from console.main import create_app

    found = [re.sub(r"\{[^}]+\}", "x", c.path_format) for c in iter_route_contexts(create_app().routes)]
    return [p for p in found if p not in UNROUTED] + ["/static/console.css"]


def assert_routes_cover_every_service(routes: dict[str, str], where: str) -> None:
    """Every public path goes to its service, every path of the console's own to the console (``/``: what
    no API claims), and no route is left over."""
    for path in console_paths():
        assert routed_to(routes, path) == CONSOLE, (
            f"{where}: the console's {path} goes to {routed_to(routes, path)}"
        )
    routes = {prefix: upstream for prefix, upstream in routes.items() if prefix != "/"}
    used = set()
    for path in SHARED:
        assert routed_to(routes, path) in SERVICES, f"{where}: {path} is not routed"
        used.add(path)
    for service in SERVICES:
        for path in public_paths(service):
            upstream = routed_to(routes, path)
            assert upstream == service, f"{where}: {path} goes to {upstream}, not {service}"
            used.add(max((p for p in routes if path == p or path.startswith(p.rstrip("/") + "/")), key=len))
    assert used == set(routes), f"{where} routes nothing to {sorted(set(routes) - used)}"


# the gateway and compose ---------------------------------------------------------------------------------


def nginx_routes() -> dict[str, str]:
    text = (ROOT / "deploy/docker/nginx.conf").read_text()
    return {
        prefix: upstream
        for prefix, upstream in re.findall(
            r"location\s+(?:=\s*)?(/\S*)\s*\{\s*proxy_pass\s+http://([a-z]+)-api:8000;", text
        )
    }


def test_the_gateway_routes_every_public_path_to_its_service() -> None:
    assert_routes_cover_every_service(nginx_routes(), "nginx.conf")


def test_the_gateway_publishes_the_merged_openapi_document() -> None:
    text = (ROOT / "deploy/docker/nginx.conf").read_text()
    found = re.findall(r"location\s+=\s*(/\S+)\s*\{\s*proxy_pass\s+http://([a-z]+)-api:8000(/\S+);", text)
    assert_served({published: (upstream, path) for published, upstream, path in found}, "nginx.conf")


INTERNAL = ("/v1/revocations", "/v1/revocations?after=0")


@pytest.mark.integration  # runs kubectl
def test_the_internal_revocation_list_is_routed_by_neither_the_gateway_nor_the_ingress() -> None:
    """nginx matches a plain ``location`` as a string prefix (``/v1/revoke`` would catch ``/v1/revocations``);
    the Ingress's Prefix matches whole path elements, and Exact only itself."""
    text = (ROOT / "deploy/docker/nginx.conf").read_text()
    prefixes = [p for p in re.findall(r"location\s+(/\S+)\s*\{", text) if p != "/"]  # / is the console's
    for path in INTERNAL:
        assert not [p for p in prefixes if path.startswith(p)], f"nginx.conf routes {path}"
        assert path.split("?")[0] not in console_paths()
    for overlay in OVERLAYS:
        for route in (path for ingress in ingresses(overlay) for path in ingress_paths(ingress)):
            if route["backend"]["service"]["name"] == f"{CONSOLE}-api":
                continue  # the console serves no such path (above)
            exact = route["pathType"] == "Exact"
            for path in INTERNAL:
                bare = path.split("?")[0]
                hit = bare == route["path"] if exact else routed_to({route["path"]: "x"}, bare) is not None
                assert not hit, f"the {overlay} Ingress routes {path} via {route['path']}"


def compose(*args: str, with_secrets: bool = True) -> subprocess.CompletedProcess[str]:
    binary = require_tool("docker-compose")
    env = {k: v for k, v in os.environ.items() if k not in SECRETS}
    if with_secrets:
        env |= SECRETS
    return subprocess.run(
        [str(binary), "-f", str(ROOT / "docker-compose.yml"), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


@pytest.mark.integration  # runs docker-compose
def test_compose_validates() -> None:
    result = compose("config", "-q")
    assert result.returncode == 0, result.stderr


@pytest.mark.integration  # runs docker-compose
def test_compose_refuses_to_start_without_its_secrets() -> None:
    result = compose("config", "-q", with_secrets=False)
    assert result.returncode != 0
    assert "POSTGRES_PASSWORD" in result.stderr


@pytest.mark.integration  # runs docker-compose
def test_every_service_migrates_before_its_api_and_worker_start() -> None:
    config: dict[str, Any] = yaml.safe_load(compose("config").stdout)
    containers = config["services"]
    for service in SERVICES:
        assert containers[f"{service}-migrate"]["command"] == ["migrate"]
        for role in ("api", "worker"):
            container = containers[f"{service}-{role}"]
            assert container["command"] == [role]
            assert (
                container["depends_on"][f"{service}-migrate"]["condition"] == "service_completed_successfully"
            )
            assert container["depends_on"]["kafka"]["condition"] == "service_healthy"
            assert container["environment"]["MENTORNET_ENVIRONMENT"] == "production"
            assert "healthcheck" in container and container["read_only"] is True
    for infrastructure in ("kafka", "postgres", "redis", "gateway", "jaeger", "prometheus"):
        assert "healthcheck" in containers[infrastructure], infrastructure
    assert containers["kafka"]["image"].startswith("apache/kafka:")
    assert containers["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"


REDIS_URL = "redis://redis:6379/0"


@pytest.mark.integration  # runs docker-compose
def test_every_api_counts_its_rate_limits_in_the_one_redis() -> None:
    """Replicas of an API share one budget only if they count in one place (mentornet_common.ratelimit)."""
    containers = yaml.safe_load(compose("config").stdout)["services"]
    assert containers["redis"]["image"].startswith("redis:7")
    for service in SERVICES:
        api = containers[f"{service}-api"]
        assert api["environment"]["MENTORNET_REDIS_URL"] == REDIS_URL, service
        assert api["depends_on"]["redis"]["condition"] == "service_healthy", service


# the image's entrypoint -----------------------------------------------------------------------------------


@pytest.mark.parametrize("service", SERVICES)
def test_each_image_runs_its_api_worker_and_migrations(service: str) -> None:
    for role in ROLES:
        assert callable(resolve(service, role))
    with pytest.raises(ValueError, match="role must be one of"):
        resolve(service, "shell")


def test_the_console_image_runs_its_api_alone() -> None:
    assert callable(resolve(CONSOLE, "api"))
    with pytest.raises(ModuleNotFoundError):
        resolve(CONSOLE, "worker")  # no worker: it consumes nothing


@pytest.mark.integration  # runs the entrypoint, as a process
def test_the_migrate_role_brings_every_store_to_head(tmp_path: Path) -> None:
    env = {**os.environ, "MENTORNET_SERVICE": "profiles", "MENTORNET_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "mentornet_common.entrypoint", "migrate"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "profiles: 1 stores migrated" in result.stdout
    assert (tmp_path / "profiles" / "consortium.db").exists()
    bad = subprocess.run(
        [sys.executable, "-m", "mentornet_common.entrypoint", "serve"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert bad.returncode != 0 and "role must be one of" in bad.stderr


# Kubernetes ------------------------------------------------------------------------------------------------


def kustomize(overlay: str) -> list[dict[str, Any]]:
    kubectl = require_tool("kubectl")
    result = subprocess.run(
        [str(kubectl), "kustomize", str(ROOT / "deploy/k8s/overlays" / overlay)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


@pytest.mark.integration  # runs kubectl
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_overlay_renders_and_validates_against_the_kubernetes_schemas(overlay: str) -> None:
    import kubernetes_validate

    objects = kustomize(overlay)
    for obj in objects:
        if obj["apiVersion"].startswith(("kafka.strimzi.io/", "monitoring.coreos.com/")):
            continue  # custom resources: checked by the Strimzi test below, and by test_monitoring.py
        kubernetes_validate.validate(obj, "1.30", strict=True)


@pytest.mark.integration  # runs kubectl
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_service_has_what_production_needs(overlay: str) -> None:
    objects = kustomize(overlay)
    by_kind: dict[str, dict[str, dict[str, Any]]] = {}
    for obj in objects:
        by_kind.setdefault(obj["kind"], {})[obj["metadata"]["name"]] = obj
    for service in SERVICES:
        for role in ("api", "worker"):
            deployment = by_kind["Deployment"][f"{service}-{role}"]
            pod = deployment["spec"]["template"]["spec"]
            (container,) = pod["containers"]
            assert container["args"] == [role]
            assert {"readinessProbe", "livenessProbe", "resources"} <= set(container)
            assert {"requests", "limits"} <= set(container["resources"])
            assert container["securityContext"]["readOnlyRootFilesystem"] is True
            assert container["securityContext"]["allowPrivilegeEscalation"] is False
            assert pod["securityContext"]["runAsNonRoot"] is True
            assert pod["serviceAccountName"] == service
            assert any(e.get("configMapRef") for e in container["envFrom"])
        assert f"{service}-api" in by_kind["Service"]
        assert service in by_kind["ServiceAccount"]
        assert (
            by_kind["HorizontalPodAutoscaler"][f"{service}-api"]["spec"]["scaleTargetRef"]["name"]
            == f"{service}-api"
        )
        assert f"{service}-api" in by_kind["PodDisruptionBudget"]
        (job,) = [
            j["spec"]["template"]["spec"]
            for name, j in by_kind["Job"].items()
            if name.startswith(f"{service}-migrate")
        ]
        assert job["containers"][0]["args"] == ["migrate"]
    assert "only-ingress-reaches-the-apis" in by_kind["NetworkPolicy"]
    # the console: an API alone (no store to migrate, no worker), which may call every other API
    pod = by_kind["Deployment"][f"{CONSOLE}-api"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["args"] == ["api"] and {"readinessProbe", "livenessProbe", "resources"} <= set(container)
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["serviceAccountName"] == CONSOLE
    secret = {e["name"]: e for e in container["env"]}["MENTORNET_SESSION_SECRET"]
    assert secret["valueFrom"]["secretKeyRef"]["name"] == "mentornet-console-keys"
    assert {f"{CONSOLE}-worker", f"{CONSOLE}-migrate"}.isdisjoint(by_kind["Deployment"] | by_kind["Job"])
    for kind in ("Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"):
        assert f"{CONSOLE}-api" in by_kind[kind], kind
    assert "the-console-calls-the-apis" in by_kind["NetworkPolicy"]


@pytest.mark.integration  # runs kubectl
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_overlay_runs_the_redis_the_apis_count_rate_limits_in(overlay: str) -> None:
    objects = kustomize(overlay)
    (config,) = [
        o
        for o in objects
        if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("mentornet-config")
    ]
    assert config["data"]["MENTORNET_REDIS_URL"] == REDIS_URL
    (deployment,) = [o for o in objects if o["kind"] == "Deployment" and o["metadata"]["name"] == "redis"]
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["image"].startswith("redis:7") and pod["securityContext"]["runAsNonRoot"] is True
    assert {"readinessProbe", "livenessProbe", "resources"} <= set(container)
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    (service,) = [o for o in objects if o["kind"] == "Service" and o["metadata"]["name"] == "redis"]
    assert service["spec"]["ports"][0]["port"] == 6379
    (policy,) = [
        o
        for o in objects
        if o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == "only-the-apis-reach-redis"
    ]
    (rule,) = policy["spec"]["ingress"]
    assert [peer["podSelector"]["matchLabels"]["app.kubernetes.io/component"] for peer in rule["from"]] == [
        "api"
    ]


REWRITE = "nginx.ingress.kubernetes.io/rewrite-target"


def ingresses(overlay: str, rewriting: bool | None = None) -> list[dict[str, Any]]:
    """The overlay's Ingresses: all, or those that do (or do not) rewrite their paths."""
    found = [obj for obj in kustomize(overlay) if obj["kind"] == "Ingress"]
    rewrites = [REWRITE in (obj["metadata"].get("annotations") or {}) for obj in found]
    return [obj for obj, r in zip(found, rewrites, strict=True) if rewriting is None or r == rewriting]


def ingress_paths(ingress: dict[str, Any]) -> list[dict[str, Any]]:
    return [path for rule in ingress["spec"]["rules"] for path in rule["http"]["paths"]]


@pytest.mark.integration  # runs kubectl
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_ingress_routes_every_public_path_to_its_service(overlay: str) -> None:
    (ingress,) = ingresses(overlay, rewriting=False)
    routes = {
        path["path"]: path["backend"]["service"]["name"].removesuffix("-api")
        for path in ingress_paths(ingress)
    }
    assert_routes_cover_every_service(routes, f"the {overlay} Ingress")


@pytest.mark.integration  # runs kubectl
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_ingress_publishes_the_merged_openapi_document(overlay: str) -> None:
    """ingress-nginx rewrites every path of an annotated Ingress: that one must route nothing else."""
    rewritten = {}
    for ingress in ingresses(overlay, rewriting=True):
        for path in ingress_paths(ingress):
            assert path["pathType"] == "Exact", path
            service = path["backend"]["service"]["name"].removesuffix("-api")
            rewritten[path["path"]] = (service, ingress["metadata"]["annotations"][REWRITE])
    assert_served(rewritten, f"the {overlay} overlay's Ingresses")


@pytest.mark.integration  # runs kubectl
def test_production_runs_kafka_through_strimzi_with_replicated_topics() -> None:
    objects = kustomize("prod")
    (kafka,) = [o for o in objects if o["kind"] == "Kafka"]
    (pool,) = [o for o in objects if o["kind"] == "KafkaNodePool"]
    assert kafka["metadata"]["annotations"]["strimzi.io/kraft"] == "enabled"
    assert pool["spec"]["replicas"] == 3 and set(pool["spec"]["roles"]) == {"controller", "broker"}
    assert kafka["spec"]["kafka"]["config"]["min.insync.replicas"] == 2
    topics = {o["spec"]["topicName"]: o["spec"] for o in objects if o["kind"] == "KafkaTopic"}
    # every event topic, every consumer group's dead-letter and redrive topic (ADR 0015), and the legacy
    # shared dead-letter topics, kept until the letters left on them are settled
    declared = [*TOPICS, *group_topics(CommonSettings(topic_prefix=""), CONSUMER_GROUPS)]
    declared += [legacy_dlq_topic(t) for t in TOPICS]
    assert set(topics) == set(declared)
    for topic in declared:
        assert topics[topic]["replicas"] == 3, topic
        assert topics[topic]["partitions"] >= 3, topic
        assert topics[topic]["config"]["min.insync.replicas"] == 2


def test_the_gateway_never_passes_on_a_forwarded_for_the_client_wrote() -> None:
    """The APIs trust X-Forwarded-For from the gateway (the login throttle keys on it): appending to the
    client's own header ($proxy_add_x_forwarded_for) let anyone choose a fresh address per guess."""
    text = (ROOT / "deploy/docker/nginx.conf").read_text()
    assert re.search(r"proxy_set_header\s+X-Forwarded-For\s+\$remote_addr;", text)
    assert "$proxy_add_x_forwarded_for" not in text
