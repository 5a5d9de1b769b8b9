"""A service's settings class and app, by the service's name (its package): what the contract tests, the
merged OpenAPI document and the handler profiles build each service from."""

from __future__ import annotations

import importlib
from typing import Any

from mentornet_common.settings import CommonSettings


def settings_class(service: str) -> type[CommonSettings]:
    """The settings class ``<service>.config`` defines (its own, not the common one it extends)."""
    config = importlib.import_module(f"{service}.config")
    found: type[CommonSettings] = next(
        value
        for name, value in vars(config).items()
        if name.endswith("Settings")
        and isinstance(value, type)
        and issubclass(value, CommonSettings)
        and value is not CommonSettings
    )
    return found


def build_app(service: str, **settings: Any) -> Any:
    """The service's API app, built with its default settings (``settings`` overrides); nothing is started."""
    return importlib.import_module(f"{service}.main").create_app(settings_class(service)(**settings))
