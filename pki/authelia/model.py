"""Authelia 4.38's configuration as typed models: each class is one section of configuration.yml, its fields
named exactly as Authelia names its keys. Unknown keys are impossible to write (extra="forbid"), and the rendered
file is checked against Authelia's own JSON schema in the tests (tests/test_pki_authelia.py)."""

from typing import Literal

from pydantic import BaseModel, ConfigDict


class Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ServerTls(Section):
    certificate: str
    key: str


class Buffers(Section):
    read: int = 4096
    write: int = 4096


class Server(Section):
    address: str  # tcp://<ip>:<port>/
    tls: ServerTls
    buffers: Buffers = Buffers()


class Log(Section):
    level: Literal["info", "debug", "warn", "error"] = "info"
    format: Literal["text", "json"] = "text"


class Metrics(Section):
    enabled: bool = True
    address: str


class Telemetry(Section):
    metrics: Metrics


class Totp(Section):
    issuer: str
    algorithm: Literal["SHA1", "SHA256", "SHA512"] = "SHA1"
    digits: int = 6
    period: int = 30
    skew: int = 1
    secret_size: int = 32


class Webauthn(Section):
    disable: bool = False
    display_name: str
    attestation_conveyance_preference: Literal["none", "indirect", "direct"] = "indirect"
    user_verification: Literal["discouraged", "preferred", "required"] = "preferred"
    timeout: str = "60s"


class Argon2(Section):
    variant: Literal["argon2id"] = "argon2id"
    iterations: int = 3
    memory: int = 65536
    parallelism: int = 4
    key_length: int = 32
    salt_length: int = 16


class PasswordHashing(Section):
    algorithm: Literal["argon2"] = "argon2"  # for passwords users set; the generated ones are pbkdf2 digests
    argon2: Argon2 = Argon2()


class FileBackend(Section):
    path: str
    password: PasswordHashing = PasswordHashing()


class PasswordReset(Section):
    disable: bool = False


class AuthenticationBackend(Section):
    password_reset: PasswordReset = PasswordReset()
    file: FileBackend


class StandardPolicy(Section):
    enabled: bool = True
    min_length: int = 12
    max_length: int = 128
    require_uppercase: bool = True
    require_lowercase: bool = True
    require_number: bool = True
    require_special: bool = True


class PasswordPolicy(Section):
    standard: StandardPolicy = StandardPolicy()


Policy = Literal["bypass", "one_factor", "two_factor", "deny"]


class AccessRule(Section):
    domain: tuple[str, ...]
    policy: Policy
    resources: tuple[str, ...] | None = None
    subject: tuple[str, ...] | None = None


class AccessControl(Section):
    default_policy: Policy = "one_factor"
    rules: tuple[AccessRule, ...] = ()


class SessionCookie(Section):
    domain: str
    authelia_url: str
    default_redirection_url: str


class Session(Section):
    name: str = "authelia_session"
    same_site: Literal["lax", "strict", "none"] = "lax"
    expiration: str = "1h"
    inactivity: str = "5m"
    remember_me: str = "1M"
    secret: str
    cookies: tuple[SessionCookie, ...]


class Regulation(Section):
    max_retries: int = 3
    find_time: str = "2m"
    ban_time: str = "5m"


class LocalStorage(Section):
    path: str


class Storage(Section):
    encryption_key: str
    local: LocalStorage


class FilesystemNotifier(Section):
    filename: str


class Notifier(Section):
    disable_startup_check: bool = False
    filesystem: FilesystemNotifier


class ResetPassword(Section):
    jwt_secret: str


class IdentityValidation(Section):
    reset_password: ResetPassword


class Jwk(Section):
    key_id: str
    algorithm: Literal["RS256"] = "RS256"
    use: Literal["sig"] = "sig"
    key: str


class Lifespans(Section):
    access_token: str = "30d"
    authorize_code: str = "1m"
    id_token: str = "30d"
    refresh_token: str = "90d"


class Cors(Section):
    endpoints: tuple[str, ...] = ("authorization", "token", "revocation", "introspection", "userinfo")
    allowed_origins_from_client_redirect_uris: bool = True


class OidcClient(Section):
    client_id: str
    client_name: str
    client_secret: str | None = None  # a digest; None for a public client
    public: bool = False
    authorization_policy: Literal["one_factor", "two_factor"] = "one_factor"
    redirect_uris: tuple[str, ...]
    scopes: tuple[str, ...]
    grant_types: tuple[str, ...] = ("authorization_code", "refresh_token")
    response_types: tuple[str, ...] = ("code",)
    response_modes: tuple[str, ...] = ("query",)
    token_endpoint_auth_method: Literal["client_secret_post", "client_secret_basic", "none"] = "client_secret_post"


class Oidc(Section):
    hmac_secret: str
    jwks: tuple[Jwk, ...]
    lifespans: Lifespans = Lifespans()
    enable_client_debug_messages: bool = False
    minimum_parameter_entropy: int = 8
    cors: Cors = Cors()
    clients: tuple[OidcClient, ...]


class IdentityProviders(Section):
    oidc: Oidc


class Configuration(Section):
    server: Server
    log: Log = Log()
    telemetry: Telemetry
    totp: Totp
    webauthn: Webauthn
    authentication_backend: AuthenticationBackend
    password_policy: PasswordPolicy = PasswordPolicy()
    access_control: AccessControl
    session: Session
    regulation: Regulation = Regulation()
    storage: Storage
    notifier: Notifier
    identity_validation: IdentityValidation
    identity_providers: IdentityProviders


class User(Section):
    disabled: bool = False
    displayname: str
    password: str  # a digest
    email: str
    groups: tuple[str, ...] = ()


class UsersDatabase(Section):
    users: dict[str, User]
