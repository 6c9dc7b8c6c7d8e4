"""Settings from environment variables, validated once at start (12-factor): `Settings` for the
API, `MailSettings` for the outbox worker, both read by the same helpers below."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
ENVIRONMENTS = ("development", "test", "production")
DEV_SECRETS = {"", "changeme", "change-me", "password", "secret", "admin"}


class SettingsError(ValueError):
    pass


def _int(env: Mapping[str, str], name: str, default: int, lo: int, hi: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if not lo <= value <= hi:
        raise SettingsError(f"{name} must be between {lo} and {hi}, not {value}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false, not {raw!r}")


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    value = (env.get(name) or default).strip().lower()
    if value not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}")
    return value


def _list(env: Mapping[str, str], name: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def _urls(raw: str) -> tuple[str, ...]:
    """URLs separated by commas or spaces; a comma inside one (a multi-host URL) stays."""
    parts = re.split(r"\s+|,(?=\s*postgres(?:ql)?://)", raw.strip())
    return tuple(p.strip().strip(",") for p in parts if p.strip().strip(","))


class Rate(NamedTuple):
    """At most `limit` requests per `window` seconds."""

    limit: int
    window: int

    @classmethod
    def parse(cls, name: str, raw: str) -> Rate:
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*(s|m|h)?\s*", raw)
        if not match:
            raise SettingsError(f"{name} must look like 100/60 (requests per seconds), not {raw!r}")
        limit, window = int(match[1]), int(match[2]) * {"s": 1, "m": 60, "h": 3600}[match[3] or "s"]
        if limit < 1 or not 1 <= window <= 86400:
            raise SettingsError(f"{name}: the limit must be positive and the window 1s to 1 day")
        return cls(limit, window)


RATE_IP = Rate(600, 60)  # per client address, all routes
RATE_USER = Rate(1200, 60)  # per signed-in user (sub), all routes
RATE_AUTH = Rate(20, 60)  # per client address: login, register, refresh, password reset


def _rate(env: Mapping[str, str], name: str, default: Rate) -> Rate:
    raw = env.get(name, "").strip()
    return Rate.parse(name, raw) if raw else default


HOST_NAME = re.compile(r"^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")


def _hosts(env: Mapping[str, str]) -> tuple[str, ...]:
    """ALLOWED_HOSTS: `*`, names, `*.example.com`, IP addresses ([::1] for IPv6); a pattern of
    another shape (`*example.com`) is refused rather than read one way or the other."""
    hosts = tuple(h.lower() for h in _list(env, "ALLOWED_HOSTS", ("*",)))
    for host in hosts:
        if host == "*" or HOST_NAME.match(host):
            continue
        try:
            ipaddress.ip_address(
                host[1:-1] if host.startswith("[") and host.endswith("]") else host
            )
        except ValueError:
            raise SettingsError(
                f"ALLOWED_HOSTS: {host!r} is not a host name, an address, `*` or `*.<domain>`"
            ) from None
    return hosts


def _networks(
    name: str, items: tuple[str, ...]
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    try:
        return tuple(ipaddress.ip_network(item, strict=False) for item in items)
    except ValueError as exc:
        raise SettingsError(f"{name}: {exc}") from None


def _split_keys(raw: str) -> list[str]:
    """JWT_PUBLIC_KEYS: PEM blocks pasted one after another, or paths separated by commas."""
    raw = raw.strip().replace("\\n", "\n")
    if not raw:
        return []
    if "-----BEGIN" in raw:
        blocks = re.findall(r"-----BEGIN [A-Z ]+-----.*?-----END [A-Z ]+-----", raw, re.S)
        return [b + "\n" for b in blocks]
    return [p.strip() for p in raw.split(",") if p.strip()]


@dataclass(frozen=True)
class Settings:
    environment: str = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str | None = None
    api_database_url: str | None = None
    authenticator_password: str | None = None
    worker_database_url: str | None = None
    worker_password: str | None = None
    # Beyond one server
    direct_database_url: str | None = None
    database_read_urls: tuple[str, ...] = ()
    database_read_max_lag_seconds: int = 5
    db_prepared_statements: bool = True
    redis_url: str = "redis://127.0.0.1:6379/0"
    jwt_private_key: str | None = None
    jwt_key_id: str | None = None
    jwt_public_keys: list[str] = field(default_factory=list)
    jwt_keys_dir: Path = ROOT / ".data" / "keys"
    jwt_issuer: str = ""
    jwt_audience: str = "slotbase"
    jwt_leeway_seconds: int = 30
    max_body_bytes: int = 1_048_576
    db_pool_min: int = 2
    db_pool_max: int = 20
    first_superuser_email: str | None = None
    first_superuser_password: str | None = None
    data_dir: Path = ROOT / ".data"
    debug: bool = False
    log_format: str = "json"
    log_level: str = "INFO"
    # The edge
    allowed_hosts: tuple[str, ...] = ("*",)
    cors_origins: tuple[str, ...] = ()
    cors_allow_credentials: bool = False
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    trusted_proxy_header: str = "x-forwarded-for"
    request_timeout_seconds: int = 30
    hsts_max_age: int = 63_072_000
    # Rate limits (shared through Redis)
    rate_limit_enabled: bool = True
    rate_limit_ip: Rate = RATE_IP
    rate_limit_user: Rate = RATE_USER
    rate_limit_auth: Rate = RATE_AUTH
    # Metrics
    metrics_enabled: bool = True
    metrics_token: str | None = None
    metrics_port: int | None = None
    # Live events
    events_heartbeat_seconds: int = 15
    events_queue_size: int = 1000

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @property
    def issuer(self) -> str:
        return self.jwt_issuer or f"http://{self.host}:{self.port}"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        environment = env.get("ENVIRONMENT", "development").strip() or "development"
        if environment not in ENVIRONMENTS:
            raise SettingsError(f"ENVIRONMENT must be one of {', '.join(ENVIRONMENTS)}")
        data_dir = Path(env.get("DATA_DIR", "") or ROOT / ".data")
        settings = cls(
            environment=environment,
            host=env.get("HOST", "127.0.0.1") or "127.0.0.1",
            port=_int(env, "PORT", 8000, 1, 65535),
            database_url=env.get("DATABASE_URL") or None,
            api_database_url=env.get("API_DATABASE_URL") or None,
            authenticator_password=env.get("AUTHENTICATOR_PASSWORD") or None,
            worker_database_url=env.get("WORKER_DATABASE_URL") or None,
            worker_password=env.get("WORKER_PASSWORD") or None,
            direct_database_url=env.get("DIRECT_DATABASE_URL") or None,
            database_read_urls=_urls(env.get("DATABASE_READ_URLS", "")),
            database_read_max_lag_seconds=_int(env, "DATABASE_READ_MAX_LAG_SECONDS", 5, 1, 3600),
            db_prepared_statements=_bool(env, "DB_PREPARED_STATEMENTS", True),
            redis_url=env.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
            jwt_private_key=env.get("JWT_PRIVATE_KEY") or None,
            jwt_key_id=env.get("JWT_KEY_ID") or None,
            jwt_public_keys=_split_keys(env.get("JWT_PUBLIC_KEYS", "")),
            jwt_keys_dir=Path(env.get("JWT_KEYS_DIR", "") or data_dir / "keys"),
            jwt_issuer=env.get("JWT_ISSUER", "").rstrip("/"),
            jwt_audience=env.get("JWT_AUDIENCE") or "slotbase",
            jwt_leeway_seconds=_int(env, "JWT_LEEWAY_SECONDS", 30, 0, 300),
            max_body_bytes=_int(env, "MAX_BODY_BYTES", 1_048_576, 1024, 64 * 1_048_576),
            db_pool_min=_int(env, "DB_POOL_MIN", 2, 0, 1000),
            db_pool_max=_int(env, "DB_POOL_MAX", 20, 1, 1000),
            first_superuser_email=env.get("FIRST_SUPERUSER_EMAIL") or None,
            first_superuser_password=env.get("FIRST_SUPERUSER_PASSWORD") or None,
            data_dir=data_dir,
            debug=_bool(env, "DEBUG", False),
            log_format=(env.get("LOG_FORMAT", "").strip().lower() or "json"),
            log_level=(env.get("LOG_LEVEL", "").strip().upper() or "INFO"),
            allowed_hosts=_hosts(env),
            cors_origins=_list(env, "CORS_ORIGINS"),
            cors_allow_credentials=_bool(env, "CORS_ALLOW_CREDENTIALS", False),
            trusted_proxies=_networks("TRUSTED_PROXIES", _list(env, "TRUSTED_PROXIES")),
            trusted_proxy_header=_choice(
                env, "TRUSTED_PROXY_HEADER", ("x-forwarded-for", "forwarded"), "x-forwarded-for"
            ),
            request_timeout_seconds=_int(env, "REQUEST_TIMEOUT_SECONDS", 30, 1, 3600),
            hsts_max_age=_int(env, "HSTS_MAX_AGE", 63_072_000, 0, 10 * 31_536_000),
            rate_limit_enabled=_bool(env, "RATE_LIMIT_ENABLED", True),
            rate_limit_ip=_rate(env, "RATE_LIMIT_IP", RATE_IP),
            rate_limit_user=_rate(env, "RATE_LIMIT_USER", RATE_USER),
            rate_limit_auth=_rate(env, "RATE_LIMIT_AUTH", RATE_AUTH),
            metrics_enabled=_bool(env, "METRICS_ENABLED", True),
            metrics_token=env.get("METRICS_TOKEN") or None,
            metrics_port=_int(env, "METRICS_PORT", 0, 0, 65535) or None,
            events_heartbeat_seconds=_int(env, "EVENTS_HEARTBEAT_SECONDS", 15, 1, 300),
            events_queue_size=_int(env, "EVENTS_QUEUE_SIZE", 1000, 1, 1_000_000),
        )
        settings.check()
        return settings

    def check(self) -> None:
        if self.db_pool_min > self.db_pool_max:
            raise SettingsError("DB_POOL_MIN must not exceed DB_POOL_MAX")
        if bool(self.first_superuser_email) != bool(self.first_superuser_password):
            raise SettingsError("set both FIRST_SUPERUSER_EMAIL and FIRST_SUPERUSER_PASSWORD")
        if self.log_format not in ("json", "text"):
            raise SettingsError("LOG_FORMAT must be json or text")
        if self.log_level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise SettingsError("LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR")
        if "*" in self.cors_origins and self.cors_allow_credentials:
            # A wildcard origin with credentials lets any site act as the signed-in user.
            raise SettingsError("CORS_ORIGINS=* cannot be combined with CORS_ALLOW_CREDENTIALS")
        if self.metrics_port is not None and self.metrics_port == self.port:
            raise SettingsError("METRICS_PORT must differ from PORT (leave it unset to share)")
        if not self.production:
            return
        problems = []
        if not self.jwt_private_key:
            problems.append("JWT_PRIVATE_KEY is required (generated keys are for development)")
        if not self.jwt_issuer:
            problems.append("JWT_ISSUER is required (the public URL of this API)")
        if not (self.api_database_url or self.database_url):
            problems.append("API_DATABASE_URL or DATABASE_URL is required")
        if self.first_superuser_password and self.first_superuser_password in DEV_SECRETS:
            problems.append("FIRST_SUPERUSER_PASSWORD is a default secret")
        if self.api_database_url is None and (self.authenticator_password or "") in DEV_SECRETS:
            problems.append("AUTHENTICATOR_PASSWORD must be set to a real secret")
        if self.debug:
            problems.append("DEBUG must be off")
        if self.metrics_token is not None and self.metrics_token in DEV_SECRETS:
            problems.append("METRICS_TOKEN is a default secret")
        if self.metrics_enabled and not (self.metrics_token or self.metrics_port):
            problems.append(
                "/metrics would be public: set METRICS_TOKEN or METRICS_PORT,"
                " or METRICS_ENABLED=false"
            )
        if problems:
            raise SettingsError("refusing to start in production: " + "; ".join(problems))

    def authenticator_dsn(self, admin_dsn: str) -> str:
        """The API's connection: API_DATABASE_URL, else DATABASE_URL as role authenticator."""
        if self.api_database_url:
            return self.api_database_url
        return with_user(admin_dsn, "authenticator", self.authenticator_password)

    def worker_dsn(self, admin_dsn: str) -> str:
        """The worker's connection: WORKER_DATABASE_URL, else DATABASE_URL as slotbase_worker."""
        if self.worker_database_url:
            return self.worker_database_url
        return with_user(admin_dsn, "slotbase_worker", self.worker_password)


