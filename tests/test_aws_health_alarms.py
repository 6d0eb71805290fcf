"""External monitoring: an HTTPS Route53 check per public service -> a CloudWatch alarm on it -> an SNS topic
that mails the configured address, all in us-east-1 where the health-check metrics are."""

from collections.abc import Callable
from typing import Any

from offline.evaluate import Evaluation
from tests.aws_support import region_of

Evaluate = Callable[[Callable[[dict[str, Any]], None]], Evaluation]


def test_one_https_check_per_configured_service(real_evaluation: Evaluation) -> None:
    configured = {c.name: c for c in real_evaluation.spec.aws.health_checks}
    checks = {c.name: c for c in real_evaluation.of_type("aws:route53/healthCheck:HealthCheck")}
    assert sorted(checks) == sorted(configured) == ["pds", "wiz6"]
    for name, check in checks.items():
        assert check.inputs["type"] == "HTTPS"
        assert check.inputs["fqdn"] == configured[name].fqdn == f"{name}.goldentooth.net"
        assert check.inputs["port"] == 443 and check.inputs["resourcePath"] == "/"
        assert check.inputs["enableSni"] is True
        assert (check.inputs["requestInterval"], check.inputs["failureThreshold"]) == (30, 3)


def test_each_alarm_watches_its_check_and_notifies_the_topic_on_failure_and_recovery(real_evaluation: Evaluation) -> None:
    topic = real_evaluation.one("aws:sns/topic:Topic", "external-monitoring")
    for check in real_evaluation.of_type("aws:route53/healthCheck:HealthCheck"):
        alarm = real_evaluation.one("aws:cloudwatch/metricAlarm:MetricAlarm", check.name)
        assert (alarm.inputs["namespace"], alarm.inputs["metricName"]) == ("AWS/Route53", "HealthCheckStatus")
        assert alarm.inputs["dimensions"] == {"HealthCheckId": f"placeholder-id-{check.name}"}
        assert alarm.property_dependencies["dimensions"] == (check.urn,)
        assert alarm.inputs["comparisonOperator"] == "LessThanThreshold" and alarm.inputs["threshold"] == 1
        assert alarm.inputs["treatMissingData"] == "breaching"
        assert alarm.property_dependencies["alarmActions"] == alarm.property_dependencies["okActions"] == (topic.urn,)
        assert region_of(real_evaluation, alarm) == region_of(real_evaluation, check) == "us-east-1"
    assert region_of(real_evaluation, topic) == "us-east-1"  # an alarm can only notify a topic in its region


def test_the_topic_mails_the_configured_alert_address(evaluate_edited: Evaluate) -> None:
    ev = evaluate_edited(lambda plain: plain["aws"].update(alertEmail="oncall@example.org"))
    topic = ev.one("aws:sns/topic:Topic", "external-monitoring")
    subscription = ev.one("aws:sns/topicSubscription:TopicSubscription", "external-monitoring")
    assert subscription.inputs["protocol"] == "email"
    assert subscription.inputs["endpoint"] == "oncall@example.org"
    assert subscription.property_dependencies["topic"] == (topic.urn,)


def test_no_configured_checks_means_no_monitoring_resources(evaluate_edited: Evaluate) -> None:
    ev = evaluate_edited(lambda plain: plain["aws"].update(healthChecks=[]))
    for type_ in ("aws:route53/healthCheck:HealthCheck", "aws:cloudwatch/metricAlarm:MetricAlarm", "aws:sns/topic:Topic"):
        assert ev.of_type(type_) == []
