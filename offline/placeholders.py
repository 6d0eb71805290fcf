"""Deterministic stand-ins for values only a provider or cloud can assign (ids, ARNs, command output).

Every placeholder says it is one, and depends only on the resource's type and name, so two evaluations
of the same config produce identical plans.
"""

from collections.abc import Callable, Mapping
from typing import Any

ACCOUNT = "000000000000"
Computed = Callable[[str, Mapping[str, Any]], dict[str, Any]]


def placeholder(kind: str, name: str) -> str:
    return f"[placeholder {kind} of {name}]"


def resource_id(type_: str, name: str) -> str:
    return f"placeholder-id-{name}"


def _remote_command(name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    return {"stdout": placeholder("stdout", name), "stderr": ""}


def _aws_common(type_: str, name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    service = type_.split(":")[1].split("/")[0]
    region = "us-east-1"
    return {"arn": f"arn:aws:{service}:{region}:{ACCOUNT}:placeholder/{name}"}


# Per-type computed outputs; layers add entries for the attributes their code reads.
COMPUTED: dict[str, Computed] = {
    "command:remote:Command": _remote_command,
    "command:local:Command": _remote_command,
}


def register(type_: str, computed: Computed) -> None:
    COMPUTED[type_] = computed


def outputs_for(type_: str, name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Inputs echo back as outputs (as most providers do), plus the computed attributes we know of."""
    outputs: dict[str, Any] = dict(inputs)
    if type_.startswith("aws:"):
        outputs.update({k: v for k, v in _aws_common(type_, name, inputs).items() if k not in outputs})
    extra = COMPUTED.get(type_)
    if extra is not None:
        outputs.update(extra(name, inputs))
    return outputs


# Invokes (data sources) answered offline, keyed by token.
INVOKES: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    "aws:index/getCallerIdentity:getCallerIdentity": lambda _: {
        "accountId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:user/placeholder", "userId": "PLACEHOLDER",
    },
    "aws:index/getRegion:getRegion": lambda args: {"name": args.get("name") or "us-east-1", "region": "us-east-1"},
}


# --- aws/ and cloudflare/: the computed attributes the cloud layers read ---------------------------------

CLOUDFRONT_ZONE = "Z2FDTNDATAQYW2"  # not cloud-assigned: AWS documents it as the zone of every distribution


def _acm_certificate(name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """One validation option per name, as ACM reports them: `*.x` and `x` share one record."""
    domains = [inputs.get("domainName", ""), *inputs.get("subjectAlternativeNames", [])]
    return {
        "arn": f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/placeholder-{name}",
        "domainValidationOptions": [
            {
                "domainName": d,
                "resourceRecordName": f"_placeholder-acm.{d.removeprefix('*.')}.",
                "resourceRecordType": "CNAME",
                "resourceRecordValue": f"_placeholder-{d.removeprefix('*.')}.acm-validations.aws.",
            }
            for d in domains
        ],
    }


def _bucket(name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    bucket = inputs.get("bucket") or f"{name}-placeholder"
    return {
        "bucket": bucket,
        "arn": f"arn:aws:s3:::{bucket}",
        "bucketRegionalDomainName": f"{bucket}.s3.placeholder-region.amazonaws.com",
    }


def _distribution(name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "arn": f"arn:aws:cloudfront::{ACCOUNT}:distribution/placeholder-{name}",
        "domainName": f"placeholder-{name}.cloudfront.net",
        "hostedZoneId": CLOUDFRONT_ZONE,
    }


register("aws:acm/certificate:Certificate", _acm_certificate)
register("aws:route53/record:Record", lambda name, inputs: {"fqdn": inputs.get("name", "")})
register("aws:route53/zone:Zone", lambda name, inputs: {
    "nameServers": [placeholder(f"name server {i}", name) for i in range(1, 5)],
})
register("aws:s3/bucket:Bucket", _bucket)
register("aws:cloudfront/distribution:Distribution", _distribution)
register("aws:cloudfront/function:Function", lambda name, inputs: {
    "arn": f"arn:aws:cloudfront::{ACCOUNT}:function/placeholder-{name}",
})
register("aws:kms/key:Key", lambda name, inputs: {
    "keyId": f"placeholder-key-{name}", "arn": f"arn:aws:kms:placeholder-region:{ACCOUNT}:key/placeholder-key-{name}",
})
register("aws:iam/user:User", lambda name, inputs: {"arn": f"arn:aws:iam::{ACCOUNT}:user/{inputs.get('name', name)}"})
register("aws:iam/accessKey:AccessKey", lambda name, inputs: {"secret": placeholder("secret access key", name)})
register("aws:sns/topic:Topic", lambda name, inputs: {
    "arn": f"arn:aws:sns:us-east-1:{ACCOUNT}:{inputs.get('name', name)}",
})
register("random:index/randomBytes:RandomBytes", lambda name, inputs: {
    "base64": placeholder("random bytes (base64)", name), "hex": placeholder("random bytes (hex)", name),
})
INVOKES["cloudflare:index/getZeroTrustTunnelCloudflaredToken:getZeroTrustTunnelCloudflaredToken"] = lambda args: {
    "accountId": args.get("accountId", ""), "tunnelId": args.get("tunnelId", ""), "token": placeholder("tunnel token", "tunnel"),
}

# Kubernetes layer (k8s/pki.py, k8s/argocd.py): the CA's public key must be a parseable PEM because the join
# pin (caCertHashes) is computed from it; this one belongs to a throwaway key and says so before its block.
PLACEHOLDER_PUBLIC_KEY_PEM = """placeholder public key (offline evaluation; not the cluster CA)
-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAosWo3wCtML3OXkxuJZAd
jJ4z1hhIEV9UEJ2zDFJnfMtmHiW++M3wLPiKK5LBRAGp83kb36OmqJDGW7dLfAAd
GHUYj4Q8CkVqjBxuz6rKDhRsGOdjmTT1N04390zCdi4fFi2mYQ0KVgu1qj/HZcrD
PxtbUpP0TIJFBj6RFD0Qp61O1TKB7VPO4q0iMXEV6XWsODZBMklAtw1S+AosCsX+
aNWwccMi+g5bB6khylRVJJwJtAt/9QpX1foF1wnBqnsXmWELG/zSf0pmeDjYSFIY
qmk2BHAkg7/NOpITaULvg35Y2ksBqS8QwSISStNgEGOPWOsH746ws6zoAGEuSgvD
MQIDAQAB
-----END PUBLIC KEY-----
"""
register("tls:index/privateKey:PrivateKey", lambda name, inputs: {
    "publicKeyPem": PLACEHOLDER_PUBLIC_KEY_PEM, "privateKeyPem": placeholder("private key PEM", name),
    # Storage layer (storage/zfs): the replication key's OpenSSH forms.
    "publicKeyOpenssh": f"ssh-ed25519 {placeholder('public key', name).replace(' ', '_')}\n",
    "privateKeyOpenssh": placeholder("private key (OpenSSH)", name),
})
register("tls:index/selfSignedCert:SelfSignedCert", lambda name, inputs: {"certPem": placeholder("certificate PEM", name)})
register("random:index/randomString:RandomString", lambda name, inputs: {"result": placeholder("random string", name)})
register("random:index/randomId:RandomId", lambda name, inputs: {"hex": placeholder("random id (hex)", name)})
register("random:index/randomPassword:RandomPassword", lambda name, inputs: {
    "result": placeholder("random password", name), "bcryptHash": placeholder("bcrypt hash", name),
})
# HashiCorp layer (hashicorp/identity.py): preset token ids.
register("random:index/randomUuid:RandomUuid", lambda name, inputs: {"result": placeholder("random uuid", name)})
