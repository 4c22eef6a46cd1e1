"""The config stage: config.yaml loaded and validated into frozen typed objects; errors name their key path.

schema.py holds the keys and their defaults, loading.py reads and validates a file, resolved.py the `Config`
and `Site` objects the daemon uses, checks.py safe YAML reading and the error sentences.
"""

from monitor.config.loading import DEFAULT_CONFIG_PATH, load_config, resolve_database_url
from monitor.config.resolved import Config, Site
from monitor.config.schema import (
    DEFAULT_DATABASE_URL,
    DEFAULT_RECHECKS,
    DEFAULT_USER_AGENT,
    MAX_DURATION_S,
    ConfigFile,
    Delay,
    Domain,
    Duration,
    FetchConfig,
    HttpUrl,
    RecheckStep,
    RetentionConfig,
    SelectorsConfig,
    SiteConfig,
    SiteDefaults,
    parse_duration,
)

__all__ = [
    "DEFAULT_CONFIG_PATH",
    "DEFAULT_DATABASE_URL",
    "DEFAULT_RECHECKS",
    "DEFAULT_USER_AGENT",
    "MAX_DURATION_S",
    "Config",
    "ConfigFile",
    "Delay",
    "Domain",
    "Duration",
    "FetchConfig",
    "HttpUrl",
    "RecheckStep",
    "RetentionConfig",
    "SelectorsConfig",
    "Site",
    "SiteConfig",
    "SiteDefaults",
    "load_config",
    "parse_duration",
    "resolve_database_url",
]
