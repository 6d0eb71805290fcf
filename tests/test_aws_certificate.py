"""ACM: one certificate for the apex and its wildcards, one validation record per distinct ACM record, and
the chain validation records -> certificate validation -> distributions."""

from aws.certificate import validation_bases
from aws.cloud import certificate_domains
from offline.evaluate import Evaluation, depends_directly
from tests.aws_support import region_of


def test_a_wildcard_and_its_base_name_share_one_validation_record() -> None:
    assert validation_bases(("goldentooth.net", "*.goldentooth.net")) == ("goldentooth.net",)
    assert validation_bases(("*.a.example", "b.example", "a.example")) == ("a.example", "b.example")


def test_the_certificate_covers_the_apex_its_wildcard_and_the_proxy_wildcard() -> None:
    assert certificate_domains("goldentooth.net", "home-proxy") == (
        "goldentooth.net",
        "*.goldentooth.net",
        "*.home-proxy.goldentooth.net",
    )


def test_certificate_is_dns_validated_in_us_east_1_and_replaced_create_before_destroy(real_evaluation: Evaluation) -> None:
    cert = real_evaluation.one("aws:acm/certificate:Certificate", "edge")
    assert cert.inputs["domainName"] == "goldentooth.net"
    assert cert.inputs["subjectAlternativeNames"] == ["*.goldentooth.net", "*.home-proxy.goldentooth.net"]
    assert cert.inputs["validationMethod"] == "DNS"
    assert region_of(real_evaluation, cert) == "us-east-1"  # CloudFront takes certificates from there only
    assert cert.delete_before_replace is False


def test_validation_records_are_deduplicated_and_come_from_the_certificates_options(real_evaluation: Evaluation) -> None:
    cert = real_evaluation.one("aws:acm/certificate:Certificate", "edge")
    records = [r for r in real_evaluation.of_type("aws:route53/record:Record") if r.name.startswith("edge-validation-")]
    # apex + *.apex share one record; *.home-proxy needs its own: two records for three names
    assert sorted(r.inputs["name"] for r in records) == [
        "_placeholder-acm.goldentooth.net.",
        "_placeholder-acm.home-proxy.goldentooth.net.",
    ]
    for r in records:
        assert r.inputs["type"] == "CNAME"
        assert set(r.property_dependencies["name"]) == set(r.property_dependencies["records"]) == {cert.urn}
    assert len({r.inputs["name"] for r in records}) == len(records)


def test_validation_waits_for_every_record_and_distributions_wait_for_the_validation(real_evaluation: Evaluation) -> None:
    cert = real_evaluation.one("aws:acm/certificate:Certificate", "edge")
    validation = real_evaluation.one("aws:acm/certificateValidation:CertificateValidation", "edge")
    records = [r for r in real_evaluation.of_type("aws:route53/record:Record") if r.name.startswith("edge-validation-")]
    assert set(validation.property_dependencies["validationRecordFqdns"]) == {r.urn for r in records}
    assert validation.property_dependencies["certificateArn"] == (cert.urn,)
    distributions = real_evaluation.of_type("aws:cloudfront/distribution:Distribution")
    assert len(distributions) == 2
    for d in distributions:
        # the ARN comes from the validation, not the certificate: no distribution sees an unissued certificate
        assert d.property_dependencies["viewerCertificate"] == (validation.urn,)
        assert not depends_directly(d, cert)


def test_in_a_preview_the_unknown_validation_options_still_give_two_records_and_the_chain(
    real_preview_evaluation: Evaluation,
) -> None:
    """Under `pulumi preview` the options are unknown: record count and edges must not depend on their values."""
    ev = real_preview_evaluation
    records = [r for r in ev.of_type("aws:route53/record:Record") if r.name.startswith("edge-validation-")]
    assert len(records) == 2
    validation = ev.one("aws:acm/certificateValidation:CertificateValidation", "edge")
    assert set(validation.property_dependencies["validationRecordFqdns"]) == {r.urn for r in records}
