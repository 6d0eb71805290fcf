"""`ValidatedCertificate`: an ACM certificate in us-east-1, DNS-validated through records in the zone.

A wildcard and its base name get the same validation CNAME from ACM, so one record is created per base name
(two resources claiming one record conflict). What CloudFront consumes is the *validation's* certificate ARN:
the edge from validation to distribution means no distribution is pointed at an unissued certificate."""

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from aws.providers import AwsProviders


def validation_bases(domains: Sequence[str]) -> tuple[str, ...]:
    """One entry per distinct validation record: `*.x` and `x` share one. Order follows `domains`."""
    bases: list[str] = []
    for domain in domains:
        base = domain.removeprefix("*.")
        if base not in bases:
            bases.append(base)
    return tuple(bases)


def _option_for(
    options: Sequence[aws.acm.outputs.CertificateDomainValidationOption], base: str
) -> aws.acm.outputs.CertificateDomainValidationOption:
    for option in options:
        if (option.domain_name or "").removeprefix("*.") == base:
            return option
    raise ValueError(f"ACM returned no validation option for {base}")


@dataclass(frozen=True)
class CertificateArgs:
    domains: tuple[str, ...]  # the first is the certificate's subject
    zone_id: pulumi.Input[str]
    ttl: int
    providers: AwsProviders


class ValidatedCertificate(pulumi.ComponentResource):
    certificate_arn: pulumi.Output[str]  # from the validation: usable only once ACM has issued

    def __init__(self, name: str, args: CertificateArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:aws:Certificate", name, None, opts)
        edge = args.providers
        # Replacement is create-before-destroy (Pulumi's default, stated so no one flips it): the new
        # certificate is issued and attached before the old one, still in use by CloudFront, is deleted.
        certificate = aws.acm.Certificate(
            name,
            domain_name=args.domains[0],
            subject_alternative_names=list(args.domains[1:]),
            validation_method="DNS",
            key_algorithm="RSA_2048",
            opts=edge.edge_opts(self, pulumi.ResourceOptions(delete_before_replace=False)),
        )
        self.validation_records = [
            self._validation_record(name, certificate, base, args) for base in validation_bases(args.domains)
        ]
        validation = aws.acm.CertificateValidation(
            name,
            certificate_arn=certificate.arn,
            validation_record_fqdns=[r.fqdn for r in self.validation_records],
            opts=edge.edge_opts(self),
        )
        self.certificate = certificate
        self.certificate_arn = validation.certificate_arn
        self.register_outputs({"certificateArn": self.certificate_arn})

    def _validation_record(
        self, name: str, certificate: aws.acm.Certificate, base: str, args: CertificateArgs
    ) -> aws.route53.Record:
        option = certificate.domain_validation_options.apply(lambda options: _option_for(options, base))
        return aws.route53.Record(
            f"{name}-validation-{base}",
            zone_id=args.zone_id,
            name=option.apply(lambda o: o.resource_record_name or ""),
            type=option.apply(lambda o: o.resource_record_type or "CNAME"),
            records=[option.apply(lambda o: o.resource_record_value or "")],
            ttl=args.ttl,
            # ACM hands every certificate for a name in this account the same CNAME, so the record may already
            # exist (a certificate issued before this stack). It is imported then (`goldentooth:adoption`), never
            # overwritten: an upsert would take a record another tool still owns and deletes on its next run.
            opts=args.providers.edge_opts(self),
        )