MAIL_SECURITY = ("none", "starttls", "tls")
MAIL_PORTS = {"none": 25, "starttls": 587, "tls": 465}


@dataclass(frozen=True)
class MailSettings:
    """MAIL_* and PUBLIC_URL: what the outbox worker needs to render and send email."""

    host: str | None = None
    port: int = 25
    username: str | None = None
    password: str | None = None
    sender: str = "slotbase <noreply@localhost>"
    security: str = "none"
    public_url: str = "http://localhost:8000"
    timeout: float = 30.0
    ca_file: str | None = None

    @property
    def sends(self) -> bool:
        """False: no MAIL_HOST, messages are written to the log instead of sent."""
        return bool(self.host)

    @property
    def envelope_from(self) -> str:
        return parseaddr(self.sender)[1]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> MailSettings:
        env = os.environ if env is None else env
        security = _choice(env, "MAIL_SECURITY", MAIL_SECURITY, "none")
        settings = cls(
            host=(env.get("MAIL_HOST") or "").strip() or None,
            port=_int(env, "MAIL_PORT", MAIL_PORTS[security], 1, 65535),
            username=env.get("MAIL_USERNAME") or None,
            password=env.get("MAIL_PASSWORD") or None,
            sender=(env.get("MAIL_FROM") or cls.sender).strip(),
            security=security,
            public_url=(env.get("PUBLIC_URL") or cls.public_url).strip().rstrip("/"),
            ca_file=env.get("MAIL_CA_FILE") or None,
        )
        settings.check()
        return settings

    def check(self) -> None:
        if "@" not in self.envelope_from:
            raise SettingsError(f"MAIL_FROM must hold an email address, not {self.sender!r}")
        if self.username and not self.password:
            raise SettingsError("MAIL_USERNAME needs MAIL_PASSWORD")
        if not self.public_url.startswith(("http://", "https://")):
            raise SettingsError(f"PUBLIC_URL must be an http(s) URL, not {self.public_url!r}")

    def describe(self) -> str:
        if not self.sends:
            return "MAIL_HOST is not set: messages are written to the log, not sent"
        auth = f" as {self.username}" if self.username else ""
        return f"sending through {self.host}:{self.port} ({self.security}){auth}"


def with_user(dsn: str, user: str, password: str | None = None) -> str:
    parts = urlsplit(dsn)
    host = parts.netloc.rsplit("@", 1)[-1]
    auth = quote(user, safe="")
    if password:
        auth += ":" + quote(password, safe="")
    return urlunsplit(parts._replace(netloc=f"{auth}@{host}"))
