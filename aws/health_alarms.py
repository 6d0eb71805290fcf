"""`HealthAlarms`: Route53 HTTPS checks of the public services from the internet, a CloudWatch alarm per
check, and the SNS topic that mails the alert address on failure and on recovery.

All of it lives in us-east-1: Route53 publishes health-check metrics only there, and an alarm can only
notify a topic in its own region. The email subscription stays pending until someone clicks the mail AWS
sends; nothing is delivered before that, and code cannot confirm it."""

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from aws.providers import AwsProviders
from config.aws import HealthCheckSpec


@dataclass(frozen=True)
class HealthAlarmsArgs:
    checks: tuple[HealthCheckSpec, ...]
    email: str
    providers: AwsProviders


class HealthAlarms(pulumi.ComponentResource):
    def __init__(self, name: str, args: HealthAlarmsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:aws:HealthAlarms", name, None, opts)
        p = args.providers
        self.topic = aws.sns.Topic(name, name=f"goldentooth-{name}", opts=p.edge_opts(self))
        self.subscription = aws.sns.TopicSubscription(
            name, topic=self.topic.arn, protocol="email", endpoint=args.email, opts=p.edge_opts(self)
        )
        self.checks: dict[str, aws.route53.HealthCheck] = {}
        self.alarms: dict[str, aws.cloudwatch.MetricAlarm] = {}
        for check in args.checks:
            health = aws.route53.HealthCheck(
                check.name,
                type="HTTPS",
                fqdn=check.fqdn,
                port=check.port,
                resource_path=check.path,
                enable_sni=True,
                request_interval=30,
                failure_threshold=3,
                measure_latency=True,
                tags={"Name": f"goldentooth-{check.name}"},
                opts=p.edge_opts(self),
            )
            self.checks[check.name] = health
            self.alarms[check.name] = aws.cloudwatch.MetricAlarm(
                check.name,
                name=f"external-{check.name}-unreachable",
                alarm_description=f"Route53 health check for {check.fqdn} is failing from the public internet.",
                namespace="AWS/Route53",
                metric_name="HealthCheckStatus",
                dimensions={"HealthCheckId": health.id},
                statistic="Minimum",
                period=60,
                evaluation_periods=3,
                threshold=1,
                comparison_operator="LessThanThreshold",
                treat_missing_data="breaching",  # no data means the checkers cannot reach it either
                alarm_actions=[self.topic.arn],
                ok_actions=[self.topic.arn],  # recovery is mailed too
                opts=p.edge_opts(self),
            )
        self.register_outputs({"topicArn": self.topic.arn, "checks": sorted(self.checks)})
